"""Groups that ship with the registry, and the demo administrator."""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

CLERK_GROUP = "Cán bộ thi đua"

# What a clerk enters and keeps: people, decisions and their lines, movements and pledges.
_CLERK_MODELS_EDIT = [
    "unit",
    "collective",
    "individual",
    "household",
    "decision",
    "award",
    "campaign",
    "bloc",
    "blocmembership",
    "pledge",
    "pledgesignatory",
    "targetset",
    "target",
    "targetresult",
    "rating",
    "initiative",
    "discipline",
    "importbatch",
    "printjob",
]
# The legal catalogue: clerks read it; administrators change it.
_CLERK_MODELS_VIEW = [
    "authority",
    "awardtype",
    "awardpower",
    "cashmultiple",
    "basesalary",
    "recipientmerge",
    "printlog",
    "certificatelayout",
    "eligibilityrule",
    "eligibilityroute",
    "eligibilitycondition",
]

DEMO_USERNAME = "admin"


@transaction.atomic
def groups_ensure() -> dict[str, Group]:
    clerk, _ = Group.objects.get_or_create(name=CLERK_GROUP)
    codenames = [
        f"{action}_{model}"
        for model in _CLERK_MODELS_EDIT
        for action in ("add", "change", "delete", "view")
    ] + [f"view_{model}" for model in _CLERK_MODELS_VIEW]
    clerk.permissions.set(
        Permission.objects.filter(content_type__app_label="registry", codename__in=codenames)
    )
    return {CLERK_GROUP: clerk}


@transaction.atomic
def demo_admin_ensure() -> tuple[str, str]:
    """A superuser for the local demo; the password comes from DEMO_ADMIN_PASSWORD or a default."""
    password = os.environ.get("DEMO_ADMIN_PASSWORD", "thidua2023")
    user, _ = get_user_model().objects.get_or_create(
        username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    groups_ensure()
    return DEMO_USERNAME, password
