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


def pick(page, select_id: str, typed: str, option_text: str) -> None:
    """Choose in an autocomplete (select2) box by typing, as a clerk does."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=option_text).first.click()


def test_clerk_records_issues_and_finds_a_decision(live_server, page):
    cat = factories.catalogue()
    factories.individual("Nguyễn Văn Hưởng", gender="nam", position="Chuyên viên")
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
    page.fill("#id_signed_date", "10/01/2023")
    pick(page, "id_authority", "van lang", "Văn Lãng")
    # The form suggests the next free number of the authority's year.
    expect(page.locator("#id_number")).to_have_value("1/QĐ-UBND")
    page.fill("#id_number", "21/QĐ-UBND")
    page.fill("#id_signed_date", "10/01/2023")
    page.fill("#id_subject", "Về việc tặng Giấy khen phong trào văn nghệ, thể thao")
    page.fill("#id_signer_title", "CHỦ TỊCH")
    page.fill("#id_signer_name", "Hoàng Văn Thử")

    # Line 1: a collective that is not in the registry yet, added without leaving the page.
    pick(page, "id_awards-0-award_type", "giay", "Giấy khen")
    with page.expect_popup() as popup_info:
        page.click("#add_id_awards-0-collective")
    popup = popup_info.value
    popup.fill("#id_name", "Đội văn nghệ xã Hoàng Việt")
    pick(popup, "id_registered_by", "van lang", "Văn Lãng")
    popup.click("input[name=_save]")
    popup.wait_for_event("close")
    assert "Đội văn nghệ xã Hoàng Việt" in page.locator("#id_awards-0-collective").inner_text()
    page.fill("#id_awards-0-period_from", "2022")
    page.fill("#id_awards-0-period_to", "2022")

    # Line 2: an individual found by typing without diacritics.
    page.locator(".add-row a").first.click()
    pick(page, "id_awards-1-award_type", "giay", "Giấy khen")
    pick(page, "id_awards-1-individual", "nguyen van huong", "Nguyễn Văn Hưởng")
    page.fill("#id_awards-1-period_from", "2022")
    page.fill("#id_awards-1-period_to", "2022")
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
