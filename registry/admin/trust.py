"""Revocation and amendment pages, office memberships."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from registry.models import Award, Decision
from registry.models.awards import DecisionKind, DecisionStatus
from registry.models.trust import Amendment, AuthorityMembership, Revocation, RevocationReason
from registry.services.revocations import awards_revoke

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


@admin.register(Revocation)
class RevocationAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = "award__authority"
    list_display = ["award", "decision", "reason", "certificate_recovered_on", "cash_recovered"]
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

    def has_add_permission(self, request):
        return False  # revocations are made from the awards, through the service

    def has_delete_permission(self, request, obj=None):
        return False

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


@admin.register(Amendment)
class AmendmentAdmin(RecordOnlyAdmin, OfficeScopedAdmin, admin.ModelAdmin):
    scope = "award__authority"
    list_display = ["award", "field", "new_value", "decision", "recorded_at"]
    list_select_related = ["award", "award__award_type", "decision"]
    readonly_fields = [f.name for f in Amendment._meta.fields]


@admin.register(AuthorityMembership)
class AuthorityMembershipAdmin(OfficeScopedAdmin, admin.ModelAdmin):
    scope = "authority"
    list_display = ["user", "authority"]
    list_select_related = ["user", "authority"]
    list_filter = ["authority"]
    autocomplete_fields = ["authority"]
