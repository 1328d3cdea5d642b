"""What a deployment needs beyond the pages: rate limits on the public pages, static files from
gunicorn with DEBUG off, the development .env of `make run`, the health endpoint, the request log.
"""

import json
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from registry.models.workers import WorkerHeartbeat
from tests.test_verification import issued_award

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
UNKNOWN = "/xac-thuc/ABCDEFGHJKLMNPQR/"


def production_env(**extra) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "STATIC_ROOT", "REGISTRY_VAR_DIR"}
    }
    return {**base, "SECRET_KEY": secrets.token_urlsafe(50), **extra}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Rate limits -----------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(RATE_LIMIT_VERIFICATION="3/m")
def test_a_crowd_from_one_address_gets_429_in_vietnamese_and_others_are_not_blocked(client):
    award = issued_award()
    crowd = {"REMOTE_ADDR": "203.0.113.5"}
    assert client.get(f"/xac-thuc/{award.verification_code}/", **crowd).status_code == 200
    assert client.get(UNKNOWN, **crowd).status_code == 404
    assert client.get(UNKNOWN, **crowd).status_code == 404
    blocked = client.get(f"/xac-thuc/{award.verification_code}/", **crowd)
    assert blocked.status_code == 429
    text = blocked.content.decode()
    assert "Quá nhiều yêu cầu" in text and "Vui lòng chờ khoảng 1 phút rồi thử lại" in text
    assert award.individual.full_name not in text
    assert 1 <= int(blocked["Retry-After"]) <= 60
    # Another address is served as usual.
    other = client.get(f"/xac-thuc/{award.verification_code}/", REMOTE_ADDR="203.0.113.6")
    assert other.status_code == 200 and award.individual.full_name in other.content.decode()


@pytest.mark.django_db
@override_settings(RATE_LIMIT_VERIFICATION="2/m", TRUSTED_PROXIES=[])
def test_x_forwarded_for_from_an_untrusted_address_does_not_dodge_the_limit(client):
    statuses = [
        client.get(
            UNKNOWN, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"
        ).status_code
        for i in range(4)
    ]
    assert statuses == [404, 404, 429, 429]


@pytest.mark.django_db
@override_settings(RATE_LIMIT_VERIFICATION="2/m", TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_a_trusted_proxy_each_client_counts_alone(client):
    def via_proxy(client_address):
        return client.get(
            UNKNOWN, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=client_address
        ).status_code

    assert [via_proxy("192.0.2.1") for _ in range(3)] == [404, 404, 429]
    assert via_proxy("192.0.2.2") == 404  # the proxy's own address is not what is counted
    # An IPv6 client counts by its /64: one phone or household cannot rotate past the limit.
    assert [via_proxy(f"2001:db8:1:2::{i}") for i in (1, 2, 3)] == [404, 404, 429]


@pytest.mark.django_db
@override_settings(RATE_LIMIT_COMMENT="2/h")
def test_the_public_postings_comment_posts_are_limited_not_their_reading(client):
    address = {"REMOTE_ADDR": "203.0.113.9"}
    assert [client.get("/cong-khai/999999/", **address).status_code for _ in range(4)] == [404] * 4
    posts = [client.post("/cong-khai/999999/", {"text": "x"}, **address) for _ in range(3)]
    assert [p.status_code for p in posts] == [404, 404, 429]
    assert "Quá nhiều yêu cầu" in posts[-1].content.decode()


@pytest.mark.django_db
@override_settings(RATE_LIMIT_VERIFICATION="")
def test_an_empty_setting_turns_a_limit_off(client):
    assert {client.get(UNKNOWN).status_code for _ in range(5)} == {404}


@pytest.mark.django_db
def test_the_counters_live_in_the_shared_database_cache_and_count_exactly():
    from django.conf import settings
    from django.db import connection

    assert settings.CACHES["default"]["BACKEND"] == "registry.cache.CounterDatabaseCache"
    assert cache.add("n", 1, 60)
    assert [cache.incr("n") for _ in range(3)] == [2, 3, 4]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM registry_cache")
        assert cursor.fetchone()[0] == 1  # a table every gunicorn worker and app server shares
    with pytest.raises(ValueError):
        cache.incr("missing")


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_from_several_connections_lose_no_count():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("several connections at once on one database: PostgreSQL pass")
    key = f"concurrent-{secrets.token_hex(4)}"
    cache.add(key, 0, 60)

    def count(_):
        try:
            return [cache.incr(key) for _ in range(25)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(4) as pool:
        seen = [n for counts in pool.map(count, range(4)) for n in counts]
    assert cache.get(key) == 100
    assert sorted(seen) == list(range(1, 101))  # every worker got a count of its own
    cache.delete(key)


# --- Static files under gunicorn ---------------------------------------------------------------


@contextmanager
def gunicorn(env: dict[str, str], log: Path):
    port = free_port()
    with log.open("w") as errors:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "registry.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def fetch(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_gunicorn_with_debug_off_serves_static_files_and_reports_a_database_gone(tmp_path):
    env = production_env(
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(tmp_path / "static"),
        REGISTRY_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'registry.sqlite3'}",
    )
    for command in (["collectstatic", "--noinput", "-v0"], ["createcachetable"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True
        )
        assert done.returncode == 0, done.stderr
    https = {"X-Forwarded-Proto": "https"}  # what the proxy in front says
    log = tmp_path / "gunicorn.log"
    with gunicorn({**env, "RATE_LIMIT_VERIFICATION": "4/m"}, log) as base:
        status, headers, body = fetch(f"{base}/static/admin/css/base.css", **https)
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        assert b"body" in body
        status, headers, body = fetch(f"{base}/static/registry/decision_page.css", **https)
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        status, headers, _ = fetch(
            f"{base}/static/registry/decision_page.js", **https, **{"Accept-Encoding": "gzip"}
        )
        assert status == 200 and "javascript" in headers["Content-Type"]
        assert headers.get("Content-Encoding") == "gzip"
        assert fetch(f"{base}/static/registry/nothing.css", **https)[0] == 404
        # Two workers, one count: a malformed code is answered without a query, and the fifth
        # request from this address is refused whichever worker takes it.
        statuses = [fetch(f"{base}/xac-thuc/KHONG-HOP-LE/", **https)[0] for _ in range(8)]
        assert statuses == [404] * 4 + [429] * 4
    # One line per request in the server's log; static files WhiteNoise answers are not logged.
    lines = [line for line in log.read_text().splitlines() if "path=/xac-thuc/" in line]
    assert len(lines) == 8 and "user=- method=GET" in lines[0] and "status=429" in lines[-1]
    assert "path=/static/admin/css/base.css" not in log.read_text()

    # The same server with its PostgreSQL gone: the health answer says so, over plain HTTP too.
    gone = {**env, "DATABASE_URL": f"postgres://registry:x@127.0.0.1:{free_port()}/registry"}
    with gunicorn(gone, tmp_path / "gone.log") as base:
        status, headers, body = fetch(f"{base}/suc-khoe/")
        assert status == 503, body
        assert json.loads(body)["database"] == "unreachable"
        assert "no-cache" in headers["Cache-Control"]
        assert fetch(f"{base}/static/admin/css/base.css", **https)[0] == 200


# --- The development .env ----------------------------------------------------------------------


@pytest.fixture
def checkout(tmp_path):
    """A checkout of manage.py in its own folder, so its .env is the test's, not the developer's."""
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    (tmp_path / "registry").symlink_to(ROOT / "registry")
    return tmp_path


def clean_manage(folder: Path, *args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=folder,
        env={"PATH": os.environ["PATH"], "HOME": str(folder), **env},
        capture_output=True,
        text=True,
    )


DEBUG_IS = "from django.conf import settings; print('DEBUG', settings.DEBUG)"


def test_after_make_run_writes_env_manage_py_runs_with_no_environment(checkout):
    made = subprocess.run(
        ["make", "-f", str(ROOT / "Makefile"), "-C", str(checkout), ".env", f"BIN={BIN}"],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    dotenv = (checkout / ".env").read_text()
    assert "DEBUG=1" in dotenv.splitlines()
    (key,) = [line.split("=", 1)[1] for line in dotenv.splitlines() if line.startswith("SECRET_")]
    assert len(key) >= 50
    # Written once: make run again keeps the key (and so the sessions).
    subprocess.run(
        ["make", "-f", str(ROOT / "Makefile"), "-C", str(checkout), ".env", f"BIN={BIN}"]
    )
    assert (checkout / ".env").read_text() == dotenv

    checked = clean_manage(checkout, "check")
    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues" in checked.stdout
    # A server's environment sets SECRET_KEY: the .env is not looked at, DEBUG stays off.
    server = clean_manage(
        checkout, "shell", "--no-imports", "-c", DEBUG_IS, SECRET_KEY=secrets.token_urlsafe(50)
    )
    assert server.stdout.split() == ["DEBUG", "False"], server.stderr
    # And gunicorn's entry point never reads it: no SECRET_KEY in the environment, no start.
    wsgi = subprocess.run(
        [sys.executable, "-c", "import registry.wsgi"],
        cwd=checkout,
        env={"PATH": os.environ["PATH"], "ALLOWED_HOSTS": "thidua.example.vn"},
        capture_output=True,
        text=True,
    )
    assert wsgi.returncode != 0 and "Chưa đặt biến môi trường SECRET_KEY" in wsgi.stderr


def test_without_env_or_secret_key_manage_py_refuses_in_vietnamese(checkout):
    refused = clean_manage(checkout, "check")
    assert refused.returncode != 0
    assert "Chưa đặt biến môi trường SECRET_KEY" in refused.stderr
    # A .env that does not say DEBUG=1 is never read: it cannot start production quietly.
    (checkout / ".env").write_text(f"DEBUG=0\nSECRET_KEY={secrets.token_urlsafe(50)}\n")
    assert "Chưa đặt biến môi trường SECRET_KEY" in clean_manage(checkout, "check").stderr


# --- Health --------------------------------------------------------------------------------------


# Not in a test transaction: the worker's loop closes a connection that is not in autocommit.
@pytest.mark.django_db(transaction=True)
def test_health_is_200_when_the_database_answers_and_the_worker_beats(client):
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    answer = client.get("/suc-khoe/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["worker"] == "ok"
    assert body["worker_seen_seconds_ago"] <= 5
    assert client.get("/suc-khoe/?worker=1").status_code == 200


@pytest.mark.django_db
@override_settings(WORKER_HEARTBEAT_MAX_AGE=120)
def test_health_flags_a_stale_worker_and_a_monitor_can_ask_for_503(client):
    WorkerHeartbeat.objects.create(
        worker_id="w1", host="app1", pid=1, seen_at=timezone.now() - timedelta(minutes=5)
    )
    answer = client.get("/suc-khoe/")
    assert answer.status_code == 200  # the load balancer keeps the app servers in
    assert answer.json()["status"] == "degraded" and answer.json()["worker"] == "stale"
    assert answer.json()["worker_seen_seconds_ago"] >= 300
    strict = client.get("/suc-khoe/?worker=1")
    assert strict.status_code == 503 and strict.json()["worker"] == "stale"
    WorkerHeartbeat.objects.all().delete()
    assert client.get("/suc-khoe/?worker=1").status_code == 503  # no worker ever seen


# --- Request log ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_log_line_per_request_with_user_method_path_status_and_duration(
    client, admin_client, caplog
):
    with caplog.at_level(logging.INFO, logger="registry.requests"):
        client.get(UNKNOWN)
        admin_client.get("/admin/")
    lines = [r.getMessage() for r in caplog.records if r.name == "registry.requests"]
    assert len(lines) == 2
    assert lines[0].startswith(f"user=- method=GET path={UNKNOWN} status=404 duration_ms=")
    assert lines[1].startswith("user=admin method=GET path=/admin/ status=200 duration_ms=")
    assert float(lines[1].rsplit("=", 1)[1]) > 0
