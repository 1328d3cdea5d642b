from dataclasses import dataclass

from django.contrib import admin
from django.urls import path, reverse


@dataclass(frozen=True)
class Page:
    """A page of the admin that is not a model's list: a report, a nominee list."""

    route: str
    view: object
    name: str
    title: str
    permission: str


class RegistryAdminSite(admin.AdminSite):
    site_header = "Sổ thi đua, khen thưởng"
    site_title = "Thi đua, khen thưởng"
    index_title = "Quản lý thi đua, khen thưởng"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages: list[Page] = []

    def register_page(self, page: Page) -> None:
        if all(p.name != page.name for p in self.pages):
            self.pages.append(page)

    def get_urls(self):
        pages = [path(p.route, self.admin_view(p.view), name=p.name) for p in self.pages]
        return pages + super().get_urls()

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        entries = [
            {
                "name": page.title,
                "object_name": page.name,
                "perms": {"add": False, "change": False, "delete": False, "view": True},
                "admin_url": reverse(f"{self.name}:{page.name}"),
                "add_url": None,
                "view_only": True,
            }
            for page in self.pages
            if request.user.has_perm(page.permission)
        ]
        for app in apps:
            if app["app_label"] == "registry":
                app["models"][:0] = entries
        return apps
