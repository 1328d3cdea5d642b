from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django_tasks_db.apps import TasksAppConfig as TasksDatabaseAppConfig


class RegistryConfig(AppConfig):
    default = True
    name = "registry"
    verbose_name = "Thi đua, khen thưởng"
    default_auto_field = "django.db.models.BigAutoField"


class RegistryAdminConfig(admin_apps.AdminConfig):
    default = False
    # Outside the registry.admin package: importing the site must not import the ModelAdmins.
    default_site = "registry.adminsite.RegistryAdminSite"


class AxesConfig(AxesAppConfig):
    """django-axes under a Vietnamese name (its own AppConfig has none to translate)."""

    default = False
    verbose_name = "Đăng nhập sai"


class TasksDatabaseConfig(TasksDatabaseAppConfig):
    """The background worker's job table (django-tasks-db) under a Vietnamese name."""

    default = False
    verbose_name = "Việc chạy nền"
