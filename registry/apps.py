from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class RegistryConfig(AppConfig):
    default = True
    name = "registry"
    verbose_name = "Thi đua, khen thưởng"
    default_auto_field = "django.db.models.BigAutoField"


class RegistryAdminConfig(admin_apps.AdminConfig):
    default = False
    # Outside the registry.admin package: importing the site must not import the ModelAdmins.
    default_site = "registry.adminsite.RegistryAdminSite"
