from django.contrib import admin

from registry.models import (
    Bloc,
    BlocMembership,
    Campaign,
    Pledge,
    PledgeSignatory,
    Target,
    TargetResult,
    TargetSet,
)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "authority", "form", "start_date", "end_date"]
    list_filter = ["authority", "form"]
    list_select_related = ["authority"]
    search_fields = ["name", "theme"]
    autocomplete_fields = ["authority", "units"]


class BlocMembershipInline(admin.TabularInline):
    model = BlocMembership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Bloc)
class BlocAdmin(admin.ModelAdmin):
    list_display = ["name", "authority"]
    list_select_related = ["authority"]
    search_fields = ["name"]
    inlines = [BlocMembershipInline]


class PledgeSignatoryInline(admin.TabularInline):
    model = PledgeSignatory
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "bloc", "authority", "ceremony_date"]
    list_filter = ["year", "authority"]
    list_select_related = ["bloc", "authority"]
    search_fields = ["title"]
    autocomplete_fields = ["authority", "bloc", "campaign"]
    inlines = [PledgeSignatoryInline]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(TargetSet)
class TargetSetAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "year", "authority", "unit"]
    list_filter = ["kind", "year"]
    list_select_related = ["authority", "unit"]
    search_fields = ["title"]
    autocomplete_fields = ["authority", "unit", "pledge"]
    inlines = [TargetInline]


@admin.register(TargetResult)
class TargetResultAdmin(admin.ModelAdmin):
    list_display = ["target", "unit", "as_of", "achieved_value", "grade"]
    list_select_related = ["target", "unit"]
    list_filter = ["as_of"]
