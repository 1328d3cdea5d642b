from datetime import datetime

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from registry.models import Award, Decision
from registry.selectors.scope import office_q, user_authority_ids
from registry.services.decisions import decision_issue, decision_save
from registry.text import fold
from registry.views import decision_page

from .base import (
    FoldedSearchMixin,
    OfficeScopedAdmin,
    RecordOnlyAdmin,
    YearFilter,
)

AWARD_COUNT = Coalesce(
    Subquery(
        Award.objects.filter(decision=OuterRef("pk"))
        .order_by()
        .values("decision")
        .annotate(n=Count("*"))
        .values("n"),
        output_field=IntegerField(),
    ),
    0,
)


class UsedAwardTypeFilter(admin.RelatedFieldListFilter):
    """The award types of the lines of the user's offices, as RelatedOnlyFieldListFilter lists
    them, found by one EXISTS per type of the (short) catalogue rather than a DISTINCT over
    every award line of the registry."""

    def field_choices(self, field, request, model_admin):
        lines = Award.objects.filter(award_type=OuterRef("pk"))
        ids = user_authority_ids(request.user)
        if ids is not None:
            lines = lines.filter(office_q("authority_id", ids))
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False, limit_choices_to=Q(Exists(lines)), ordering=ordering
        )


@admin.register(Decision)
class DecisionAdmin(OfficeScopedAdmin, FoldedSearchMixin, SimpleHistoryAdmin):
    scope = "authority"
    list_display = [
        "number",
        "signed_date",
        "authority",
        "subject",
        "loai_hinh",
        "award_count",
        "status",
    ]
    list_display_links = ["number"]
    # Fifty decisions a page: a clerk finds one by its number, year or authority, not by paging;
    # each row costs the page its rendering.
    list_per_page = 50
    list_filter = [
        YearFilter,
        "authority",
        ("awards__award_type", UsedAwardTypeFilter),
        "loai_hinh",
        "kind",
        "status",
    ]
    list_select_related = ["authority"]
    search_help_text = "Tìm theo số, trích yếu, người ký (gõ có dấu hoặc không dấu)."
    autocomplete_fields = ["authority", "campaign", "proposing_authority", "proposing_unit"]
    readonly_fields = ["status", "issued_at", "issued_by"]
    fieldsets = [
        (None, {"fields": ["authority", "kind", ("number", "signed_date"), "place", "subject"]}),
        (
            "Căn cứ và đề nghị",
            {"fields": ["legal_bases", "proposing_authority", "proposing_unit", "proposal"]},
        ),
        ("Loại hình", {"fields": ["loai_hinh", "campaign"]}),
        ("Người ký", {"fields": [("signer_prefix", "signer_title", "signer_name")]}),
        ("Trạng thái", {"fields": ["status", "issued_at", "issued_by", "scan"]}),
    ]
    actions = ["issue_selected"]

    def get_queryset(self, request):
        # A subquery, not Count("awards"): the list's counts and its year filter leave it out,
        # instead of grouping every award line of the registry; only the page's rows compute it.
        return super().get_queryset(request).annotate(_award_count=AWARD_COUNT)

    @admin.display(description="số dòng", ordering="_award_count")
    def award_count(self, obj):
        return obj._award_count

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_issued:
            return False  # issued: view only; revoke or amend by another decision
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_issued:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        decision_save(decision=obj, user=request.user)

    # The decision page (header and award lines) is a plain view inside the admin's look, at
    # the admin's own add and change addresses: registry/views/decision_page.py.
    def add_view(self, request, form_url="", extra_context=None):
        return decision_page.decision_add_view(self, request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return decision_page.decision_change_view(self, request, object_id)

    def next_number_view(self, request):
        """The next free number, the place, the last signer and the award types of the authority
        being chosen, on the date being typed (JSON for the page)."""
        from registry.selectors.scope import authorities_for
        from registry.services.decisions import award_types_allowed, decision_defaults

        authority = (
            authorities_for(request.user).filter(pk=request.GET.get("authority") or None).first()
        )
        if authority is None or not self.has_add_permission(request):
            return JsonResponse({"number": ""})
        try:
            day = datetime.strptime(request.GET.get("date", ""), "%d/%m/%Y").date()
        except ValueError:
            day = timezone.localdate()
        allowed = award_types_allowed(authority=authority, day=day).order_by(
            "display_order", "code"
        )
        return JsonResponse(
            {
                **decision_defaults(authority=authority, day=day),
                "award_types": [[str(pk), name] for pk, name in allowed.values_list("pk", "name")],
            }
        )

    def get_urls(self):
        return [
            path(
                "next-number/",
                self.admin_site.admin_view(self.next_number_view),
                name="registry_decision_next_number",
            ),
            path(
                "recipients/",
                self.admin_site.admin_view(
                    lambda request: decision_page.recipient_search_view(self, request)
                ),
                name="registry_decision_recipients",
            ),
            path(
                "<int:object_id>/issue/",
                self.admin_site.admin_view(self.issue_view),
                name="registry_decision_issue",
            ),
        ] + super().get_urls()

    def issue_view(self, request, object_id):
        decision = self.scoped_object_or_404(
            request, object_id, Decision.objects.select_related("authority")
        )
        if not super().has_change_permission(request, decision):
            return HttpResponseRedirect(reverse("admin:registry_decision_changelist"))
        change_url = reverse("admin:registry_decision_change", args=[decision.pk])
        if request.method == "POST":
            try:
                decision_issue(decision=decision, user=request.user)
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
                return HttpResponseRedirect(change_url)
            self.message_user(
                request,
                f"Đã ban hành quyết định {decision.number}: các dòng khen thưởng đã có số sổ vàng "
                "và mã xác thực; quyết định đã khóa.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "decision": decision,
            "award_count": decision.awards.count(),
            "title": f"Ban hành quyết định {decision.number}",
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/registry/decision/issue_confirm.html", context)

    @admin.action(description="Ban hành các quyết định đã chọn")
    def issue_selected(self, request, queryset):
        issued = 0
        for decision in queryset.filter(status="draft"):
            try:
                decision_issue(decision=decision, user=request.user)
                issued += 1
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, f"{decision.number}: {message}", messages.ERROR)
        if issued:
            self.message_user(request, f"Đã ban hành {issued} quyết định.", messages.SUCCESS)


@admin.register(Award)
class AwardAdmin(RecordOnlyAdmin, OfficeScopedAdmin, SimpleHistoryAdmin):
    """All award lines across decisions: looking up, filtering, counting. Entered via decisions."""

    scope = "authority"

    list_display = [
        "recipient_name",
        "award_type",
        "loai_hinh",
        "period_label",
        "decision",
        "register_number",
        "cash_amount",
        "is_revoked",
    ]
    list_filter = ["authority", "award_type", "loai_hinh", "period_to", "decision__status"]
    list_select_related = ["award_type", "decision"]
    search_fields = ["recipient_name"]  # enables the box; the search itself is folded below
    search_help_text = "Tìm theo tên người, tập thể được khen."
    actions = [
        "print_certificates",
        "reprint_certificates",
        "print_records",
        "revoke_selected",
        "amend_selected",
    ]

    @admin.action(description="Đính chính khen thưởng đã chọn", permissions=["revoke"])
    def amend_selected(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True)[:2])
        if len(ids) != 1:
            self.message_user(request, "Hãy chọn đúng một dòng để đính chính.", messages.ERROR)
            return None
        return HttpResponseRedirect(f"{reverse('admin:registry_amendment_add')}?award={ids[0]}")

    @admin.action(description="Hủy bỏ các khen thưởng đã chọn", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:registry_revocation_revoke')}?awards={ids}")

    def has_revoke_permission(self, request):
        return request.user.has_perm("registry.revoke_award")

    def has_print_permission(self, request):
        from registry.services.certificates import print_allowed

        return print_allowed(request.user)

    def _print(self, request, queryset, *, reprint):
        from registry.admin.printing import certificates_response

        awards = queryset.order_by("decision__signed_date", "decision_id", "line_no", "id")
        try:
            return certificates_response(request, awards=awards, mode="full", reprint=reprint)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return None

    @admin.action(description="In giấy khen các dòng đã chọn", permissions=["print"])
    def print_certificates(self, request, queryset):
        return self._print(request, queryset, reprint=False)

    @admin.action(description="Cấp lại giấy khen (giữ mã xác thực)", permissions=["print"])
    def reprint_certificates(self, request, queryset):
        return self._print(request, queryset, reprint=True)

    @admin.action(description="In xác nhận quá trình khen thưởng", permissions=["print"])
    def print_records(self, request, queryset):
        from registry.admin.printing import pdf_response
        from registry.services.certificates import print_permission_require
        from registry.services.papers import records_pdf

        print_permission_require(user=request.user)

        recipients = []
        for award in queryset.select_related("individual", "collective"):
            recipient = award.individual or award.collective
            if recipient is not None and recipient not in recipients:
                recipients.append(recipient)
        if not recipients:
            self.message_user(
                request,
                "Chỉ in xác nhận cho cá nhân hoặc tập thể; hãy chọn dòng khen thưởng của họ.",
                messages.ERROR,
            )
            return None
        return pdf_response(records_pdf(recipients=recipients), "xac-nhan-khen-thuong.pdf")

    def get_search_results(self, request, queryset, search_term):
        for word in fold(search_term).split():
            queryset = queryset.filter(
                Q(collective__search_key__contains=word)
                | Q(individual__search_key__contains=word)
                | Q(household__search_key__contains=word)
            )
        return queryset, False

    @admin.display(description="thành tích năm")
    def period_label(self, obj):
        return obj.period_label

    @admin.display(description="đã hủy", boolean=True)
    def is_revoked(self, obj):
        return obj.revoked_by_id is not None
