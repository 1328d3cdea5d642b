"""Printing speed: 1,000 full-mode certificates from one decision into one PDF.

Goes through the same service the admin uses (certificates_render) and compares it with the
floor measured in the same run: WeasyPrint rendering the same template 1,000 times with constant
text, in one document, without the database. Then 5,000 certificates, to see that time grows
linearly and memory stays flat (chunks joined with pypdf).

    make bench-certificates            # BENCH_SCALE=0.2 for a quick run

Goals: service >= 0.7 x the floor's pages per second; peak memory < 500 MB; 5,000 within
1.2 x 5 x the 1,000 time. The data lives in a SQLite file under benchmarks/.cache/.
"""

import os
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache"
CACHE.mkdir(parents=True, exist_ok=True)
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"sqlite:///{CACHE / 'bench_certificates.sqlite3'}"
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
# The benchmark asks for a PDF directly: never hand the batch to the background worker.
os.environ["PRINT_BACKGROUND_THRESHOLD"] = "1000000000"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from registry.models import Award, Decision  # noqa: E402
from registry.services import certificates  # noqa: E402
from registry.services.decisions import verification_code_new  # noqa: E402

SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
SMALL = max(10, int(1000 * SCALE))
LARGE = 5 * SMALL
REPEATS = 3 if SCALE < 0.5 else 1


def rss_mb() -> float:
    """Current resident memory of this process in MB (Linux /proc)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakMemory:
    """Samples resident memory every 20 ms while a block runs."""

    def __enter__(self):
        self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def decision_with(count: int) -> Decision:
    """An issued decision with `count` lines, made once and kept in the cache database."""
    from tests import factories

    number = f"{count}/QĐ-BENCH"
    found = Decision.objects.filter(number=number, status="issued").first()
    if found and found.awards.count() == count:
        return found
    with transaction.atomic():
        cat = factories.catalogue()
        decision = factories.draft_decision(number=number, signed_date=date(2023, 1, 17))
        people = [
            factories.individual(
                f"Nguyễn Thị Hồng Nhung {i:05d}", gender="nu", position="Giáo viên",
                workplace="Trường Tiểu học Hoàng Việt",
            )
            for i in range(count)
        ]  # fmt: skip
        last = Award.objects.filter(register_number__isnull=False).count()
        Award.objects.bulk_create(
            [
                Award(
                    decision=decision,
                    authority=decision.authority,
                    line_no=i + 1,
                    award_type=cat["giay_khen"],
                    individual=person,
                    recipient_name=person.full_name,
                    recipient_position=person.position,
                    recipient_unit=person.workplace,
                    achievement="Đã hoàn thành xuất sắc nhiệm vụ năm học 2021–2022",
                    period_from=2022,
                    period_to=2022,
                )
                for i, person in enumerate(people)
            ],
            batch_size=500,
        )
        # Issue through the service: register numbers, codes and the lock.
        from registry.services.decisions import decision_issue

        decision_issue(decision=decision)
    assert last >= 0
    return decision


def floor(count: int) -> float:
    """WeasyPrint alone: the same template with constant text, one document, no database."""
    from django.template.loader import render_to_string

    from registry.services.certificates import Block, Page, html_to_pdf, qr_data_uri

    code = verification_code_new()
    page = Page(
        "p-A4-landscape",
        297.0,
        210.0,
        [
            Block("header", 20, 37, 257, 10, "bold", 15, "center", 1.2,
                  ["CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN VĂN LÃNG"]),
            Block("name", 25, 78, 247, 15, "bolditalic", 22, "center", 1.2,
                  ["Bà Nguyễn Thị Hồng Nhung"]),
            Block("details", 25, 94, 247, 12, "regular", 14, "center", 1.25,
                  ["Giáo viên, Trường Tiểu học Hoàng Việt"]),
            Block("achievement", 30, 107, 237, 28, "italic", 14, "center", 1.3,
                  ["Đã hoàn thành xuất sắc nhiệm vụ năm học 2021–2022"]),
            Block("reference", 22, 140, 118, 20, "regular", 11, "left", 1.3,
                  ["Quyết định số 1/QĐ-UBND ngày 17 tháng 01 năm 2023", "Số sổ vàng: 1"]),
            Block("date", 150, 139, 127, 8, "italic", 13, "center", 1.2,
                  ["Văn Lãng, ngày 17 tháng 01 năm 2023"]),
            Block("signer", 150, 147, 127, 44, "bold", 13, "center", 1.25, ["CHỦ TỊCH"],
                  extra={"signer_name": "Hoàng Văn Thử"}),
            Block("qr", 22, 163, 100, 24, "regular", 9, "left", 1.3, ["Mã xác thực:", code],
                  extra={"qr": qr_data_uri(code), "qr_style": "width:24mm;height:24mm",
                         "code_style": "left:27mm"}),
            Block("motto", 20, 15, 257, 18, "bold", 13, "center", 1.3,
                  ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập – Tự do – Hạnh phúc"]),
            Block("verb", 20, 49, 257, 8, "bold", 14, "center", 1.2, ["TẶNG"]),
            Block("title", 20, 57, 257, 19, "bold", 38, "center", 1.1, ["GIẤY KHEN"]),
        ],
        full=True,
    )  # fmt: skip
    html = render_to_string("registry/certificates/certificates.html", {"pages": [page] * count})
    started = time.perf_counter()
    pdf = html_to_pdf(html)
    elapsed = time.perf_counter() - started
    assert pdf.startswith(b"%PDF")
    return elapsed


def service(decision: Decision) -> tuple[float, int, float]:
    awards = certificates.decision_certificate_awards(decision)
    with PeakMemory() as memory:
        started = time.perf_counter()
        pdf = certificates.certificates_render(awards=awards)
        elapsed = time.perf_counter() - started
    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    del pdf
    return elapsed, pages, memory.peak


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"bench_certificates: scale {SCALE}, {SMALL} and {LARGE} certificates, {REPEATS} run(s)")
    started = time.perf_counter()
    small = decision_with(SMALL)
    large = decision_with(LARGE)
    print(f"  data ready in {time.perf_counter() - started:.1f} s (cached in {CACHE.name}/)")
    certificates.html_to_pdf("<p>warm up</p>")

    # The service first: the floor's single big document would raise the baseline memory.
    runs = [service(small) for _ in range(REPEATS)]
    small_time = statistics.median(r[0] for r in runs)
    small_peak = max(r[2] for r in runs)
    large_time, large_pages, large_peak = service(large)
    floors = [floor(SMALL) for _ in range(REPEATS)]
    floor_time = statistics.median(floors)

    floor_rate = SMALL / floor_time
    rate = SMALL / small_time
    peak = max(small_peak, large_peak)
    print(f"  floor (WeasyPrint, constant text, one document): {floor_rate:7.1f} pages/s "
          f"(median {floor_time:.2f} s for {SMALL})")  # fmt: skip
    print(f"  service, {SMALL} certificates:  {rate:7.1f} certificates/s "
          f"(median {small_time:.2f} s)   ratio {rate / floor_rate:.2f} x floor (goal >= 0.70)")  # fmt: skip
    print(f"  service, {LARGE} certificates:  {LARGE / large_time:7.1f} certificates/s "
          f"({large_time:.2f} s = {large_time / small_time:.2f} x the {SMALL} time; "
          f"goal <= {1.2 * 5:.1f}); pages in file: {large_pages}")  # fmt: skip
    print(f"  peak memory: {peak:.0f} MB (goal < 500 MB)")
    ok = rate >= 0.7 * floor_rate and peak < 500 and large_time <= 1.2 * 5 * small_time
    print(f"  {'goals met' if ok else 'GOALS NOT MET'}")


if __name__ == "__main__":
    main()
