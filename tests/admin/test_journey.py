"""A clerk's first journey, in a real browser: record a decision, issue it, find it again."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from registry.models import Award, Collective, Decision
from registry.models.trust import AuthorityMembership
from registry.services.accounts import CLERK_GROUP, groups_ensure
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_records_issues_and_finds_a_decision(live_server, page):
    cat = factories.catalogue()
    factories.individual("Nguyễn Văn Hưởng", gender="nam", position="Chuyên viên")
    factories.collective("Đội văn nghệ xã Hoàng Việt", registered_by=cat["authority"])
    groups_ensure()
    clerk = get_user_model().objects.create_user(
        "canbo", password="mat-khau-thu-nghiem", is_staff=True
    )
    clerk.groups.add(Group.objects.get(name=CLERK_GROUP))
    AuthorityMembership.objects.create(user=clerk, authority=cat["authority"])  # the clerk's office

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "canbo")
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")

    page.goto(live_server.url + "/admin/registry/decision/add/")
    # The clerk's one office is chosen already; the date typed, the next free number of the
    # authority's year is suggested.
    page.fill("#id_signed_date", "10/01/2023")
    page.dispatch_event("#id_signed_date", "change")
    expect(page.locator("#id_number")).to_have_value("1/QĐ-UBND")
    page.fill("#id_number", "21/QĐ-UBND")
    page.fill("#id_subject", "Về việc tặng Giấy khen phong trào văn nghệ, thể thao")
    page.fill("#id_signer_title", "CHỦ TỊCH")
    page.fill("#id_signer_name", "Hoàng Văn Thử")

    # Line 1: a collective, found by typing without diacritics in the one recipient box.
    page.select_option("select[name='awards-0-recipient_kind']", "tap-the")
    page.fill("input[name='awards-0-recipient_label']", "doi van nghe")
    page.locator(".dp-results li", has_text="Đội văn nghệ xã Hoàng Việt").click()
    page.select_option("select[name='awards-0-award_type']", label="Giấy khen")
    page.fill("input[name='awards-0-period_from']", "2022")
    page.fill("input[name='awards-0-period_to']", "2022")

    # Line 2: an individual, the same way.
    page.fill("input[name='awards-1-recipient_label']", "nguyen van huong")
    page.locator(".dp-results li", has_text="Nguyễn Văn Hưởng").click()
    page.select_option("select[name='awards-1-award_type']", label="Giấy khen")
    page.fill("input[name='awards-1-period_from']", "2022")
    page.fill("input[name='awards-1-period_to']", "2022")
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()

    page.click("text=Ban hành quyết định")
    page.click("input[name=confirm]")
    assert "Đã ban hành quyết định 21/QĐ-UBND" in page.locator(".messagelist").inner_text()
    assert page.locator(".errornote", has_text="chỉ xem").count() == 1

    page.goto(live_server.url + "/admin/registry/decision/")
    page.fill("#searchbar", "van nghe the thao")
    with page.expect_navigation():
        page.press("#searchbar", "Enter")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "21/QĐ-UBND" in rows.first.inner_text()
    assert "Đã ban hành" in rows.first.inner_text()

    decision = Decision.objects.get(number="21/QĐ-UBND")
    assert decision.status == "issued" and decision.authority == cat["authority"]
    lines = Award.objects.filter(decision=decision).order_by("register_number")
    assert [a.recipient_name for a in lines] == ["Đội văn nghệ xã Hoàng Việt", "Nguyễn Văn Hưởng"]
    assert [a.register_number for a in lines] == [1, 2]
    assert (
        Collective.objects.get(name="Đội văn nghệ xã Hoàng Việt").registered_by == cat["authority"]
    )
