from django.contrib import admin
from django.utils import formats
from simple_history.admin import SimpleHistoryAdmin

from registry.models import (
    Authority,
    AuthoritySuccession,
    AuthorityTerm,
    AwardPower,
    AwardType,
    BaseSalary,
    BlocAwardRule,
    CashMultiple,
    CashRounding,
    CountedLoaiHinh,
)
from registry.selectors.scope import office_q, user_authority_ids
from registry.templatetags.vi_format import money_vnd
from registry.text import fold

from .base import LegalBasisColumn, OfficeScopedAdmin

# The legal catalogue is shared by every office (scope None): everyone reads it, only
# administrators (who alone hold its change permissions) change it.


class AuthorityTermInline(admin.TabularInline):
    model = AuthorityTerm
    extra = 0
    fields = ["name", "start", "end", "legal_basis"]


class AuthoritySuccessionInline(admin.TabularInline):
    model = AuthoritySuccession
    fk_name = "predecessor"
    extra = 0
    fields = ["successor", "since", "legal_basis"]
    autocomplete_fields = ["successor"]


@admin.register(Authority)
class AuthorityAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "code",
        "chain",
        "level",
        "parent",
        "numbering",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["chain", "level"]
    list_select_related = ["parent"]
    search_fields = ["name", "code", "place_name"]
    autocomplete_fields = ["parent", "unit"]
    inlines = [AuthorityTermInline, AuthoritySuccessionInline]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        ids = user_authority_ids(request.user)
        match = getattr(request, "resolver_match", None)
        if ids is not None and match is not None and match.url_name == "autocomplete":
            # Choosing an authority on a form (decision, person, bloc…): only the user's offices.
            queryset = queryset.filter(office_q("pk", ids))
        return queryset, may_have_duplicates


class AwardPowerInline(admin.TabularInline):
    model = AwardPower
    extra = 0
    fields = ["chain", "level", "valid_from", "valid_to", "legal_basis"]


class CashMultipleInline(admin.TabularInline):
    model = CashMultiple
    extra = 0
    fields = [
        "recipient_kind",
        "chain",
        "level",
        "multiple",
        "valid_from",
        "valid_to",
        "legal_basis",
        "confirmed",
    ]


@admin.register(AwardType)
class AwardTypeAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "code",
        "family",
        "level",
        "for_collectives",
        "for_individuals",
        "for_households",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["family", "level"]
    search_fields = ["name", "code"]
    search_help_text = "Tìm theo tên hoặc mã (gõ có dấu hoặc không dấu)."
    inlines = [AwardPowerInline, CashMultipleInline]

    def get_search_results(self, request, queryset, search_term):
        # The catalogue is a few dozen rows: fold the names here, every word must match.
        words = fold(search_term).split()
        if not words:
            return queryset, False
        ids = [
            pk
            for pk, name, code in AwardType.objects.values_list("pk", "name", "code")
            if all(word in fold(f"{name} {code}") for word in words)
        ]
        return queryset.filter(pk__in=ids), False


@admin.register(AwardPower)
class AwardPowerAdmin(LegalBasisColumn, OfficeScopedAdmin, SimpleHistoryAdmin):
    list_display = ["award_type", "chain", "level", "valid_from", "valid_to", "legal_basis_short"]
    list_filter = ["chain", "level", "award_type"]
    list_select_related = ["award_type"]


@admin.register(CashMultiple)
class CashMultipleAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    list_display = [
        "award_type",
        "recipient_kind",
        "chain",
        "level",
        "multiple",
        "valid_from",
        "valid_to",
        "confirmed",
    ]
    list_filter = ["recipient_kind", "chain", "confirmed", "award_type"]
    list_select_related = ["award_type"]


@admin.register(BaseSalary)
class BaseSalaryAdmin(LegalBasisColumn, OfficeScopedAdmin, SimpleHistoryAdmin):
    list_display = ["amount_shown", "valid_from", "legal_basis_short", "confirmed"]

    @admin.display(description="mức lương cơ sở", ordering="amount")
    def amount_shown(self, obj):
        return money_vnd(obj.amount)


@admin.register(BlocAwardRule)
class BlocAwardRuleAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "leader_award_type",
        "runner_up_award_type",
        "valid_from",
        "valid_to",
        "confirmed",
    ]
    list_filter = ["chain", "authority_level", "confirmed"]
    list_select_related = ["leader_award_type", "runner_up_award_type"]
    autocomplete_fields = ["leader_award_type", "runner_up_award_type"]
    fields = [
        ("chain", "authority_level"),
        ("leader_award_type", "runner_up_award_type"),
        ("valid_from", "valid_to"),
        "legal_basis",
        "confirmed",
    ]


@admin.register(CountedLoaiHinh)
class CountedLoaiHinhAdmin(LegalBasisColumn, OfficeScopedAdmin, SimpleHistoryAdmin):
    list_display = ["loai_hinh", "valid_from", "valid_to", "legal_basis_short", "confirmed"]
    list_filter = ["loai_hinh", "confirmed"]


@admin.register(CashRounding)
class CashRoundingAdmin(LegalBasisColumn, OfficeScopedAdmin, SimpleHistoryAdmin):
    list_display = [
        "step_short",
        "household_short",
        "highest_only_short",
        "valid_from",
        "valid_to",
        "legal_basis_short",
        "confirmed",
    ]
    list_display_links = ["step_short"]
    list_filter = ["confirmed"]

    # The fields' own labels are sentences (they explain the form); the list needs a word.
    @admin.display(description="làm tròn đến (đồng)", ordering="step")
    def step_short(self, obj):
        return formats.number_format(obj.step, force_grouping=True) if obj.step else "giữ nguyên"

    @admin.display(description="hộ gia đình (lần)", ordering="household_factor")
    def household_short(self, obj):
        if obj.household_factor is None:
            return "chưa quy định"
        return formats.number_format(obj.household_factor.normalize(), force_grouping=True)

    @admin.display(description="chỉ mức cao nhất", boolean=True, ordering="highest_title_only")
    def highest_only_short(self, obj):
        return obj.highest_title_only
