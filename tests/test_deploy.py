"""Production settings: check --deploy is clean, nothing starts without a secret key, HSTS's
reach beyond this site is opt-in, and every page carries a Content-Security-Policy."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from registry.services.decisions import decision_issue
from tests import factories

ROOT = Path(__file__).resolve().parents[1]


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
    )


def production(*args, **env):
    return manage(
        *args,
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="thidua.example.vn",
        **env,
    )


def test_check_deploy_reports_no_warnings_with_production_settings(tmp_path):
    result = production(
        "check", "--deploy", "--fail-level", "WARNING", REGISTRY_VAR_DIR=str(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Only the reminders about the two opt-in HSTS flags are silenced, and only while they are off,
    # and django-ratelimit's warning about a cache it does not list (registry/cache.py).
    assert "no issues (3 silenced)" in result.stdout
    opted_in = production(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        REGISTRY_VAR_DIR=str(tmp_path),
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
    )
    assert opted_in.returncode == 0, opted_in.stdout + opted_in.stderr
    assert "no issues (1 silenced)" in opted_in.stdout


HSTS = (
    "from django.conf import settings as s; "
    "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
)


def test_hsts_covers_subdomains_and_preload_only_when_asked(tmp_path):
    default = production("shell", "--no-imports", "-c", HSTS, REGISTRY_VAR_DIR=str(tmp_path))
    assert default.stdout.split() == ["31536000", "False", "False"], default.stderr
    on = production(
        "shell",
        "--no-imports",
        "-c",
        HSTS,
        REGISTRY_VAR_DIR=str(tmp_path),
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="true",
    )
    assert on.stdout.split() == ["31536000", "True", "True"], on.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    # What gunicorn loads: registry.wsgi, which never reads a development .env.
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", "import registry.wsgi"],
        cwd=ROOT,
        env={**base, "ALLOWED_HOSTS": "thidua.example.vn", "REGISTRY_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "Chưa đặt biến môi trường SECRET_KEY" in result.stderr


def test_a_worker_freezes_what_it_loads_before_its_first_request(tmp_path):
    # gunicorn's worker imports registry.wsgi: Django, the models and the admin's URLs are loaded
    # and frozen there, so the collector's full collections no longer walk them mid-page.
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    shown = (
        "import gc, registry.wsgi; from django.urls import get_resolver; "
        "print(gc.get_freeze_count(), len(gc.get_objects()), "
        "bool(get_resolver()._reverse_dict))"
    )
    result = subprocess.run(
        [sys.executable, "-c", shown],
        cwd=ROOT,
        env={
            **base,
            "SECRET_KEY": "k" * 50,
            "ALLOWED_HOSTS": "thidua.example.vn",
            "REGISTRY_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    frozen, tracked, urls_loaded = result.stdout.split()
    assert urls_loaded == "True"
    assert int(frozen) > 10 * int(tracked)
    assert int(frozen) > 0


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


def assert_strict(response):
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no inline or foreign scripts anywhere
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_the_login_page_admin_pages_and_the_verification_page_carry_the_policy(
    client, admin_client
):
    decision = factories.decision_with_lines("15/QĐ-UBND", collectives=0, individuals=1)
    decision_issue(decision=decision)
    code = decision.awards.get().verification_code
    visits = [
        (client, "/admin/login/", 200),
        (client, f"/xac-thuc/{code}/", 200),
        (client, "/xac-thuc/KHONGCOMA/", 404),
        (admin_client, "/admin/", 200),
        (admin_client, "/admin/registry/decision/", 200),
        (admin_client, f"/admin/registry/decision/{decision.pk}/change/", 200),
    ]
    for who, url, status in visits:
        response = who.get(url)
        assert response.status_code == status, url
        assert_strict(response)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_policy_blocks_nothing_the_admin_and_the_public_page_use(live_server, page):
    decision = factories.decision_with_lines("15/QĐ-UBND", collectives=1, individuals=1)
    decision_issue(decision=decision)
    code = decision.awards.first().verification_code
    get_user_model().objects.create_superuser("quantri", password="mat-khau-thu-nghiem")
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "quantri")
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(f"{live_server.url}/admin/registry/decision/add/")
    # The admin's own scripts ran: the autocomplete boxes were built.
    page.locator("#id_authority + .select2-container").wait_for(state="attached")
    page.goto(f"{live_server.url}/admin/registry/decision/{decision.pk}/change/")
    page.goto(f"{live_server.url}/admin/registry/award/")
    page.goto(f"{live_server.url}/xac-thuc/{code}/")
    assert "Giấy khen hợp lệ" in page.content()
    assert refused == []
