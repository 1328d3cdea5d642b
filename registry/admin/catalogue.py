from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from registry.models import Authority, AwardPower, AwardType, BaseSalary, CashMultiple


@admin.register(Authority)
class AuthorityAdmin(SimpleHistoryAdmin):
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
    autocomplete_fields = ["parent", "successor", "unit"]


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
class AwardTypeAdmin(SimpleHistoryAdmin):
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
class AwardPowerAdmin(SimpleHistoryAdmin):
    list_display = ["award_type", "chain", "level", "valid_from", "valid_to", "legal_basis"]
    list_filter = ["chain", "level", "award_type"]
    list_select_related = ["award_type"]


@admin.register(CashMultiple)
class CashMultipleAdmin(SimpleHistoryAdmin):
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
class BaseSalaryAdmin(SimpleHistoryAdmin):
    list_display = ["amount", "valid_from", "legal_basis", "confirmed"]
