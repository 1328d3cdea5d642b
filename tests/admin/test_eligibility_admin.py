"""Eligibility in the clerk's admin: the warning on entry, nominee lists, a person's streaks."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from registry.models import Authority, Award, AwardType, Individual
from registry.models.eligibility import EligibilityRule
from registry.services.decisions import decision_create

pytestmark = pytest.mark.django_db

DANG_VIEN = ["Dương Thu Ngân", "Triệu Quang Vượng", "Đàm Minh Nga", "Dương Đức Thắng"]
TEACHERS = ["Bùi Thu Hoa", "Nguyễn Thanh Bình", "Bùi Minh Loan"]
CSTD_TINH_ROUTE = "3 năm liên tục Chiến sĩ thi đua cơ sở và có sáng kiến ảnh hưởng cấp tỉnh"


@pytest.fixture(scope="module", autouse=True)
def demo(demo_data):
    return demo_data


def page(client, person: Individual) -> str:
    response = client.get(reverse("admin:registry_individual_change", args=[person.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", DANG_VIEN)
def test_demo_dang_vien_show_their_five_year_streak(admin_client, name):
    html = page(admin_client, Individual.objects.get(full_name=name))
    assert "HTXSNV 5 năm liên tục (2018–2022)" in html
    assert "Đảng viên hoàn thành xuất sắc nhiệm vụ 5 năm liên tục" in html


@pytest.mark.parametrize("name", TEACHERS)
def test_demo_cstd_tinh_teachers_show_the_route_they_passed(admin_client, name):
    html = page(admin_client, Individual.objects.get(full_name=name))
    assert "Chiến sĩ thi đua cơ sở 3 năm liên tục (2021–2023)" in html
    assert f"đạt tiêu chuẩn theo “{CSTD_TINH_ROUTE}”" in html
    assert "Nghị định 91/2017/NĐ-CP" in html  # the rule in force on the decision's date


def test_person_page_queries_stay_bounded(admin_client, django_assert_max_num_queries):
    person = Individual.objects.get(full_name="Bùi Thu Hoa")  # four awards, two rules
    with django_assert_max_num_queries(60) as queries:
        page(admin_client, person)
    # The rules are read at most once, whatever the number of awards; and not again on the next
    # page while they do not change (selectors.eligibility.all_rules).
    rules = [q for q in queries.captured_queries if 'FROM "registry_eligibilityrule"' in q["sql"]]
    assert len(rules) <= 1
    with django_assert_max_num_queries(60) as queries:
        page(admin_client, person)
    assert not [q for q in queries.captured_queries if "registry_eligibility" in q["sql"]]


def test_a_recipients_routes_are_the_answers_rule_check_gives():
    """A person's page reads the record once for all their awards and judges in memory; every
    answer must be the one rule_check gives reading the database afresh, for each kind."""
    from registry.models import Collective, Household
    from registry.selectors.eligibility import recipient_award_routes, rule_check

    compared = {}
    for model, field_name in (
        (Individual, "individual"),
        (Collective, "collective"),
        (Household, "household"),
    ):
        ids = Award.objects.filter(**{f"{field_name}__isnull": False}).values(field_name)
        for recipient in model.objects.filter(pk__in=ids):
            for held in recipient_award_routes(recipient=recipient):
                if held.answer is None:
                    continue
                got, award = held.answer, held.award
                (expected,) = rule_check(
                    rule=got.rule,
                    year=award.period_to,
                    on=award.decision.signed_date,
                    ids=[recipient.pk],
                )
                assert (got.name, got.eligible, got.route, got.evidence, got.missing) == (
                    expected.name,
                    expected.eligible,
                    expected.route,
                    expected.evidence,
                    expected.missing,
                ), (recipient, award)
                compared[model] = compared.get(model, 0) + 1
    assert compared.get(Individual, 0) >= 20 and compared.get(Collective, 0) >= 5, compared


def test_a_recipients_page_reads_the_record_once_for_streaks_and_routes(
    django_assert_max_num_queries,
):
    """The person page's panel gives the streaks recipients_streaks gives (the proposals' path)
    and judges exactly the awards that count today, reading the record once for both."""
    from registry.models import Collective, Household
    from registry.selectors.eligibility import (
        all_rules,
        counted_awards,
        recipient_eligibility,
        recipients_streaks,
    )

    all_rules()  # read once per process: not this page's queries
    seen = {"streaks": 0, "held": 0}
    for model, field_name in (
        (Individual, "individual"),
        (Collective, "collective"),
        (Household, "household"),
    ):
        ids = Award.objects.filter(**{f"{field_name}__isnull": False}).values(field_name)
        recipients = list(model.objects.filter(pk__in=ids))
        batch = recipients_streaks(recipients=recipients)
        for recipient in recipients:
            with django_assert_max_num_queries(6):
                found = recipient_eligibility(recipient=recipient)
            assert found.streaks == batch[(model, recipient.pk)], recipient
            counted = counted_awards().filter(**{field_name: recipient})
            assert sorted(h.award.pk for h in found.held) == sorted(
                counted.values_list("pk", flat=True)
            ), recipient
            assert [(h.award.period_to, h.award.decision.signed_date) for h in found.held] == (
                sorted(
                    ((h.award.period_to, h.award.decision.signed_date) for h in found.held),
                    reverse=True,
                )
            )
            seen["streaks"] += bool(found.streaks)
            seen["held"] += len(found.held)
    assert seen["streaks"] >= 5 and seen["held"] >= 50, seen


def _post(decision, person, override=""):
    award_type = AwardType.objects.get(code="cstd-tinh")
    return {
        "authority": decision.authority_id,
        "kind": "khen-thuong",
        "number": decision.number,
        "signed_date": decision.signed_date.strftime("%d/%m/%Y"),
        "place": "Hà Tĩnh",
        "subject": decision.subject,
        "loai_hinh": "thuong-xuyen",
        "signer_prefix": "",
        "signer_title": "CHỦ TỊCH",
        "signer_name": "Người Ký",
        "awards-TOTAL_FORMS": "1",
        "awards-INITIAL_FORMS": "0",
        "awards-MIN_NUM_FORMS": "0",
        "awards-MAX_NUM_FORMS": "1000",
        "awards-0-award_type": award_type.pk,
        "awards-0-loai_hinh": "thuong-xuyen",
        "awards-0-individual": person.pk,
        "awards-0-period_from": "2022",
        "awards-0-period_to": "2024",
        "awards-0-achievement": "Thành tích xuất sắc",
        "awards-0-eligibility_override": override,
    }


def test_entry_warns_and_saves_only_with_a_recorded_reason(admin_client):
    decision = decision_create(
        authority=Authority.objects.get(code="hatinh-ubnd"),
        number="99/QĐ-UBND",
        signed_date=date(2025, 3, 1),
        subject="Về việc tặng danh hiệu Chiến sĩ thi đua cấp tỉnh",
        signer_title="CHỦ TỊCH",
        signer_name="Người Ký",
    )
    teacher = Individual.objects.get(full_name="Bùi Thu Hoa")  # CSTĐCS ends in 2023
    url = reverse("admin:registry_decision_change", args=[decision.pk])
    response = admin_client.post(url, _post(decision, teacher))
    html = response.content.decode()
    assert response.status_code == 200
    assert "thiếu năm 2024: chưa có Chiến sĩ thi đua cơ sở" in html
    assert "Nếu Hội đồng vẫn đề nghị, hãy ghi lý do" in html
    assert not Award.objects.filter(decision=decision).exists()

    reason = "Hội đồng xét thành tích đột xuất năm 2024 tương đương (biên bản số 5/BB-HĐ)."
    response = admin_client.post(url, _post(decision, teacher, override=reason))
    assert response.status_code == 302
    award = Award.objects.get(decision=decision)
    assert award.eligibility_override == reason


def test_nominee_page_and_excel_export(admin_client):
    url = reverse("admin:registry_eligibility_nominees")
    assert (
        "Lập danh sách đủ tiêu chuẩn"
        in admin_client.get(reverse("admin:registry_eligibilityrule_changelist")).content.decode()
    )
    params = {
        "award_type": AwardType.objects.get(code="cstd-tinh").pk,
        "year": "2023",
        "authority": Authority.objects.get(code="hatinh-ubnd").pk,
        "on": "01/12/2023",
    }
    html = admin_client.get(url, params).content.decode()
    assert all(name in html for name in TEACHERS)
    assert CSTD_TINH_ROUTE in html
    response = admin_client.get(url, {**params, "format": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "STT"]
    assert rows, "header row"
    data = [row for row in sheet.iter_rows(values_only=True) if row and isinstance(row[0], int)]
    assert [row[2] for row in data] == ["Nguyễn Thanh Bình", "Bùi Thu Hoa", "Bùi Minh Loan"]
    assert {row[3] for row in data} == {"Đủ"}
    assert all(row[4] == CSTD_TINH_ROUTE for row in data)
    assert "Chiến sĩ thi đua cơ sở 3 năm liên tục (2021–2023)" in data[0][5]


def test_nominee_page_without_a_day_judges_a_past_year_by_its_own_rules(admin_client):
    params = {
        "award_type": AwardType.objects.get(code="cstd-tinh").pk,
        "year": "2023",
        "authority": Authority.objects.get(code="hatinh-ubnd").pk,
    }
    response = admin_client.get(reverse("admin:registry_eligibility_nominees"), params)
    assert response.context["nominees"].on == date(2023, 12, 31)
    html = response.content.decode()
    assert "Xét theo tiêu chuẩn có hiệu lực ngày 31/12/2023" in html
    assert "Chiến sĩ thi đua cấp bộ, ngành, tỉnh (cá nhân) – Nghị định 91/2017" in html
    assert all(name in html for name in TEACHERS)


def test_nominee_page_says_when_no_rule_is_in_force(admin_client):
    response = admin_client.get(
        reverse("admin:registry_eligibility_nominees"),
        {
            "award_type": AwardType.objects.get(code="giay-khen").pk,
            "year": "2022",
            "authority": Authority.objects.get(code="vanlang-ubnd").pk,
            "on": "11/01/2023",
        },
    )
    # Provinces set their own criteria for a state Giấy khen; none is loaded.
    assert "Chưa có tiêu chuẩn xét Giấy khen có hiệu lực ngày 11/01/2023" in (
        response.content.decode()
    )


def test_rule_pages_open(admin_client):
    rule = EligibilityRule.objects.get(code="bang-khen-ttg-ca-nhan-2024")
    html = admin_client.get(
        reverse("admin:registry_eligibilityrule_change", args=[rule.pk])
    ).content.decode()
    assert "5 năm liên tục hoàn thành tốt nhiệm vụ trở lên" in html
    route = rule.routes.first()
    response = admin_client.get(reverse("admin:registry_eligibilityroute_change", args=[route.pk]))
    assert response.status_code == 200
