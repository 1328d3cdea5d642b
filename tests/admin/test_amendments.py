"""Amendments (đính chính) and recovery after a revocation, as a leader records them in the admin."""

from datetime import date

import pytest
from django.urls import reverse

from registry.admin import trust
from registry.models import Decision
from registry.models.trust import Amendment, Revocation
from registry.selectors.reports import LIST_FIELDS, annual_summary
from registry.services.decisions import decision_issue
from registry.services.revocations import awards_revoke
from tests import factories
from tests.services.test_scope import two_offices

pytestmark = pytest.mark.django_db

ADD = "admin:registry_amendment_add"
NEW_NAME = "Người Thử A Đúng Tên"


@pytest.fixture
def offices():
    return two_offices()


def amending(authority, number, signed_date=date(2023, 4, 1)):
    decision = factories.draft_decision(
        number=number, authority=authority, kind="dinh-chinh", signed_date=signed_date,
        subject="Về việc đính chính quyết định khen thưởng",
    )  # fmt: skip
    return decision_issue(decision=decision)


def post(client, award, by, changes=None):
    data = {
        "award": award.pk,
        "by": by.pk,
        "field": "recipient_name",
        "new_value": NEW_NAME,
        "reason": "Sai chính tả tên",
        **(changes or {}),
    }
    return client.post(reverse(ADD), data)


def test_a_leader_amends_a_line_and_the_reader_sees_the_amended_text(client, offices):
    a = offices["A"]
    award, leader = a["award"], offices["leader"]
    signed_name = award.recipient_name
    by = amending(a["authority"], "5/QĐ-A")
    client.force_login(leader)

    page = client.get(reverse(ADD), {"award": award.pk})
    assert page.status_code == 200
    assert "Ghi đính chính" in page.content.decode()
    assert "admin/js/autocomplete.js" in page.content.decode()  # the search box works
    assert str(award) in page.content.decode()  # the line chosen from its page
    assert list(page.context["form"].fields["by"].queryset) == [by]

    response = post(client, award, by)
    assert response.status_code == 302
    amendment = Amendment.objects.get(decision=by)
    assert (amendment.old_value, amendment.new_value, amendment.recorded_by) == (
        signed_name,
        NEW_NAME,
        leader,
    )
    award.refresh_from_db()
    assert award.recipient_name == signed_name  # the signed line is untouched

    verification = client.get(reverse("registry_verification", args=[award.verification_code]))
    assert NEW_NAME in verification.content.decode()
    rows = annual_summary(year=2022, authority=a["authority"]).awards()
    names = [dict(zip(LIST_FIELDS, row, strict=True))["recipient_name"] for row in rows]
    assert NEW_NAME in names and signed_name not in names

    # Recorded, listed, never changed or deleted.
    listed = client.get(reverse("admin:registry_amendment_changelist"))
    assert NEW_NAME in listed.content.decode()
    change = reverse("admin:registry_amendment_change", args=[amendment.pk])
    assert client.post(change, {"new_value": "Sửa lén", "reason": "x"}).status_code == 403
    delete = reverse("admin:registry_amendment_delete", args=[amendment.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    amendment.refresh_from_db()
    assert amendment.new_value == NEW_NAME


def test_refusals_show_on_the_form_in_vietnamese_and_record_nothing(client, offices):
    a, b = offices["A"], offices["B"]
    by = amending(a["authority"], "5/QĐ-A")
    too_early = amending(a["authority"], "4/QĐ-A", signed_date=date(2023, 1, 5))
    client.force_login(offices["leader"])
    before = Amendment.objects.count()
    refused = [
        ({"new_value": a["award"].recipient_name}, "giống nội dung hiện tại"),
        ({"by": too_early.pk}, "ký trước quyết định khen 2/QĐ-A"),
        ({"reason": "   "}, "Trường này là bắt buộc"),
        ({"award": b["award"].pk}, "Hãy chọn một lựa chọn hợp lệ"),  # another office's line
        ({"award": a["draft"].awards.get().pk}, "Hãy chọn một lựa chọn hợp lệ"),  # a draft
        ({"by": a["revocation_by"].pk}, "Hãy chọn một lựa chọn hợp lệ"),  # not an amendment
        ({"by": "x", "award": "y"}, "Hãy chọn một lựa chọn hợp lệ"),
    ]
    for fields, message in refused:
        response = post(client, a["award"], by, fields)
        assert response.status_code == 200, fields
        assert message in response.content.decode(), fields
    assert Amendment.objects.count() == before
    assert client.get(reverse(ADD), {"award": "không-phải-số"}).status_code == 200


def test_only_holders_of_the_revoke_permission_amend(client, offices):
    a = offices["A"]
    by = amending(a["authority"], "5/QĐ-A")
    changelist = reverse("admin:registry_amendment_changelist")
    client.force_login(offices["clerk"])
    assert client.get(reverse(ADD)).status_code == 403
    assert post(client, a["award"], by).status_code == 403
    assert reverse(ADD) not in client.get(changelist).content.decode()
    assert not Amendment.objects.filter(decision=by).exists()
    client.force_login(offices["leader"])
    assert reverse(ADD) in client.get(changelist).content.decode()


def test_the_award_search_offers_only_the_offices_lines(client, offices):
    client.force_login(offices["leader"])
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "registry", "model_name": "amendment", "field_name": "award", "term": ""},
    )
    assert response.status_code == 200
    found = {int(r["id"]) for r in response.json()["results"]}
    assert offices["A"]["award"].pk in found
    assert offices["B"]["award"].pk not in found


# ------------------------------------------------------------------------------- recovery


def recovery_of(offices):
    a = offices["A"]
    by = Decision.objects.get(pk=a["revocation_by"].pk)  # the fixture kept the draft instance
    awards_revoke(awards=[a["award"]], by=by, reason="gia-mao")
    revocation = Revocation.objects.select_related("award").get(award=a["award"])
    assert revocation.award.cash_amount  # known from the dated tables
    return revocation, reverse("admin:registry_revocation_change", args=[revocation.pk])


def recorded(revocation) -> tuple:
    revocation.refresh_from_db()
    return (
        revocation.certificate_recovered_on,
        revocation.cash_recovered,
        revocation.cash_recovered_on,
    )


def form(**fields):
    blank = {"certificate_recovered_on": "", "cash_recovered": "", "cash_recovered_on": ""}
    return {**blank, **fields, "_save": "Lưu"}


def test_recovery_from_the_admin_goes_through_the_service(client, offices, monkeypatch):
    revocation, url = recovery_of(offices)
    cash = revocation.award.cash_amount
    leader = offices["leader"]
    calls = []
    original = trust.revocation_record_recovery

    def spy(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(trust, "revocation_record_recovery", spy)
    client.force_login(leader)
    assert client.get(url).status_code == 200

    refused = [
        (form(cash_recovered="1000"), "Ghi ngày thu hồi tiền thưởng"),
        (form(cash_recovered_on="15/03/2023"), "Ghi số tiền thưởng đã thu hồi"),
        (form(certificate_recovered_on="01/02/2023"), "trước ngày ký quyết định hủy bỏ 3/QĐ-A"),
        (
            form(cash_recovered=str(cash + 1), cash_recovered_on="15/03/2023"),
            "lớn hơn tiền thưởng",
        ),
    ]
    for data, message in refused:
        response = client.post(url, data)
        assert response.status_code == 200, data
        assert message in response.content.decode(), data
    assert recorded(revocation) == (None, None, None)
    assert revocation.history.count() == 1 and calls == []

    response = client.post(
        url,
        form(
            certificate_recovered_on="10/03/2023",
            cash_recovered=str(cash),
            cash_recovered_on="15/03/2023",
        ),
    )
    assert response.status_code == 302
    assert recorded(revocation) == (date(2023, 3, 10), cash, date(2023, 3, 15))
    assert len(calls) == 1 and calls[0]["user"] == leader
    assert revocation.history.first().history_user == leader

    # A recorded recovery is corrected, not wiped out.
    response = client.post(url, form(cash_recovered=str(cash), cash_recovered_on="15/03/2023"))
    assert response.status_code == 200
    assert "không xóa được" in response.content.decode()
    assert recorded(revocation) == (date(2023, 3, 10), cash, date(2023, 3, 15))


def test_a_clerk_cannot_record_recovery(client, offices):
    revocation, url = recovery_of(offices)
    client.force_login(offices["clerk"])
    response = client.post(url, form(certificate_recovered_on="10/03/2023"))
    assert response.status_code == 403
    assert recorded(revocation) == (None, None, None)


def test_the_award_list_sends_one_chosen_line_to_the_amendment_page(client, offices):
    a = offices["A"]
    client.force_login(offices["leader"])
    changelist = reverse("admin:registry_award_changelist")
    response = client.post(
        changelist, {"action": "amend_selected", "_selected_action": [a["award"].pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse(ADD)}?award={a['award'].pk}"
    other = factories.decision_with_lines("77/QĐ-A", authority=a["authority"]).awards.first()
    response = client.post(
        changelist,
        {"action": "amend_selected", "_selected_action": [a["award"].pk, other.pk]},
        follow=True,
    )
    assert "Hãy chọn đúng một dòng để đính chính." in response.content.decode()
