from django.contrib import admin
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
from registry.selectors.scope import user_authority_ids
from registry.templatetags.vi_format import money_vnd

from .base import OfficeScopedAdmin

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
            queryset = queryset.filter(pk__in=ids)
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
    inlines = [AwardPowerInline, CashMultipleInline]


@admin.register(AwardPower)
class AwardPowerAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    list_display = ["award_type", "chain", "level", "valid_from", "valid_to", "legal_basis"]
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
class BaseSalaryAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    list_display = ["amount_shown", "valid_from", "legal_basis", "confirmed"]

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
class CountedLoaiHinhAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    list_display = ["loai_hinh", "valid_from", "valid_to", "legal_basis", "confirmed"]
    list_filter = ["loai_hinh", "confirmed"]


@admin.register(CashRounding)
class CashRoundingAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    list_display = [
        "step",
        "household_factor",
        "highest_title_only",
        "valid_from",
        "valid_to",
        "legal_basis",
        "confirmed",
    ]
    list_filter = ["confirmed"]
