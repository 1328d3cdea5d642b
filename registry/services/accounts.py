"""Groups that ship with the registry, the demo administrator and the demo clerks.

Four groups, each a set of model permissions; which office's rows a member sees comes from the
member's offices (AuthorityMembership, see registry.selectors.scope):
- Cán bộ thi đua (clerk): enters, imports, issues and prints (print_certificate) for the office;
- Lãnh đạo (leader): everything a clerk does, plus revocation, full citizen IDs and the printer's
  calibration (the overlay's shift for the office);
- Xem, báo cáo (viewer): reads and reports, changes and prints nothing;
- Quản trị hệ thống (administrator): everything, every office, the legal catalogue and users.
A fifth, Đơn vị đề nghị, holds the proposing units' accounts: no permission, no admin; the
portal (registry.views.portal) lets them see their own unit's proposals only.
"""

import os

from django.apps import apps as global_apps
from django.db import transaction

from registry.selectors.scope import ADMINISTRATOR_GROUP

CLERK_GROUP = "Cán bộ thi đua"
LEADER_GROUP = "Lãnh đạo"
VIEWER_GROUP = "Xem, báo cáo"
# Proposing units' accounts: no model permission and no admin; the portal checks the unit.
PROPOSER_GROUP = "Đơn vị đề nghị"
GROUPS = (CLERK_GROUP, LEADER_GROUP, VIEWER_GROUP, ADMINISTRATOR_GROUP)

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
    "round",
    "proposal",
    "unitmembership",
    "council",
    "councilmember",
    "councilsession",
    "posting",
    "postingcomment",
    "dayoff",
]
# The legal catalogue and the records of what was done: clerks read them; administrators change.
_CLERK_MODELS_VIEW = [
    "authority",
    "blocawardrule",
    "countedloaihinh",
    "cashrounding",
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
    "revocation",
    "amendment",
    "proposalline",
    "attachment",
    "dossierrequirement",
    "votethreshold",
    "attendance",
    "recusal",
    "ballot",
    "signedpaper",
    "papersignature",
]
# Certificates, reprints and confirmations are official papers: printed by clerks, not viewers.
_CLERK_EXTRA = ["print_certificate", "add_signedpaper"]
# Leaders also move the overlay to fit their office's printer (measured on the calibration page).
_LEADER_EXTRA = [
    "revoke_award",
    "view_citizen_id",
    "change_revocation",
    "calibrate_certificatelayout",
]
# Administrators get every permission of these apps (users and groups included).
_ADMINISTRATOR_APPS = ["registry", "auth", "admin", "axes", "django_tasks_database"]

DEMO_USERNAME = "admin"
# Two offices' clerks for trying the scoping out (DEBUG only): username -> authority code.
DEMO_CLERKS = {"canbo.vanlang": "vanlang-ubnd", "canbo.honglinh": "honglinh-ubnd"}
# Two proposing units' accounts for the portal /don-vi/ (DEBUG only): username -> unit code.
DEMO_UNITS = {"donvi.vhtt": "vl-phong-vhtt", "donvi.noivu": "vl-phong-noi-vu"}


def _clerk_codenames() -> list[str]:
    return (
        [
            f"{action}_{model}"
            for model in _CLERK_MODELS_EDIT
            for action in ("add", "change", "delete", "view")
        ]
        + [f"view_{model}" for model in _CLERK_MODELS_VIEW]
        + _CLERK_EXTRA
    )


@transaction.atomic
def groups_ensure(*, apps=None) -> dict[str, object]:
    """Create or reset the groups' permissions; safe to run again (migration 0008 does).

    ``apps`` is the migration state's registry inside a migration, the live one otherwise.
    """
    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    registry = Permission.objects.filter(content_type__app_label="registry")
    clerk_codenames = _clerk_codenames()
    wanted = {
        CLERK_GROUP: registry.filter(codename__in=clerk_codenames),
        LEADER_GROUP: registry.filter(codename__in=clerk_codenames + _LEADER_EXTRA),
        VIEWER_GROUP: registry.filter(
            codename__in=[c for c in clerk_codenames if c.startswith("view_")]
        ),
        ADMINISTRATOR_GROUP: Permission.objects.filter(
            content_type__app_label__in=_ADMINISTRATOR_APPS
        ),
    }
    wanted[PROPOSER_GROUP] = Permission.objects.none()
    groups = {}
    for name, permissions in wanted.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
        groups[name] = group
    return groups


@transaction.atomic
def demo_admin_ensure() -> tuple[str, str]:
    """A superuser for the local demo; the password comes from DEMO_ADMIN_PASSWORD or a default."""
    from django.contrib.auth import get_user_model

    password = os.environ.get("DEMO_ADMIN_PASSWORD", "thidua2023")
    user, _ = get_user_model().objects.get_or_create(
        username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    groups_ensure()
    return DEMO_USERNAME, password


def demo_clerk_password() -> str:
    return os.environ.get("DEMO_CLERK_PASSWORD", "canbo2023")


@transaction.atomic
def demo_clerks_ensure(*, reset_password: bool = False) -> dict[str, str]:
    """The demo clerks of two offices, in the clerks' group (only with DEBUG on).

    Returns {username: authority code} for those whose office exists. A new clerk gets the demo
    password; an existing one keeps its own unless ``reset_password``.
    """
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from registry.models import Authority
    from registry.models.trust import AuthorityMembership

    if not settings.DEBUG:
        return {}
    clerks = groups_ensure()[CLERK_GROUP]
    offices = {a.code: a for a in Authority.objects.filter(code__in=DEMO_CLERKS.values())}
    made = {}
    for username, code in DEMO_CLERKS.items():
        if code not in offices:
            continue
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True}
        )
        if created or reset_password:
            user.is_staff = user.is_active = True
            user.set_password(demo_clerk_password())
            user.save()
        user.groups.add(clerks)
        AuthorityMembership.objects.get_or_create(user=user, authority=offices[code])
        made[username] = code
    return made


@transaction.atomic
def demo_units_ensure() -> dict[str, str]:
    """The demo proposing units' accounts (only with DEBUG on), with the clerks' demo password.

    Returns {username: unit code} for those whose unit exists."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from registry.models import Unit
    from registry.services.proposals import unit_account_create

    if not settings.DEBUG:
        return {}
    units = {u.code: u for u in Unit.objects.filter(code__in=DEMO_UNITS.values())}
    made = {}
    for username, code in DEMO_UNITS.items():
        if code not in units:
            continue
        if not get_user_model().objects.filter(username=username).exists():
            unit_account_create(username=username, password=demo_clerk_password(), unit=units[code])
        made[username] = code
    return made
