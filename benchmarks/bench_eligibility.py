"""Nominee lists over a large registry, against the floor of reading the same rows.

    make bench-eligibility            (BENCH_SCALE=0.1 for a tenth of the people)

100,000 individuals (× BENCH_SCALE) with ten years (2014–2023) of yearly ratings and one merit
award a year each, plus Bằng khen, initiatives, discipline and some thematic awards. The data
is generated once with bulk_create into benchmarks/.cache/ (SQLite) and reused; with
DATABASE_URL=postgres://… it is generated into that database instead.

For the nominee lists of Chiến sĩ thi đua cấp tỉnh and Bằng khen Thủ tướng (year 2023), prints
the median time and the number of queries beside the floor measured in the same run: an ORM
values_list read of the same rows (the candidates and the history the rule needs).
"""

import os
import random
import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache"
SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
PEOPLE = max(100, int(100_000 * SCALE))
YEARS = range(2014, 2024)
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
YEAR, ON = 2023, date(2024, 3, 1)

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    CACHE.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{CACHE / f'eligibility-{PEOPLE}.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from registry.models import (  # noqa: E402
    Authority,
    Award,
    AwardType,
    Decision,
    Discipline,
    Individual,
    Initiative,
    Rating,
)
from registry.selectors.eligibility import counted_awards, nominee_list  # noqa: E402
from registry.services.catalogue import catalogue_load  # noqa: E402
from registry.services.rules import rules_load  # noqa: E402

BENCH_AUTHORITY = "bench-ubnd"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Hồng", "Quang"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hương", "Lan", "Long", "Nga", "Phúc", "Yến"]


def generate() -> None:
    rng = random.Random(7)
    catalogue_load()
    rules_load()
    parent = Authority.objects.get(code="hatinh-ubnd")
    bench = Authority.objects.create(
        code=BENCH_AUTHORITY,
        name="Chủ tịch UBND huyện Thử",
        chain="nha-nuoc",
        level="huyen",
        place_name="Thử",
        parent=parent,
    )
    types = {t.code: t for t in AwardType.objects.all()}
    people = []
    for i in range(PEOPLE):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} {i}"
        person = Individual(full_name=name, registered_by=bench, gender="nam")
        person.refresh_keys()
        people.append(person)
    Individual.objects.bulk_create(people, batch_size=5000)
    ids = list(
        Individual.objects.filter(registered_by=bench).order_by("id").values_list("id", flat=True)
    )
    decisions: dict[tuple[str, int, str], Decision] = {}

    def decision_for(code: str, year: int, loai_hinh: str = "thuong-xuyen") -> Decision:
        key = (code, year, loai_hinh)
        if key not in decisions:
            authority = {"bang-khen-tinh": parent}.get(code, bench)
            decisions[key] = Decision.objects.create(
                authority=authority,
                number=f"{len(decisions) + 1}/QĐ-THU",
                numbering_period=year + 1,
                signed_date=date(year + 1, 1, 15),
                subject=f"Về việc tặng {types[code].name} năm {year}",
                signer_title="CHỦ TỊCH",
                signer_name="Người Ký",
                loai_hinh=loai_hinh,
            )
        return decisions[key]

    ratings, awards, initiatives, disciplines = [], [], [], []

    def flush(force=False):
        for model, rows in ((Rating, ratings), (Award, awards), (Initiative, initiatives)):
            if rows and (force or len(rows) >= 50_000):
                model.objects.bulk_create(rows, batch_size=5000)
                rows.clear()

    grades = ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]
    for pid in ids:
        for year in YEARS:
            grade = rng.choices(grades, weights=[35, 50, 12, 3])[0]
            ratings.append(Rating(individual_id=pid, year=year, grade=grade))
            if grade == "HTXSNV":
                code = "cstd-co-so" if rng.random() < 0.8 else "ldtt"
            elif grade == "HTTNV":
                code = "ldtt"
            else:
                continue
            decision = decision_for(code, year)
            awards.append(
                Award(
                    decision=decision,
                    authority_id=decision.authority_id,
                    award_type=types[code],
                    individual_id=pid,
                    period_from=year,
                    period_to=year,
                    loai_hinh="thuong-xuyen",
                )
            )
        if rng.random() < 0.3:  # a Bằng khen cấp tỉnh some years ago
            year = rng.choice(YEARS[:5])
            decision = decision_for("bang-khen-tinh", year)
            awards.append(
                Award(
                    decision=decision,
                    authority_id=decision.authority_id,
                    award_type=types["bang-khen-tinh"],
                    individual_id=pid,
                    period_from=year - 1,
                    period_to=year,
                )
            )
        if rng.random() < 0.1:  # a thematic Giấy khen, which never counts
            year = rng.choice(YEARS)
            decision = decision_for("giay-khen", year, "chuyen-de")
            awards.append(
                Award(
                    decision=decision,
                    authority_id=decision.authority_id,
                    award_type=types["giay-khen"],
                    individual_id=pid,
                    period_from=year,
                    period_to=year,
                    loai_hinh="chuyen-de",
                )
            )
        for _ in range(rng.choice([0, 0, 1, 2])):
            initiatives.append(
                Initiative(
                    individual_id=pid,
                    title="Sáng kiến cải tiến quy trình",
                    level=rng.choices(["co-so", "tinh", "toan-quoc"], weights=[70, 25, 5])[0],
                    year=rng.choice(YEARS),
                )
            )
        if rng.random() < 0.01:
            start = date(rng.choice(YEARS), 3, 1)
            disciplines.append(
                Discipline(
                    individual_id=pid,
                    form="Khiển trách",
                    start_date=start,
                    end_date=date(start.year + 1, 2, 28),
                )
            )
        flush()
    flush(force=True)
    Discipline.objects.bulk_create(disciplines, batch_size=5000)
    # Issue the decisions last: the database refuses new lines on an issued decision.
    Decision.objects.filter(pk__in=[d.pk for d in decisions.values()]).update(
        status="issued", issued_at=timezone.make_aware(datetime(2024, 1, 20))
    )


def prepare() -> None:
    call_command("migrate", verbosity=0)
    if Authority.objects.filter(code=BENCH_AUTHORITY).exists():
        rules_load()  # pick up rule edits; the generated history is reused
        return
    started = time.perf_counter()
    print(f"Generating {PEOPLE:,} individuals × {len(YEARS)} years …", flush=True)
    with transaction.atomic():
        generate()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)


def floor_cstd_tinh() -> int:
    """The rows the Chiến sĩ thi đua cấp tỉnh list needs, read with values_list."""
    cstd = AwardType.objects.get(code="cstd-co-so")
    rows = list(Individual.objects.order_by("sort_key", "id").values_list("id", "full_name"))
    rows += list(
        counted_awards()
        .filter(individual__isnull=False, award_type=cstd, period_to__lte=YEAR)
        .values_list(
            "individual_id", "award_type_id", "period_from", "period_to", "decision__number"
        )
    )
    rows += list(
        Initiative.objects.filter(
            individual__isnull=False, year__gte=YEAR - 2, year__lte=YEAR
        ).values_list("individual_id", "year", "level", "title")
    )
    rows += list(_disciplines(YEAR - 2))
    return len(rows)


def floor_bang_khen_ttg() -> int:
    bk = AwardType.objects.get(code="bang-khen-tinh")
    cstd = AwardType.objects.get(code="cstd-co-so")
    rows = list(Individual.objects.order_by("sort_key", "id").values_list("id", "full_name"))
    rows += list(
        counted_awards()
        .filter(individual__isnull=False)
        .filter(
            Q(award_type=bk, period_to__lte=YEAR)
            | Q(award_type=cstd, period_to__lte=YEAR, period_to__gte=YEAR - 4)
        )
        .values_list(
            "individual_id", "award_type_id", "period_from", "period_to", "decision__number"
        )
    )
    rows += list(
        Rating.objects.filter(
            individual__isnull=False, year__gte=YEAR - 4, year__lte=YEAR
        ).values_list("individual_id", "year", "grade")
    )
    rows += list(_disciplines(YEAR - 4))
    return len(rows)


def _disciplines(first: int):
    return (
        Discipline.objects.filter(individual__isnull=False, start_date__lte=ON)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=date(first, 1, 1)))
        .values_list("individual_id", "start_date", "end_date", "form")
    )


def measure(run) -> tuple[float, int, object]:
    times, queries, result = [], 0, None
    for _ in range(REPEAT):
        reset_queries()
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
        queries = len(connection.queries)
    return statistics.median(times), queries, result


def main() -> None:
    prepare()
    counts = {
        "individuals": Individual.objects.count(),
        "ratings": Rating.objects.count(),
        "awards": Award.objects.count(),
    }
    print(
        f"eligibility on {connection.vendor}: {counts['individuals']:,} individuals, "
        f"{counts['ratings']:,} ratings, {counts['awards']:,} awards; "
        f"median of {REPEAT} runs (BENCH_SCALE={SCALE})"
    )
    worst = 0.0
    for code, floor in (("cstd-tinh", floor_cstd_tinh), ("bang-khen-ttg", floor_bang_khen_ttg)):
        award_type = AwardType.objects.get(code=code)
        floor_time, floor_queries, rows = measure(floor)
        time_, queries, nominees = measure(
            lambda award_type=award_type: nominee_list(award_type=award_type, year=YEAR, on=ON)
        )
        ratio = time_ / floor_time
        worst = max(worst, ratio)
        print(
            f"{code}: nominee list {time_:.2f} s, {queries} queries, "
            f"{nominees.eligible_count:,} eligible | floor (values_list of the same "
            f"{rows:,} rows) {floor_time:.2f} s, {floor_queries} queries | "
            f"ratio {ratio:.2f}× (goal ≤ 2×)"
        )
    print(f"worst ratio {worst:.2f}×")


if __name__ == "__main__":
    main()
