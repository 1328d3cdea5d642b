from django.contrib import admin

from registry.text import fold


class FoldedSearchMixin:
    """Search on the stored folded key: 'nguyen van huong' finds 'Nguyễn Văn Hưởng', 'd' finds 'đ'."""

    search_fields = ["search_key"]

    def get_search_results(self, request, queryset, search_term):
        for word in fold(search_term).split():
            queryset = queryset.filter(search_key__contains=word)
        return queryset, False


class YearFilter(admin.SimpleListFilter):
    """Year of a date field, newest first; subclasses name the field."""

    title = "năm"
    parameter_name = "nam"
    date_field = "signed_date"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).dates(self.date_field, "year", order="DESC")
        return [(d.year, str(d.year)) for d in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.date_field}__year": self.value()})
        return queryset


class ReadOnlyInline(admin.TabularInline):
    """History shown on a page, changed only through its own page or service."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
