"""Eligibility rules in the admin, and the nominee list (who qualifies, why; Excel export)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from registry.models import Authority, AwardType
from registry.models.eligibility import EligibilityCondition, EligibilityRoute, EligibilityRule
from registry.selectors.eligibility import nominee_list, nominee_list_xlsx
from registry.selectors.scope import authorities_for, user_authority_ids
from registry.widgets import QuickSelect

from .base import OFFICE_CHOICE_ERRORS, YEAR_ERRORS, OfficeScopedAdmin

NOMINEES_PERMISSION = "registry.view_award"


class RouteInline(admin.TabularInline):
    model = EligibilityRoute
    extra = 0
    fields = ["order", "name", "condition_summary"]
    readonly_fields = ["condition_summary"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("conditions__award_type")

    @admin.display(description="điều kiện (sửa trong trang của trường hợp)")
    def condition_summary(self, obj):
        return "; ".join(str(c) for c in obj.conditions.all()) if obj.pk else ""


class ConditionInline(admin.StackedInline):
    """Thirteen columns do not fit a laptop: each condition is a block, its fields on four lines."""

    model = EligibilityCondition
    extra = 1
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("order", "kind"),
                    ("award_type", "award_type_alt"),
                    ("other_award_type", "years", "count"),
                    ("grade", "other_grade", "initiative_level"),
                    ("share", "share_above", "discipline_form"),
                ]
            },
        )
    ]
    autocomplete_fields = ["award_type", "award_type_alt", "other_award_type"]


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = None  # the rules are law: read by all, changed by administrators
    list_display = [
        "name",
        "award_type",
        "recipient_kind",
        "chain",
        "authority_level",
        "valid_from",
        "valid_to",
        "confirmed",
    ]
    list_filter = ["award_type", "recipient_kind", "chain", "confirmed"]
    list_select_related = ["award_type"]
    search_fields = ["name", "code", "legal_basis"]
    autocomplete_fields = ["award_type"]
    inlines = [RouteInline]
    change_list_template = "admin/registry/eligibility/rule_change_list.html"
    fieldsets = [
        (None, {"fields": ["code", "name", "award_type", "recipient_kind", "loai_hinh"]}),
        ("Áp dụng", {"fields": [("chain", "authority_level"), ("valid_from", "valid_to")]}),
        ("Căn cứ", {"fields": ["legal_basis", "confirmed", "note"]}),
    ]

    def get_urls(self):
        return [
            path(
                "nominees/",
                self.admin_site.admin_view(self.nominees_view),
                name="registry_eligibility_nominees",
            )
        ] + super().get_urls()

    def nominees_view(self, request):
        if not request.user.has_perm(NOMINEES_PERMISSION):
            raise PermissionDenied
        form = NomineeForm(request.GET or None, user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Danh sách đủ tiêu chuẩn đề nghị khen thưởng",
            "form": form,
            "nominees": None,
        }
        if request.GET and form.is_valid():
            data = form.cleaned_data
            try:
                nominees = nominee_list(
                    award_type=data["award_type"],
                    year=data["year"],
                    authority=data["authority"],
                    on=data["on"],  # blank: the rules of the year examined (nominee_list)
                    include_all=data["include_all"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if request.GET.get("format") == "xlsx":
                    response = HttpResponse(
                        nominee_list_xlsx(nominees),
                        content_type=(
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        ),
                    )
                    name = f"de-nghi-{data['award_type'].code}-{data['year']}.xlsx"
                    response["Content-Disposition"] = f'attachment; filename="{name}"'
                    return response
                query = request.GET.copy()
                query["format"] = "xlsx"
                context["nominees"] = nominees
                context["xlsx_url"] = f"{request.path}?{query.urlencode()}"
        return TemplateResponse(request, "admin/registry/eligibility/nominees.html", context)


@admin.register(EligibilityRoute)
class EligibilityRouteAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = None
    list_display = ["name", "rule", "order"]
    list_select_related = ["rule"]
    search_fields = ["name", "rule__name"]
    autocomplete_fields = ["rule"]
    inlines = [ConditionInline]

    def has_module_permission(self, request):
        return False  # reached from a rule's page

    def response_post_save_change(self, request, obj):
        return HttpResponseRedirect(
            reverse("admin:registry_eligibilityrule_change", args=[obj.rule_id])
        )


class NomineeForm(forms.Form):
    award_type = forms.ModelChoiceField(
        AwardType.objects.filter(eligibility_rules__isnull=False).distinct(),
        widget=QuickSelect(label_field="name"),
        label="Danh hiệu, hình thức",
        error_messages={
            "invalid_choice": "Danh hiệu, hình thức này chưa có tiêu chuẩn xét: hãy chọn một "
            "mục trong danh sách của ô “Danh hiệu, hình thức”.",
            "required": "Hãy chọn danh hiệu, hình thức cần xét.",
        },
    )
    year = forms.IntegerField(
        label="Năm (năm cuối của thành tích)",
        min_value=1945,
        max_value=2100,
        error_messages=YEAR_ERRORS,
        initial=lambda: timezone.localdate().year - 1,
    )
    authority = forms.ModelChoiceField(
        Authority.objects.all(),
        widget=QuickSelect(label_field="name"),
        required=False,
        label="Cấp khen (xét hồ sơ của cấp này và các cấp dưới)",
        error_messages=OFFICE_CHOICE_ERRORS,
    )
    on = forms.DateField(
        label="Theo tiêu chuẩn có hiệu lực ngày",
        required=False,
        help_text="Để trống: năm đã qua xét theo tiêu chuẩn có hiệu lực ngày 31/12 năm đó; "
        "năm nay xét theo tiêu chuẩn hôm nay.",
    )
    include_all = forms.BooleanField(label="Liệt kê cả người chưa đủ", required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["authority"]
        field.queryset = authorities_for(user)
        if user_authority_ids(user) is not None:
            # Candidates are those of the chosen office and below: never the whole registry.
            field.required = True
            field.label = "Cấp khen (xét hồ sơ của cấp này và các cấp dưới, trong cơ quan mình)"

    def clean_on(self):
        return self.cleaned_data.get("on") or None
