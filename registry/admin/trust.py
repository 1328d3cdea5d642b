"""Revocation and amendment pages, office memberships; users, groups and background jobs."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult
from simple_history.admin import SimpleHistoryAdmin

from registry.models import Award, Decision
from registry.models.awards import DecisionKind, DecisionStatus
from registry.models.trust import (
    AmendableField,
    Amendment,
    AuthorityMembership,
    Revocation,
    RevocationReason,
)
from registry.services.revocations import (
    award_amend,
    awards_revoke,
    revocation_check_recovery,
    revocation_record_recovery,
)
from registry.templatetags.vi_format import money_vnd

from .base import OfficeScopedAdmin, RecordOnlyAdmin


class RevokeForm(forms.Form):
    by = forms.ModelChoiceField(
        label="Quyết định hủy bỏ",
        queryset=Decision.objects.none(),
        help_text="Quyết định hủy bỏ đã ký và đã ban hành (loại “Hủy bỏ khen thưởng”).",
    )
    reason = forms.ChoiceField(label="Căn cứ hủy bỏ", choices=RevocationReason.choices)
    note = forms.CharField(
        label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["by"].queryset = queryset


RECOVERY_FIELDS = ("certificate_recovered_on", "cash_recovered", "cash_recovered_on")


def _add_service_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form, by field where the form has that field."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


class RecoveryForm(forms.ModelForm):
    """The recovery fields of a revocation, checked by the service's own rules before saving."""

    class Meta:
        model = Revocation
        fields = list(RECOVERY_FIELDS)

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in RECOVERY_FIELDS):
            return cleaned
        # self.instance still holds what is recorded: the form's values are put on it later.
        for name in RECOVERY_FIELDS:
            if (
                name in cleaned
                and cleaned[name] is None
                and getattr(self.instance, name) is not None
            ):
                self.add_error(
                    name,
                    "Đã ghi việc thu hồi, không xóa được: nếu ghi nhầm, hãy ghi lại giá trị đúng.",
                )
        if not self.errors:
            try:
                revocation_check_recovery(
                    revocation=self.instance, **{n: cleaned.get(n) for n in RECOVERY_FIELDS}
                )
            except ValidationError as error:
                _add_service_errors(self, error)
        return cleaned


@admin.register(Revocation)
class RevocationAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = "award__authority"
    form = RecoveryForm
    list_display = [
        "award",
        "decision",
        "reason",
        "certificate_recovered_on",
        "cash_recovered_shown",
    ]
    list_select_related = ["award", "award__award_type", "decision"]
    list_filter = ["reason"]
    fields = [
        "award",
        "decision",
        "reason",
        "note",
        "certificate_recovered_on",
        "cash_recovered",
        "cash_recovered_on",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = ["award", "decision", "reason", "note", "recorded_by", "recorded_at"]

    @admin.display(description="tiền thưởng đã thu hồi", ordering="cash_recovered")
    def cash_recovered_shown(self, obj):
        return "–" if obj.cash_recovered is None else money_vnd(obj.cash_recovered)

    def has_add_permission(self, request):
        return False  # revocations are made from the awards, through the service

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        revocation_record_recovery(
            revocation=obj,
            user=request.user,
            **{name: form.cleaned_data.get(name) for name in RECOVERY_FIELDS},
        )

    def get_urls(self):
        return [
            path(
                "revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="registry_revocation_revoke",
            )
        ] + super().get_urls()

    def revoke_view(self, request):
        if not request.user.has_perm("registry.revoke_award"):
            raise PermissionDenied
        source = request.GET if request.method == "GET" else request.POST
        awards = self.admin_site._registry[Award].scope_filter(
            request,
            Award.objects.select_related("decision", "award_type", "authority").filter(
                revoked_by__isnull=True, decision__status=DecisionStatus.ISSUED
            ),
        )
        if source.get("decision"):
            awards = awards.filter(decision_id=source["decision"])
        else:
            ids = [int(i) for i in source.get("awards", "").split(",") if i.strip().isdigit()]
            awards = awards.filter(pk__in=ids)
        awards = list(awards.order_by("decision_id", "line_no"))
        candidates = self.admin_site._registry[Decision].scope_filter(
            request,
            Decision.objects.filter(
                kind=DecisionKind.REVOCATION, status=DecisionStatus.ISSUED
            ).select_related("authority"),
        )
        form = RevokeForm(request.POST or None, queryset=candidates)
        if request.method == "POST" and form.is_valid():
            try:
                done = awards_revoke(
                    awards=awards,
                    by=form.cleaned_data["by"],
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                self.message_user(
                    request, f"Đã hủy bỏ {len(done)} khen thưởng. Ghi việc thu hồi hiện vật, tiền thưởng tại đây.",
                    messages.SUCCESS,
                )  # fmt: skip
                return HttpResponseRedirect(reverse("admin:registry_revocation_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Hủy bỏ khen thưởng",
            "form": form,
            "awards": awards,
            "source": source,
        }
        return TemplateResponse(request, "admin/registry/revocation/revoke.html", context)


class AwardSearch(AutocompleteSelect):
    def optgroups(self, name, value, attr=None):
        # A posted id that is not a number would break the widget's lookup of the chosen line;
        # the field itself already says the choice is not valid.
        return super().optgroups(name, [v for v in value if str(v).isdigit()], attr)


class AmendForm(forms.Form):
    award = forms.ModelChoiceField(
        label="Khen thưởng được đính chính",
        queryset=Award.objects.none(),
        help_text="Gõ tên người, tập thể được khen để tìm (chỉ dòng đã ban hành, chưa bị hủy bỏ).",
    )
    by = forms.ModelChoiceField(
        label="Quyết định đính chính",
        queryset=Decision.objects.none(),
        help_text="Quyết định đính chính đã ký và đã ban hành (loại “Đính chính khen thưởng”).",
    )
    field = forms.ChoiceField(label="Nội dung đính chính", choices=AmendableField.choices)
    new_value = forms.CharField(
        label="Nội dung mới", widget=forms.Textarea(attrs={"rows": 3}), strip=True
    )
    reason = forms.CharField(label="Lý do", widget=forms.Textarea(attrs={"rows": 3}), strip=True)

    def __init__(self, *args, awards, decisions, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        # A search box rather than every award of the office in one list; set before the
        # queryset, which hands the widget its choices.
        award = self.fields["award"]
        award.widget = AwardSearch(
            Amendment._meta.get_field("award"), admin_site, attrs={"style": "width: 40em"}
        )
        award.widget.is_required = True
        award.queryset = awards
        self.fields["by"].queryset = decisions


@admin.register(Amendment)
class AmendmentAdmin(RecordOnlyAdmin, OfficeScopedAdmin, admin.ModelAdmin):
    """Recorded amendments are listed, never changed; a new one is made through the service."""

    scope = "award__authority"
    list_display = ["award", "field", "new_value", "decision", "recorded_by", "recorded_at"]
    list_select_related = ["award", "award__award_type", "decision", "recorded_by"]
    readonly_fields = [f.name for f in Amendment._meta.fields]

    def has_add_permission(self, request):
        return request.user.has_perm("registry.revoke_award")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        awards = self.admin_site._registry[Award].scope_filter(
            request,
            Award.objects.filter(
                decision__status=DecisionStatus.ISSUED, revoked_by__isnull=True
            ).select_related("award_type"),
        )
        decisions = self.admin_site._registry[Decision].scope_filter(
            request,
            Decision.objects.filter(kind=DecisionKind.AMENDMENT, status=DecisionStatus.ISSUED),
        )
        chosen = request.GET.get("award", "")
        initial = {"award": chosen} if chosen.isdigit() else None
        form = AmendForm(
            request.POST if request.method == "POST" else None,
            initial=initial,
            awards=awards,
            decisions=decisions,
            admin_site=self.admin_site,
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                amendment = award_amend(
                    award=data["award"],
                    by=data["by"],
                    field=data["field"],
                    new_value=data["new_value"],
                    reason=data["reason"],
                    user=request.user,
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                self.message_user(
                    request,
                    f"Đã ghi đính chính {amendment.get_field_display().lower()} của "
                    f"«{amendment.award.recipient_name}» theo quyết định {amendment.decision.number}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:registry_amendment_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Đính chính khen thưởng",
            "form": form,
            "media": self.media + form.media,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "registry/admin/amendment_add.html", context)


@admin.register(AuthorityMembership)
class AuthorityMembershipAdmin(OfficeScopedAdmin, admin.ModelAdmin):
    scope = "authority"
    list_display = ["user", "authority"]
    list_select_related = ["user", "authority"]
    list_filter = ["authority"]
    autocomplete_fields = ["authority"]


# --- Users and groups: Django's own pages, with permissions named in Vietnamese ---------------

_PERMISSION_ACTIONS = {"add": "thêm", "change": "sửa", "delete": "xóa", "view": "xem"}


def permission_label(permission) -> str:
    """“Quyết định khen thưởng: thêm” for Django's “Can add quyết định khen thưởng” (a name
    stored in English when the tables were made); a permission of the registry's own keeps its
    Vietnamese name."""
    model = permission.content_type.model_class()
    subject = capfirst(model._meta.verbose_name) if model else permission.content_type.model
    action, _, rest = permission.codename.partition("_")
    if action in _PERMISSION_ACTIONS and model is not None and rest == model._meta.model_name:
        return f"{subject}: {_PERMISSION_ACTIONS[action]}"
    return f"{subject}: {permission.name}"


class VietnamesePermissionsMixin:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and field.queryset.model is Permission:
            field.label_from_instance = permission_label
        return field


admin.site.unregister(Group)
admin.site.unregister(User)


@admin.register(Group)
class RegistryGroupAdmin(VietnamesePermissionsMixin, GroupAdmin):
    pass


@admin.register(User)
class RegistryUserAdmin(VietnamesePermissionsMixin, UserAdmin):
    pass


# --- Background jobs (django-tasks-db): its admin's own labels are English, not translatable ---

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = [
        "task_label",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    ]

    @admin.display(description="việc", ordering="task_path")
    def task_label(self, obj):
        return obj.task_name

    @admin.display(description="chi tiết lỗi")
    def formatted_traceback(self, obj):
        return super().formatted_traceback(obj)

    @admin.display(description="chạy sau")
    def display_run_after(self, obj):
        return super().display_run_after(obj)
