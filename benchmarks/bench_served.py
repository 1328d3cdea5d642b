"""The registry as it is served: gunicorn and PostgreSQL under a crowd and twenty clerks.

    make bench-served                 (BENCH_SCALE=0.01 for a hundredth of the award lines)

The registry is the reports benchmark's (benchmarks/bench_reports.py: 1,000,000 award lines ×
BENCH_SCALE, restored from its cached pg_dump or built once), in a throwaway PostgreSQL 15
(tests/pgserver.py's server). On top of it, in this run only: verification codes on one line in
fifty (written with the lock triggers off: the generator issues its decisions in SQL, with no
codes), the people spread over the 200 authorities with their search and sort keys, the
eligibility rules, and twenty clerks of the province's office (group Cán bộ thi đua), logged in
by sessions made here.

Then gunicorn as the README deploys it: `gunicorn registry.wsgi -w 2 × cores + 1`, DEBUG off,
SECRET_KEY and ALLOWED_HOSTS set, CONN_MAX_AGE=60 (each worker keeps its connection). Three
differences, all for plain HTTP on loopback: SECURE_SSL_REDIRECT and the secure-cookie flags are off (the
proxy's HTTPS is not there), the public pages' per-address rate limit is set out of reach
(RATE_LIMIT_VERIFICATION, RATELIMIT_ENABLE off: the crowd comes from one address), and the
settings module is benchmarks/served_settings.py, which adds one page: the floor, a constant
Django view (benchmarks/served_urls.py) through the same middleware and workers.

Locust (headless, benchmarks/served_locustfile.py) on loopback, three phases per run, each
bounded in users and time:
- floor crowd: BENCH_CROWD users (default 10) asking for the floor without pause;
- verification crowd: the same users on the public verification page, codes valid (60 %),
  revoked (10 %) and unknown (30 %, answered 404);
- clerks: twenty logged-in clerks, each waiting 1–3 s before every page of a round (each starts
  at a page of the round drawn at random, not all at the first): the decision
  list, a person found by a name typed without diacritics, a person's page with the award
  history, a decision's page, the annual report of one commune for one year, the nominee list of
  one district and the communes below it, and the floor (the floor's p95 under the same load).

Prints the median of BENCH_RUNS runs (default 3) of throughput, p50 and p95 per page, the errors
of all runs, and the ratios to the floor. Goals: verification ≥ 0.5 × the floor's throughput;
each clerk page's p95 ≤ 10 × the floor's p95 and < 300 ms; no errors. gunicorn, locust and
PostgreSQL are stopped whatever happens.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import scale  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
CROWD = int(os.environ.get("BENCH_CROWD", "10"))
CLERKS = 20
CROWD_SECONDS = int(os.environ.get("BENCH_CROWD_SECONDS", "15" if scale() < 1 else "20"))
CLERK_SECONDS = int(os.environ.get("BENCH_CLERK_SECONDS", "40" if scale() < 1 else "60"))
WORKERS = 2 * (os.cpu_count() or 1) + 1
# For a quicker look at one scenario: BENCH_PHASES=FloorCrowd,VerificationCrowd (or Clerk).
PHASES = os.environ.get("BENCH_PHASES", "FloorCrowd,VerificationCrowd,Clerk").split(",")
YEAR = 2020
LOCUSTFILE = ROOT / "benchmarks" / "served_locustfile.py"
CLERK_PAGES = [
    "decision list",
    "person search",
    "person page",
    "decision page",
    "annual report",
    "nominee list",
]
VERIFICATION = ["verification: valid", "verification: revoked", "verification: unknown"]
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _pgserver():
    spec = importlib.util.spec_from_file_location("pgserver", ROOT / "tests" / "pgserver.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- the registry
def _copy_rows(cursor, table: str, columns: str, rows) -> None:
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def prepare(data_file: Path) -> dict:
    """What the served registry needs beyond the reports benchmark's; the pages to open."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection, transaction

    from registry.models import Authority, AwardType, Decision, Individual
    from registry.models.trust import AuthorityMembership
    from registry.selectors.eligibility import rules_in_force
    from registry.services.accounts import CLERK_GROUP, groups_ensure
    from registry.services.rules import rules_load
    from registry.text import fold, person_sort_key

    started = time.perf_counter()
    rng = random.Random(20)
    call_command("createcachetable")  # as the README deploys it: the shared cache's table
    rules_load()
    authorities = list(
        Authority.objects.filter(code__startswith="bench-")
        .order_by("code")
        .values_list("id", flat=True)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # People of every authority (the generator registers them all with the province), with
        # the search and sort keys that saving a person computes.
        people = list(Individual.objects.values_list("id", "full_name"))
        cursor.execute("CREATE TEMP TABLE served_people (id bigint, reg bigint, s text, o text)")
        _copy_rows(
            cursor,
            "served_people",
            "id, reg, s, o",
            (
                (pk, authorities[pk % len(authorities)], fold(name), person_sort_key(name))
                for pk, name in people
            ),
        )
        cursor.execute(
            "UPDATE registry_individual p SET registered_by_id = t.reg, search_key = t.s, "
            "sort_key = t.o FROM served_people t WHERE t.id = p.id"
        )
        cursor.execute("DROP TABLE served_people")
        # Verification codes on one line in fifty (revoked lines among them: id % 1000 = 7).
        cursor.execute("SELECT id FROM registry_award WHERE id % 50 = 7")
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("CREATE TEMP TABLE served_codes (id bigint, code text)")
        _copy_rows(
            cursor,
            "served_codes",
            "id, code",
            ((pk, "".join(rng.choice(CODE_ALPHABET) for _ in range(16))) for pk in ids),
        )
        cursor.execute("ALTER TABLE registry_award DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE registry_award a SET verification_code = c.code FROM served_codes c "
            "WHERE c.id = a.id"
        )
        cursor.execute("ALTER TABLE registry_award ENABLE TRIGGER USER")
        cursor.execute("DROP TABLE served_codes")
        cursor.execute(
            "SELECT verification_code, revoked_by_id IS NOT NULL FROM registry_award "
            "WHERE verification_code IS NOT NULL"
        )
        coded = cursor.fetchall()
    valid = [code for code, revoked in coded if not revoked]
    revoked = [code for code, revoked in coded if revoked]
    known = {code for code, _ in coded}
    unknown = []
    while len(unknown) < 500:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(16))
        if code not in known:
            unknown.append(code)

    # Twenty clerks of the province's office, logged in.
    group = groups_ensure()[CLERK_GROUP]
    province = Authority.objects.get(code="bench-tinh")
    sessions = []
    for n in range(CLERKS):
        user = get_user_model().objects.create(username=f"canbo{n:02d}", is_staff=True)
        user.set_unusable_password()
        user.save()
        user.groups.add(group)
        AuthorityMembership.objects.create(user=user, authority=province)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)

    communes = list(
        Authority.objects.filter(code__startswith="bench-x").values_list("code", flat=True)
    )
    districts = list(Authority.objects.filter(code__startswith="bench-h"))
    nominees = []
    from datetime import date

    for code in ("cstd-co-so", "ldtt", "giay-khen"):
        award_type = AwardType.objects.get(code=code)
        if rules_in_force(
            award_type_ids=[award_type.pk], on=date(YEAR, 12, 31), authority=districts[0]
        ):
            nominees = [
                f"award_type={award_type.pk}&year={YEAR}&authority={d.pk}" for d in districts
            ]
            nominee_type = code
            break
    person_ids = [pk for pk, _ in rng.sample(people, min(200, len(people)))]
    data = {
        "valid": rng.sample(valid, min(1000, len(valid))),
        "revoked": revoked[:200],
        "unknown": unknown,
        "sessions": sessions,
        "decisions": rng.sample(list(Decision.objects.values_list("id", flat=True)), 200),
        "people": person_ids,
        "searches": [
            fold(name).replace(" ", "+") for _, name in rng.sample(people, min(200, len(people)))
        ],
        "reports": [
            f"year={YEAR}&authority={code}&basis=achievement" for code in rng.sample(communes, 20)
        ],
        "nominees": nominees,
    }
    data_file.write_text(json.dumps(data), encoding="utf-8")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    print(
        f"[served] prepared in {time.perf_counter() - started:.1f} s: {len(coded):,} verification "
        f"codes ({len(revoked)} revoked), {len(people):,} people over {len(authorities)} "
        f"authorities, {CLERKS} clerks; nominee list: {nominee_type}, {YEAR}, one district",
        flush=True,
    )
    return data


# --------------------------------------------------------------------------- processes
class Gunicorn:
    def __init__(self, database_url: str, secret_key: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "benchmarks.served_settings",
            # As the README deploys it: each worker keeps its database connection.
            "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
            # Plain HTTP on loopback: no proxy terminates HTTPS here.
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            # A crowd from one address: the public pages' rate limit stays out of reach.
            "RATE_LIMIT_VERIFICATION": "1000000/m",
            "LOG_LEVEL": "ERROR",
        }
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "registry.wsgi", "-b", f"127.0.0.1:{self.port}",
             "-w", str(WORKERS), "--graceful-timeout", "5"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/bench-floor/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 s:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            if self.process.poll() is not None:
                break
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                continue
        self.log.close()


def warm_up(base: str, data: dict) -> None:
    """Every page once per worker or so, before anything is counted."""
    cookie = {"Cookie": f"sessionid={data['sessions'][0]}"}
    urls = [
        ("/bench-floor/", {}),
        (f"/xac-thuc/{data['valid'][0]}/", {}),
        (f"/xac-thuc/{data['unknown'][0]}/", {}),
        ("/admin/registry/decision/", cookie),
        (f"/admin/registry/individual/?q={data['searches'][0]}", cookie),
        (f"/admin/registry/individual/{data['people'][0]}/change/", cookie),
        (f"/admin/registry/decision/{data['decisions'][0]}/change/", cookie),
        (f"/admin/registry/bao-cao-nam/?{data['reports'][0]}", cookie),
        (f"/admin/registry/eligibilityrule/nominees/?{data['nominees'][0]}", cookie),
    ]
    for _ in range(2 * WORKERS):
        for url, headers in urls:
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(urllib.request.Request(base + url, headers=headers)).read()


def locust(base: str, data_file: Path, user_class: str, users: int, seconds: int, out: Path):
    """One headless locust phase; {name: (requests/s, p50 ms, p95 ms, requests, failures)}."""
    prefix = out / user_class
    rate = users if user_class != "Clerk" else 5
    env = {**os.environ, "BENCH_SERVED_DATA": str(data_file)}
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(users),
         "-r", str(rate), "-t", f"{seconds}s", "--host", base, "--csv", str(prefix),
         "--only-summary", "--stop-timeout", "5", "--loglevel", "ERROR", user_class],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
        timeout=seconds + 120,
    )  # fmt: skip
    stats = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["Name"] if row["Type"] else "verification (all)"
            stats[name] = (
                float(row["Requests/s"]),
                float(row["50%"]),
                float(row["95%"]),
                int(row["Request Count"]),
                int(row["Failure Count"]),
            )
    return stats


# --------------------------------------------------------------------------- the run
def measure(base: str, data_file: Path) -> list[dict]:
    runs = []
    for n in range(RUNS):
        with tempfile.TemporaryDirectory(prefix="served-") as out:
            out = Path(out)
            run = {}
            for key, user_class, users, seconds in (
                ("crowd", "FloorCrowd", CROWD, CROWD_SECONDS),
                ("crowd", "VerificationCrowd", CROWD, CROWD_SECONDS),
                ("clerks", "Clerk", CLERKS, CLERK_SECONDS),
            ):
                if user_class not in PHASES:
                    continue
                for name, values in locust(
                    base, data_file, user_class, users, seconds, out
                ).items():
                    if user_class == "FloorCrowd" and name != "floor":
                        continue
                    if user_class == "Clerk" and name not in (*CLERK_PAGES, "floor"):
                        continue
                    run[(key, name)] = values
        runs.append(run)
        print(f"[served] run {n + 1}/{RUNS} done", flush=True)
    return runs


def table(runs: list[dict]) -> bool:
    keys = [
        ("crowd", "floor"),
        ("crowd", "verification (all)"),
        *(("crowd", name) for name in VERIFICATION),
        ("clerks", "floor"),
        *(("clerks", name) for name in CLERK_PAGES),
    ]

    def med(key, i):
        values = [run[key][i] for run in runs if key in run]
        return statistics.median(values) if values else float("nan")

    def errors(key):
        return sum(run[key][4] for run in runs if key in run)

    def count(key):
        return sum(run[key][3] for run in runs if key in run)

    floor_rps = med(("crowd", "floor"), 0)
    floor_p95 = med(("clerks", "floor"), 2)
    ok = True
    print(
        f"\n[served] PostgreSQL 15, gunicorn {WORKERS} workers, BENCH_SCALE={scale()}; "
        f"median of {len(runs)} runs (crowd: {CROWD} users × {CROWD_SECONDS} s without pause; "
        f"clerks: {CLERKS} × {CLERK_SECONDS} s, 1–3 s between pages); errors: all runs\n"
    )
    print("| scenario | page | requests | req/s | p50 ms | p95 ms | errors | ratio to the floor |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for key in keys:
        scenario, name = key
        rps, p50, p95 = med(key, 0), med(key, 1), med(key, 2)
        ratio = ""
        if key == ("crowd", "verification (all)"):
            value = rps / floor_rps if floor_rps else 0.0
            met = value >= 0.5
            ratio = f"throughput {value:.2f}× (goal ≥ 0.50×){'' if met else ' MISSED'}"
            ok &= met
        elif scenario == "clerks" and name != "floor":
            value = p95 / floor_p95 if floor_p95 else float("inf")
            met = value <= 10 and p95 < 300
            ratio = f"p95 {value:.1f}× (goal ≤ 10×, < 300 ms){'' if met else ' MISSED'}"
            ok &= met
        ok &= errors(key) == 0
        print(
            f"| {scenario} | {name} | {count(key):,} | {rps:.1f} | {p50:.0f} | {p95:.0f} | "
            f"{errors(key)} | {ratio} |"
        )
    print(f"\n[served] goals {'met' if ok else 'MISSED'}", flush=True)
    return ok


def main() -> int:
    pgserver = _pgserver()

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    secret_key = secrets.token_urlsafe(50)
    os.environ["SECRET_KEY"] = secret_key  # the sessions made here are signed with it
    server = pgserver.Server(pgserver.find_bindir())
    gunicorn = None
    try:
        server.start()
        os.environ["DATABASE_URL"] = server.url
        from benchmarks import bench_reports

        if not bench_reports.setup():
            bench_reports.generate()
            bench_reports.cache_store()
        with tempfile.TemporaryDirectory(prefix="served-data-") as folder:
            data_file = Path(folder) / "pages.json"
            data = prepare(data_file)
            gunicorn = Gunicorn(server.url, secret_key)
            gunicorn.wait_ready()
            warm_up(gunicorn.url, data)
            runs = measure(gunicorn.url, data_file)
        ok = table(runs)
        return 0 if ok else 1
    except KeyboardInterrupt:
        return 130
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
