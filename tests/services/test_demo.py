"""The demo data reproduces the source articles, and loading it twice changes nothing.

The article figures are written here as the articles print them; every count is computed from
the database after demo_load().
"""

from collections import Counter, defaultdict
from datetime import date

import pytest
from django.apps import apps

from registry.models import Award, Decision, Individual, Rating, TargetResult, TargetSet
from registry.services.demo import demo_load

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(demo_data):
    return demo_data


# (authority, end year of the achievement) -> {(recipient kind, loại hình): award lines}
ARTICLE_AWARDS = {
    # Văn Lãng, 17/01/2023: 29 tập thể + 56 cá nhân for 2022; 12 tập thể + 06 cá nhân, movement.
    ("vanlang-ubnd", 2022): {
        ("tap-the", "thuong-xuyen"): 29,
        ("ca-nhan", "thuong-xuyen"): 56,
        ("tap-the", "chuyen-de"): 12,
        ("ca-nhan", "chuyen-de"): 6,
    },
    # Huyện ủy Văn Lãng: 09 chi, đảng bộ cơ sở; 04 đảng viên HTXSNV 5 năm liên tục.
    ("vanlang-hu", 2022): {("tap-the", "thuong-xuyen"): 9, ("ca-nhan", "thuong-xuyen"): 4},
    # Huyện ủy Cao Lộc, 21/01/2022: 14 tổ chức cơ sở Đảng.
    ("caoloc-hu", 2021): {("tap-the", "thuong-xuyen"): 14},
    # Hồng Lĩnh, 12/01/2024: Chiến sĩ thi đua cấp tỉnh to 03 cá nhân, school years 2020-2021..2022-2023.
    ("hatinh-ubnd", 2023): {("ca-nhan", "thuong-xuyen"): 3},
    # Huân chương Lao động hạng Nhì to Hội LHPN thị xã Hồng Lĩnh.
    ("chu-tich-nuoc", 2023): {("tap-the", "thuong-xuyen"): 1},
}

# Ceremonies at which the awards were handed over: a decision must be signed before.
CEREMONIES = {
    "vanlang-ubnd": date(2023, 1, 17),
    "vanlang-hu": date(2023, 1, 17),
    "caoloc-hu": date(2022, 1, 21),
    "honglinh-ubnd": date(2024, 1, 12),
    "hatinh-ubnd": date(2024, 1, 12),
    "chu-tich-nuoc": date(2024, 1, 12),
}


def award_counts() -> dict:
    counts: dict = defaultdict(Counter)
    rows = Award.objects.values_list(
        "authority__code", "period_to", "collective_id", "individual_id", "loai_hinh"
    )
    for code, year, collective_id, individual_id, loai_hinh in rows:
        kind = "tap-the" if collective_id else "ca-nhan" if individual_id else "ho-gia-dinh"
        counts[(code, year)][(kind, loai_hinh)] += 1
    return counts


def test_award_lines_match_the_articles():
    counts = award_counts()
    for key, expected in ARTICLE_AWARDS.items():
        assert dict(counts[key]) == expected, key
    # Beyond the articles' counts, only the Chiến sĩ thi đua cơ sở of the three school years and
    # the two decisions of 2025 past the reform (the commune of Na Sầm, its Party committee).
    extra = {
        ("honglinh-ubnd", year): {("ca-nhan", "thuong-xuyen"): 3} for year in (2021, 2022, 2023)
    }
    extra[("xa-na-sam-ubnd", 2025)] = {
        ("ca-nhan", "thuong-xuyen"): 9,
        ("tap-the", "thuong-xuyen"): 2,
    }
    extra[("xa-na-sam-du", 2025)] = {("ca-nhan", "thuong-xuyen"): 2, ("tap-the", "thuong-xuyen"): 2}
    assert {key: dict(found) for key, found in counts.items()} == {**ARTICLE_AWARDS, **extra}
    # The culture movement's awards are tied to the Nghị quyết 19-NQ/HU campaign, over 2021–2022.
    thematic = Award.objects.filter(authority__code="vanlang-ubnd", loai_hinh="chuyen-de")
    assert {(a.period_from, a.campaign.name) for a in thematic.select_related("campaign")} == {
        (2021, "Phong trào văn hóa, văn nghệ, thể dục thể thao thực hiện Nghị quyết số 19-NQ/HU")
    }
    assert set(Award.objects.values_list("award_type__code", flat=True).distinct()) == {
        "giay-khen",
        "cstd-co-so",
        "cstd-tinh",
        "hcld-2",
        "ldtt",  # the commune chair's Lao động tiên tiến of 2025
    }
    order = Award.objects.get(authority__code="chu-tich-nuoc")
    assert (order.award_type.code, order.recipient_name) == (
        "hcld-2",
        "Hội Liên hiệp Phụ nữ thị xã Hồng Lĩnh",
    )
    # Articles without a count (Hồng Lĩnh's own 2023 awards, Yên Lạc) have no lines beyond the
    # Chiến sĩ thi đua cơ sở that the provincial title rests on.
    assert not Award.objects.filter(authority__code__in=["yenlac-hu", "bacson-hu"]).exists()
    assert set(
        Award.objects.filter(authority__code="honglinh-ubnd").values_list(
            "award_type__code", flat=True
        )
    ) == {"cstd-co-so"}


def test_honorees_meet_their_streaks():
    members = Individual.objects.filter(awards__authority__code="vanlang-hu").distinct()
    assert members.count() == 4
    for member in members:
        years = set(member.ratings.filter(grade="HTXSNV").values_list("year", flat=True))
        assert years >= {2018, 2019, 2020, 2021, 2022}, member.full_name

    provincial = Individual.objects.filter(awards__award_type__code="cstd-tinh").distinct()
    assert provincial.count() == 3
    for teacher in provincial:
        award = teacher.awards.get(award_type__code="cstd-tinh")
        assert (award.period_from, award.period_to) == (2021, 2023)
        grassroots = set(
            teacher.awards.filter(award_type__code="cstd-co-so").values_list("period_to", flat=True)
        )
        assert grassroots == {2021, 2022, 2023}
        school_years = Rating.objects.filter(
            individual=teacher, school_year=True, grade="HTXSNV"
        ).values_list("year", flat=True)
        assert set(school_years) == {2021, 2022, 2023}
        assert teacher.initiatives.filter(level="tinh").exists()


def test_decisions_are_issued_gapless_and_before_their_ceremonies():
    assert Decision.objects.count() == 12  # the articles' ten and two of late 2025
    assert not Decision.objects.exclude(status="issued").exists()
    numbers: dict[str, list[int]] = defaultdict(list)
    for code, number in Award.objects.values_list("authority__code", "register_number"):
        numbers[code].append(number)
    for code, found in numbers.items():
        assert sorted(found) == list(range(1, len(found) + 1)), code
    for code, ceremony in CEREMONIES.items():
        for decision in Decision.objects.filter(authority__code=code):
            assert decision.signed_date < ceremony, (code, decision.number)
    for decision in Decision.objects.filter(authority__code="honglinh-ubnd"):
        last_year = max(decision.awards.values_list("period_to", flat=True))
        assert decision.signed_date.year == last_year
    assert not Award.objects.filter(verification_code__isnull=True).exists()


def target_summary(title_start: str, *, text: str | None = None) -> tuple[int, int, int]:
    """(met, total, exceeded) for a target set, from its targets' latest results."""
    target_set = TargetSet.objects.get(title__startswith=title_start)
    met = exceeded = total = 0
    for target in target_set.targets.all():
        if text and target.text != text:
            continue
        total += 1
        result = target.results.order_by("-as_of").first()
        if result is None or result.achieved_value is None:
            continue
        achieved, planned = result.achieved_value, target.planned_value
        if target.higher_is_better:
            met += achieved >= planned
            exceeded += achieved > planned
        else:
            met += achieved <= planned
            exceeded += achieved < planned
    return met, total, exceeded


def test_target_results_match_the_articles():
    # Văn Lãng 2022: 17 of 20 targets met.
    assert target_summary("Chỉ tiêu kinh tế - xã hội, xây dựng Đảng")[:2] == (17, 20)
    # Văn Lãng 2022: of 20 key tasks, 07 HTXSNV and 11 HTTNV.
    tasks = TargetResult.objects.filter(target__target_set__title__startswith="20 nhiệm vụ")
    assert tasks.count() == 20
    grades = Counter(tasks.values_list("grade", flat=True))
    assert (grades["HTXSNV"], grades["HTTNV"]) == (7, 11)
    # Cao Lộc 2021: 17/18.
    assert target_summary("Chỉ tiêu kinh tế - xã hội năm 2021 huyện Cao Lộc")[:2] == (17, 18)
    # Hồng Lĩnh 2023: 17/21 set by the town council, 8 exceeded.
    hong_linh = "Chỉ tiêu phát triển kinh tế - xã hội, quốc phòng - an ninh năm 2023"
    assert target_summary(hong_linh) == (17, 21, 8)
    assert TargetSet.objects.get(title__startswith=hong_linh).set_by == "HĐND thị xã"
    # Bắc Sơn, 15/6/2022: 8/17 communes at the new-rural standard, 11/36 works started.
    bac_son = "Chỉ tiêu kinh tế - xã hội năm 2022 huyện Bắc Sơn"
    communes = TargetResult.objects.get(
        target__target_set__title=bac_son, target__text="Số xã đạt chuẩn nông thôn mới"
    )
    works = TargetResult.objects.get(
        target__target_set__title=bac_son, target__text="Công trình khởi công mới"
    )
    assert communes.as_of == works.as_of == date(2022, 6, 15)
    assert (communes.achieved_value, communes.target.planned_value) == (8, 17)
    assert (works.achieved_value, works.target.planned_value) == (11, 36)
    # Yên Lạc 2023: targets assigned to a unit's head, no results yet.
    assignments = TargetSet.objects.filter(kind="giao-chi-tieu", authority__code="yenlac-hu")
    assert assignments.exists()
    assert not TargetResult.objects.filter(target__target_set__in=assignments).exists()
    # Pledges: Văn Lãng 2023 and Hồng Lĩnh 2024, signed at their ceremonies.
    pledges = TargetSet.objects.filter(kind="giao-uoc").select_related("pledge")
    assert {(s.pledge.year, s.pledge.ceremony_date) for s in pledges} == {
        (2023, date(2023, 1, 17)),
        (2024, date(2024, 1, 12)),
    }
    for target_set in pledges:
        signatories = target_set.pledge.signatories.all()
        assert signatories and all(s.signed for s in signatories)


def row_counts() -> dict[str, int]:
    models = apps.get_app_config("registry").get_models(include_auto_created=True)
    return {model._meta.label: model.objects.count() for model in models}


def test_second_load_changes_nothing(demo):
    assert demo["decision"] == 12
    before = row_counts()
    awards_before = list(Award.objects.order_by("pk").values())
    assert demo_load() == {}
    assert row_counts() == before
    assert list(Award.objects.order_by("pk").values()) == awards_before
