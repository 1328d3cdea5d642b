from dataclasses import dataclass
from functools import lru_cache

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, get_script_prefix, path, reverse
from django.utils import timezone

from registry.text import name_sort_key

# The menu's few names, sorted on every admin page (the side menu): each key computed once.
_menu_sort_key = lru_cache(maxsize=512)(name_sort_key)


@dataclass(frozen=True)
class Page:
    """A page of the admin that is not a model's list: a report, a nominee list."""

    route: str
    view: object
    name: str
    title: str
    permission: str


@dataclass(frozen=True)
class Group:
    """A heading of the home page and the sidebar, and the models (app_label.ModelName) and
    pages (URL names) under it."""

    slug: str
    title: str
    members: tuple[str, ...]


# The clerk's work first, the law and the logs apart. A model not named here goes to the last
# group, so that nothing registered is ever hidden.
GROUPS = (
    Group(
        "khen-thuong",
        "Khen thưởng",
        (
            "registry.Decision",
            "registry.Award",
            "registry.Revocation",
            "registry.Amendment",
            "registry.CertificateLayout",
            "registry_annual_report",
            "registry_eligibility_nominees",
        ),
    ),
    Group(
        "de-nghi",
        "Đề nghị khen thưởng",
        (
            "registry.Round",
            "registry.Proposal",
            "registry.Attachment",
            "registry.Posting",
            "registry.PostingComment",
            "registry.Council",
            "registry.CouncilSession",
        ),
    ),
    Group(
        "phong-trao",
        "Phong trào thi đua",
        (
            "registry.Campaign",
            "registry.Bloc",
            "registry.Pledge",
            "registry.TargetSet",
            "registry.TargetResult",
        ),
    ),
    Group(
        "con-nguoi",
        "Con người và đơn vị",
        (
            "registry.Unit",
            "registry.Collective",
            "registry.Individual",
            "registry.Household",
            "registry.Rating",
            "registry.Initiative",
            "registry.Discipline",
        ),
    ),
    Group(
        "danh-muc",
        "Danh mục pháp lý",
        (
            "registry.Authority",
            "registry.AwardType",
            "registry.AwardPower",
            "registry.CashMultiple",
            "registry.CashRounding",
            "registry.BaseSalary",
            "registry.BlocAwardRule",
            "registry.CountedLoaiHinh",
            "registry.EligibilityRule",
            "registry.EligibilityRoute",
            "registry.DossierRequirement",
            "registry.VoteThreshold",
            "registry.DayOff",
        ),
    ),
    Group(
        "nhat-ky",
        "Nhật ký và hệ thống",
        (
            "registry.ImportBatch",
            "registry.RecipientMerge",
            "registry.PrintJob",
            "registry.PrintLog",
            "registry.AuthorityMembership",
            "registry.UnitMembership",
            "auth.User",
            "auth.Group",
            "axes.AccessAttempt",
            "axes.AccessFailureLog",
            "axes.AccessLog",
            "django_tasks_database.DBTaskResult",
        ),
    ),
)
NOMINEES_URL_NAME = "registry_eligibility_nominees"
NOMINEES_TITLE = "Danh sách đủ tiêu chuẩn đề nghị khen thưởng"
NOMINEES_PERMISSION = "registry.view_award"


class RegistryAdminSite(admin.AdminSite):
    site_header = "Sổ thi đua, khen thưởng"
    site_title = "Thi đua, khen thưởng"
    index_title = "Trang chủ"
    # The public side has no page of its own to open (only a certificate's verification page,
    # reached from its QR code): no "view site" link that would lead back here.
    site_url = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages: list[Page] = []
        self._menus: dict[tuple, list[dict]] = {}

    def register_page(self, page: Page) -> None:
        if all(p.name != page.name for p in self.pages):
            self.pages.append(page)

    def get_urls(self):
        pages = [path(p.route, self.admin_view(p.view), name=p.name) for p in self.pages]
        return pages + super().get_urls()

    def _page_entries(self, request) -> list[dict]:
        """The registered pages, and the nominee list (a view of the rules' admin), as rows."""
        pages = [(p.name, p.title, p.permission) for p in self.pages]
        pages.append((NOMINEES_URL_NAME, NOMINEES_TITLE, NOMINEES_PERMISSION))
        entries = []
        for name, title, permission in pages:
            if not request.user.has_perm(permission):
                continue
            try:
                url = reverse(f"{self.name}:{name}")
            except NoReverseMatch:
                continue
            entries.append(
                {
                    "name": title,
                    "object_name": name,
                    "perms": {"add": False, "change": False, "delete": False, "view": True},
                    "admin_url": url,
                    "add_url": None,
                    "view_only": True,
                }
            )
        return entries

    def get_app_list(self, request, app_label=None):
        """The menu of get_menu, built once per process for each set of permissions: every
        model admin's has_*_permission asks only the user's permissions, and building it (four
        checks through every auth backend per model) cost each page several milliseconds."""
        user = request.user
        key = (
            app_label,
            get_script_prefix(),
            user.is_active,
            user.is_staff,
            user.is_superuser,
            frozenset() if user.is_superuser else frozenset(user.get_all_permissions()),
        )
        if app_label is None:  # the side menu's rendering is cached by it ({% nav_sidebar %})
            request.registry_menu_key = key
        menu = self._menus.get(key)
        if menu is None:
            if len(self._menus) >= 256:
                self._menus.clear()
            menu = self._menus[key] = self.get_menu(request, app_label)
        # Copies: a caller may add to a group or a row without changing the next user's menu.
        return [{**group, "models": [dict(row) for row in group["models"]]} for group in menu]

    def get_menu(self, request, app_label=None):
        """Every app's models (and the registry's pages) under the home page's groups, each
        group in Vietnamese alphabetical order. One app's page (/admin/registry/) keeps that
        app, in the same order."""
        apps = super().get_app_list(request, app_label)
        rows = {}
        for app in apps:
            for model in app["models"]:
                rows[f"{app['app_label']}.{model['object_name']}"] = model
        for entry in self._page_entries(request):
            if app_label in (None, "registry"):
                rows[entry["object_name"]] = entry
        if app_label is not None:
            for app in apps:
                if app["app_label"] == "registry":
                    app["models"] = [
                        row
                        for key, row in rows.items()
                        if key.startswith("registry.") or "." not in key
                    ]
                app["models"].sort(key=lambda row: _menu_sort_key(str(row["name"])))
            return apps

        index = reverse(f"{self.name}:index")
        groups = []
        placed = set()
        for number, group in enumerate(GROUPS):
            members = list(group.members)
            if number == len(GROUPS) - 1:
                members += [key for key in rows if key not in placed and key not in members]
            models = [rows[key] for key in members if key in rows]
            placed.update(members)
            if not models:
                continue
            models.sort(key=lambda row: _menu_sort_key(str(row["name"])))
            groups.append(
                {
                    "name": group.title,
                    "app_label": group.slug,
                    "app_url": f"{index}#{group.slug}",
                    "has_module_perms": True,
                    "models": models,
                }
            )
        return groups

    def index(self, request, extra_context=None):
        return super().index(request, {"tasks": self.clerk_tasks(request), **(extra_context or {})})

    def clerk_tasks(self, request) -> dict:
        """What the home page offers a clerk: the actions, and the decisions waiting for them,
        scoped to the user's offices and permissions exactly as the decision list is."""
        from registry.admin.imports import _PERMS as IMPORT_PERMISSIONS
        from registry.models import Award, Decision
        from registry.models.awards import DecisionStatus
        from registry.models.imports import ImportKind
        from registry.models.printing import PrintLog

        user = request.user
        tasks = {"actions": [], "imports": [], "waiting": [], "pages": []}
        decisions = self._registry.get(Decision)
        if decisions is None:
            return tasks
        if decisions.has_add_permission(request):
            tasks["actions"].append(
                {"title": "Quyết định mới", "url": reverse(f"{self.name}:registry_decision_add")}
            )
        upload = f"{self.name}:registry_importbatch_upload"
        for kind, title in [
            (ImportKind.HISTORY, "Khen thưởng các năm trước"),
            (ImportKind.RATINGS, "Xếp loại hằng năm"),
        ]:
            if user.has_perms(IMPORT_PERMISSIONS[kind]):
                tasks["imports"].append({"title": title, "url": reverse(upload, args=[kind])})

        if decisions.has_view_or_change_permission(request):
            scoped = decisions.scope_filter(request, Decision.objects.all())
            changelist = reverse(f"{self.name}:registry_decision_changelist")
            drafts = scoped.filter(status=DecisionStatus.DRAFT).order_by("-signed_date", "-pk")
            # EXISTS per decision: a join of every award line with its print logs, then
            # DISTINCT, took seconds at a million lines.
            unprinted_line = Award.objects.filter(decision=OuterRef("pk")).exclude(
                Exists(PrintLog.objects.filter(award=OuterRef("pk")))
            )
            unprinted = scoped.filter(
                Exists(unprinted_line), status=DecisionStatus.ISSUED
            ).order_by("-signed_date", "-pk")
            for key, title, hint, queryset, url in [
                (
                    "drafts",
                    "Dự thảo chờ ban hành",
                    "Nhập danh sách vào một dự thảo: mở dự thảo, bấm “Nhập danh sách từ Excel”.",
                    drafts,
                    f"{changelist}?status__exact={DecisionStatus.DRAFT}",
                ),
                (
                    "unprinted",
                    "Đã ban hành, chưa in giấy khen",
                    "Mở quyết định để in giấy khen.",
                    unprinted,
                    f"{changelist}?status__exact={DecisionStatus.ISSUED}",
                ),
            ]:
                count = queryset.count()
                first = list(queryset.select_related("authority")[:5]) if count else []
                tasks["waiting"].append(
                    {
                        "key": key,
                        "title": title,
                        "hint": hint,
                        "count": count,
                        "url": url,
                        "decisions": [
                            {
                                "decision": decision,
                                "url": reverse(
                                    f"{self.name}:registry_decision_change", args=[decision.pk]
                                ),
                            }
                            for decision in first
                        ],
                    }
                )
        tasks["pages"] += self._proposals_waiting(request)
        year = timezone.localdate().year
        for entry in self._page_entries(request):
            url = entry["admin_url"]
            title = entry["name"]
            if entry["object_name"] == "registry_annual_report":
                url, title = f"{url}?year={year}", f"Báo cáo khen thưởng năm {year}"
            tasks["pages"].append({"title": title, "url": url})
        return tasks

    def _proposals_waiting(self, request) -> list[dict]:
        """Units' proposals sent and not yet received or returned, in the user's offices."""
        from registry.models.proposals import Proposal, ProposalStatus

        proposals = self._registry.get(Proposal)
        if proposals is None or not proposals.has_view_or_change_permission(request):
            return []
        sent = proposals.scope_filter(request, Proposal.objects.all())
        count = sent.filter(status=ProposalStatus.SUBMITTED).count()
        url = reverse(f"{self.name}:registry_proposal_changelist")
        return [
            {
                "title": f"Hồ sơ đề nghị chờ tiếp nhận: {count}",
                "url": f"{url}?status__exact={ProposalStatus.SUBMITTED}",
            }
        ]
