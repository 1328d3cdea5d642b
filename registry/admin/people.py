from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from registry.models import Award, Collective, Household, Individual, Rating, Unit

from .base import FoldedSearchMixin, ReadOnlyInline


class AwardHistoryInline(ReadOnlyInline):
    """The whole award history of a collective, individual or household, newest first."""

    model = Award
    verbose_name = "khen thưởng"
    verbose_name_plural = "quá trình khen thưởng"
    fields = [
        "award_type",
        "loai_hinh",
        "period_from",
        "period_to",
        "decision",
        "register_number",
        "revoked_by",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("award_type", "decision", "revoked_by")
            .order_by("-period_to", "-decision__signed_date")
        )


class RatingHistoryInline(ReadOnlyInline):
    model = Rating
    verbose_name_plural = "xếp loại hằng năm"
    fields = ["year_label", "grade", "unit", "rated_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "rated_by")

    @admin.display(description="năm")
    def year_label(self, obj):
        return obj.year_label


class RecipientAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    list_per_page = 100
    autocomplete_fields = ["registered_by", "unit"]
    list_filter = ["registered_by"]
    search_help_text = "Tìm theo tên (gõ có dấu hoặc không dấu)."


@admin.register(Collective)
class CollectiveAdmin(RecipientAdmin):
    list_display = ["name", "parent_name", "unit", "category", "registered_by"]
    list_select_related = ["unit", "registered_by"]
    fields = ["name", "parent_name", "unit", "category", "registered_by", "note"]
    inlines = [AwardHistoryInline, RatingHistoryInline]


@admin.register(Individual)
class IndividualAdmin(RecipientAdmin):
    list_display = ["full_name", "gender", "birth", "position", "unit_label", "registered_by"]
    list_select_related = ["unit", "registered_by"]
    list_filter = ["registered_by", "gender", "category"]
    fields = [
        "full_name",
        "gender",
        ("birth_date", "birth_year"),
        "position",
        ("unit", "workplace"),
        "citizen_id",
        "category",
        "registered_by",
        "note",
    ]
    inlines = [AwardHistoryInline, RatingHistoryInline]

    @admin.display(description="ngày/năm sinh", ordering="birth_year")
    def birth(self, obj):
        if obj.birth_date:
            return f"{obj.birth_date:%d/%m/%Y}"
        return obj.birth_year or ""

    @admin.display(description="đơn vị công tác")
    def unit_label(self, obj):
        return obj.unit_label


@admin.register(Household)
class HouseholdAdmin(RecipientAdmin):
    list_display = ["head_name", "address", "unit", "registered_by"]
    list_select_related = ["unit", "registered_by"]
    fields = ["head_name", "address", "unit", "registered_by", "note"]
    inlines = [AwardHistoryInline]


@admin.register(Unit)
class UnitAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    list_display = ["name", "code", "parent", "valid_from", "valid_to", "successor"]
    list_select_related = ["parent", "successor"]
    autocomplete_fields = ["parent", "successor"]
    search_help_text = "Tìm theo tên đơn vị."
