"""The law in force as the shipped rules say it, one legal text at a time: who just passes, who
just fails, and the reason given in Vietnamese."""

import json
from datetime import date
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registry.models import Authority, Award, AwardType, Discipline, Unit
from registry.models.eligibility import EligibilityRule
from registry.models.ratings import DisciplineForm, discipline_form_of
from registry.selectors import eligibility
from registry.selectors.eligibility import (
    all_rules,
    award_eligibility_warnings,
    nominee_list,
    rules_in_force,
)
from registry.services.catalogue import catalogue_load
from registry.services.decisions import decision_create
from registry.services.rules import RULES_PATH, rules_load
from tests.selectors.test_eligibility import give, group, initiative, person, rate

pytestmark = pytest.mark.django_db

OLD_LAW = date(2023, 6, 1)  # the Nghị định 91/2017 versions
NEW_LAW = date(2024, 3, 1)  # the Nghị định 98/2023 versions


@pytest.fixture(scope="module", autouse=True)
def rules(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        catalogue_load()
        rules_load()
        yield
        transaction.set_rollback(True)


def judge(code, year, on):
    found = nominee_list(
        award_type=AwardType.objects.get(code=code), year=year, on=on, include_all=True
    )
    return {answer.name: answer for answer in found.answers}


def school(name, code, *, members=4, holders=4, year=2023, grade="HTTNV"):
    """A collective rated `grade` with `members` rated members, `holders` of them LĐTT."""
    unit = Unit.objects.create(code=code, name=name)
    collective = group(name, unit=unit)
    rate(collective, {year: grade})
    people = [person(f"Giáo Viên {code.upper()} {i}") for i in range(members)]
    for p in people:
        rate(p, {year: "HTTNV"}, unit=unit)
    if holders:
        give("ldtt", people[:holders], year)
    return collective, people


def discipline(who, form, start, end=None):
    return Discipline.objects.create(individual=who, form=form, start_date=start, end_date=end)


# ------------------------------------------------------------- discipline forms, by severity
@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Khiển trách", DisciplineForm.REPRIMAND),
        ("kỷ luật CẢNH CÁO", DisciplineForm.WARNING),
        ("Kéo dài thời hạn nâng lương không quá 06 tháng", DisciplineForm.WARNING),
        ("Cách chức", DisciplineForm.REMOVAL),
        ("Khai trừ ra khỏi Đảng", DisciplineForm.DISMISSAL),
        ("Kỷ luật", None),
    ],
)
def test_a_recorded_form_is_read_into_its_step(text, form):
    assert discipline_form_of(text) == form


def test_forms_are_ordered_lightest_first():
    assert DisciplineForm.values[:2] == ["khien-trach", "canh-cao"]
    assert DisciplineForm.values[-1] == "buoc-thoi-viec"


# ------------------------------------------------------------- Tập thể lao động tiên tiến
@pytest.mark.parametrize("on", [OLD_LAW, NEW_LAW], ids=["luat-2003", "luat-2022"])
def test_tt_ldtt_member_disciplined_at_canh_cao_bars_the_collective_and_is_named(on):
    warned, warned_people = school("Trường Tiểu học Đức Thuận", "dt")
    reprimanded, reprimanded_people = school("Trường Mầm non Trung Lương", "tl")
    earlier, earlier_people = school("Trường THCS Nam Hồng", "nh")
    discipline(warned_people[1], "Cảnh cáo", date(2023, 5, 1))
    discipline(reprimanded_people[0], "Khiển trách", date(2023, 3, 1), date(2024, 2, 29))
    discipline(earlier_people[0], "Cảnh cáo", date(2021, 9, 1), date(2022, 8, 31))
    found = judge("tt-ldtt", 2023, on)

    barred = found["Trường Tiểu học Đức Thuận"]
    assert not barred.eligible
    assert barred.missing == [
        "năm 2023: thành viên bị kỷ luật từ cảnh cáo trở lên: "
        "Giáo Viên DT 1 (Cảnh cáo từ 01/05/2023)"
    ]
    # Khiển trách is below cảnh cáo: it does not bar, and the evidence says so.
    light = found["Trường Mầm non Trung Lương"]
    assert light.eligible, light.missing
    assert (
        "Năm 2023: không thành viên nào bị kỷ luật từ cảnh cáo trở lên "
        "(kỷ luật nhẹ hơn, không tính: Giáo Viên TL 0 (Khiển trách))"
    ) in light.evidence
    # A cảnh cáo that ended before the year does not count.
    assert found["Trường THCS Nam Hồng"].eligible


def test_tt_ldtt_heavier_forms_bar_and_an_unknown_form_goes_to_the_council():
    removed, removed_people = school("Trường A", "a")
    unknown, unknown_people = school("Trường B", "b")
    discipline(removed_people[2], "Cách chức", date(2023, 8, 1))
    discipline(unknown_people[0], "Kỷ luật", date(2023, 8, 1))
    found = judge("tt-ldtt", 2023, NEW_LAW)
    assert found["Trường A"].missing == [
        "năm 2023: thành viên bị kỷ luật từ cảnh cáo trở lên: "
        "Giáo Viên A 2 (Cách chức từ 01/08/2023)"
    ]
    assert not found["Trường B"].eligible
    assert (
        found["Trường B"]
        .missing[0]
        .startswith(
            "năm 2023: chưa xác định được hình thức kỷ luật “Kỷ luật” của Giáo Viên B 0 có từ "
            "cảnh cáo trở lên hay không."
        )
    )


def test_tt_ldtt_a_member_warned_is_a_warning_on_entry():
    collective, people = school("Trường Tiểu học Bắc Hồng", "bh")
    discipline(people[3], "Cảnh cáo", date(2023, 10, 2))
    decision = decision_create(
        authority=Authority.objects.get(code="honglinh-ubnd"),
        number="7/QĐ-UBND",
        signed_date=date(2024, 1, 20),
        subject="Về việc tặng danh hiệu Tập thể lao động tiên tiến",
        signer_title="CHỦ TỊCH",
        signer_name="Người Ký",
    )
    line = Award(
        decision=decision,
        award_type=AwardType.objects.get(code="tt-ldtt"),
        collective=collective,
        period_from=2023,
        period_to=2023,
    )
    [warnings] = award_eligibility_warnings(decision=decision, awards=[line])
    assert any(
        "thành viên bị kỷ luật từ cảnh cáo trở lên: Giáo Viên BH 3 (Cảnh cáo từ 02/10/2023)" in w
        for w in warnings
    ), warnings


def test_tt_ldtt_before_2024_needs_more_than_half_of_members():
    school("Trường Một Nửa", "mn", members=4, holders=2)
    school("Trường Quá Nửa", "qn", members=4, holders=3)
    found = judge("tt-ldtt", 2023, OLD_LAW)
    half = found["Trường Một Nửa"]
    assert not half.eligible
    assert half.missing == [
        "năm 2023: mới có 2/4 thành viên (50%) đạt Lao động tiên tiến hoặc Chiến sĩ thi đua "
        "cơ sở, cần trên 50%"
    ]
    assert found["Trường Quá Nửa"].eligible
    assert "Điều 28 khoản 1" in found["Trường Quá Nửa"].rule.legal_basis
    # The 2024 version is kept as data, marked for checking against the law's own text.
    assert not judge("tt-ldtt", 2023, NEW_LAW)["Trường Quá Nửa"].rule.confirmed


def test_tt_ldtt_queries_do_not_grow_with_members_or_disciplines():
    award_type = AwardType.objects.get(code="tt-ldtt")

    def run():
        with CaptureQueriesContext(connection) as queries:
            nominee_list(award_type=award_type, year=2023, on=NEW_LAW, include_all=True)
        return len(queries)

    school("Trường Đầu", "dau", members=2, holders=2)
    all_rules()  # read once per process while they do not change: not what is measured here
    few = run()
    for i in range(12):
        _, people = school(f"Trường Thêm {i}", f"them{i}", members=6, holders=5)
        discipline(people[0], "Cảnh cáo" if i % 2 else "Khiển trách", date(2023, 4, 1))
    assert run() == few


# ------------------------------------------------------------- Bằng khen Thủ tướng, before 2024
def test_bang_khen_ttg_before_2024_follows_nghi_dinh_91_dieu_38():
    """Điều 38 khoản 1 điểm c: a prior Bằng khen cấp bộ/tỉnh, then 5 consecutive years HTXSNV
    with 5 initiatives recognised at grassroots level or above."""
    ok, short, good_only = person("Lê Đủ"), person("Lê Thiếu"), person("Lê Tốt")
    for p in (ok, short):
        rate(p, {y: "HTXSNV" for y in range(2019, 2024)})
    rate(good_only, {y: "HTTNV" for y in range(2019, 2024)})
    give("bang-khen-tinh", [ok, short, good_only], 2018, first=2017)
    for year in (2019, 2020, 2021, 2022, 2023):
        initiative(ok, year, "co-so", f"Sáng kiến {year}")
    for year in (2020, 2021, 2022, 2023):
        initiative(short, year, "co-so", f"Sáng kiến {year}")
    for year in (2019, 2021, 2023):  # three Chiến sĩ thi đua cơ sở: the 2024 route, not this one
        give("cstd-co-so", good_only, year)

    found = judge("bang-khen-ttg", 2023, OLD_LAW)
    assert found["Lê Đủ"].eligible
    assert found["Lê Đủ"].route == (
        "Đã có Bằng khen cấp bộ, ngành, tỉnh; 5 năm liên tục hoàn thành xuất sắc nhiệm vụ, "
        "có 5 sáng kiến từ cấp cơ sở"
    )
    rule = found["Lê Đủ"].rule
    assert rule.code == "bang-khen-ttg-ca-nhan-2017"
    assert rule.confirmed and "Điều 38 khoản 1 điểm c" in rule.legal_basis
    assert found["Lê Thiếu"].missing == [
        "chưa đủ sáng kiến từ cấp cơ sở trở lên trong 2019–2023: có 4/5"
    ]
    assert found["Lê Tốt"].missing == [
        "xếp loại chưa đạt HTXSNV (2019: HTTNV, 2020: HTTNV, 2021: HTTNV, 2022: HTTNV, "
        "2023: HTTNV)",
        "chưa đủ sáng kiến từ cấp cơ sở trở lên trong 2019–2023: có 0/5",
    ]
    # The same records under the 2024 version: the three Chiến sĩ thi đua cơ sở route.
    after = judge("bang-khen-ttg", 2023, NEW_LAW)
    assert after["Lê Tốt"].eligible
    assert not after["Lê Đủ"].eligible


# ------------------------------------------------------------- Huân chương Lao động, collectives
def test_hcld_hang_ba_collective_five_years_tt_ldxs_and_a_flag_or_bang_khen_ttg():
    flag, pm, neither, gap = (
        group(name) for name in ("Trường Cờ", "Trường Bằng Khen", "Trường Chưa", "Trường Hở")
    )
    for year in range(2019, 2024):
        give("tt-ldxs", [flag, pm, neither], year)
        if year != 2021:
            give("tt-ldxs", gap, year)
    give("co-thi-dua-tinh", [flag, gap], 2021)
    give("bang-khen-ttg", pm, 2022)
    found = judge("hcld-3", 2023, OLD_LAW)
    assert found["Trường Cờ"].eligible
    assert found["Trường Cờ"].route.startswith("5 năm liên tục Tập thể lao động xuất sắc")
    assert found["Trường Bằng Khen"].eligible
    assert found["Trường Chưa"].missing == [
        "chưa được tặng Cờ thi đua cấp bộ, ngành, tỉnh hoặc Bằng khen của Thủ tướng Chính phủ "
        "trong 5 năm 2019–2023"
    ]
    assert found["Trường Hở"].missing == ["thiếu năm 2021: chưa có Tập thể lao động xuất sắc"]
    assert found["Trường Cờ"].as_json()["recipient_kind"] == "collective"
    # Kept for the 2022 law too, marked for checking against its text.
    hcld3 = AwardType.objects.get(code="hcld-3")
    rule = rules_in_force(award_type_ids=[hcld3.pk], on=NEW_LAW)[(hcld3.pk, "tap-the")]
    assert rule.code == "hcld-3-tap-the-2024" and not rule.confirmed


def test_hcld_hang_nhi_collective_two_provincial_flags_or_a_government_flag():
    two, one, government = group("Phòng Hai Cờ"), group("Phòng Một Cờ"), group("Phòng Cờ Chính Phủ")
    everyone = [two, one, government]
    give("hcld-3", everyone, 2018, first=2014)
    for year in range(2019, 2024):
        give("tt-ldxs", everyone, year)
    give("co-thi-dua-tinh", [two, one], 2020)
    give("co-thi-dua-tinh", two, 2022)
    give("co-thi-dua-cp", government, 2022)
    found = judge("hcld-2", 2023, OLD_LAW)
    assert found["Phòng Hai Cờ"].route.endswith("2 lần Cờ thi đua cấp bộ, ngành, tỉnh")
    assert "Đã được tặng Cờ thi đua cấp bộ, ngành, tỉnh 2 lần" in " ".join(
        found["Phòng Hai Cờ"].evidence
    )
    assert found["Phòng Cờ Chính Phủ"].route.endswith("1 lần Cờ thi đua của Chính phủ")
    assert not found["Phòng Một Cờ"].eligible
    assert (
        "Theo “Đã có Huân chương Lao động hạng Ba; 5 năm liên tục Tập thể lao động xuất sắc và "
        "2 lần Cờ thi đua cấp bộ, ngành, tỉnh”: mới được tặng Cờ thi đua cấp bộ, ngành, tỉnh 1/2 "
        "lần trong 5 năm 2019–2023"
    ) in found["Phòng Một Cờ"].missing


def test_hcld_hang_nhat_collective_on_hang_nhi_and_five_excellent_years():
    ok, low = group("Hội Phụ nữ A"), group("Hội Phụ nữ B")
    give("hcld-2", [ok, low], 2018, first=2014)
    rate(ok, {y: "HTXSNV" for y in range(2019, 2024)})
    rate(low, {**{y: "HTXSNV" for y in range(2019, 2023)}, 2023: "HTTNV"})
    found = judge("hcld-1", 2023, OLD_LAW)
    assert found["Hội Phụ nữ A"].eligible
    assert found["Hội Phụ nữ A"].rule.confirmed
    assert found["Hội Phụ nữ B"].missing == ["xếp loại chưa đạt HTXSNV (2023: HTTNV)"]


def test_each_rule_version_is_written_once_in_the_file():
    data = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    codes = [
        f"{row['code']}-{version['suffix']}"
        for row in data["rules"]
        for version in (
            row["versions"]
            if isinstance(row["versions"], list)
            else data["versions"][row["versions"]]
        )
    ]
    assert len(codes) == len(set(codes)), [c for c in codes if codes.count(c) > 1]
    assert EligibilityRule.objects.filter(code__in=codes).count() == len(codes)


# ------------------------------------------------------------- a past year, that year's rules
def _only_under_nghi_dinh_91():
    """Qualifies for Bằng khen Thủ tướng 2023 under Nghị định 91/2017, not under later rules."""
    someone = person("Lê Năm Cũ")
    rate(someone, {y: "HTXSNV" for y in range(2019, 2024)})
    give("bang-khen-tinh", someone, 2018, first=2017)
    for year in range(2019, 2024):
        initiative(someone, year, "co-so", f"Sáng kiến {year}")
    return someone


def test_a_past_year_list_uses_the_rules_in_force_at_that_years_end():
    _only_under_nghi_dinh_91()
    award_type = AwardType.objects.get(code="bang-khen-ttg")
    past = nominee_list(award_type=award_type, year=2023, include_all=True)
    assert past.on == date(2023, 12, 31)
    assert [rule.code for rule in past.rules] == ["bang-khen-ttg-ca-nhan-2017"]
    assert [(a.name, a.eligible) for a in past.answers] == [("Lê Năm Cũ", True)]
    # Today's version (a later decree) gives another answer for the same records.
    today = nominee_list(
        award_type=award_type, year=2023, on=timezone.localdate(), include_all=True
    )
    assert [rule.code for rule in today.rules] != ["bang-khen-ttg-ca-nhan-2017"]
    assert [(a.name, a.eligible) for a in today.answers] == [("Lê Năm Cũ", False)]


def test_the_current_year_uses_todays_rules_and_a_discipline_running_today_still_bars(
    monkeypatch,
):
    someone = _only_under_nghi_dinh_91()
    monkeypatch.setattr(
        eligibility, "timezone", SimpleNamespace(localdate=lambda: date(2024, 2, 1))
    )
    award_type = AwardType.objects.get(code="bang-khen-ttg")
    assert nominee_list(award_type=award_type, year=2024).on == date(2024, 2, 1)
    assert nominee_list(award_type=award_type, year=2023).answers[0].name == "Lê Năm Cũ"
    # Disciplined after the year but before the list is drawn up: not proposed.
    discipline(someone, "Khiển trách", date(2024, 1, 10))
    past = nominee_list(award_type=award_type, year=2023, include_all=True)
    assert past.on == date(2023, 12, 31)
    assert past.answers[0].missing == ["bị kỷ luật khiển trách từ 10/01/2024 (chưa hết thời hạn)"]


def test_the_eligible_command_defaults_to_the_years_rules():
    _only_under_nghi_dinh_91()
    out = StringIO()
    call_command("eligible", "--award-type", "bang-khen-ttg", "--year", "2023", stdout=out)
    text = out.getvalue()
    assert "(tiêu chuẩn có hiệu lực ngày 31/12/2023)" in text
    assert "1 đối tượng đủ tiêu chuẩn Bằng khen của Thủ tướng Chính phủ năm 2023" in text
    assert "Nghị định 91/2017/NĐ-CP, Điều 38 khoản 1 điểm c" in text
