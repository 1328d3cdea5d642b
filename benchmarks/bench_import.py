"""make bench-import: a 10,000-row messy honoree list into a registry of 100,000 individuals.

Half the rows name people already in the registry (found by folded name and birth year), half
are new. Measured: the whole import through the service the admin calls (import_preview, then
import_confirm). Floor, in the same run: openpyxl reading the file twice plus bulk_create of
the new recipients and of the award rows. Runs on SQLite, then on a throwaway PostgreSQL 15
(tests/pgserver.py). BENCH_SCALE=0.1 for a quick run; set BENCH_SKIP_POSTGRES=1 to skip it.
"""

from __future__ import annotations

import io
import os
import random
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (  # noqa: E402
    CACHE,
    database_label,
    django_setup,
    report,
    run_on_both,
    scaled,
    timed,
)

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Nông",
    "Lương",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Đức",
    "Minh",
    "Thu",
    "Hồng",
    "Quang",
    "Xuân",
    "Thanh",
    "Ngọc",
    "Hữu",
    "Kim",
    "Bảo",
    "Gia",
    "Thùy",
    "Anh",
    "Công",
    "Mạnh",
]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hòa",
    "Hùng",
    "Hương",
    "Huy",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Ngân",
    "Nhung",
    "Phong",
    "Phúc",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Thủy",
    "Trang",
    "Trung",
    "Tú",
    "Tuấn",
    "Vân",
    "Việt",
    "Yến",
    "Đạt",
    "Hưởng",
    "Lộc",
]
UNITS = ["Phòng Nội vụ", "Phòng Tư pháp", "Trường TH Hoàng Việt", "UBND xã Tân Mỹ", "Thôn Nà Lầu"]


def person(index: int, rng: random.Random) -> tuple[str, int]:
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    return name, 1960 + index % 40  # registry people are born 1960-1999


def build_registry(authority, count: int) -> None:
    from registry.models import Individual

    if Individual.objects.count() >= count:
        return
    rng = random.Random(1)
    batch = []
    for i in range(count):
        name, year = person(i, rng)
        obj = Individual(
            full_name=name,
            birth_year=year,
            gender="nam" if i % 2 else "nu",
            workplace=UNITS[i % len(UNITS)],
            registered_by=authority,
        )
        obj.refresh_keys()
        batch.append(obj)
        if len(batch) == 5000:
            Individual.objects.bulk_create(batch)
            batch = []
    Individual.objects.bulk_create(batch)


def build_file(rows: int) -> bytes:
    """Title lines, merged cells, sections, prefixes, mixed birth formats, total, signatures."""
    path = CACHE / f"bench_import_{rows}.xlsx"
    if path.exists():
        return path.read_bytes()
    from openpyxl import Workbook

    from registry.models import Individual
    from registry.text import fold

    everyone = list(
        Individual.objects.values_list("full_name", "birth_year", "gender", "workplace")
    )
    seen: dict[tuple, int] = {}
    for name, year, _, _ in everyone:
        seen[(fold(name), year)] = seen.get((fold(name), year), 0) + 1
    # Half the rows: people already in the registry, each one unambiguous by name and birth.
    existing = [p for p in everyone if seen[(fold(p[0]), p[1])] == 1][::7][: rows // 2]
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    sheet.append(
        ["ỦY BAN NHÂN DÂN HUYỆN VĂN LÃNG", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    )
    sheet.append([None, None, None, "Độc lập - Tự do - Hạnh phúc"])
    sheet.append([])
    sheet.append(["DANH SÁCH CÁ NHÂN ĐƯỢC TẶNG GIẤY KHEN"])
    sheet.append(["(Kèm theo Quyết định số 15/QĐ-UBND ngày 10/01/2023)"])
    sheet.append([])
    sheet.append(["STT", "Họ và tên", "Năm sinh", "Chức vụ, đơn vị công tác", "Thành tích"])
    sheet.append(["II. CÁ NHÂN"])
    rng = random.Random(2)
    n = 0
    for name, year, gender, unit in existing:
        n += 1
        prefix = "Ông " if gender == "nam" else "Bà "
        birth = year if n % 3 else f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}"
        sheet.append([f"{n:04d}", prefix + name, birth, f"Chuyên viên, {unit}", "năm 2022"])
    new_names: set[str] = set()
    while n < rows:
        name, _ = person(n, rng)
        if name in new_names:
            continue
        new_names.add(name)
        n += 1
        sheet.append([str(n), name, 2001 + n % 5, f"Nhân viên, {UNITS[n % 5]}", None])
    sheet.append([None, f"Tổng cộng: {n} cá nhân"])
    sheet.append([])
    sheet.append([None, None, None, "Văn Lãng, ngày 10 tháng 01 năm 2023"])
    sheet.append([None, "NGƯỜI LẬP BIỂU", None, "CHỦ TỊCH"])
    for cells in ("A1:C1", "A4:E4", "A5:E5"):
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def main() -> int:
    django_setup(sqlite_name=f"bench_import_{scaled(100_000)}.sqlite3")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import load_workbook

    from registry.models import Award, Decision, ImportBatch, Individual
    from registry.services.imports import import_confirm, import_preview
    from tests import factories

    rows, registry_size = scaled(10_000), scaled(100_000)
    cat = factories.catalogue()
    decision = Decision.objects.filter(authority=cat["authority"], number="15/QĐ-UBND").first()
    decision = decision or factories.draft_decision(
        number="15/QĐ-UBND", signed_date=date(2023, 1, 10)
    )
    build_registry(cat["authority"], registry_size)
    # Everything after the generated registry is left over from an interrupted run.
    base_id = Individual.objects.order_by("id").values_list("id", flat=True)[registry_size - 1]

    def reset():
        Award.objects.filter(decision=decision).delete()
        Individual.objects.filter(id__gt=base_id).delete()
        ImportBatch.objects.all().delete()

    def import_once():
        batch = import_preview(
            kind="danh-sach",
            data=data,
            file_name="bench.xlsx",
            decision=decision,
            award_type=cat["giay_khen"],
        )
        assert not batch.payload["problems"], batch.payload["problems"][:3]
        return import_confirm(batch=batch)

    def floor_once():
        for _ in range(2):
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            for _row in book.active.iter_rows(values_only=True):
                pass
            book.close()
        new = [
            Individual(full_name=f"Người Mới {i}", birth_year=2001, registered_by=cat["authority"])
            for i in range(rows // 2)
        ]
        for obj in new:
            obj.refresh_keys()
        Individual.objects.bulk_create(new, batch_size=1000)
        people = list(Individual.objects.order_by("id").values_list("id", flat=True)[:rows])
        Award.objects.bulk_create(
            [
                Award(
                    decision=decision,
                    authority_id=decision.authority_id,
                    award_type=cat["giay_khen"],
                    individual_id=pid,
                    period_from=2022,
                    period_to=2022,
                    line_no=i,
                )
                for i, pid in enumerate(people, start=1)
            ],
            batch_size=1000,
        )

    reset()
    data = build_file(rows)
    measured, floor, queries = [], [], []
    for _ in range(REPEATS):
        reset()
        seconds, _ = timed(floor_once)
        floor.append(seconds)
        reset()
        # The log keeps only the last 9,000 queries: empty it so the count is this import's.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            seconds, batch = timed(import_once)
        measured.append(seconds)
        queries.append(len(captured.captured_queries))
        summary = batch.summary
        assert summary["created_lines"] == rows, summary
    reset()
    report(
        f"import {rows} rows into {registry_size} individuals "
        f"({summary['matched_recipients']} matched, {summary['new_recipients']} new)",
        measured,
        floor,
        extra=f"{max(queries)} queries per import",
    )
    print(f"[{database_label()}] goal: ratio <= 3.00x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run_on_both(main, __file__))
