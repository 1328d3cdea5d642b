"""The test harness itself: the database the suite runs on, and a real browser."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

SITE_HEADER = "Sổ thi đua, khen thưởng"


@pytest.mark.django_db
def test_database_is_the_one_database_url_asks_for():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        assert connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version_num")
            (version,) = cursor.fetchone()
        assert int(version) // 10000 == 15, f"expected PostgreSQL 15, got {version}"
    else:
        assert connection.vendor == "sqlite"


@pytest.mark.browser
def test_admin_login_page_renders_in_vietnamese(live_server, page):
    stylesheets = []
    page.on(
        "response",
        lambda response: (
            stylesheets.append((response.url, response.status))
            if response.request.resource_type == "stylesheet"
            else None
        ),
    )

    response = page.goto(live_server.url + "/admin/login/")
    assert response is not None and response.ok

    assert page.locator("html").get_attribute("lang") == "vi"
    assert SITE_HEADER in page.locator("#site-name").inner_text()
    assert page.locator("input[type=password]").count() == 1
    # The admin's own CSS is served by the live server (static files), not left unstyled.
    assert any(url.endswith("/admin/css/base.css") and status == 200 for url, status in stylesheets)

    # Logging in goes through the live server's database connection to the same database.
    get_user_model().objects.create_superuser("thu-ky", "thu-ky@example.vn", "mat-khau-thu-nghiem")
    page.fill("input[name=username]", "thu-ky")
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    assert SITE_HEADER in page.locator("#site-name").inner_text()
    assert page.locator("#user-tools").count() == 1


def test_the_registrys_messages_are_compiled_and_win_over_djangos():
    """registry/locale (make messages) is read before Django's own, older vi catalogue."""
    from django.utils import translation

    with translation.override("vi"):
        assert translation.gettext("Show counts") == "Hiện số lượng"
        assert translation.gettext("History") == "Lịch sử"  # Django's vi says "Bản ghi nhớ"
        assert translation.gettext("Add") == "Thêm"  # Django's vi says "Thêm vào"
        assert translation.pgettext("Task", "Failed") == "Lỗi"  # django-tasks has no vi
