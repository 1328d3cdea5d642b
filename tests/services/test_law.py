"""The law rows that used to be constants: cash rounding, counted loại hình, bloc award types.

Each is a dated catalogue row with its legal basis; changing the row changes what the registry
does, and the rows come both from the migration (databases upgraded with `migrate` alone) and
from the legal catalogue (load_catalogue), on the same natural keys.
"""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import (
    Authority,
    AwardPower,
    BaseSalary,
    BlocAwardRule,
    CashMultiple,
    CashRounding,
    CountedLoaiHinh,
)
from registry.models.eligibility import EligibilityCondition, EligibilityRoute, EligibilityRule
from registry.selectors.eligibility import counted_awards, rule_check
from registry.selectors.law import bloc_award_rule, cash_rounding_step
from registry.services.awards import award_add
from registry.services.catalogue import catalogue_load
from registry.services.decisions import decision_create, decision_issue
from tests import factories

pytestmark = pytest.mark.django_db

_numbers = iter(range(1, 1000))


# ------------------------------------------------------------------------------- rounding


def test_the_shipped_rounding_is_ten_thousand_dong_under_each_decree():
    rows = sorted(CashRounding.objects.all(), key=lambda r: r.valid_from or date.min)
    assert [
        (r.valid_from, r.valid_to, r.step, re.match(r"Nghị định [\d/]+/NĐ-CP", r.legal_basis)[0])
        for r in rows
    ] == [
        (None, date(2017, 9, 30), 10_000, "Nghị định 42/2010/NĐ-CP"),
        (date(2017, 10, 1), date(2023, 12, 31), 10_000, "Nghị định 91/2017/NĐ-CP"),
        (date(2024, 1, 1), date(2025, 6, 30), 10_000, "Nghị định 98/2023/NĐ-CP"),
        (date(2025, 7, 1), None, 10_000, "Nghị định 152/2025/NĐ-CP"),
    ]
    assert "Điều 53 khoản 2" in CashRounding.objects.get(valid_from=date(2024, 1, 1)).legal_basis
    assert cash_rounding_step(day=date(2024, 3, 1)) == 10_000


def test_the_row_in_force_on_the_day_gives_the_step_and_none_means_no_rounding():
    CashRounding.objects.create(
        valid_from=date(2030, 1, 1), step=1_000, legal_basis="Nghị định thử"
    )
    assert cash_rounding_step(day=date(2029, 12, 31)) == 10_000
    # Overlapping the open-ended row: the one in force since later wins.
    assert cash_rounding_step(day=date(2030, 1, 1)) == 1_000
    CashRounding.objects.all().delete()
    assert cash_rounding_step(day=date(2024, 3, 1)) == 0


def giay_khen_decision(day: date):
    cat = factories.catalogue()
    BaseSalary.objects.get_or_create(valid_from=date(2024, 7, 1), defaults={"amount": 2_340_000})
    CashMultiple.objects.filter(award_type=cat["giay_khen"], recipient_kind="ca-nhan").update(
        multiple="0.15"
    )
    decision = decision_create(
        authority=cat["authority"],
        number=f"{next(_numbers)}/QĐ-UBND",
        signed_date=day,
        subject="Về việc tặng Giấy khen",
        signer_title="CHỦ TỊCH",
        signer_name="Người Ký",
    )
    return cat, decision


def test_a_rounding_row_of_one_thousand_changes_the_cash():
    # 0.15 × 2.340.000 = 351.000 đ: 360.000 đ rounded up to tens of thousands.
    cat, decision = giay_khen_decision(date(2024, 9, 10))
    line = award_add(
        decision=decision,
        award_type=cat["giay_khen"],
        recipient=factories.individual("Lê Thị Hoa"),
        period_from=2024,
        period_to=2024,
    )
    assert line.cash_amount == 360_000
    CashRounding.objects.filter(valid_from=date(2024, 1, 1)).update(step=1_000)
    cat, decision = giay_khen_decision(date(2024, 9, 11))
    line = award_add(
        decision=decision,
        award_type=cat["giay_khen"],
        recipient=factories.individual("Trần Văn Nam"),
        period_from=2024,
        period_to=2024,
    )
    assert line.cash_amount == 351_000


# ------------------------------------------------------------------------ counted loại hình


def give(award_type, recipient, year: int, loai_hinh: str):
    authority = Authority.objects.get(code="vanlang-ubnd")
    decision = decision_create(
        authority=authority,
        number=f"{next(_numbers)}/QĐ-UBND",
        signed_date=date(year + 1, 1, 15),
        subject=f"Về việc tặng {award_type.name}",
        signer_title="CHỦ TỊCH",
        signer_name="Người Ký",
        loai_hinh=loai_hinh,
    )
    award_add(
        decision=decision,
        award_type=award_type,
        recipient=recipient,
        period_from=year,
        period_to=year,
        loai_hinh=loai_hinh,
    )
    decision_issue(decision=decision)


def two_giay_khen_running_rule(cat) -> EligibilityRule:
    AwardPower.objects.get_or_create(chain="nha-nuoc", level="tinh", award_type=cat["bang_khen"])
    rule = EligibilityRule.objects.create(
        code="bang-khen-thu",
        name="Bằng khen (thử)",
        award_type=cat["bang_khen"],
        recipient_kind="ca-nhan",
        legal_basis="Quy định thử",
    )
    route = EligibilityRoute.objects.create(rule=rule, name="2 năm liên tục Giấy khen")
    EligibilityCondition.objects.create(
        route=route, kind="lien-tuc-khen", award_type=cat["giay_khen"], years=2
    )
    return rule


def test_a_counted_loai_hinh_row_changes_who_is_eligible():
    cat = factories.catalogue()
    person = factories.individual("Nguyễn Văn Hưởng")
    for year in (2022, 2023):
        give(cat["giay_khen"], person, year, "chuyen-de")
    rule = two_giay_khen_running_rule(cat)

    def judge(on: date):
        return rule_check(rule=rule, year=2023, on=on, ids=[person.pk])[0]

    # As shipped only thường xuyên counts: two chuyên đề Giấy khen are no streak.
    assert [r.loai_hinh for r in CountedLoaiHinh.objects.all()] == ["thuong-xuyen"] * 3
    answer = judge(date(2024, 3, 1))
    assert not answer.eligible and answer.missing
    assert not counted_awards(on=date(2024, 3, 1)).filter(individual=person).exists()

    # A decree that counts chuyên đề awards from 2024: the streak counts from that day on.
    CountedLoaiHinh.objects.create(
        loai_hinh="chuyen-de", valid_from=date(2024, 1, 1), legal_basis="Nghị định thử"
    )
    assert judge(date(2024, 3, 1)).eligible
    assert not judge(date(2023, 12, 31)).eligible
    assert counted_awards(on=date(2024, 3, 1)).filter(individual=person).count() == 2


def test_counting_by_the_rows_adds_no_query_per_row():
    cat = factories.catalogue()
    people = [factories.individual(f"Người Thử {i}") for i in range(5)]
    for person in people:
        for year in (2022, 2023):
            give(cat["giay_khen"], person, year, "thuong-xuyen")
    rule = two_giay_khen_running_rule(cat)
    ids = [p.pk for p in people]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            answers = rule_check(rule=rule, year=2023, on=date(2024, 3, 1), ids=ids)
        assert all(a.eligible for a in answers)
        return len(captured)

    first = queries()
    for loai_hinh in ("dot-xuat", "nien-han", "cong-hien"):
        CountedLoaiHinh.objects.create(loai_hinh=loai_hinh, legal_basis="Nghị định thử")
    assert queries() == first


# ------------------------------------------------------------------------------ bloc rules


def test_the_bloc_rule_in_force_prefers_the_blocs_own_chain_and_level():
    cat = factories.catalogue()
    flag = factories.award_type(
        "co-thi-dua-tinh", name="Cờ thi đua cấp bộ, ngành, tỉnh", certificate_title="CỜ THI ĐUA",
        family="danh-hieu", level="bo-tinh", for_individuals=False,
    )  # fmt: skip
    general = BlocAwardRule.objects.create(
        leader_award_type=flag, runner_up_award_type=cat["bang_khen"], legal_basis="Luật"
    )
    district = BlocAwardRule.objects.create(
        chain="nha-nuoc",
        authority_level="huyen",
        valid_from=date(2024, 1, 1),
        valid_to=date(2025, 6, 30),
        leader_award_type=flag,
        legal_basis="Quy chế của tỉnh",
    )
    party = BlocAwardRule.objects.create(
        chain="dang", leader_award_type=flag, legal_basis="Hướng dẫn của Đảng"
    )
    vanlang = cat["authority"]
    assert bloc_award_rule(authority=vanlang, day=date(2023, 12, 31)) == general
    assert bloc_award_rule(authority=vanlang, day=date(2024, 1, 1)) == district
    assert bloc_award_rule(authority=vanlang, day=date(2025, 7, 1)) == general
    huyen_uy = factories.authority(
        "vanlang-hu", name="Ban Thường vụ Huyện ủy Văn Lãng", chain="dang", level="huyen"
    )
    assert bloc_award_rule(authority=huyen_uy, day=date(2024, 6, 1)) == party
    BlocAwardRule.objects.all().delete()
    assert bloc_award_rule(authority=vanlang, day=date(2024, 6, 1)) is None


# ------------------------------------------------------------------- catalogue and migration


def test_the_catalogue_loads_the_law_rows_on_the_migrations_keys():
    # The migration made the rows that need no award type; the bloc rules wait for the catalogue.
    assert (CashRounding.objects.count(), CountedLoaiHinh.objects.count()) == (4, 3)
    assert BlocAwardRule.objects.count() == 0
    result = catalogue_load()
    assert result["cash_rounding"]["created"] == 0
    assert result["counted_loai_hinh"]["created"] == 0
    assert result["bloc_award_rules"] == {"created": 2, "updated": 0}
    rule = BlocAwardRule.objects.get(valid_from=date(2024, 1, 1))
    assert (rule.leader_award_type.code, rule.runner_up_award_type.code) == (
        "co-thi-dua-tinh",
        "bang-khen-tinh",
    )
    assert "Điều 26" in rule.legal_basis
    counted = CountedLoaiHinh.objects.get(valid_from=date(2024, 1, 1))
    assert "Điều 4 khoản 3" in counted.legal_basis
    # Loading again changes nothing.
    again = catalogue_load()
    for section in ("cash_rounding", "counted_loai_hinh", "bloc_award_rules"):
        assert again[section] == {"created": 0, "updated": 0}


def test_the_law_rows_have_their_admin_pages(admin_client):
    BlocAwardRule.objects.create(
        leader_award_type=factories.award_type(), legal_basis="Luật Thi đua, khen thưởng"
    )
    for model in ("blocawardrule", "countedloaihinh", "cashrounding"):
        for view, args in (("changelist", []), ("add", [])):
            page = admin_client.get(reverse(f"admin:registry_{model}_{view}", args=args))
            assert page.status_code == 200, (model, view)
    page = admin_client.get(reverse("admin:registry_cashrounding_changelist"))
    assert "Nghị định 98/2023/NĐ-CP, Điều 53 khoản 2" in page.content.decode()
    page = admin_client.get(reverse("admin:registry_countedloaihinh_changelist"))
    assert "Điều 4 khoản 3" in page.content.decode()
