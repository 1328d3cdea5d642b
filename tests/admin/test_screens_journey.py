"""Every screen of the admin in Chromium at 1366x768, as the administrator and as a clerk of
Văn Lãng, on the demo data: every model's list, its add page where the user may add, the first
row's page, the home page, history pages and the nominee list. None answers an error, none
scrolls sideways, none shows Django's English (tests/screens.py).

The browsing is done once for the module (the demo data take seconds to load); each test then
judges a part of what was seen."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from tests.screens import SCREEN, admin_pages, screen_problems

pytestmark = pytest.mark.browser

USERS = ["admin", "canbo.vanlang"]


@dataclass
class Visit:
    url: str
    status: int
    problems: list[str] = field(default_factory=list)
    text: str = ""

    def failures(self) -> list[str]:
        return ([f"HTTP {self.status}"] if self.status >= 400 else []) + self.problems


def _pages_of(username: str) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from registry.models import AwardType, Decision

    user = get_user_model().objects.get(username=username)
    pages = [page.url for page in admin_pages(user)]
    # A Văn Lãng decision that has been changed (issued) since it was written.
    decision = (
        Decision.history.filter(authority__code="vanlang-ubnd", history_type="~")
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    year = timezone.localdate().year
    pages += [
        reverse("admin:index"),
        reverse("admin:registry_decision_history", args=[decision]),
        reverse("admin:registry_awardtype_history", args=[AwardType.objects.first().pk]),
        reverse("admin:registry_eligibility_nominees"),
        f"{reverse('admin:registry_annual_report')}?year={year}",
        reverse("admin:registry_importbatch_upload", args=["lich-su"]),
    ]
    return pages


def _browse(browser, base_url: str, username: str, password: str) -> list[Visit]:
    context = browser.new_context(viewport=SCREEN, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto(base_url + reverse("admin:login"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("input[type=submit]")
        page.wait_for_url(base_url + reverse("admin:index"))
        visits = []
        for url in _pages_of(username):
            response = page.goto(base_url + url)
            visits.append(
                Visit(
                    url=url,
                    status=response.status,
                    problems=screen_problems(page),
                    text=page.evaluate("document.body.innerText"),
                )
            )
        return visits
    finally:
        context.close()


@pytest.fixture(scope="module")
def crawl(django_db_setup, django_db_blocker, live_server, browser) -> dict[str, list[Visit]]:
    """What each user saw, page by page. The demo data are committed (the live server reads
    them from its own connection) and flushed when the module is done."""
    from registry.services.accounts import (
        demo_admin_ensure,
        demo_clerk_password,
        demo_clerks_ensure,
    )
    from registry.services.demo import demo_load

    with django_db_blocker.unblock():
        try:
            demo_load()
            admin_name, admin_password = demo_admin_ensure()
            with override_settings(DEBUG=True):  # the demo clerks exist only on a DEBUG site
                demo_clerks_ensure(reset_password=True)
            passwords = {admin_name: admin_password, "canbo.vanlang": demo_clerk_password()}
            return {
                name: _browse(browser, live_server.url, name, passwords[name]) for name in USERS
            }
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _report(visits: list[Visit]) -> str:
    return "\n".join(
        f"{visit.url}:\n    " + "\n    ".join(visit.failures())
        for visit in visits
        if visit.failures()
    )


@pytest.mark.parametrize("username", USERS)
def test_every_screen_fits_and_speaks_vietnamese(crawl, username):
    from django.contrib import admin

    visits = crawl[username]
    assert not _report(visits), "\n" + _report(visits)

    # The crawl saw what it claims: every model's list for the administrator, the home page.
    lists = {visit.url for visit in visits if visit.url.endswith("/") and "/add/" not in visit.url}
    if username == "admin":
        for model in admin.site._registry:
            info = (model._meta.app_label, model._meta.model_name)
            assert reverse("admin:{}_{}_changelist".format(*info)) in lists, model
        assert sum(visit.url.endswith("/add/") for visit in visits) >= 20
        assert sum(visit.url.endswith("/change/") for visit in visits) >= 25
    home = next(visit for visit in visits if visit.url == reverse("admin:index"))
    assert "Quyết định mới" in home.text and "Dự thảo chờ ban hành" in home.text
    history = next(
        visit for visit in visits if "/decision/" in visit.url and "history" in visit.url
    )
    assert "Lịch sử" in history.text and "Đã ban hành" in history.text
