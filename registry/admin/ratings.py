from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from registry.models import Discipline, Initiative, Rating
from registry.selectors.scope import office_q

from .base import OfficeScopedAdmin


class SubjectAdmin(OfficeScopedAdmin, SimpleHistoryAdmin):
    scope = "subject"  # through the individual or collective, as their pages are scoped
    list_select_related = ["individual", "collective"]
    autocomplete_fields = ["individual", "collective"]

    @admin.display(description="cá nhân, tập thể")
    def subject(self, obj):
        return obj.individual or obj.collective


@admin.register(Rating)
class RatingAdmin(SubjectAdmin):
    list_display = ["subject", "year", "school_year", "grade", "unit"]
    list_select_related = ["individual", "collective", "unit"]
    list_filter = ["year", "grade", "school_year"]
    autocomplete_fields = ["individual", "collective", "unit", "rated_by"]

    def scope_q(self, request, ids):
        return super().scope_q(request, ids) | office_q("rated_by_id", ids)


@admin.register(Initiative)
class InitiativeAdmin(SubjectAdmin):
    list_display = ["title", "subject", "level", "year"]
    list_filter = ["level", "year"]


@admin.register(Discipline)
class DisciplineAdmin(SubjectAdmin):
    list_display = ["subject", "form", "start_date", "end_date"]
