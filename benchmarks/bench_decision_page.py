"""The decision page in a real browser: drafts of 300 and 1,000 award lines.

Goal: a 300-line draft opens in under 2 s (Chromium at 1366x768, on this machine).

Built through the services (decision_create, awards_add) on a throwaway SQLite file under
benchmarks/.cache/ (or DATABASE_URL), served by `manage.py runserver` on a free port, driven by
Playwright with Debian's Chromium (the arguments of tests/conftest.py). Measured, medians over
BENCH_REPEATS runs: opening each draft (navigation to the load event) and saving one line (its
achievement changed, "Lưu và tiếp tục sửa", until the page is back). Floor, in the same run: the
same page of a decision with no lines, opened and saved the same way. BENCH_SCALE shrinks the
drafts (0.1: 30 and 100 lines).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import CACHE, ROOT, database_label, median, report, scaled  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
SQLITE = "bench_decision_page.sqlite3"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
USER, PASSWORD = "bench", "bench-mat-khau-2026"
GOAL_SECONDS = 2.0


def setup_database() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        path = CACHE / SQLITE
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(sizes: list[int]) -> dict[int, int]:
    """A commune authority that may give Giấy khen, people, and one draft per size."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from registry.models import (
        Authority,
        Award,
        AwardPower,
        AwardType,
        BaseSalary,
        CashMultiple,
        Individual,
    )
    from registry.services.awards import awards_add
    from registry.services.decisions import decision_create

    authority = Authority.objects.create(
        code="bench-xa",
        name="Chủ tịch UBND xã Thử Nghiệm",
        chain="nha-nuoc",
        level="xa",
        place_name="Thử Nghiệm",
        valid_from=date(2025, 7, 1),
    )
    giay_khen = AwardType.objects.create(
        code="bench-giay-khen",
        name="Giấy khen",
        certificate_title="GIẤY KHEN",
        family="hinh-thuc",
        level="co-so",
        for_collectives=True,
        for_individuals=True,
    )
    AwardPower.objects.create(chain="nha-nuoc", level="xa", award_type=giay_khen)
    BaseSalary.objects.create(valid_from=date(2024, 7, 1), amount=2_340_000)
    CashMultiple.objects.create(
        award_type=giay_khen,
        recipient_kind="ca-nhan",
        chain="nha-nuoc",
        level="",
        multiple=Decimal("0.3"),
    )
    people = []
    for i in range(sum(sizes)):
        person = Individual(
            full_name=f"Nguyễn Văn Thử {i:04d}",
            gender="nam",
            position="Chuyên viên",
            workplace="UBND xã Thử Nghiệm",
            registered_by=authority,
        )
        person.refresh_keys()
        people.append(person)
    people = Individual.objects.bulk_create(people, batch_size=500)
    drafts = {}
    offset = 0  # one achievement is awarded once: each draft has people of its own
    for number, size in enumerate([0, *sizes], start=1):
        decision = decision_create(
            authority=authority,
            number=f"{number}/QĐ-UBND",
            signed_date=date(2026, 1, 15),
            subject=f"Về việc tặng Giấy khen ({size} dòng)",
            signer_title="CHỦ TỊCH",
            signer_name="Người Ký Thử",
        )
        if size:
            awards = [
                Award(
                    award_type=giay_khen,
                    individual=person,
                    period_from=2025,
                    period_to=2025,
                    achievement="Hoàn thành xuất sắc nhiệm vụ năm 2025",
                )
                for person in people[offset : offset + size]
            ]
            offset += size
            awards_add(decision=decision, awards=awards)
        drafts[size] = decision.pk
    get_user_model().objects.create_superuser(USER, "", PASSWORD)
    return drafts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def measure(base: str, drafts: dict[int, int]) -> dict[int, tuple[list[float], list[float]]]:
    from playwright.sync_api import sync_playwright

    results: dict[int, tuple[list[float], list[float]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
        page = context.new_page()
        page.goto(base + "/admin/login/")
        page.fill("input[name=username]", USER)
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(base + "/admin/")
        for size, pk in drafts.items():
            url = f"{base}/admin/registry/decision/{pk}/change/"
            page.goto(url)  # warm up the templates and the connection
            opened, saved = [], []
            for run in range(REPEATS):
                start = time.perf_counter()
                page.goto(url, wait_until="load")
                opened.append(time.perf_counter() - start)
                assert page.evaluate("document.documentElement.scrollWidth") <= 1366
                first = page.locator("input[name='awards-0-achievement']")
                if size:
                    first.fill(f"Hoàn thành xuất sắc nhiệm vụ năm 2025 (lần {run})")
                start = time.perf_counter()
                with page.expect_navigation(wait_until="load"):
                    page.click("input[name=_continue]")
                saved.append(time.perf_counter() - start)
                assert page.locator(".messagelist .success").count() == 1, "not saved"
            results[size] = (opened, saved)
        browser.close()
    return results


def main() -> int:
    sizes = [scaled(300), scaled(1000)]
    setup_database()
    drafts = build(sizes)
    port = free_port()
    server = serve(port)
    try:
        results = measure(f"http://127.0.0.1:{port}", drafts)
    finally:
        server.terminate()
        server.wait()
    floor_open, floor_save = results.pop(0)
    for size, (opened, saved) in results.items():
        report(f"open a draft of {size} lines", opened, floor_open, "floor: no lines")
        report(f"save one line of {size}", saved, floor_save, "floor: header only")
    opened_300 = median(results[sizes[0]][0])
    verdict = "met" if opened_300 < GOAL_SECONDS else "NOT met"
    print(
        f"[{database_label()}] goal: a {sizes[0]}-line draft opens in under "
        f"{GOAL_SECONDS:.0f} s: {opened_300:.3f} s, {verdict}",
        flush=True,
    )
    return 0 if opened_300 < GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
