"""The office's side of proposals: rounds, the units' dossiers (return or receive), the round's
merged lines into a draft decision, the dossier checklist data and the units' accounts. Thin
pages over registry.services.proposals."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from registry.models import (
    Attachment,
    DossierRequirement,
    Proposal,
    ProposalStatus,
    Round,
    Unit,
    UnitMembership,
)
from registry.models.awards import SignerPrefix
from registry.services.proposals import (
    proposal_checklist,
    proposal_receive,
    proposal_return,
    round_check,
    round_lines,
    round_lines_to_draft,
    round_save,
    unit_account_check,
    unit_account_create,
    unit_account_move,
)

from .base import OfficeScopedAdmin, RecordOnlyAdmin

TEMPLATES = "admin/registry/proposals"


def _error_text(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for ms in error.message_dict.values() for m in ms]
    return error.messages


class RoundForm(forms.ModelForm):
    def _post_clean(self):
        super()._post_clean()
        try:
            round_check(round=self.instance)
        except ValidationError as error:
            for name, found in error.message_dict.items():
                for message in found:
                    self.add_error(name if name in self.fields else None, message)


@admin.register(Round)
class RoundAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = "authority"
    form = RoundForm
    list_display = ["title", "authority", "year", "kind", "deadline", "status", "counts"]
    list_filter = ["status", "kind", "year"]
    search_fields = ["title"]
    fields = [
        "authority",
        "year",
        "kind",
        "campaign",
        "title",
        "deadline",
        "award_types",
        "status",
        "lines_link",
    ]
    readonly_fields = ["lines_link"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("authority")
            .annotate(
                sent=Count("proposals", filter=~Q(proposals__status=ProposalStatus.DRAFT)),
                received=Count("proposals", filter=Q(proposals__status=ProposalStatus.RECEIVED)),
            )
        )

    @admin.display(description="hồ sơ đã gửi / đã tiếp nhận")
    def counts(self, obj):
        return f"{obj.sent} / {obj.received}"

    @admin.display(description="dòng đề nghị đã tiếp nhận")
    def lines_link(self, obj):
        if not obj or not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">Xem danh sách tổng hợp, chọn dòng đưa vào dự thảo quyết định</a>',
            reverse("admin:registry_round_lines", args=[obj.pk]),
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "award_types":
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["queryset"] = db_field.related_model.objects.order_by("display_order", "name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        round_save(round=obj, user=request.user)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/de-nghi/",
                self.admin_site.admin_view(self.lines_view),
                name="registry_round_lines",
            )
        ] + super().get_urls()

    def lines_view(self, request, object_id):
        round = self.scoped_object_or_404(
            request, object_id, Round.objects.select_related("authority", "campaign")
        )
        if not self.has_view_permission(request, round):
            raise PermissionDenied
        can_draft = request.user.has_perm("registry.add_decision")
        form = DraftForm(request.POST or None, initial={"signed_date": timezone.localdate()})
        if request.method == "POST" and can_draft and form.is_valid():
            chosen = [int(v) for v in request.POST.getlist("line") if v.isdigit()]
            reasons = {
                pk: request.POST.get(f"reason-{pk}", "")
                for pk in chosen
                if request.POST.get(f"reason-{pk}", "").strip()
            }
            try:
                decision = round_lines_to_draft(
                    round=round,
                    line_ids=chosen,
                    reasons=reasons,
                    user=request.user,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                for message in _error_text(error):
                    self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Đã lập dự thảo quyết định {decision.number} gồm {decision.awards.count()} "
                    "dòng khen thưởng. Hãy kiểm tra trước khi ban hành.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:registry_decision_change", args=[decision.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": round,
            "round": round,
            "merged": round_lines(round=round),
            "proposals": round.proposals.select_related("unit").annotate(n=Count("lines")),
            "form": form if can_draft else None,
            "title": f"Dòng đề nghị đã tiếp nhận – {round.title}",
        }
        return TemplateResponse(request, f"{TEMPLATES}/round_lines.html", context)


class DraftForm(forms.Form):
    signed_date = forms.DateField(label="Ngày ký (dự kiến)")
    number = forms.CharField(
        label="Số quyết định", required=False, help_text="Để trống: số tiếp theo của cấp khen."
    )
    signer_prefix = forms.ChoiceField(
        label="Thẩm quyền ký", choices=SignerPrefix.choices, required=False
    )
    signer_title = forms.CharField(
        label="Chức vụ người ký", required=False, help_text="Để trống: như quyết định gần nhất."
    )
    signer_name = forms.CharField(
        label="Người ký", required=False, help_text="Để trống: như quyết định gần nhất."
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Lý do trả lại",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Đơn vị thấy lý do này trên trang hồ sơ của mình.",
    )


@admin.register(Proposal)
class ProposalAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = "round__authority"
    list_display = ["unit", "round", "submission_number", "status", "line_count", "submitted_at"]
    list_filter = ["status", "round"]
    search_fields = ["unit__name", "submission_number"]
    change_form_template = f"{TEMPLATES}/proposal_change_form.html"
    fields = [
        "round",
        "unit",
        "status",
        "submission_number",
        "submission_date",
        "return_reason",
        "answer",
        "decision",
        "submitted_at",
        "returned_at",
        "received_at",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("round__authority", "unit", "decision")
            .annotate(n_lines=Count("lines"))
        )

    @admin.display(description="số dòng")
    def line_count(self, obj):
        return obj.n_lines

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        proposal = self.get_object(request, object_id)
        # Every field is read only: the steps are the buttons below, not a save.
        extra = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            **(extra_context or {}),
        }
        if proposal is not None:
            extra.update(
                checklist=proposal_checklist(proposal=proposal),
                lines=proposal.lines.select_related(
                    "award_type", "collective", "individual", "household"
                ),
                attachments=proposal.attachments.select_related("line"),
                return_form=ReturnForm(),
                can_decide=proposal.status == ProposalStatus.SUBMITTED
                and self.has_change_permission(request, proposal),
            )
        return super().change_view(request, object_id, form_url, extra)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/tiep-nhan/",
                self.admin_site.admin_view(self.receive_view),
                name="registry_proposal_receive",
            ),
            path(
                "<int:object_id>/tra-lai/",
                self.admin_site.admin_view(self.return_view),
                name="registry_proposal_return",
            ),
        ] + super().get_urls()

    def _step(self, request, object_id, step, done: str):
        proposal = self.scoped_object_or_404(request, object_id)
        if not self.has_change_permission(request, proposal):
            raise PermissionDenied
        try:
            step(proposal)
        except ValidationError as error:
            for message in _error_text(error):
                self.message_user(request, message, messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:registry_proposal_change", args=[object_id]))

    def receive_view(self, request, object_id):
        return require_POST(
            lambda r: self._step(
                r,
                object_id,
                lambda p: proposal_receive(proposal=p, user=r.user),
                "Đã tiếp nhận hồ sơ.",
            )
        )(request)

    def return_view(self, request, object_id):
        form = ReturnForm(request.POST)
        form.is_valid()
        reason = form.cleaned_data.get("reason", "")
        return require_POST(
            lambda r: self._step(
                r,
                object_id,
                lambda p: proposal_return(proposal=p, reason=reason, user=r.user),
                "Đã trả lại hồ sơ cho đơn vị, kèm lý do.",
            )
        )(request)


@admin.register(Attachment)
class AttachmentAdmin(RecordOnlyAdmin, OfficeScopedAdmin, admin.ModelAdmin):
    """Listed for the office (and so served by the private file view); units upload them."""

    scope = "proposal__round__authority"
    list_display = ["file_name", "document_kind", "proposal", "line", "uploaded_at"]
    list_select_related = ["proposal__unit", "line__award_type"]
    list_filter = ["document_kind"]

    def has_module_permission(self, request):
        return False


@admin.register(DossierRequirement)
class DossierRequirementAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    list_display = [
        "document_kind",
        "scope",
        "award_type",
        "award_family",
        "recipient_kind",
        "loai_hinh",
        "valid_from",
        "valid_to",
    ]
    list_select_related = ["award_type"]
    list_filter = ["document_kind", "scope"]


class UnitAccountForm(forms.ModelForm):
    username = forms.CharField(label="Tên đăng nhập", max_length=150)
    password = forms.CharField(label="Mật khẩu", widget=forms.PasswordInput, strip=False)

    class Meta:
        model = UnitMembership
        fields = ["unit"]

    def clean(self):
        data = super().clean()
        try:
            unit_account_check(username=data.get("username"), password=data.get("password"))
        except ValidationError as error:
            for name, found in error.message_dict.items():
                for message in found:
                    self.add_error(name if name in self.fields else None, message)
        return data


@admin.register(UnitMembership)
class UnitMembershipAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    """Accounts of proposing units: made by the office (no self-registration), never staff."""

    list_display = ["user", "unit"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "unit__name"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = UnitAccountForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["username", "password", "unit"] if obj is None else ["user", "unit"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = Unit.objects.order_by("sort_key")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            unit_account_move(membership=obj, unit=obj.unit, user=request.user)
            return
        account = unit_account_create(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            unit=form.cleaned_data["unit"],
            user=request.user,
        )
        obj.pk = account.unit_membership.pk
        obj.user = account
