"""The decision page at the admin's own addresses: duplicate numbers, prefilled header, types the
authority may give, an error summary linking to its lines, paged read-only issued decisions,
and the offices' scoping and roles."""

import re
from datetime import date

import pytest
from django.urls import reverse

from registry.models import Award, AwardType, Decision
from registry.services.awards import award_add
from registry.services.decisions import decision_issue
from tests import factories
from tests.services.test_scope import two_offices

pytestmark = pytest.mark.django_db

ADD = "admin:registry_decision_add"


def change_url(decision) -> str:
    return reverse("admin:registry_decision_change", args=[decision.pk])


def header(decision=None, **extra) -> dict:
    cat = factories.catalogue()
    data = {
        "authority": cat["authority"].pk,
        "kind": "khen-thuong",
        "number": decision.number if decision else "15/QĐ-UBND",
        "signed_date": "10/01/2023",
        "place": "Văn Lãng",
        "subject": "Về việc tặng Giấy khen",
        "loai_hinh": "thuong-xuyen",
        "signer_prefix": "",
        "signer_title": "CHỦ TỊCH",
        "signer_name": "Hoàng Văn Thử",
        "awards-TOTAL_FORMS": "0",
        "awards-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def lines(*rows, initial: int = 0) -> dict:
    """Award lines as the page posts them: the kind, then the recipient's id."""
    data = {"awards-TOTAL_FORMS": str(len(rows)), "awards-INITIAL_FORMS": str(initial)}
    for i, row in enumerate(rows):
        values = {"recipient_kind": "ca-nhan", "loai_hinh": "", "achievement": ""}
        values.update(row)
        data.update({f"awards-{i}-{k}": "" if v is None else v for k, v in values.items()})
    return data


def text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_duplicate_number_is_a_vietnamese_error_on_the_form_without_lines(admin_client):
    factories.draft_decision("15/QĐ-UBND")
    response = admin_client.post(reverse(ADD), header())
    assert response.status_code == 200
    page = text(response)
    assert "Số quyết định 15/QĐ-UBND đã dùng cho quyết định ngày 10/01/2023" in page
    assert "Hãy ghi số khác, ví dụ 16/QĐ-UBND" in page
    assert "Chưa lưu được: có 1 lỗi cần sửa." in page
    assert 'href="#id_number"' in response.content.decode()
    assert Decision.objects.count() == 1


def test_duplicate_number_with_lines_saves_nothing(admin_client):
    factories.draft_decision("15/QĐ-UBND")
    person = factories.individual()
    line = {"recipient": person.pk, "award_type": factories.award_type().pk}
    data = {**header(), **lines({**line, "period_from": "2022", "period_to": "2022"})}
    response = admin_client.post(reverse(ADD), data)
    assert response.status_code == 200
    assert "Số quyết định 15/QĐ-UBND đã dùng" in text(response)
    assert Decision.objects.count() == 1
    assert not Award.objects.exists()
    # The line typed stays on the page, to be saved once the number is changed.
    assert f'name="awards-0-recipient" value="{person.pk}"' in response.content.decode()

    response = admin_client.post(reverse(ADD), {**data, "number": "16/QĐ-UBND"})
    assert response.status_code == 302
    saved = Decision.objects.get(number="16/QĐ-UBND")
    assert saved.awards.get().recipient_name == "Nguyễn Văn Hưởng"


def test_duplicate_number_on_a_draft_already_saved_changes_nothing(admin_client):
    factories.draft_decision("15/QĐ-UBND")
    other = factories.decision_with_lines("16/QĐ-UBND")
    response = admin_client.post(change_url(other), header(other, number="15/QĐ-UBND"))
    assert response.status_code == 200
    assert "Số quyết định 15/QĐ-UBND đã dùng" in text(response)
    assert response.context["title"] == "Quyết định 16/QĐ-UBND ngày 10/01/2023"
    other.refresh_from_db()
    assert other.number == "16/QĐ-UBND"


def test_place_and_signer_are_prefilled_from_the_authority():
    offices = two_offices()
    authority = offices["authority"]
    factories.draft_decision(
        "3/QĐ-UBND",
        signed_date=date(2024, 5, 2),  # the latest decision of the office
        signer_prefix="KT.",
        signer_title="PHÓ CHỦ TỊCH",
        signer_name="Lý Thị Mai",
    )
    from django.test import Client

    client = Client()
    client.force_login(offices["clerk"])  # one office: it is chosen already
    form = client.get(reverse(ADD)).context["form"]
    assert form.initial["authority"] == authority.pk
    assert form.initial["place"] == "Văn Lãng"
    assert (form.initial["signer_prefix"], form.initial["signer_title"]) == ("KT.", "PHÓ CHỦ TỊCH")
    assert form.initial["signer_name"] == "Lý Thị Mai"
    html = client.get(reverse(ADD)).content.decode()
    assert 'value="Lý Thị Mai"' in html and 'value="Văn Lãng"' in html
    # The helper the page calls when the authority or date changes says the same.
    defaults = client.get(
        reverse("admin:registry_decision_next_number"),
        {"authority": authority.pk, "date": "10/01/2023"},
    ).json()
    assert defaults["number"]
    assert defaults["award_types"] == [[str(offices["giay_khen"].pk), "Giấy khen"]]
    assert {k: v for k, v in defaults.items() if k not in ("number", "award_types")} == {
        "place": "Văn Lãng",
        "signer_prefix": "KT.",
        "signer_title": "PHÓ CHỦ TỊCH",
        "signer_name": "Lý Thị Mai",
    }


def test_award_types_are_those_the_authority_may_give_on_the_date(admin_client):
    cat = factories.catalogue()
    decision = factories.draft_decision()
    response = admin_client.get(change_url(decision))
    offered = dict(response.context["type_choices"])
    assert offered == {str(cat["giay_khen"].pk): "Giấy khen"}
    html = response.content.decode()
    assert "Giấy khen</option>" in html
    assert "Bằng khen của Chủ tịch UBND tỉnh" not in html


def test_error_summary_links_to_the_failing_line(admin_client):
    cat = factories.catalogue()
    decision = factories.decision_with_lines("9/QĐ-UBND", collectives=0, individuals=1)
    saved = decision.awards.get()
    person = factories.individual("Trần Thị Bình")
    data = {
        **header(decision),
        **lines(
            {"id": saved.pk, "recipient": saved.individual_id, "award_type": saved.award_type_id,
             "loai_hinh": "thuong-xuyen", "period_from": "2022", "period_to": "2022",
             "recipient_label": "Người Thử 9/QĐ-UBND 0"},
            {"recipient": person.pk, "award_type": cat["bang_khen"].pk,
             "period_from": "2022", "period_to": "2022"},
            {"recipient": "", "award_type": cat["giay_khen"].pk, "period_from": "2022",
             "period_to": "2022"},
            initial=1,
        ),
    }  # fmt: skip
    response = admin_client.post(change_url(decision), data)
    assert response.status_code == 200
    html = response.content.decode()
    page = text(response)
    assert "Chưa lưu được: có 1 lỗi cần sửa." in page
    assert '<a href="#dong-moi-2">Dòng mới thứ 2</a>' in html
    # The third line lacks its recipient; the second (Bằng khen) is judged once that is fixed.
    data["awards-2-recipient"] = str(factories.individual("Lê Văn Cường").pk)
    response = admin_client.post(change_url(decision), data)
    html = response.content.decode()
    assert '<a href="#dong-moi-1">Dòng mới thứ 1</a>' in html
    line = re.search(r'<tbody class="dp-line has-errors" id="dong-moi-1">.*?</tbody>', html, re.S)
    assert "không có thẩm quyền tặng Bằng khen của Chủ tịch UBND tỉnh" in line.group()
    assert decision.awards.count() == 1  # nothing saved while a line is wrong

    data["awards-1-award_type"] = str(cat["giay_khen"].pk)
    response = admin_client.post(change_url(decision), {**data, "_continue": "1"})
    assert response.status_code == 302
    assert decision.awards.count() == 3


def test_a_lapsed_authority_is_said_once_at_the_top(admin_client):
    factories.catalogue()
    person = factories.individual()
    lapsed = factories.authority(
        "cu-ubnd", name="Chủ tịch UBND huyện Cũ", place_name="Cũ", valid_to=date(2020, 12, 31)
    )
    data = {
        **header(authority=lapsed.pk),
        **lines(*[{"recipient": person.pk, "award_type": factories.award_type().pk,
                   "period_from": "2022", "period_to": "2022"}] * 2),
    }  # fmt: skip
    page = text(admin_client.post(reverse(ADD), data))
    assert "Chưa lưu được" in page
    assert page.count("đã chấm dứt thẩm quyền khen thưởng từ ngày 01/01/2021") == 1
    assert "không có thẩm quyền" not in page
    assert not Decision.objects.exists()


def test_same_achievement_twice_is_refused_on_its_line(admin_client):
    earlier = factories.decision_with_lines("1/QĐ-UBND", collectives=0, individuals=1)
    person = earlier.awards.get().individual
    decision = factories.draft_decision("2/QĐ-UBND")
    data = {
        **header(decision),
        **lines({"recipient": person.pk, "award_type": factories.award_type().pk,
                 "period_from": "2022", "period_to": "2022"}),
    }  # fmt: skip
    response = admin_client.post(change_url(decision), data)
    html = response.content.decode()
    line = re.search(r'id="dong-moi-0">.*?</tbody>', html, re.S).group()
    assert "Một thành tích không khen hai lần" in line
    assert not decision.awards.exists()


def test_a_line_is_edited_and_deleted_through_the_page(admin_client):
    decision = factories.decision_with_lines("9/QĐ-UBND", collectives=1, individuals=1)
    first, second = decision.awards.order_by("line_no")
    rows = []
    for award in (first, second):
        kind = "tap-the" if award.collective_id else "ca-nhan"
        rows.append({"id": award.pk, "recipient_kind": kind,
                     "recipient": award.collective_id or award.individual_id,
                     "award_type": award.award_type_id, "loai_hinh": "thuong-xuyen",
                     "period_from": "2022", "period_to": "2022",
                     "recipient_label": "x"})  # fmt: skip
    rows[0]["achievement"] = "Dẫn đầu phong trào năm 2022"
    rows[1]["DELETE"] = "on"
    response = admin_client.post(
        change_url(decision), {**header(decision), **lines(*rows, initial=2)}
    )
    assert response.status_code == 302
    assert list(decision.awards.values_list("pk", "achievement")) == [
        (first.pk, "Dẫn đầu phong trào năm 2022")
    ]
    assert first.history.count() == 2
    assert Award.history.filter(id=second.pk, history_type="-").exists()


def test_issued_decision_is_read_only_paged_and_searchable(admin_client):
    decision = factories.decision_with_lines("9/QĐ-UBND", collectives=0, individuals=0)
    gk = factories.award_type()
    for i in range(60):
        award_add(
            decision=decision,
            award_type=gk,
            recipient=factories.individual(f"Người Số {i:02d}", gender="nam"),
            period_from=2022,
            period_to=2022,
        )
    decision_issue(decision=decision)
    response = admin_client.get(change_url(decision))
    html = response.content.decode()
    assert response.context["rows"].__len__() == 50
    assert "Dòng 1–50 trong 60" in text(response)
    assert 'name="_save"' not in html and "<textarea" not in html
    assert "chỉ xem, không sửa hoặc xóa được" in html
    second = admin_client.get(change_url(decision), {"p": 2})
    assert len(second.context["rows"]) == 10
    found = admin_client.get(change_url(decision), {"q": "nguoi so 07"})
    assert [r.award.recipient_name for r in found.context["rows"]] == ["Người Số 07"]
    # A forged POST changes nothing.
    post = admin_client.post(change_url(decision), header(decision, number="99/QĐ-UBND"))
    assert post.status_code == 403
    decision.refresh_from_db()
    assert decision.number == "9/QĐ-UBND" and decision.awards.count() == 60


def test_money_and_dates_are_written_the_vietnamese_way(admin_client):
    decision = factories.decision_with_lines("9/QĐ-UBND", collectives=0, individuals=1)
    decision_issue(decision=decision)
    page = text(admin_client.get(change_url(decision)))
    # 0.3 × 1.490.000 đ (the base salary on 10/01/2023), rounded up as the decree says
    assert decision.awards.get().cash_amount == 450_000
    assert "450.000 đ" in page and "450000" not in page
    assert "10/01/2023" in page


def test_another_offices_decision_is_not_found():
    from django.test import Client

    offices = two_offices()
    client = Client()
    client.force_login(offices["clerk"])
    other = offices["B"]["draft"]
    assert client.get(change_url(other)).status_code == 404
    assert client.post(change_url(other), header(other)).status_code == 404
    own = offices["A"]["draft"]
    assert client.get(change_url(own)).status_code == 200


def test_a_viewer_sees_but_cannot_save():
    from django.test import Client

    offices = two_offices()
    client = Client()
    client.force_login(offices["viewer"])
    draft = offices["A"]["draft"]
    response = client.get(change_url(draft))
    assert response.status_code == 200
    html = response.content.decode()
    assert draft.number in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert client.post(change_url(draft), header(draft, subject="Đổi")).status_code == 403
    draft.refresh_from_db()
    assert draft.subject != "Đổi"
    assert client.get(reverse(ADD)).status_code == 403


def test_recipient_search_is_folded_and_scoped():
    from django.test import Client

    offices = two_offices()
    client = Client()
    client.force_login(offices["clerk"])
    url = reverse("admin:registry_decision_recipients")
    own = offices["A"]["individual"]
    other = offices["B"]["individual"]
    words = own.search_key.split()[-1]
    found = client.get(url, {"kind": "ca-nhan", "q": words}).json()["results"]
    assert own.pk in [r["id"] for r in found]
    everyone = client.get(url, {"kind": "ca-nhan", "q": other.search_key}).json()["results"]
    assert other.pk not in [r["id"] for r in everyone]


def test_award_type_search_ignores_diacritics(admin_client):
    AwardType.objects.create(
        code="cstd-co-so", name="Chiến sĩ thi đua cơ sở", certificate_title="CSTĐCS",
        family="danh-hieu", level="co-so", for_individuals=True,
    )  # fmt: skip
    factories.award_type()
    url = reverse("admin:registry_awardtype_changelist")
    page = text(admin_client.get(url, {"q": "chien si thi dua co so"}))
    assert "Chiến sĩ thi đua cơ sở" in page
    assert "Giấy khen" not in page.split("Chiến sĩ thi đua cơ sở")[-1]


def test_a_big_draft_opens_with_a_bounded_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    decision = factories.decision_with_lines("9/QĐ-UBND", collectives=40, individuals=80)
    with django_assert_max_num_queries(40):
        response = admin_client.get(change_url(decision))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 50 + 2  # a page of lines and two empty ones
