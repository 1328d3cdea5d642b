"""Annual reports over a large registry, on SQLite and on PostgreSQL.

    make bench-reports                (BENCH_SCALE=0.1 for a tenth of the awards)

1,000,000 award lines (× BENCH_SCALE) over ten achievement years (2014–2023) and 200 authorities
(a province, 20 districts, 179 communes), generated in SQL (INSERT … SELECT over
generate_series on PostgreSQL, a recursive CTE on SQLite) while their decisions are drafts, then
issued with one UPDATE, as the lock triggers require; 0.1 % are then revoked. The SQLite file
and a pg_dump are cached under benchmarks/.cache/ (keyed by size and migrations).

Prints, for year 2020:
- the median time and query count of annual_summary() for the whole registry and for one
  district with the communes below it (goal: under 1 s on PostgreSQL, bounded queries);
- the median time of the xlsx full-list export of the year (~100,000 lines at full scale)
  beside the floor measured in the same run: the same rows written by openpyxl in write-only
  mode from a plain list (goal: within 1.5 × the floor), and the peak RSS of the export at
  that size and at a tenth of it, each in a forked child (flat memory: the two are close).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import CACHE, ROOT, database_label, median, report, run_on_both, scale  # noqa: E402

AWARDS = max(2_000, int(1_000_000 * scale()))
AUTHORITIES = 200
YEARS = list(range(2014, 2024))
YEAR = 2020
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
EXPORT_REPEAT = int(os.environ.get("BENCH_EXPORT_REPEAT", "3"))
PG_BIN = Path("/usr/lib/postgresql/15/bin")
TYPE_MIX = (
    ["giay-khen"] * 6
    + ["ldtt"] * 4
    + ["cstd-co-so"] * 2
    + ["tt-ldtt", "bang-khen-tinh", "cstd-tinh", "hcld-3", "bang-khen-ttg"]
)


def _migrations_key() -> str:
    names = sorted(p.name for p in (ROOT / "registry" / "migrations").glob("0*.py"))
    return hashlib.sha1("|".join(names).encode()).hexdigest()[:8]


def _is_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


SQLITE_FILE = CACHE / f"reports-{AWARDS}-{_migrations_key()}.sqlite3"
PG_DUMP = CACHE / f"reports-{AWARDS}-{_migrations_key()}.pgdump"


def setup() -> bool:
    """Configure Django; restore the cached dump on PostgreSQL. True when data is ready."""
    CACHE.mkdir(parents=True, exist_ok=True)
    ready = False
    if not _is_postgres():
        building = SQLITE_FILE.with_suffix(".building")
        ready = SQLITE_FILE.exists()
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE if ready else building}"
        if not ready and building.exists():
            building.unlink()
    elif PG_DUMP.exists():
        started = time.perf_counter()
        subprocess.run(
            [
                PG_BIN / "pg_restore",
                "--no-owner",
                "-j",
                "2",
                "-d",
                os.environ["DATABASE_URL"],
                PG_DUMP,
            ],
            check=True,
        )
        print(
            f"[postgresql] restored {PG_DUMP.name} in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        ready = True
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return ready


def _series(n: int) -> tuple[str, str]:
    """(prefix, FROM clause) giving rows i = 0 … n-1 on this backend."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return "", f"generate_series(0, {n - 1}) AS s(i)"
    return (
        f"WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {n - 1}) ",
        "s",
    )


def generate() -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from registry.models import Authority, AwardType, Campaign, Decision
    from registry.services.catalogue import catalogue_load

    started = time.perf_counter()
    people, groups = max(100, AWARDS // 15), max(50, AWARDS // 40)
    decisions = max(AUTHORITIES * len(YEARS), AWARDS // 50)
    with transaction.atomic():
        catalogue_load()
        root = Authority.objects.create(
            code="bench-tinh", name="Chủ tịch UBND tỉnh Thử", level="tinh", place_name="Thử"
        )
        districts = Authority.objects.bulk_create(
            Authority(code=f"bench-h{i:02d}", name=f"Chủ tịch UBND huyện Thử {i}", level="huyen",
                      place_name=f"Huyện {i}", parent=root)
            for i in range(20)
        )  # fmt: skip
        communes = Authority.objects.bulk_create(
            Authority(code=f"bench-x{i:03d}", name=f"Chủ tịch UBND xã Thử {i}", level="xa",
                      place_name=f"Xã {i}", parent=districts[i % 20])
            for i in range(AUTHORITIES - 21)
        )  # fmt: skip
        authorities = [root, *districts, *communes]
        campaigns = Campaign.objects.bulk_create(
            Campaign(authority=a, name=f"Phong trào thi đua năm {y} – {a.name}", form="chuyen-de",
                     scope=a.place_name, start_date=date(y, 3, 1), launched_on=date(y, 3, 1),
                     end_date=date(y + 1, 2, 28))
            for a in authorities[:21] for y in YEARS
        )  # fmt: skip
        campaign_of = {(c.authority_id, c.start_date.year): c.pk for c in campaigns}
        batch = []
        for k in range(decisions):
            a = authorities[k % AUTHORITIES]
            y = YEARS[(k // AUTHORITIES) % len(YEARS)]
            signed = date(y + 1, 1, 5 + k % 20) if k % 10 < 7 else date(y, 12, 1 + k % 28)
            thematic = k % 10 == 3
            batch.append(
                Decision(authority=a, number=f"{k + 1}/QĐ-THU", numbering_period=signed.year,
                         signed_date=signed, subject="Về việc tặng khen thưởng", signer_title="CHỦ TỊCH",
                         signer_name="Người Ký Thử", loai_hinh="chuyen-de" if thematic else "thuong-xuyen",
                         campaign_id=campaign_of.get((a.pk, y)) if thematic else None,
                         proposing_authority=a if k % 4 == 0 else None)
            )  # fmt: skip
        Decision.objects.bulk_create(batch, batch_size=2000)
        d0 = Decision.objects.order_by("pk").values_list("pk", flat=True).first()
        types = {t.code: t.pk for t in AwardType.objects.all()}
        with connection.cursor() as cursor:
            for name in ("bench_types", "bench_years"):
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
            cursor.execute("CREATE TEMP TABLE bench_types (n integer PRIMARY KEY, id bigint)")
            cursor.executemany(
                "INSERT INTO bench_types VALUES (%s, %s)",
                [(n, types[code]) for n, code in enumerate(TYPE_MIX)],
            )
            prefix, source = _series(people)
            cursor.execute(
                f"{prefix}INSERT INTO registry_individual (note, search_key, sort_key, created_at, "
                "full_name, gender, birth_year, position, workplace, category, registered_by_id) "
                f"SELECT '', '', '', CURRENT_TIMESTAMP, 'Người Thử ' || i, 'nam', 1960 + i % 40, "
                f"'Chuyên viên', '', '', {root.pk} FROM {source}"
            )
            prefix, source = _series(groups)
            cursor.execute(
                f"{prefix}INSERT INTO registry_collective (note, search_key, sort_key, created_at, "
                "name, parent_name, category, registered_by_id) "
                f"SELECT '', '', '', CURRENT_TIMESTAMP, 'Tập thể Thử ' || i, '', '', {root.pk} "
                f"FROM {source}"
            )
            cursor.execute("SELECT MIN(id) FROM registry_individual")
            p0 = cursor.fetchone()[0]
            cursor.execute("SELECT MIN(id) FROM registry_collective")
            c0 = cursor.fetchone()[0]
            prefix, source = _series(AWARDS)
            cursor.execute(
                f"""{prefix}INSERT INTO registry_award (decision_id, authority_id, line_no, award_type_id,
                    loai_hinh, collective_id, individual_id, household_id, recipient_name,
                    recipient_position, recipient_unit, achievement, period_from, period_to,
                    campaign_id, register_number, verification_code, cash_amount, recipient_category,
                    eligibility_override, revocation_reason, revoked_by_id, revoked_on)
                SELECT d.id, d.authority_id, i / {decisions} + 1, t.id,
                    CASE WHEN i % 29 = 5 THEN 'dot-xuat' ELSE d.loai_hinh END,
                    CASE WHEN i % 3 = 0 THEN {c0} + i % {groups} END,
                    CASE WHEN i % 3 <> 0 THEN {p0} + i % {people} END,
                    NULL,
                    CASE WHEN i % 3 = 0 THEN 'Tập thể Thử ' || (i % {groups}) ELSE 'Người Thử ' || (i % {people}) END,
                    CASE WHEN i % 3 = 0 THEN '' ELSE 'Chuyên viên' END,
                    'Đơn vị Thử ' || (i % 700), 'Đã có thành tích xuất sắc',
                    {YEARS[0]} + ((i % {decisions}) / {AUTHORITIES}) % {len(YEARS)},
                    {YEARS[0]} + ((i % {decisions}) / {AUTHORITIES}) % {len(YEARS)},
                    d.campaign_id, NULL, NULL,
                    CASE WHEN i % 97 = 0 THEN NULL ELSE 450000 + (i % 5) * 10000 END,
                    CASE i % 6 WHEN 0 THEN 'lanh-dao-phong' WHEN 1 THEN 'lao-dong-truc-tiep' ELSE '' END,
                    '', '', NULL, NULL
                FROM {source}
                JOIN registry_decision d ON d.id = {d0} + i % {decisions}
                JOIN bench_types t ON t.n = i % {len(TYPE_MIX)}"""
            )
            cursor.execute(
                "UPDATE registry_decision SET status = 'issued', issued_at = %s WHERE id >= %s",
                [timezone.now(), d0],
            )
            # The database lets revocation fields change only along a recorded revocation.
            cursor.execute(
                "INSERT INTO registry_revocation (award_id, decision_id, reason, note, recorded_at) "
                "SELECT id, %s, 'khai-man', '', %s FROM registry_award WHERE id %% 1000 = 7",
                [d0 + decisions - 1, timezone.now()],
            )
            cursor.execute(
                "UPDATE registry_award SET revoked_by_id = %s, revocation_reason = 'Thử hủy bỏ', "
                "revoked_on = %s WHERE id %% 1000 = 7",
                [d0 + decisions - 1, date(2024, 6, 1)],
            )
            cursor.execute("DROP TABLE bench_types")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"[{database_label()}] generated {AWARDS:,} awards, {decisions:,} decisions in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )


def cache_store() -> None:
    from django.db import connections

    connections.close_all()
    if _is_postgres():
        partial = PG_DUMP.with_suffix(".partial")
        subprocess.run(
            [PG_BIN / "pg_dump", "-Fc", "-Z", "1", "-f", partial, "-d", os.environ["DATABASE_URL"]],
            check=True,
        )
        partial.rename(PG_DUMP)
    else:
        SQLITE_FILE.with_suffix(".building").rename(SQLITE_FILE)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
        from django.conf import settings

        settings.DATABASES["default"]["NAME"] = str(SQLITE_FILE)
        connections["default"].settings_dict["NAME"] = str(SQLITE_FILE)


def _vm(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return 0


def export_memory(summary, limit: int | None) -> tuple[int, int]:
    """Export in a forked child; returns (RSS at start, peak RSS) in MB."""
    from django.db import connections

    from registry.services import report_exports

    connections.close_all()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        try:
            start = _vm("VmRSS")
            if limit:
                original = summary.awards
                summary.awards = lambda: original()[:limit]
            with tempfile.TemporaryFile() as out:
                report_exports.awards_list_xlsx(summary, out)
            os.write(write, f"{start} {_vm('VmHWM')}".encode())
        finally:
            os._exit(0)
    os.close(write)
    data = os.read(read, 100).decode()
    os.waitpid(pid, 0)
    os.close(read)
    start, peak = (int(x) for x in data.split())
    return start, peak


def floor_rows(summary) -> list[list]:
    """The export's rows as a plain list of plain values (what the floor writes)."""
    from registry.selectors.reports import LOAI_HINH_LABELS, recipient_kind_label

    rows = []
    for n, r in enumerate(summary.awards().iterator(chunk_size=2000), start=1):
        rows.append(
            [n, r[0], r[1], r[2], r[3], LOAI_HINH_LABELS[r[4]], recipient_kind_label(r[5], r[6]),
             r[7], r[8], r[9], str(r[11]) if r[10] == r[11] else f"{r[10]}–{r[11]}", r[12], r[13],
             r[14] if r[14] is not None else "chưa xác định",
             f"Đã hủy bỏ theo quyết định {r[15]}" if r[15] else None]
        )  # fmt: skip
    return rows


def main() -> int:
    ready = setup()
    if not ready:
        generate()
        cache_store()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import Workbook

    from registry.models import Authority, Award
    from registry.selectors.reports import annual_summary
    from registry.services.report_exports import awards_list_xlsx

    label = database_label()
    total = Award.objects.count()
    district = Authority.objects.get(code="bench-h01")
    print(
        f"[{label}] registry: {total:,} award lines, {Authority.objects.count()} authorities",
        flush=True,
    )

    for name, kwargs in (
        ("annual_summary, whole registry", {}),
        ("annual_summary, one district and its communes", {"authority": district, "subtree": True}),
    ):
        times = []
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                summary = annual_summary(year=YEAR, **kwargs)
                times.append(time.perf_counter() - started)
        print(
            f"[{label}] {name} {YEAR}: median {median(times):.3f} s over {REPEAT} runs; "
            f"{len(queries)} queries; {summary.totals.total:,} lines counted, "
            f"{summary.totals.revoked} revoked, {summary.totals.cash_unknown:,} cash unknown; "
            f"goal < 1 s on PostgreSQL",
            flush=True,
        )

    summary = annual_summary(year=YEAR)
    rows = floor_rows(summary)

    def floor() -> None:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Danh sách")
        for row in rows:
            ws.append(row)
        with tempfile.TemporaryFile() as out:
            wb.save(out)

    def export() -> None:
        with tempfile.TemporaryFile() as out:
            awards_list_xlsx(summary, out)

    measured, floors = [], []
    for _ in range(EXPORT_REPEAT):
        started = time.perf_counter()
        floor()
        floors.append(time.perf_counter() - started)
        started = time.perf_counter()
        export()
        measured.append(time.perf_counter() - started)
    rows.clear()  # the floor's list is not part of the export's memory
    small_start, small_peak = export_memory(summary, max(1, summary.totals.total // 10))
    start, peak = export_memory(summary, None)
    report(
        f"xlsx full list {YEAR} ({summary.totals.total + summary.totals.revoked:,} lines)",
        measured,
        floors,
        f"goal ≤ 1.50x; peak RSS {peak} MB (started at {start} MB); "
        f"a tenth of the lines: peak {small_peak} MB (started at {small_start} MB)",
    )
    return 0


if __name__ == "__main__":
    sys.exit(run_on_both(main, str(Path(__file__).resolve())))
