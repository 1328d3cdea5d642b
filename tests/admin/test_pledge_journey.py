"""The pages for movements, blocs, pledges and target sets, and a clerk's pledge in a browser."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from registry.models import (
    Award,
    Bloc,
    Campaign,
    Decision,
    Pledge,
    PledgeSignatory,
    Target,
    TargetResult,
    TargetSet,
)
from registry.models.trust import AuthorityMembership
from registry.services.accounts import CLERK_GROUP, groups_ensure
from registry.services.awards import award_add
from registry.services.decisions import decision_create
from registry.services.pledges import Signature, pledge_sign
from tests import factories
from tests.services.test_pledges import bloc_setup, enter, sign_all

pytestmark = pytest.mark.django_db


def queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response.content.decode()


def full_year(setup) -> None:
    sign_all(setup)
    u = setup["units"]
    enter(setup, u[0], [120, 90, 2])
    enter(setup, u[1], [110, 86, 3])
    enter(setup, u[2], [100, 86, Decimal("2.5")])
    enter(setup, u[3], [95, 87, 2])


# ------------------------------------------------------------------------------ bounded lists


@pytest.mark.parametrize("model", [Campaign, Bloc, Pledge, TargetSet, TargetResult])
def test_list_pages_do_not_grow_with_rows(admin_client, model):
    url = reverse(f"admin:registry_{model._meta.model_name}_changelist")
    setup = bloc_setup(year=2023, names=["Xã Một", "Xã Hai"])
    full_year_small(setup)
    full = [setup]
    few, _ = queries(admin_client, url)
    for year in range(2024, 2030):
        setup = bloc_setup(
            year=year,
            names=[f"Xã A {year}", f"Xã B {year}", f"Xã C {year}"],
            outsider=False,
            bloc_name=f"Khối {year}",
            code_prefix=f"u{year}-",
        )
        full_year_small(setup)
        full.append(setup)
    many, html = queries(admin_client, url)
    assert many == few, (model, few, many)


def full_year_small(setup) -> None:
    sign_all(setup)
    for unit in setup["units"]:
        enter(setup, unit, [100, 86, 2])


def test_target_set_list_shows_the_result_of_each_set(admin_client):
    authority = factories.authority()
    from registry.models import Unit
    from registry.services.pledges import ResultEntry, target_results_enter, target_set_create

    town = Unit.objects.create(name="Thị xã Hồng Lĩnh")
    plan = target_set_create(
        kind="ke-hoach",
        title="Chỉ tiêu năm 2023 thị xã",
        year=2023,
        authority=authority,
        unit=town,
        targets=[
            {"text": "Thu ngân sách", "planned_value": 100},
            {"text": "Việc làm", "planned_value": 900},
        ],
    )
    t1, t2 = plan.targets.all()
    target_results_enter(
        target_set=plan,
        as_of=date(2023, 12, 31),
        entries=[
            ResultEntry(target=t1, achieved_value=150),
            ResultEntry(target=t2, achieved_value=800),
        ],
    )
    html = admin_client.get(reverse("admin:registry_targetset_changelist")).content.decode()
    assert "đạt 1/2 chỉ tiêu, vượt 1" in html
    page = admin_client.get(
        reverse("admin:registry_targetset_change", args=[plan.pk])
    ).content.decode()
    assert "đạt 1/2 chỉ tiêu, vượt 1" in page and "150/100" in page and "Không đạt" in page
    mid = admin_client.get(
        reverse("admin:registry_targetset_change", args=[plan.pk]) + "?den_ngay=30/06/2023"
    ).content.decode()
    assert "chưa có kết quả 2 chỉ tiêu" in mid


# ------------------------------------------------------------------------------- the pages


def test_movement_page_lists_its_awards_with_counts(admin_client):
    setup = bloc_setup()
    cat = factories.catalogue()
    decision = decision_create(
        authority=cat["authority"],
        number="5/QĐ-UBND",
        signed_date=date(2024, 1, 10),
        subject="Về việc tặng Giấy khen",
        signer_title="CHỦ TỊCH",
        signer_name="Hoàng Văn Thử",
        campaign=setup["campaign"],
    )
    for name in ("Xã Tân Mỹ", "Xã Hoàng Việt"):
        award_add(
            decision=decision,
            award_type=cat["giay_khen"],
            recipient=factories.collective(name),
            period_from=2023,
            period_to=2023,
        )
    award_add(
        decision=decision,
        award_type=cat["giay_khen"],
        recipient=factories.individual("Lăng Văn Hải", gender="nam"),
        period_from=2023,
        period_to=2023,
    )
    html = admin_client.get(reverse("admin:registry_campaign_changelist")).content.decode()
    row = re.search(r"<tr[^>]*>.*?Phong trào thi đua năm 2023.*?</tr>", html, re.S).group(0)
    assert re.search(r"field-decision_count[^>]*>1<", row)
    assert re.search(r"field-award_count[^>]*>3<", row)
    page = admin_client.get(
        reverse("admin:registry_campaign_change", args=[setup["campaign"].pk])
    ).content.decode()
    assert "<strong>3</strong> dòng khen thưởng" in page
    assert re.search(r"<td>Giấy khen</td><td>2</td><td>1</td><td>0</td><td>3</td>", page)
    assert "5/QĐ-UBND" in page and "Lăng Văn Hải" in page


def test_movement_form_refuses_a_review_outside_the_period(admin_client):
    authority = factories.authority()
    response = admin_client.post(
        reverse("admin:registry_campaign_add"),
        {
            "authority": authority.pk,
            "name": "Phong trào thử",
            "form": "thuong-xuyen",
            "start_date": "01/01/2023",
            "end_date": "31/12/2023",
            "midterm_review_date": "15/06/2024",
        },
    )
    assert response.status_code == 200
    assert (
        "Ngày sơ kết 15/06/2024 phải nằm trong thời gian của phong trào"
        in response.content.decode()
    )
    assert Campaign.objects.count() == 0


def test_bloc_page_shows_heads_and_deputies_of_past_years(admin_client):
    setup = bloc_setup(year=2023)
    from registry.models import BlocMembership

    u = setup["units"]
    BlocMembership.objects.create(bloc=setup["bloc"], year=2022, unit=u[2], role="truong")
    BlocMembership.objects.create(bloc=setup["bloc"], year=2022, unit=u[3], role="pho")
    html = admin_client.get(
        reverse("admin:registry_bloc_change", args=[setup["bloc"].pk])
    ).content.decode()
    rows = re.findall(
        r"<tr>\s*<td>(\d{4})</td><td>([^<]*)</td><td>([^<]*)</td><td>(\d+)</td>", html
    )
    assert rows == [
        ("2023", "Xã Tân Mỹ", "Xã Hoàng Việt", "4"),
        ("2022", "Thị trấn Na Sầm", "Xã Thụy Hùng", "2"),
    ]
    assert reverse("admin:registry_bloc_ranking", args=[setup["bloc"].pk, 2023]) in html


def test_ranking_page_and_the_button_that_drafts_the_decision(
    admin_client, django_assert_max_num_queries
):
    setup = bloc_setup()
    full_year(setup)
    url = reverse("admin:registry_bloc_ranking", args=[setup["bloc"].pk, 2023])
    count, html = queries(admin_client, url)
    assert count <= 15
    ranks = re.findall(r"<tr class=\"\">\s*<td>(\d+)</td><td>([^<]+)</td>", html)
    assert ranks == [
        ("1", "Xã Tân Mỹ"),
        ("2", "Thị trấn Na Sầm"),
        ("3", "Xã Thụy Hùng"),
        ("4", "Xã Hoàng Việt"),
    ]
    assert "bằng điểm thì đơn vị có nhiều chỉ tiêu vượt hơn xếp trên" in html
    province = setup["province"]
    assert f'<option value="{province.pk}" selected>' in html

    response = admin_client.post(
        url,
        {
            "authority": province.pk,
            "number": "",
            "signed_date": "10/01/2024",
            "signer_title": "CHỦ TỊCH",
            "signer_name": "Hồ Tiến Thiệu",
            "runners_up": "1",
        },
    )
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:registry_decision_change", args=[decision.pk])
    assert list(
        decision.awards.order_by("line_no").values_list("award_type__code", "recipient_name")
    ) == [
        ("co-thi-dua-tinh", "Xã Tân Mỹ"),
        ("bang-khen-tinh", "Thị trấn Na Sầm"),
    ]


def test_ranking_page_with_gaps_shows_them_and_refuses_the_draft(admin_client):
    setup = bloc_setup()
    sign_all(setup)
    enter(setup, setup["units"][0], [120, 90, None])
    url = reverse("admin:registry_bloc_ranking", args=[setup["bloc"].pk, 2023])
    html = admin_client.get(url).content.decode()
    assert "Bảng xếp hạng tạm: còn thiếu 10 kết quả" in html
    assert "Xã Tân Mỹ: chưa có kết quả chỉ tiêu số 3" in html
    response = admin_client.post(
        url,
        {"authority": setup["province"].pk, "signed_date": "10/01/2024", "signer_title": "CHỦ TỊCH",
         "signer_name": "A", "runners_up": "2"},
        follow=True,
    )  # fmt: skip
    assert "còn thiếu 10 kết quả nên chưa lập được dự thảo" in response.content.decode()
    assert Decision.objects.count() == 0 and Award.objects.count() == 0


def test_ranking_page_without_a_pledge_says_so(admin_client):
    setup = bloc_setup()
    url = reverse("admin:registry_bloc_ranking", args=[setup["bloc"].pk, 2019])
    assert "chưa có giao ước thi đua năm 2019" in admin_client.get(url).content.decode()


def pledge_formset(pledge, rows) -> dict:
    data = {
        "bloc": pledge.bloc_id,
        "authority": pledge.authority_id,
        "campaign": pledge.campaign_id or "",
        "year": pledge.year,
        "title": pledge.title,
        "ceremony_date": pledge.ceremony_date.strftime("%d/%m/%Y"),
        "place": pledge.place,
        "signatories-TOTAL_FORMS": len(rows),
        "signatories-INITIAL_FORMS": sum(1 for r in rows if r.get("id")),
        "signatories-MIN_NUM_FORMS": 0,
        "signatories-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                value = "on"
            if value is not False:
                data[f"signatories-{i}-{key}"] = value
        data[f"signatories-{i}-pledge"] = pledge.pk
    return data


def test_signing_in_the_pledge_page_and_a_unit_outside_the_bloc(admin_client):
    setup = bloc_setup()
    pledge = setup["pledge"]
    rows = [
        {"id": s.pk, "unit": s.unit_id, "signer_title": "Chủ tịch UBND", "signer_name": f"Người {i}",
         "signed": True, "signed_on": "17/01/2023"}
        for i, s in enumerate(pledge.signatories.all())
    ]  # fmt: skip
    bad = [*rows, {"unit": setup["other"].pk, "signer_name": "Người ngoài", "signed": True}]
    url = reverse("admin:registry_pledge_change", args=[pledge.pk])
    response = admin_client.post(url, pledge_formset(pledge, bad))
    assert response.status_code == 200
    assert (
        "Phòng Nội vụ không thuộc Khối thi đua các xã, thị trấn năm 2023"
        in response.content.decode()
    )
    assert PledgeSignatory.objects.filter(signed=True).count() == 0

    response = admin_client.post(url, pledge_formset(pledge, rows))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert PledgeSignatory.objects.filter(pledge=pledge, signed=True).count() == 4


def test_a_second_pledge_for_the_bloc_and_year_in_the_admin(admin_client):
    setup = bloc_setup()
    response = admin_client.post(
        reverse("admin:registry_pledge_add"),
        {
            "bloc": setup["bloc"].pk,
            "year": 2023,
            "title": "Giao ước thứ hai",
            "ceremony_date": "20/01/2023",
            "signatories-TOTAL_FORMS": 0,
            "signatories-INITIAL_FORMS": 0,
            "signatories-MIN_NUM_FORMS": 0,
            "signatories-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 200
    assert "đã có giao ước thi đua năm 2023" in response.content.decode()
    assert Pledge.objects.count() == 1


def test_pledge_pdf_from_the_admin(admin_client):
    setup = bloc_setup()
    html = admin_client.get(
        reverse("admin:registry_pledge_change", args=[setup["pledge"].pk])
    ).content.decode()
    pdf_url = reverse("admin:registry_pledge_pdf", args=[setup["pledge"].pk])
    assert pdf_url in html
    response = admin_client.get(pdf_url)
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_a_target_without_a_planned_value_in_the_admin(admin_client):
    setup = bloc_setup()
    target_set = setup["pledge"].target_set
    targets = list(target_set.targets.all())
    data = {
        "kind": "giao-uoc",
        "title": target_set.title,
        "year": 2023,
        "authority": target_set.authority_id,
        "pledge": target_set.pledge_id,
        "targets-TOTAL_FORMS": len(targets) + 1,
        "targets-INITIAL_FORMS": len(targets),
        "targets-MIN_NUM_FORMS": 0,
        "targets-MAX_NUM_FORMS": 1000,
    }
    for i, t in enumerate(targets):
        data.update({f"targets-{i}-id": t.pk, f"targets-{i}-target_set": target_set.pk,
                     f"targets-{i}-order": t.order, f"targets-{i}-text": t.text,
                     f"targets-{i}-measure": t.measure, f"targets-{i}-planned_value": str(t.planned_value)})  # fmt: skip
        if t.higher_is_better:
            data[f"targets-{i}-higher_is_better"] = "on"
    n = len(targets)
    data.update({f"targets-{n}-order": 4, f"targets-{n}-text": "Giải ngân vốn đầu tư công",
                 f"targets-{n}-target_set": target_set.pk})  # fmt: skip
    response = admin_client.post(
        reverse("admin:registry_targetset_change", args=[target_set.pk]), data
    )
    assert response.status_code == 200
    assert "Chưa có giá trị kế hoạch" in response.content.decode()
    assert Target.objects.count() == 3


def test_results_upload_page_reports_every_bad_cell_and_saves_nothing(admin_client):
    setup = bloc_setup()
    pledge_sign(
        pledge=setup["pledge"], signatures=[Signature(unit=setup["units"][0], signer_name="A")]
    )
    book = Workbook()
    book.active.title = "KQ"
    book.active.append(["STT", "Đơn vị", "Thực hiện"])
    book.active.append([1, "Xã Tân Mỹ", 120])
    book.active.append([2, "Xã Hoàng Việt", 90])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "kq.xlsx"
    url = reverse("admin:registry_targetset_import", args=[setup["pledge"].target_set.pk])
    response = admin_client.post(url, {"file": data, "as_of": "31/12/2023"})
    html = response.content.decode()
    assert "Trang «KQ», dòng 3, cột B (Đơn vị): Xã Hoàng Việt không ký giao ước" in html
    assert TargetResult.objects.count() == 0


def test_a_result_typed_by_hand_for_a_unit_that_did_not_sign(admin_client):
    setup = bloc_setup()
    target = setup["pledge"].target_set.targets.first()
    response = admin_client.post(
        reverse("admin:registry_targetresult_add"),
        {"target": target.pk, "unit": setup["units"][1].pk, "as_of": "31/12/2023",
         "achieved_value": "100", "grade": "", "note": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Xã Hoàng Việt không ký giao ước" in response.content.decode()
    assert TargetResult.objects.count() == 0


# --------------------------------------------------------------------------------- in a browser


def pick(page, select_id: str, typed: str, option_text: str) -> None:
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=option_text).first.click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_clerk_signs_the_pledge_and_sees_the_ranking(live_server, page):
    setup = bloc_setup(names=["Xã Tân Mỹ", "Xã Hoàng Việt", "Thị trấn Na Sầm"])
    groups_ensure()
    clerk = get_user_model().objects.create_user(
        "canbo", password="mat-khau-thu-nghiem", is_staff=True
    )
    clerk.groups.add(Group.objects.get(name=CLERK_GROUP))
    # The province's emulation office: the bloc is the district's (below it), and the draft
    # decision it proposes is the province's own.
    AuthorityMembership.objects.create(user=clerk, authority=setup["province"])

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "canbo")
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")

    pledge = setup["pledge"]
    page.goto(live_server.url + reverse("admin:registry_pledge_change", args=[pledge.pk]))
    # The three members are listed, in Vietnamese order, waiting to sign.
    for i in range(3):
        page.fill(f"#id_signatories-{i}-signer_title", "Chủ tịch UBND")
        page.fill(f"#id_signatories-{i}-signer_name", f"Người ký {i}")
        page.check(f"#id_signatories-{i}-signed")
        page.fill(f"#id_signatories-{i}-signed_on", "17/01/2023")
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    assert PledgeSignatory.objects.filter(pledge=pledge, signed=True).count() == 3

    # Year end: the results come in (typed elsewhere); the ranking is one click away.
    u = setup["units"]
    enter(setup, u[0], [120, 90, 2])
    enter(setup, u[1], [100, 86, 3])
    enter(setup, u[2], [100, 86, Decimal("2.5")])
    page.click("a.ranking-link")
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).inner_text().split("\t")[:2] == ["1", "Xã Tân Mỹ"]
    assert "Khối trưởng" in rows.nth(0).inner_text()
    assert "nhiều chỉ tiêu vượt hơn" in page.locator(".ranking-rule").inner_text()

    page.fill("#id_signer_name", "Hồ Tiến Thiệu")
    page.fill("#id_signed_date", "10/01/2024")
    page.click("input[name=propose]")
    page.locator(".messagelist .success").wait_for()
    assert "Đã lập dự thảo quyết định" in page.locator(".messagelist").inner_text()
    decision = Decision.objects.get()
    assert decision.status == "draft" and decision.authority == setup["province"]
    assert decision.awards.get(award_type__code="co-thi-dua-tinh").recipient_name == "Xã Tân Mỹ"
