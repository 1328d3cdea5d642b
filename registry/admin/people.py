from django.contrib import admin
from django.db.models import Q
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from registry.models import Award, Collective, Household, Individual, Rating, Unit, UnitSuccession
from registry.models.awards import DecisionStatus
from registry.selectors.scope import (
    citizen_id_display,
    citizen_id_visible,
    mask_citizen_id,
    office_q,
    user_authority_ids,
)

from .base import FoldedSearchMixin, OfficeScopedAdmin, ReadOnlyInline
from .history import HistoryTablesMixin


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
        awards = (
            super()
            .get_queryset(request)
            .select_related("award_type", "decision", "revoked_by")
            # The columns the table shows and its links name (__str__ of the line and of the
            # decisions): the three joined tables' eighty columns took longer to compile and read.
            .only(
                "award_type__name",
                "loai_hinh",
                "period_from",
                "period_to",
                "recipient_name",
                "register_number",
                "decision__number",
                "decision__signed_date",
                "revoked_by__number",
                "revoked_by__signed_date",
            )
            .order_by("-period_to", "-decision__signed_date")
        )
        ids = user_authority_ids(request.user)
        if ids is not None:
            # Issued awards are the person's public record; drafts only of the user's offices.
            awards = awards.filter(
                Q(decision__status=DecisionStatus.ISSUED) | office_q("authority_id", ids)
            )
        return awards


class RatingHistoryInline(ReadOnlyInline):
    model = Rating
    verbose_name_plural = "xếp loại hằng năm"
    fields = ["year_label", "grade", "unit", "rated_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("unit", "rated_by")
            .only("year", "school_year", "grade", "unit__name", "rated_by__name")
        )

    @admin.display(description="năm")
    def year_label(self, obj):
        return obj.year_label


class RecipientAdmin(HistoryTablesMixin, OfficeScopedAdmin, FoldedSearchMixin, SimpleHistoryAdmin):
    scope = "recipients"  # registered or awarded by the user's offices
    list_per_page = 100
    autocomplete_fields = ["registered_by", "unit"]
    list_filter = ["registered_by"]
    search_help_text = "Tìm theo tên (gõ có dấu hoặc không dấu)."


@admin.register(Collective)
class CollectiveAdmin(RecipientAdmin):
    list_display = ["name", "parent_name", "unit", "category", "registered_by"]
    list_select_related = ["unit", "registered_by"]
    fields = ["name", "parent_name", "unit", "category", "registered_by", "note"]
    history_inlines = [AwardHistoryInline, RatingHistoryInline]


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
    history_inlines = [AwardHistoryInline, RatingHistoryInline]

    # Citizen IDs are personal data: in full only with registry.view_citizen_id, masked
    # (0010******90) in the list, on the page and in its history otherwise.
    def get_list_display(self, request):
        user = request.user

        @admin.display(description="số CCCD")
        def citizen_id_label(obj):
            return citizen_id_display(obj.citizen_id, user)

        return [*super().get_list_display(request), citizen_id_label]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None or citizen_id_visible(request.user):
            return fields
        return ["citizen_id_masked" if f == "citizen_id" else f for f in fields]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not citizen_id_visible(request.user):
            readonly.append("citizen_id_masked")
        return readonly

    @admin.display(description="số CCCD")
    def citizen_id_masked(self, obj):
        return mask_citizen_id(obj.citizen_id) or "–"

    def get_historical_record_context_helper(self, request, historical_record):
        if citizen_id_visible(request.user):
            return super().get_historical_record_context_helper(request, historical_record)
        return MaskedHistoryHelper(self.model, historical_record)

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
    history_inlines = [AwardHistoryInline]


class MaskedHistoryHelper(HistoricalRecordContextHelper):
    """The history of a person's record, with the citizen ID masked in old and new values."""

    def prepare_delta_change_value(self, change, value):
        if change.field == "citizen_id":
            return mask_citizen_id(value)
        return super().prepare_delta_change_value(change, value)


class UnitSuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    fields = ["successor", "since", "legal_basis"]
    autocomplete_fields = ["successor"]


@admin.register(Unit)
class UnitAdmin(OfficeScopedAdmin, FoldedSearchMixin, SimpleHistoryAdmin):
    scope = None  # one tree shared by every office; clerks may add units
    list_display = ["name", "code", "parent", "valid_from", "valid_to"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [UnitSuccessionInline]
    search_help_text = "Tìm theo tên đơn vị."
