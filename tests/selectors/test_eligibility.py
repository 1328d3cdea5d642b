"""Eligibility rules from the shipped fixture: who just passes, who just fails, and why."""

import itertools
import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from registry.models import (
    Authority,
    Award,
    AwardType,
    Bloc,
    BlocMembership,
    Collective,
    Discipline,
    Individual,
    Initiative,
    Pledge,
    PledgeSignatory,
    Rating,
    Target,
    TargetResult,
    TargetSet,
    Unit,
)
from registry.models.awards import DecisionKind
from registry.models.eligibility import (
    EligibilityCondition,
    EligibilityRoute,
    EligibilityRule,
)
from registry.models.trust import RevocationReason
from registry.selectors.eligibility import (
    all_rules,
    award_eligibility_warnings,
    nominee_list,
    rule_check,
    rules_in_force,
)
from registry.services.awards import awards_add, awards_problems, recipient_fields
from registry.services.catalogue import catalogue_load
from registry.services.decisions import decision_create, decision_issue
from registry.services.revocations import awards_revoke
from registry.services.rules import rules_load

pytestmark = pytest.mark.django_db

ON = date(2024, 3, 1)  # the Nghị định 98/2023 versions are in force
_numbers = itertools.count(1)

# Who gives what in these tests (the catalogue's powers).
GIVER = {
    "co-so": "honglinh-ubnd",
    "bo-tinh": "hatinh-ubnd",
    "chinh-phu": "thu-tuong",
    "nha-nuoc": "chu-tich-nuoc",
}


@pytest.fixture(scope="module", autouse=True)
def rules(django_db_setup, django_db_blocker):
    """The catalogue and the shipped rules, loaded once for the module and rolled back after.

    Each test runs in its own savepoint inside this transaction (pytest-django's django_db).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        catalogue_load()
        rules_load()
        yield
        transaction.set_rollback(True)


def person(name="Nguyễn Văn Hưởng", registered_by="honglinh-ubnd", **fields) -> Individual:
    return Individual.objects.create(
        full_name=name, registered_by=Authority.objects.get(code=registered_by), **fields
    )


def group(name="Trường THCS Nam Hồng", unit=None, registered_by="honglinh-ubnd") -> Collective:
    return Collective.objects.create(
        name=name, unit=unit, registered_by=Authority.objects.get(code=registered_by)
    )


def give(code, recipients, year, *, first=None, loai_hinh="thuong-xuyen", authority=None):
    """An issued decision giving an award type to recipients for the achievement first..year."""
    award_type = AwardType.objects.get(code=code)
    authority = Authority.objects.get(code=authority or GIVER[award_type.level])
    decision = decision_create(
        authority=authority,
        number=f"{next(_numbers)}/QĐ-TEST",
        signed_date=date(year + 1, 1, 15),
        subject=f"Về việc tặng {award_type.name}",
        signer_title="CHỦ TỊCH",
        signer_name="Người Ký",
        loai_hinh=loai_hinh,
    )
    if not isinstance(recipients, list | tuple):
        recipients = [recipients]
    # A record of what was given then: the rule in force judges new lines, not this history.
    awards = [
        Award(
            award_type=award_type,
            period_from=first or year,
            period_to=year,
            loai_hinh=loai_hinh,
            **recipient_fields(recipient),
        )
        for recipient in recipients
    ]
    awards_add(decision=decision, awards=awards, past=True)
    return decision_issue(decision=decision, past=True)


def rate(subject, grades: dict[int, str], unit=None):
    key = "individual" if isinstance(subject, Individual) else "collective"
    for year, grade in grades.items():
        Rating.objects.create(**{key: subject}, year=year, grade=grade, unit=unit)


def initiative(subject, year, level, title="Sáng kiến đổi mới phương pháp dạy học"):
    return Initiative.objects.create(individual=subject, year=year, level=level, title=title)


def revoke(decision):
    revoking = decision_issue(
        decision=decision_create(
            authority=decision.authority,
            kind=DecisionKind.REVOCATION,
            number=f"{next(_numbers)}/QĐ-HB",
            signed_date=date(2024, 2, 1),
            subject="Về việc hủy bỏ quyết định khen thưởng",
            signer_title="CHỦ TỊCH",
            signer_name="Người Ký",
        )
    )
    awards_revoke(
        awards=list(decision.awards.all()), by=revoking, reason=RevocationReason.FALSE_DECLARATION
    )


def judge(code, year, on=ON, authority=None):
    award_type = AwardType.objects.get(code=code)
    authority = Authority.objects.get(code=authority) if authority else None
    found = nominee_list(
        award_type=award_type, year=year, authority=authority, on=on, include_all=True
    )
    return {answer.name: answer for answer in found.answers}


# --------------------------------------------------------------------------- Chiến sĩ thi đua
def test_cstd_tinh_three_years_and_a_provincial_initiative():
    ok, gap, thematic, revoked, low, disciplined = (
        person(name)
        for name in ("Bùi Thu Hoa", "Lê Gap", "Lê Chuyên", "Lê Hủy", "Lê Thấp", "Lê Kỷ")
    )
    everyone = [ok, gap, thematic, revoked, low, disciplined]
    give("cstd-co-so", everyone, 2021)
    give("cstd-co-so", [ok, low, disciplined], 2022)
    give("cstd-co-so", thematic, 2022, loai_hinh="chuyen-de", first=2022)
    revoke(give("cstd-co-so", revoked, 2022))
    give("cstd-co-so", everyone, 2023)
    for p in [ok, gap, thematic, revoked, disciplined]:
        initiative(p, 2023, "tinh")
    initiative(low, 2023, "co-so")
    Discipline.objects.create(
        individual=disciplined, form="Khiển trách", start_date=date(2022, 5, 1), end_date=None
    )
    found = judge("cstd-tinh", 2023)

    assert found["Bùi Thu Hoa"].eligible
    assert found["Bùi Thu Hoa"].route == (
        "3 năm liên tục Chiến sĩ thi đua cơ sở và có sáng kiến ảnh hưởng cấp tỉnh"
    )
    assert (
        found["Bùi Thu Hoa"]
        .evidence[0]
        .startswith("Chiến sĩ thi đua cơ sở 3 năm liên tục (2021–2023)")
    )
    assert found["Lê Gap"].missing == ["thiếu năm 2022: chưa có Chiến sĩ thi đua cơ sở"]
    # The thematic line for 2022 does not count, and neither does the revoked one.
    assert "thiếu năm 2022: chưa có Chiến sĩ thi đua cơ sở" in found["Lê Chuyên"].missing
    assert not found["Lê Chuyên"].eligible
    assert found["Lê Hủy"].missing == ["thiếu năm 2022: chưa có Chiến sĩ thi đua cơ sở"]
    assert found["Lê Thấp"].missing == [
        "chưa đủ sáng kiến từ cấp bộ, ngành, tỉnh trở lên trong 2021–2023: có 0/1 "
        "(1 sáng kiến ở cấp thấp hơn không được tính)"
    ]
    assert found["Lê Kỷ"].missing == ["bị kỷ luật khiển trách từ 01/05/2022 (chưa hết thời hạn)"]
    assert [a.eligible for a in found.values()].count(True) == 1


def test_cstd_tinh_without_all_lists_only_the_eligible_in_vietnamese_order():
    a, b, c = person("Trần Văn An"), person("Lê Thị Yến"), person("Phạm Bình")
    for year in (2021, 2022, 2023):
        give("cstd-co-so", [a, b, c], year)
    for p in (b, c):
        initiative(p, 2022, "toan-quoc")
    found = nominee_list(award_type=AwardType.objects.get(code="cstd-tinh"), year=2023, on=ON)
    assert [x.name for x in found.answers] == ["Phạm Bình", "Lê Thị Yến"]


def test_cstd_co_so_either_route():
    excellent, inventor, neither = person("Lê Xuất"), person("Lê Sáng"), person("Lê Thường")
    rate(excellent, {2023: "HTXSNV"})
    rate(inventor, {2023: "HTTNV"})
    initiative(inventor, 2023, "co-so")
    rate(neither, {2023: "HTTNV"})
    initiative(neither, 2022, "co-so")  # the year before does not count
    found = judge("cstd-co-so", 2023)
    assert found["Lê Xuất"].route == "Đạt Lao động tiên tiến và hoàn thành xuất sắc nhiệm vụ"
    assert found["Lê Sáng"].route == "Đạt Lao động tiên tiến và có sáng kiến được công nhận"
    assert not found["Lê Thường"].eligible
    assert found["Lê Thường"].missing == [
        "Theo “Đạt Lao động tiên tiến và hoàn thành xuất sắc nhiệm vụ”: "
        "xếp loại chưa đạt HTXSNV (2023: HTTNV)",
        "Theo “Đạt Lao động tiên tiến và có sáng kiến được công nhận”: "
        "chưa đủ sáng kiến từ cấp cơ sở trở lên trong năm 2023: có 0/1",
    ]


def test_ldtt_needs_httnv_that_year():
    good, short, missing = person("Lê Tốt"), person("Lê Đạt"), person("Lê Thiếu")
    rate(good, {2023: "HTTNV"})
    rate(short, {2023: "HTNV"})
    rate(missing, {2022: "HTXSNV"})
    found = judge("ldtt", 2023)
    assert found["Lê Tốt"].eligible
    assert found["Lê Đạt"].missing == ["xếp loại chưa đạt HTTNV trở lên (2023: HTNV)"]
    assert found["Lê Thiếu"].missing == ["thiếu năm 2023: chưa có xếp loại"]


def test_cstd_toan_quoc_two_consecutive_provincial_titles():
    twice, once = person("Lê Hai"), person("Lê Một")
    give("cstd-tinh", [twice], 2020, first=2018)
    give("cstd-tinh", [twice, once], 2023, first=2021)
    for p in (twice, once):
        initiative(p, 2022, "toan-quoc")
    found = judge("cstd-toan-quoc", 2023)
    assert found["Lê Hai"].eligible
    assert (
        found["Lê Hai"]
        .evidence[0]
        .startswith("Chiến sĩ thi đua cấp bộ, ngành, tỉnh 2 lần liên tục (2018–2020, 2021–2023)")
    )
    assert found["Lê Một"].missing == [
        "thiếu năm 2020: chưa có Chiến sĩ thi đua cấp bộ, ngành, tỉnh"
    ]


# --------------------------------------------------------------------------- Bằng khen
def test_bang_khen_tinh_individual_or_routes():
    titled, inventive, short = person("Lê Danh"), person("Lê Kiến"), person("Lê Ngắn")
    give("cstd-co-so", titled, 2022)
    give("cstd-co-so", titled, 2023)
    for p in (inventive, short):
        rate(p, {2022: "HTXSNV", 2023: "HTXSNV"})
        initiative(p, 2022, "co-so", "Sáng kiến một")
    initiative(inventive, 2023, "tinh", "Sáng kiến hai")
    found = judge("bang-khen-tinh", 2023)
    assert found["Lê Danh"].route == "2 năm liên tục Chiến sĩ thi đua cơ sở"
    assert found["Lê Kiến"].route == "2 năm liên tục hoàn thành xuất sắc nhiệm vụ và có 2 sáng kiến"
    assert not found["Lê Ngắn"].eligible
    assert any("có 1/2" in text for text in found["Lê Ngắn"].missing)


def test_bang_khen_tinh_collective_or_routes():
    rated, titled, once = group("Trường A"), group("Trường B"), group("Trường C")
    rate(rated, {2022: "HTXSNV", 2023: "HTXSNV"})
    give("tt-ldxs", titled, 2022)
    give("tt-ldxs", titled, 2023)
    rate(once, {2022: "HTTNV", 2023: "HTXSNV"})
    found = judge("bang-khen-tinh", 2023)
    assert found["Trường A"].route == "2 năm liên tục hoàn thành xuất sắc nhiệm vụ"
    assert found["Trường B"].route.startswith("2 năm liên tục Tập thể lao động xuất sắc")
    assert not found["Trường C"].eligible
    assert found["Trường C"].as_json()["recipient_kind"] == "collective"


def test_bang_khen_ttg_five_years_with_three_cstd_co_so():
    ok, short, no_bk = person("Lê Đủ"), person("Lê Hụt"), person("Lê Chưa")
    for p in (ok, short, no_bk):
        rate(p, {y: "HTTNV" for y in range(2019, 2024)})
    give("bang-khen-tinh", [ok, short], 2018, first=2017)
    give("cstd-co-so", [ok, short, no_bk], 2019)
    give("cstd-co-so", [ok, no_bk], 2021)
    give("cstd-co-so", short, 2021, loai_hinh="dot-xuat")  # đột xuất: not counted
    give("cstd-co-so", [ok, short, no_bk], 2023)
    found = judge("bang-khen-ttg", 2023)
    assert found["Lê Đủ"].eligible
    assert "trong đó 3 năm Chiến sĩ thi đua cơ sở (2019, 2021, 2023)" in found["Lê Đủ"].evidence
    assert found["Lê Hụt"].missing == [
        "trong 5 năm 2019–2023 mới có 2/3 năm Chiến sĩ thi đua cơ sở (2019, 2023)"
    ]
    assert found["Lê Chưa"].missing == ["chưa được tặng Bằng khen cấp bộ, ngành, tỉnh đến năm 2023"]


def test_huan_chuong_lao_dong_hang_ba_on_a_bang_khen_ttg():
    """Luật 2022 Điều 44 khoản 1 điểm e: 5 years HTTNV+, one HTXSNV, 3 Chiến sĩ thi đua cơ sở."""
    ok, never_excellent = person("Lê Huân"), person("Lê Chương")
    rate(ok, {2019: "HTXSNV", 2020: "HTTNV", 2021: "HTTNV", 2022: "HTTNV", 2023: "HTTNV"})
    rate(never_excellent, {y: "HTTNV" for y in range(2019, 2024)})
    give("bang-khen-ttg", [ok, never_excellent], 2018, first=2014)
    for year in (2019, 2020, 2022):
        give("cstd-co-so", [ok, never_excellent], year)
    found = judge("hcld-3", 2023)
    assert found["Lê Huân"].eligible
    assert found["Lê Huân"].rule.confirmed
    assert "Điều 44 khoản 1 điểm e" in found["Lê Huân"].rule.legal_basis
    assert found["Lê Chương"].missing == ["trong 5 năm 2019–2023 mới có 0/1 năm HTXSNV"]


def test_huan_chuong_lao_dong_hang_nhi_needs_two_excellent_years_and_a_provincial_title():
    """Luật 2022 Điều 43 khoản 1: on hạng Ba, 5 years HTTNV+ with 2 HTXSNV and one Chiến sĩ thi
    đua cấp bộ, ngành, tỉnh in those years."""
    ok, once, untitled = person("Lê Huân"), person("Lê Một Lần"), person("Lê Chưa Danh")
    rate(ok, {2019: "HTXSNV", 2020: "HTTNV", 2021: "HTXSNV", 2022: "HTTNV", 2023: "HTTNV"})
    rate(once, {2019: "HTXSNV", 2020: "HTTNV", 2021: "HTTNV", 2022: "HTTNV", 2023: "HTTNV"})
    rate(untitled, {2019: "HTXSNV", 2020: "HTTNV", 2021: "HTXSNV", 2022: "HTTNV", 2023: "HTTNV"})
    give("hcld-3", [ok, once, untitled], 2018, first=2014)
    give("cstd-tinh", [ok, once], 2021, first=2019)
    give("cstd-tinh", untitled, 2017, first=2015)  # before the five years: not counted
    found = judge("hcld-2", 2023)
    assert found["Lê Huân"].eligible, found["Lê Huân"].missing
    assert found["Lê Một Lần"].missing == ["trong 5 năm 2019–2023 mới có 1/2 năm HTXSNV (2019)"]
    assert found["Lê Chưa Danh"].missing == [
        "chưa được tặng Chiến sĩ thi đua cấp bộ, ngành, tỉnh trong 5 năm 2019–2023"
    ]


# --------------------------------------------------------------------------- collectives
def _members(unit, grades, holders, excellent=0, year=2022):
    people = [person(f"Thành Viên {chr(65 + i)}") for i in range(len(grades))]
    for p, grade in zip(people, grades, strict=True):
        rate(p, {year: grade}, unit=unit)
    if holders:
        give("ldtt", people[excellent:holders], year)
    if excellent:
        give("cstd-co-so", people[:excellent], year)
    return people


def test_tt_ldxs_members_by_the_unit_on_their_ratings():
    unit = Unit.objects.create(code="hl-thcs", name="Trường THCS Nam Hồng")
    school = group("Trường THCS Nam Hồng", unit=unit)
    rate(school, {2022: "HTXSNV"})
    # 10 members, 7 hold LĐTT or CSTĐCS (CSTĐCS counts as LĐTT), one CSTĐCS.
    _members(unit, ["HTTNV"] * 10, holders=7, excellent=1)
    found = judge("tt-ldxs", 2022)
    answer = found["Trường THCS Nam Hồng"]
    assert answer.eligible, answer.missing
    assert "Năm 2022: 7/10 thành viên (70%) đạt Lao động tiên tiến hoặc Chiến sĩ thi đua cơ sở" in (
        answer.evidence
    )


def test_tt_ldxs_fails_below_the_share_and_with_a_low_member():
    unit = Unit.objects.create(code="hl-th", name="Trường Tiểu học Bắc Hồng")
    school = group("Trường Tiểu học Bắc Hồng", unit=unit)
    rate(school, {2022: "HTXSNV"})
    _members(unit, ["HTTNV"] * 9 + ["KHTNV"], holders=6, excellent=0)
    answer = judge("tt-ldxs", 2022)["Trường Tiểu học Bắc Hồng"]
    assert answer.missing == [
        "năm 2022: thành viên xếp loại dưới HTNV: Thành Viên J (KHTNV)",
        "năm 2022: mới có 6/10 thành viên (60%) đạt Lao động tiên tiến hoặc Chiến sĩ thi đua "
        "cơ sở, cần từ 70%",
        "năm 2022: chưa có thành viên nào đạt Chiến sĩ thi đua cơ sở",
    ]


def test_tt_ldtt_share_of_members():
    unit = Unit.objects.create(code="hl-mn", name="Trường Mầm non Đức Thuận")
    school = group("Trường Mầm non Đức Thuận", unit=unit)
    rate(school, {2022: "HTTNV"})
    _members(unit, ["HTTNV"] * 4, holders=3)
    assert judge("tt-ldtt", 2022)["Trường Mầm non Đức Thuận"].eligible
    give("ldtt", person("Người Ngoài"), 2022)  # not a member: no rating with the unit
    lonely = group("Tổ không có thành viên", unit=Unit.objects.create(code="to", name="Tổ"))
    rate(lonely, {2022: "HTTNV"})
    assert judge("tt-ldtt", 2022)["Tổ không có thành viên"].missing == [
        "năm 2022: chưa có thành viên nào được xếp loại tại đơn vị"
    ]


@pytest.mark.parametrize("code", ["co-thi-dua-tinh", "co-thi-dua-cp"])
def test_co_thi_dua_goes_to_the_leader_of_the_bloc(code):
    authority = Authority.objects.get(code="honglinh-ubnd")
    first = Unit.objects.create(code="p-bac-hong", name="Phường Bắc Hồng")
    second = Unit.objects.create(code="p-nam-hong", name="Phường Nam Hồng")
    bloc = Bloc.objects.create(authority=authority, name="Khối các phường")
    pledge = Pledge.objects.create(
        authority=authority,
        bloc=bloc,
        year=2023,
        title="Giao ước 2023",
        ceremony_date=date(2023, 2, 1),
    )
    target_set = TargetSet.objects.create(
        kind="giao-uoc", title="Chỉ tiêu 2023", year=2023, authority=authority, pledge=pledge
    )
    target = Target.objects.create(target_set=target_set, text="Thu ngân sách", planned_value=100)
    for unit, achieved in ((first, 120), (second, 90)):
        BlocMembership.objects.create(bloc=bloc, year=2023, unit=unit)
        PledgeSignatory.objects.create(
            pledge=pledge, unit=unit, signed=True, signed_on=date(2023, 2, 1)
        )
        TargetResult.objects.create(
            target=target, unit=unit, as_of=date(2023, 12, 31), achieved_value=achieved
        )
    group("UBND phường Bắc Hồng", unit=first)
    group("UBND phường Nam Hồng", unit=second)
    found = judge(code, 2023)
    assert found["UBND phường Bắc Hồng"].evidence[0] == "Dẫn đầu Khối các phường năm 2023"
    assert found["UBND phường Nam Hồng"].missing == ["năm 2023: không dẫn đầu Khối các phường"]


# --------------------------------------------------------------------------- Party rules
def test_party_giay_khen_dang_vien_five_years_excellent():
    ok = person("Dương Thu Ngân", registered_by="vanlang-hu")
    gap = person("Dương Gián Đoạn", registered_by="vanlang-hu")
    rate(ok, {y: "HTXSNV" for y in range(2018, 2023)})
    rate(gap, {2018: "HTXSNV", 2019: "HTXSNV", 2021: "HTXSNV", 2022: "HTXSNV"})
    found = judge("giay-khen", 2022, on=date(2023, 1, 12), authority="vanlang-hu")
    assert found["Dương Thu Ngân"].evidence[0] == "HTXSNV 5 năm liên tục (2018–2022)"
    assert found["Dương Gián Đoạn"].missing == ["thiếu năm 2020: chưa có xếp loại"]
    # The state chain has no rule for Giấy khen: provinces set those criteria themselves.
    with pytest.raises(ValidationError, match="Chưa có tiêu chuẩn xét Giấy khen"):
        judge("giay-khen", 2022, on=date(2023, 1, 12), authority="vanlang-ubnd")


def test_party_giay_khen_to_chuc_or_routes():
    year_only = group("Đảng bộ xã A", registered_by="vanlang-hu")
    five = group("Chi bộ B", registered_by="vanlang-hu")
    rate(year_only, {2022: "HTXSNV"})
    rate(five, {2018: "HTXSNV", 2019: "HTXSNV", 2020: "HTXSNV", 2021: "HTXSNV", 2022: "HTXSNV"})
    found = judge("giay-khen", 2022, on=date(2023, 1, 12), authority="vanlang-hu")
    assert found["Đảng bộ xã A"].eligible
    assert found["Chi bộ B"].eligible


# --------------------------------------------------------------------------- versions
def test_rule_versions_follow_the_day_and_a_rule_outside_its_period_does_not_apply():
    cstd_tinh = AwardType.objects.get(code="cstd-tinh")
    codes = {
        day: rules_in_force(award_type_ids=[cstd_tinh.pk], on=day)[(cstd_tinh.pk, "ca-nhan")].code
        for day in (date(2023, 11, 8), date(2024, 6, 1), date(2026, 1, 1))
    }
    assert codes == {
        date(2023, 11, 8): "cstd-tinh-2017",
        date(2024, 6, 1): "cstd-tinh-2024",
        date(2026, 1, 1): "cstd-tinh-2025",
    }
    unit_type = AwardType.objects.get(code="don-vi-tien-tien")
    rule = EligibilityRule.objects.create(
        code="don-vi-tien-tien-thu",
        name="Đơn vị tiên tiến (thử)",
        award_type=unit_type,
        recipient_kind="tap-the",
        legal_basis="Quy định thử",
        valid_from=date(2024, 1, 1),
        valid_to=date(2024, 12, 31),
    )
    route = EligibilityRoute.objects.create(rule=rule, name="Hoàn thành tốt nhiệm vụ")
    EligibilityCondition.objects.create(
        route=route, kind="lien-tuc-xep-loai", years=1, grade="HTTNV"
    )
    rate(group("Đội A"), {2024: "HTNV"})
    assert not judge("don-vi-tien-tien", 2024, on=date(2024, 12, 31))["Đội A"].eligible
    with pytest.raises(ValidationError, match="có hiệu lực ngày 01/01/2025"):
        judge("don-vi-tien-tien", 2024, on=date(2025, 1, 1))


def test_condition_clean_names_the_missing_fields():
    route = EligibilityRoute.objects.filter(rule__code="cstd-tinh-2024").first()
    condition = EligibilityCondition(route=route, order=9, kind="lien-tuc-khen")
    with pytest.raises(ValidationError, match="cần điền: danh hiệu, hình thức X, số năm N"):
        condition.full_clean()


def test_loading_twice_changes_nothing():
    again = rules_load()
    assert all(counts == {"created": 0, "updated": 0} for counts in again.values())
    assert EligibilityRule.objects.filter(code__startswith="cstd-tinh-").count() == 3


# --------------------------------------------------------------------------- on entry
def _draft(authority_code="hatinh-ubnd", signed=date(2024, 3, 1)):
    return decision_create(
        authority=Authority.objects.get(code=authority_code),
        number=f"{next(_numbers)}/QĐ-UBND",
        signed_date=signed,
        subject="Về việc tặng danh hiệu Chiến sĩ thi đua cấp tỉnh",
        signer_title="CHỦ TỊCH",
        signer_name="Người Ký",
    )


def _line(decision, code, recipient, year):
    return Award(
        decision=decision,
        award_type=AwardType.objects.get(code=code),
        individual=recipient,
        period_from=year - 2,
        period_to=year,
        loai_hinh="",
    )


def test_warning_on_entry_names_the_failing_condition():
    ready, gap = person("Lê Sẵn"), person("Lê Hở")
    give("cstd-co-so", [ready, gap], 2021)
    give("cstd-co-so", [ready], 2022)
    give("cstd-co-so", [ready, gap], 2023)
    initiative(ready, 2023, "tinh")
    initiative(gap, 2023, "tinh")
    decision = _draft()
    lines = [_line(decision, "cstd-tinh", ready, 2023), _line(decision, "cstd-tinh", gap, 2023)]
    warnings = award_eligibility_warnings(decision=decision, awards=lines)
    assert warnings[0] == []
    assert len(warnings[1]) == 1
    assert warnings[1][0].startswith("Chưa đủ tiêu chuẩn Chiến sĩ thi đua cấp bộ, ngành, tỉnh")
    assert warnings[1][0].endswith("thiếu năm 2022: chưa có Chiến sĩ thi đua cơ sở")
    assert "Nghị định 98/2023/NĐ-CP" in warnings[1][0]


def test_warnings_take_a_bounded_number_of_queries():
    decision = _draft()
    few = [_line(decision, "cstd-tinh", person(f"Người {i}"), 2023) for i in range(2)]
    many = [_line(decision, "cstd-tinh", person(f"Người Nữa {i}"), 2023) for i in range(40)]
    for p in [a.individual for a in few + many]:
        initiative(p, 2023, "co-so")
    all_rules()  # read once per process while they do not change: not what is measured here
    with CaptureQueriesContext(connection) as small:
        award_eligibility_warnings(decision=decision, awards=few)
    with CaptureQueriesContext(connection) as large:
        assert all(award_eligibility_warnings(decision=decision, awards=many))
    assert len(large) == len(small)


def test_no_warning_for_thematic_lines_or_without_a_rule():
    decision = _draft("vanlang-ubnd", signed=date(2023, 1, 11))
    line = Award(
        decision=decision,
        award_type=AwardType.objects.get(code="giay-khen"),
        individual=person(),
        period_from=2022,
        period_to=2022,
    )
    assert award_eligibility_warnings(decision=decision, awards=[line]) == [[]]


def test_same_award_for_the_same_period_is_an_error_not_a_warning():
    someone = person("Lê Trùng")
    give("cstd-co-so", someone, 2023)
    decision = _draft("honglinh-ubnd", signed=date(2024, 1, 20))
    line = Award(
        decision=decision,
        award_type=AwardType.objects.get(code="cstd-co-so"),
        individual=someone,
        period_from=2023,
        period_to=2023,
    )
    problems = awards_problems(decision=decision, awards=[line])[0]
    assert any("Một thành tích không khen hai lần" in m for m in problems["__all__"])


# --------------------------------------------------------------------------- command line
def _eligible(*args) -> str:
    out = StringIO()
    call_command("eligible", *args, stdout=out)
    return out.getvalue()


def test_eligible_json_with_and_without_all():
    ok, gap = person("Bùi Thu Hoa"), person("Lê Gap")
    give("cstd-co-so", [ok, gap], 2021)
    give("cstd-co-so", [ok], 2022)
    give("cstd-co-so", [ok, gap], 2023)
    initiative(ok, 2023, "tinh")
    base = ["--award-type", "cstd-tinh", "--year", "2023", "--on", "2024-03-01", "--json"]
    only = json.loads(_eligible(*base, "--authority", "hatinh-ubnd"))
    assert only == [
        {
            "recipient_kind": "individual",
            "id": ok.pk,
            "name": "Bùi Thu Hoa",
            "eligible": True,
            "route": "3 năm liên tục Chiến sĩ thi đua cơ sở và có sáng kiến ảnh hưởng cấp tỉnh",
            "evidence": only[0]["evidence"],
            "missing": [],
        }
    ]
    assert len(only[0]["evidence"]) == 3
    everyone = json.loads(_eligible(*base, "--all"))
    assert [(x["name"], x["eligible"]) for x in everyone] == [
        ("Lê Gap", False),
        ("Bùi Thu Hoa", True),
    ]
    assert everyone[0]["missing"][0] == "thiếu năm 2022: chưa có Chiến sĩ thi đua cơ sở"
    assert set(everyone[0]) == {
        "recipient_kind", "id", "name", "eligible", "route", "evidence", "missing"
    }  # fmt: skip
    # The subtree of another province holds nobody.
    assert json.loads(_eligible(*base, "--authority", "langson-ubnd", "--all")) == []


def test_eligible_text_and_errors():
    text = _eligible("--award-type", "cstd-tinh", "--year", "2023", "--on", "01/03/2024")
    assert "0 đối tượng đủ tiêu chuẩn Chiến sĩ thi đua cấp bộ, ngành, tỉnh năm 2023" in text
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không có danh hiệu"):
        _eligible("--award-type", "khong-co", "--year", "2023")


def test_nominee_list_queries_do_not_grow_with_people():
    def run():
        with CaptureQueriesContext(connection) as queries:
            nominee_list(
                award_type=AwardType.objects.get(code="bang-khen-ttg"),
                year=2023,
                on=ON,
                include_all=True,
            )
        return len(queries)

    first = person("Lê Một")
    rate(first, {2023: "HTTNV"})
    all_rules()  # read once per process while they do not change: not what is measured here
    few = run()
    for i in range(30):
        p = person(f"Lê Nhiều {i}")
        rate(p, {2022: "HTTNV", 2023: "HTXSNV"})
        Discipline.objects.create(individual=p, form="Khiển trách", start_date=date(2020, 1, 1))
    assert run() == few


def test_rule_check_for_no_ids_answers_nothing():
    rule = EligibilityRule.objects.filter(code="cstd-tinh-2024").first()
    assert rule_check(rule=rule, year=2023, on=ON, ids=[]) == []


def test_a_list_of_the_eligible_only_is_the_full_lists_eligible_and_reads_only_award_holders():
    """Without "Liệt kê cả người chưa đủ", who lacks the award every route asks for is left out
    before the history is read: the same people, routes and evidence as the full list."""
    streak, short, thematic = person("Lê Đủ"), person("Lê Thiếu Năm"), person("Lê Chuyên Đề")
    give("cstd-co-so", [streak, short, thematic], 2021)
    give("cstd-co-so", [streak, short], 2022)
    give("cstd-co-so", [streak], 2023)
    give("cstd-co-so", thematic, 2023, loai_hinh="chuyen-de", first=2023)
    for p in (streak, short, thematic):
        initiative(p, 2023, "tinh")
        rate(p, {y: "HTXSNV" for y in range(2019, 2024)})
        for _ in range(5):
            initiative(p, 2022, "co-so")
    give("bang-khen-tinh", [streak], 2018, first=2017)
    kept = person("Lê Bằng Khen")
    give("bang-khen-tinh", [kept], 2018, first=2017)
    rate(kept, {y: "HTXSNV" for y in range(2019, 2024)})
    for year in (2019, 2020, 2021):
        give("cstd-co-so", [kept], year)
    for code in ("cstd-tinh", "bang-khen-ttg", "cstd-co-so"):
        award_type = AwardType.objects.get(code=code)
        full = nominee_list(award_type=award_type, year=2023, on=ON, include_all=True)
        with CaptureQueriesContext(connection) as queries:
            only = nominee_list(award_type=award_type, year=2023, on=ON)
        # The names are read after judging, for the eligible only: the same names, same order.
        assert [(a.id, a.name, a.route, a.evidence) for a in only.answers] == [
            (a.id, a.name, a.route, a.evidence) for a in full.answers if a.eligible
        ]
        candidates = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"].startswith('SELECT "registry_individual"."id"')
            and '"full_name"' not in q["sql"]  # the names of the eligible, read after
        ]
        # Candidates are the holders of the award asked for (a rating is enough for a Chiến sĩ
        # thi đua cơ sở: nothing to ask for first there).
        assert candidates and all(
            ("registry_award" in sql) == (code != "cstd-co-so") for sql in candidates
        )
    names = {
        code: [
            a.name
            for a in nominee_list(
                award_type=AwardType.objects.get(code=code), year=2023, on=ON
            ).answers
        ]
        for code in ("cstd-tinh", "bang-khen-ttg")
    }
    assert names["cstd-tinh"] == ["Lê Đủ"]
    assert sorted(names["bang-khen-ttg"]) == ["Lê Bằng Khen", "Lê Đủ"]
