import datetime
from decimal import Decimal

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.db import connection
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext
from simple_history.template_utils import HistoricalRecordContextHelper

from registry.models import Authority
from registry.selectors.scope import authorities_for, office_q, scope_q, user_authority_ids
from registry.text import fold


class FoldedSearchMixin:
    """Search on the stored folded key: 'nguyen van huong' finds 'Nguyễn Văn Hưởng', 'd' finds 'đ'."""

    search_fields = ["search_key"]

    def get_search_results(self, request, queryset, search_term):
        for word in fold(search_term).split():
            queryset = queryset.filter(search_key__contains=word)
        return queryset, False


def distinct_years(queryset, field: str) -> list[int]:
    """The years of ``field`` (a date column of the queryset's model) among its rows, newest
    first.

    On PostgreSQL, a walk down the column's index: the latest date, then the latest before its
    year's 1 January, and so on, one short index probe a year. DISTINCT over a province's
    twenty thousand decisions read them all, a sixth of the decision list's time.
    """
    if connection.vendor != "postgresql":
        return [day.year for day in queryset.dates(field, "year", order="DESC")]
    column = connection.ops.quote_name(queryset.model._meta.get_field(field).column)
    sql, params = queryset.order_by().values(field).query.sql_with_params()
    walk = (
        f"WITH RECURSIVE walk(day) AS (SELECT (SELECT max(s.{column}) FROM ({sql}) s) "
        f"UNION ALL SELECT (SELECT max(s.{column}) FROM ({sql}) s WHERE s.{column} < "
        "make_date(extract(year FROM walk.day)::int, 1, 1)) FROM walk WHERE walk.day IS NOT NULL) "
        "SELECT extract(year FROM day)::int FROM walk WHERE day IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(walk, (*params, *params))
        return [row[0] for row in cursor.fetchall()]


class YearFilter(admin.SimpleListFilter):
    """Year of a date field, newest first; subclasses name the field."""

    title = "năm"
    parameter_name = "nam"
    date_field = "signed_date"

    def lookups(self, request, model_admin):
        years = distinct_years(model_admin.get_queryset(request), self.date_field)
        return [(year, str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.date_field}__year": self.value()})
        return queryset


class LegalBasisColumn:
    """A list column of the legal basis cut to a line; the whole text shows on hover."""

    @admin.display(description="căn cứ", ordering="legal_basis")
    def legal_basis_short(self, obj):
        text = obj.legal_basis or ""
        return format_html('<span title="{}">{}</span>', text, Truncator(text).chars(60))


class RecordOnlyAdmin:
    """Rows that only services write (award lines, logs, merges, amendments): listed, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """History shown on a page, changed only through its own page or service."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def history_value(field, value):
    """A value of a record's history as the clerk reads it on its page: a choice's label, Có or
    Không, dates as dd/mm/yyyy, numbers with Vietnamese separators, “(trống)” for nothing."""
    if value is None or value == "" or value == []:
        return "(trống)"
    if getattr(field, "flatchoices", None):
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "d/m/Y")
    if isinstance(value, Decimal | float | int):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return value


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """The "changes" column of a history page: field labels and the values' readable forms
    (draft → issued reads Dự thảo → Đã ban hành)."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        return history_value(self.model._meta.get_field(change.field), value)


# The office box of the report and the nominee list: one wording, so the two pages agree.
OFFICE_CHOICE_ERRORS = {
    "invalid_choice": "Cấp khen này không có trong danh sách của ô “Cấp khen”: "
    "hãy chọn một cấp khen trong danh sách.",
    "required": "Hãy chọn một cấp khen của cơ quan mình trong ô “Cấp khen”.",
}
# Their year box ("Năm…"): the errors name it, as the office box's do.
YEAR_ERRORS = {
    "required": "Hãy nhập năm vào ô “Năm”.",
    "invalid": "Ô “Năm” cần một năm viết bằng số, ví dụ 2023.",
    "min_value": "Ô “Năm” cần một năm từ %(limit_value)s trở đi.",
    "max_value": "Ô “Năm” cần một năm không quá %(limit_value)s.",
}


def _scoped_choices(admin_site, model, request):
    """The rows of ``model`` a form may offer this user, or None when nothing is to be limited."""
    if user_authority_ids(request.user) is None:
        return None
    if model is Authority:
        return authorities_for(request.user)
    related = admin_site._registry.get(model)
    if isinstance(related, OfficeScopedAdmin) and related.scope is not None:
        return related.scope_filter(request, model._default_manager.all())
    return None


class ScopedChoicesMixin:
    """Foreign keys on forms (admin pages and inlines) offer only the rows of the user's offices:
    authorities in scope, and people, decisions, campaigns… their own admin pages would list."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            queryset = _scoped_choices(self.admin_site, db_field.related_model, request)
            if queryset is not None:
                if db_field.related_model._meta.ordering:
                    queryset = queryset.order_by(*db_field.related_model._meta.ordering)
                kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CountOnceChangeList(ChangeList):
    """Without a search or filter the list's own count is the whole table's: say so, rather
    than "N kết quả (Hiện tất cả)" as when the second count is left out (show_full_result_count)."""

    def get_results(self, request):
        super().get_results(request)
        if self.full_result_count is None and not self.has_active_filters and not self.query:
            self.full_result_count = self.result_count


class AuthorityListFilter(admin.RelatedFieldListFilter):
    """The "cấp khen" filter: ids and names only, and on lists whose rows belong to an office by
    their authority, only the user's offices. The admin's own read every authority of the
    registry as whole rows, about a tenth of the decision list's time."""

    def field_choices(self, field, request, model_admin):
        if field.related_model is not Authority:
            return super().field_choices(field, request, model_admin)
        authorities = Authority.objects.all()
        ids = user_authority_ids(request.user)
        if ids is not None and getattr(model_admin, "scope", None) == "authority":
            authorities = authorities.filter(office_q("pk", ids))
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            authorities = authorities.order_by(*ordering)
        return list(authorities.values_list("pk", "name"))


class OfficeScopedAdmin(ScopedChoicesMixin):
    """A ModelAdmin whose rows belong to offices: a user sees and changes only those of the
    authorities they belong to and below (registry.selectors.scope).

    ``scope`` names how a row belongs to an office: a path to an Authority foreign key
    ("authority", "decision__authority"), "recipients" (registered or awarded by the office),
    "subject" (through the individual or collective), or None for shared rows such as the legal
    catalogue, which everyone may read and only those with the model permissions change.
    ``scope_shared_null``: rows whose authority is empty are shared (read by all, changed only
    by unlimited users), e.g. a certificate layout for every authority.
    Another office's row is simply not there: its pages answer "không tồn tại" like a deleted
    one, whatever id is typed.
    """

    scope: str | None = None
    scope_shared_null = False

    def action_checkbox(self, obj):
        """Django's row checkbox, written directly: its widget renders each through a template,
        a tenth of a 50-row list's time. The same markup (tests/admin/test_decision_list.py)."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    # The list says "N kết quả" of a search or filter without counting the whole table again:
    # on a million award lines that second count is a page's slowest query.
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return CountOnceChangeList

    def get_list_filter(self, request):
        return [
            ("authority", AuthorityListFilter) if name == "authority" else name
            for name in super().get_list_filter(request)
        ]

    def scope_q(self, request, ids) -> Q:
        q = scope_q(self.model, self.scope, ids)
        if self.scope_shared_null:
            q |= Q(**{f"{self.scope}__isnull": True})
        return q

    def scope_filter(self, request, queryset):
        ids = user_authority_ids(request.user)
        if ids is None or self.scope is None:
            return queryset
        return queryset.filter(self.scope_q(request, ids))

    def get_queryset(self, request):
        return self.scope_filter(request, super().get_queryset(request))

    def scoped_object_or_404(self, request, pk, queryset=None):
        """For custom views: the row if it is in the user's offices, else 404."""
        queryset = self.model._default_manager.all() if queryset is None else queryset
        return get_object_or_404(self.scope_filter(request, queryset), pk=pk)

    def _is_shared_row(self, obj) -> bool:
        return (
            self.scope_shared_null
            and obj is not None
            and getattr(obj, f"{self.scope}_id", None) is None
        )

    def has_change_permission(self, request, obj=None):
        if self._is_shared_row(obj) and user_authority_ids(request.user) is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._is_shared_row(obj) and user_authority_ids(request.user) is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and user_authority_ids(request.user) is not None:
            # A value chosen before (by another office or an administrator) stays valid.
            for name, field in form.base_fields.items():
                current = getattr(obj, f"{name}_id", None)
                queryset = getattr(field, "queryset", None)
                if current is None or queryset is None or not hasattr(field, "to_field_name"):
                    continue
                model = queryset.model
                if _scoped_choices(self.admin_site, model, request) is not None:
                    field.queryset = model._default_manager.filter(
                        Q(pk__in=queryset.values("pk")) | Q(pk=current)
                    )
        return form

    def _out_of_scope(self, request, object_id) -> bool:
        if user_authority_ids(request.user) is None or self.scope is None:
            return False
        return self.get_object(request, unquote(object_id)) is None

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        # simple_history falls back to the last historical record when the object is not in
        # get_queryset(): that would show another office's (or a deleted) row.
        if self._out_of_scope(request, object_id):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self._out_of_scope(request, object_id):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
