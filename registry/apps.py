from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django_tasks_db.apps import TasksAppConfig as TasksDatabaseAppConfig


class RegistryConfig(AppConfig):
    default = True
    name = "registry"
    verbose_name = "Thi đua, khen thưởng"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from registry.models import AwardType
        from registry.models.eligibility import (
            EligibilityCondition,
            EligibilityRoute,
            EligibilityRule,
        )
        from registry.selectors.eligibility import rules_changed

        # The rules each process keeps (selectors.eligibility.all_rules) are read again after
        # any change to them or to the award types they name, and after every migrate.
        for model in (EligibilityRule, EligibilityRoute, EligibilityCondition, AwardType):
            post_save.connect(rules_changed, sender=model, dispatch_uid=f"rules-{model.__name__}")
            post_delete.connect(rules_changed, sender=model, dispatch_uid=f"rules-{model.__name__}")
        post_migrate.connect(rules_changed, sender=self, dispatch_uid="rules-migrate")


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
