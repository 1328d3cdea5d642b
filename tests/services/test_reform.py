"""The law in force after 1/7/2025: communes and their successors, Party terms, cash rules and
what one achievement is, on the shipped catalogue."""

import io
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from registry.models import Authority, Award, AwardType, Household
from registry.models.awards import DecisionStatus
from registry.services.awards import awards_add, awards_cash_notes
from registry.services.catalogue import catalogue_load
from registry.services.decisions import (
    award_add,
    decision_create,
    decision_issue,
    decision_next_number,
)
from registry.services.papers import payout_sheet_data
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def law():
    catalogue_load()
    return {a.code: a for a in Authority.objects.all()} | {
        t.code: t for t in AwardType.objects.all()
    }


def _decision(authority, day, number="1/QĐ-UBND", **fields):
    return decision_create(
        authority=authority,
        number=number,
        signed_date=day,
        subject="Về việc khen thưởng",
        signer_title="Chủ tịch",
        signer_name="Hoàng Văn Tuấn",
        **fields,
    )


def _issued(authority, day, award_type, recipient, number="1/QĐ-UBND", period=2025, **fields):
    decision = _decision(authority, day, number)
    award = award_add(
        decision=decision,
        award_type=award_type,
        recipient=recipient,
        period_from=period,
        period_to=period,
        eligibility_override="Hội đồng xét trong năm",
        **fields,
    )
    decision_issue(decision=decision)
    award.refresh_from_db()
    return award


def test_cash_of_2026_follows_the_base_salary_of_the_day(law):
    commune = law["xa-na-sam-ubnd"]
    person = factories.individual(registered_by=commune)
    before = _issued(commune, date(2026, 6, 30), law["ldtt"], person, period=2025)
    other = factories.individual("Lương Thị Mai", registered_by=commune)
    after = _issued(commune, date(2026, 7, 1), law["ldtt"], other, number="2/QĐ-UBND", period=2026)
    # 0.3 × 2,340,000 = 702,000 and 0.3 × 2,530,000 = 759,000, rounded up to 10,000 đồng.
    assert (before.cash_amount, after.cash_amount) == (710_000, 760_000)


def test_one_period_pays_only_the_highest_title_within_a_decision(law):
    commune = law["xa-na-sam-ubnd"]
    person = factories.individual(registered_by=commune)
    decision = _decision(commune, date(2025, 12, 26))
    lines = [
        Award(award_type=law[code], individual=person, period_from=2025, period_to=2025)
        for code in ("ldtt", "cstd-co-so")
    ]
    for line in lines:
        line.eligibility_override = "Hội đồng xét trong năm"
    awards_add(decision=decision, awards=lines)
    decision_issue(decision=decision)
    cash = dict(
        Award.objects.filter(decision=decision).values_list("award_type__code", "cash_amount")
    )
    assert cash == {"ldtt": 0, "cstd-co-so": 2_340_000}
    notes = payout_sheet_data(decision=decision)["rows"]
    assert "chỉ nhận tiền thưởng của danh hiệu cao nhất" in notes[0]["note"]
    assert payout_sheet_data(decision=decision)["total"] == 2_340_000


def test_a_later_higher_title_is_flagged_and_the_issued_lower_one_is_kept(law):
    commune = law["xa-na-sam-ubnd"]
    person = factories.individual(registered_by=commune)
    lower = _issued(commune, date(2025, 12, 10), law["ldtt"], person)
    higher = _issued(commune, date(2025, 12, 26), law["cstd-co-so"], person, number="2/QĐ-UBND")
    lower.refresh_from_db()
    assert (lower.cash_amount, higher.cash_amount) == (710_000, 2_340_000)
    notes = awards_cash_notes(decision=higher.decision, awards=[higher])
    note, to_pay = notes[higher.pk]
    assert "Đã nhận 710.000 đ cho Lao động tiên tiến" in note and "1/QĐ-UBND" in note
    assert to_pay == 2_340_000 - 710_000
    # The earlier decision's own sheet is unchanged.
    assert awards_cash_notes(decision=lower.decision, awards=[lower]) == {}
    # A lower title after a higher one of the same period is paid nothing.
    third = factories.individual("Đinh Thị Hằng", registered_by=commune)
    _issued(commune, date(2025, 12, 20), law["cstd-co-so"], third, number="4/QĐ-UBND")
    late = _issued(commune, date(2025, 12, 30), law["ldtt"], third, number="5/QĐ-UBND")
    assert late.cash_amount == 0


def test_a_household_gets_one_and_a_half_times_the_individual_amount(law):
    commune = law["xa-na-sam-ubnd"]
    home = Household.objects.create(head_name="Hoàng Văn Dũng", registered_by=commune)
    award = _issued(commune, date(2025, 12, 26), law["giay-khen"], home)
    # 1.5 × 0.3 × 2,340,000 = 1,053,000, rounded up.
    assert award.cash_amount == 1_060_000
    # Before Nghị định 152/2025 no household factor is recorded: the cash stays unknown.
    old = factories.authority("xa-cu", name="Chủ tịch UBND xã cũ", level="xa")
    home2 = Household.objects.create(head_name="Lý Văn Sinh", registered_by=old)
    earlier = _issued(old, date(2025, 3, 3), law["giay-khen"], home2, period=2024)
    assert earlier.cash_amount is None


def test_party_grassroots_giay_khen_is_priced_from_party_rows(law):
    party = law["xa-na-sam-du"]
    member = factories.individual(registered_by=party)
    cell = factories.collective("Chi bộ Công an xã Na Sầm", registered_by=party)
    one = _issued(party, date(2025, 12, 30), law["giay-khen"], member, number="15-QĐ/ĐU")
    two = _issued(party, date(2025, 12, 30), law["giay-khen"], cell, number="16-QĐ/ĐU")
    assert (one.cash_amount, two.cash_amount) == (710_000, 1_410_000)


def test_a_commune_chair_gives_chien_si_thi_dua_co_so_from_1_7_2025(law):
    commune = factories.authority("xa-cu", name="Chủ tịch UBND xã Hoàng Việt", level="xa")
    person = factories.individual(registered_by=commune)
    early = _decision(commune, date(2025, 6, 30))
    with pytest.raises(ValidationError) as refused:
        award_add(decision=early, award_type=law["cstd-co-so"], recipient=person,
                  period_from=2025, period_to=2025, eligibility_override="x")  # fmt: skip
    assert "không có thẩm quyền tặng Chiến sĩ thi đua cơ sở vào ngày 30/06/2025" in str(
        refused.value
    )
    later = _decision(commune, date(2025, 7, 2), number="2/QĐ-UBND")
    award_add(decision=later, award_type=law["cstd-co-so"], recipient=person,
              period_from=2025, period_to=2025, eligibility_override="x")  # fmt: skip
    assert later.awards.count() == 1


def test_a_district_after_30_6_2025_is_refused_once_naming_its_successors(law):
    district = law["vanlang-ubnd"]
    with pytest.raises(ValidationError) as refused:
        _decision(district, date(2025, 7, 2))
    text = " ".join(refused.value.messages)
    assert "đã chấm dứt thẩm quyền khen thưởng từ ngày 01/07/2025" in text
    for name in (
        "Chủ tịch UBND xã Na Sầm",
        "Chủ tịch UBND xã Hội Hoan",
        "Chủ tịch UBND xã Văn Lãng",
    ):
        assert name in text
    # A draft of June whose date moved past the end: refused once, not line by line.
    draft = _decision(district, date(2025, 6, 20))
    type(draft).objects.filter(pk=draft.pk).update(signed_date=date(2025, 8, 1))
    draft.refresh_from_db()
    people = [factories.individual(f"Người {i}", registered_by=district) for i in range(3)]
    lines = [Award(award_type=law["giay-khen"], individual=p, period_from=2025, period_to=2025)
             for p in people]  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        awards_add(decision=draft, awards=lines)
    assert len(refused.value.messages) == 1
    assert "Cấp kế thừa:" in refused.value.messages[0]
    # Its own history stays valid: June 2025 is inside its dates.
    june = _decision(district, date(2025, 6, 25), number="9/QĐ-UBND")
    award_add(decision=june, award_type=law["giay-khen"], recipient=people[0],
              period_from=2024, period_to=2024)  # fmt: skip
    assert june.awards.count() == 1


def test_party_numbers_restart_with_the_2025_2030_term(law):
    party = law["langson-tu"]
    old = _decision(party, date(2025, 9, 10), number="312-QĐ/TU", signer_prefix="TM.")
    assert decision_next_number(authority=party, day=date(2025, 9, 20)) == "313-QĐ/TU"
    assert decision_next_number(authority=party, day=date(2025, 10, 1)) == "1-QĐ/TU"
    new = _decision(party, date(2025, 10, 1), number="1-QĐ/TU", signer_prefix="TM.")
    old.refresh_from_db()
    assert (old.numbering_period, new.numbering_period) == (2020, 2025)
    # The old term's numbers stay: the same number in the new term is another decision.
    _decision(party, date(2025, 10, 2), number="312-QĐ/TU", signer_prefix="TM.")
    assert decision_next_number(authority=party, day=date(2025, 10, 3)) == "313-QĐ/TU"


def test_an_authority_without_a_term_for_the_day_gets_a_clear_error(law):
    party = law["xa-hoi-hoan-du"]
    with pytest.raises(ValidationError) as refused:
        _decision(party, date(2025, 12, 1), number="1-QĐ/ĐU")
    assert "chưa có nhiệm kỳ nào gồm ngày 01/12/2025" in " ".join(refused.value.messages)


def test_a_yearly_and_a_one_off_giay_khen_of_one_year_are_two_achievements(law):
    commune = law["xa-na-sam-ubnd"]
    person = factories.individual(registered_by=commune)
    _issued(commune, date(2025, 9, 5), law["giay-khen"], person, loai_hinh="dot-xuat",
            achievement="Dũng cảm cứu người trong lũ tháng 9/2025")  # fmt: skip
    yearly = _issued(commune, date(2025, 12, 26), law["giay-khen"], person, number="2/QĐ-UBND")
    assert yearly.decision.status == DecisionStatus.ISSUED
    # The same yearly achievement twice: refused whatever the reason.
    again = _decision(commune, date(2025, 12, 28), number="3/QĐ-UBND")
    with pytest.raises(ValidationError, match="Một thành tích không khen hai lần"):
        award_add(decision=again, award_type=law["giay-khen"], recipient=person,
                  period_from=2025, period_to=2025, eligibility_override="Hội đồng đề nghị")  # fmt: skip
    # Another one-off feat of the same year: a different content is another achievement.
    award_add(decision=again, award_type=law["giay-khen"], recipient=person, loai_hinh="dot-xuat",
              period_from=2025, period_to=2025, achievement="Bắt giữ đối tượng buôn lậu")  # fmt: skip
    # The same feat again is a repeat; a one-off line with no content needs the council's reason.
    fourth = _decision(commune, date(2025, 12, 29), number="4/QĐ-UBND")
    with pytest.raises(ValidationError, match="Một thành tích không khen hai lần"):
        award_add(decision=fourth, award_type=law["giay-khen"], recipient=person,
                  loai_hinh="dot-xuat", period_from=2025, period_to=2025,
                  achievement="Dũng cảm cứu người trong lũ tháng 9/2025")  # fmt: skip
    with pytest.raises(ValidationError, match="không ghi rõ để phân biệt"):
        award_add(decision=fourth, award_type=law["giay-khen"], recipient=person,
                  loai_hinh="dot-xuat", period_from=2025, period_to=2025)  # fmt: skip
    award_add(decision=fourth, award_type=law["giay-khen"], recipient=person, loai_hinh="dot-xuat",
              period_from=2025, period_to=2025, eligibility_override="Lần khen khác: cứu hộ tháng 11")  # fmt: skip


def test_a_streak_does_not_break_when_the_district_is_abolished(law):
    from registry.selectors.eligibility import nominee_list

    district, commune = law["vanlang-ubnd"], law["xa-na-sam-ubnd"]
    person = factories.individual("Nông Văn Quý", registered_by=district)
    for year, authority in ((2023, district), (2024, district), (2025, commune)):
        _issued(authority, date(year, 12, 20), law["cstd-co-so"], person,
                number=f"{year}/QĐ-UBND", period=year)  # fmt: skip
    answers = nominee_list(
        award_type=law["cstd-tinh"],
        year=2025,
        authority=commune,
        on=date(2026, 1, 10),
        include_all=True,
    ).answers
    mine = [a for a in answers if a.id == person.pk]
    assert mine, "the district's people are the commune's candidates"
    text = " ".join(mine[0].evidence + mine[0].missing)
    assert "2023" in text and "2025" in text
    assert not any("Chiến sĩ thi đua cơ sở" in m for m in mine[0].missing), mine[0].missing


def test_annual_report_counts_the_commune_and_with_predecessors_the_district(law, tmp_path):
    district, commune = law["vanlang-ubnd"], law["xa-na-sam-ubnd"]
    hero = factories.individual("Hoàng Thị Thu", registered_by=district)
    _issued(district, date(2025, 3, 10), law["giay-khen"], hero, loai_hinh="dot-xuat",
            achievement="Cứu hộ cháy rừng tháng 2/2025")  # fmt: skip
    for i in range(2):
        _issued(commune, date(2025, 12, 26), law["ldtt"],
                factories.individual(f"Cán bộ {i}", registered_by=commune),
                number=f"{i + 1}/QĐ-UBND")  # fmt: skip

    def report(*extra):
        path = tmp_path / f"bao-cao{len(extra)}.json"
        call_command("annual_report", "--year", "2025", "--authority", "xa-na-sam-ubnd",
                     "--format", "json", "-o", str(path), *extra, stderr=io.StringIO())  # fmt: skip
        return json.loads(path.read_text(encoding="utf-8"))

    alone, joined = report(), report("--with-predecessors")
    assert alone["totals"]["individuals"] == 2
    assert joined["totals"]["individuals"] == 3 and joined["with_predecessors"] is True


def _lapsed_draft(law):
    """A June 2025 draft of the district whose signing date later moved past its end."""
    district = law["vanlang-ubnd"]
    draft = _decision(district, date(2025, 6, 20))
    type(draft).objects.filter(pk=draft.pk).update(signed_date=date(2025, 8, 1))
    draft.refresh_from_db()
    return draft


def test_the_admin_form_refuses_the_lapsed_authority_on_the_date(law, admin_client):
    from django.urls import reverse

    district = law["vanlang-ubnd"]
    data = {
        "authority": district.pk, "kind": "khen-thuong", "number": "7/QĐ-UBND",
        "signed_date": "02/07/2025", "place": "Văn Lãng", "subject": "Về việc khen thưởng",
        "loai_hinh": "thuong-xuyen", "signer_prefix": "", "signer_title": "CHỦ TỊCH",
        "signer_name": "Người Ký Thử", "awards-TOTAL_FORMS": "0", "awards-INITIAL_FORMS": "0",
        "awards-MIN_NUM_FORMS": "0", "awards-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    response = admin_client.post(reverse("admin:registry_decision_add"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("đã chấm dứt thẩm quyền khen thưởng từ ngày 01/07/2025") == 1
    assert "Chủ tịch UBND xã Na Sầm" in page
    assert not district.decisions.exists()


def test_the_import_command_refuses_the_lapsed_authority_once(law, tmp_path):
    from tests.data.books import HEADER, xlsx

    draft = _lapsed_draft(law)
    path = tmp_path / "ds.xlsx"
    path.write_bytes(xlsx([HEADER, [1, "Phan Thị Mới", 1985, "Xã Hoàng Việt", "Năm 2025"],
                           [2, "Lục Văn Tư", 1980, "Xã Hoàng Việt", "Năm 2025"]]))  # fmt: skip
    stderr = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_honorees", str(path), "--decision", str(draft.pk), "--award-type",
                     "giay-khen", stdout=io.StringIO(), stderr=stderr)  # fmt: skip
    assert stderr.getvalue().count("đã chấm dứt thẩm quyền khen thưởng") == 1
    assert not draft.awards.exists()
