"""Fixtures shared by the whole suite.

Browser journeys (marked ``browser``) drive Debian's headless Chromium through Playwright's sync
API against pytest-django's ``live_server``. They run only in the PostgreSQL pass of
``make test``; on SQLite they are skipped with a reason. Under CI=true a missing Chromium or
Playwright fails the journey instead of skipping it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Signing fixtures (test PKI, timestamp server, SoftHSM2 token): tests/signing_fixtures.py.
pytest_plugins = ["tests.signing_fixtures"]

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
VIEWPORT = {"width": 1280, "height": 900}

# The live server listens on IPv4 loopback; "localhost" may resolve to ::1 first.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


def _allow_flush(sender, connection, **kwargs):
    """The register refuses TRUNCATE unless a session says it means it: pytest-django empties
    the PostgreSQL test database with TRUNCATE after each transactional test."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET registry.allow_truncate = 'on'")


def stale_messages() -> list[str]:
    """The registry's .po catalogues whose compiled .mo is missing or older than the .po."""
    locale = Path(__file__).resolve().parent.parent / "registry" / "locale"
    stale = []
    for po in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(str(po.relative_to(locale.parent.parent)))
    return stale


def pytest_configure(config):
    # Without the compiled catalogue every page quietly falls back to English and dozens of tests
    # fail far from the cause: stop before running anything and say what to do.
    stale = stale_messages()
    if stale:
        raise pytest.UsageError(
            "the Vietnamese messages are not compiled or older than their .po "
            f"({', '.join(stale)}): run `make messages` (needs gettext's msgfmt)"
        )

    from django.db.backends.signals import connection_created

    connection_created.connect(_allow_flush, weak=False)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def database_url_is_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _database_description() -> str:
    try:
        from django.conf import settings

        db = settings.DATABASES["default"]
    except Exception as exc:  # settings not importable: say so rather than hide the header
        return f"database: unknown ({exc})"
    engine = db.get("ENGINE", "?").rsplit(".", 1)[-1]
    if engine == "sqlite3":
        return f"database: sqlite ({db.get('NAME')}; tests run on an in-memory test database)"
    options = db.get("OPTIONS", {})
    host = db.get("HOST") or options.get("host") or "default"
    port = db.get("PORT") or options.get("port") or "default"
    return f"database: {engine} (name {db.get('NAME')}, host {host}, port {port})"


def pytest_report_header(config):
    lines = [_database_description()]
    if database_url_is_postgres():
        lines.append("browser journeys: enabled (PostgreSQL pass)")
    else:
        lines.append("browser journeys: skipped (they run in the PostgreSQL pass)")
    return lines


def pytest_collection_modifyitems(config, items):
    """Skip browser journeys outside the PostgreSQL pass and run them after everything else.

    Running them last keeps DJANGO_ALLOW_ASYNC_UNSAFE (which the browser fixture sets for the
    rest of the session) away from every other test.
    """
    skip_browser = pytest.mark.skip(
        reason="browser journeys run only against PostgreSQL (DATABASE_URL=postgres://...); "
        "make test runs them in its PostgreSQL pass"
    )
    browser_items = []
    other_items = []
    for item in items:
        if item.get_closest_marker("browser"):
            if not database_url_is_postgres():
                item.add_marker(skip_browser)
            browser_items.append(item)
        else:
            other_items.append(item)
    items[:] = other_items + browser_items


def _unavailable(reason: str):
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a browser journey must not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, one per session."""
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(
            f"Chromium not found at {CHROMIUM}: apt-get install chromium (make system-deps)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed: make venv")

    # Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
    # ORM calls made by the test itself (SynchronousOnlyOperation).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        chromium = manager.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) and page for each test."""
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data from the articles, loaded once for a module (it takes seconds) and rolled
    back after it; each test runs in its own savepoint inside. Returns load_demo's counts."""
    from django.db import transaction

    from registry.services.demo import demo_load

    with django_db_blocker.unblock(), transaction.atomic():
        created = demo_load()
        yield created
        transaction.set_rollback(True)
