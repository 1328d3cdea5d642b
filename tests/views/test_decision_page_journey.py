"""A clerk records a decision on the decision page in Chromium at 1366x768: two lines found by
typing without diacritics, an error summary that leads to the failing line, the fix, the save."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from registry.models import Decision
from registry.models.trust import AuthorityMembership
from registry.services.accounts import CLERK_GROUP, groups_ensure
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH = re.compile(
    r"\b(Show|View|Changed|Object|None|Please|Toggle|Skip|entries|Add|Delete|Save|Search|"
    r"History|Filter|Action|Go|Yes|No)\b"
)


@pytest.fixture
def wide_page(browser):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def looks_right(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    words = ENGLISH.findall(page.inner_text("#content"))
    assert not words, words


def pick(page, index: int, kind: str, typed: str, name: str) -> None:
    page.select_option(f"select[name='awards-{index}-recipient_kind']", kind)
    page.fill(f"input[name='awards-{index}-recipient_label']", typed)
    page.locator(".dp-results li", has_text=name).first.click()
    assert page.input_value(f"input[name='awards-{index}-recipient']")


def test_clerk_records_a_decision_with_lines_and_fixes_an_error(live_server, wide_page):
    page = wide_page
    cat = factories.catalogue()
    authority = cat["authority"]
    factories.individual("Nguyễn Văn Hưởng", gender="nam", position="Chuyên viên")
    factories.collective("Đội văn nghệ xã Hoàng Việt")
    groups_ensure()
    clerk = get_user_model().objects.create_user(
        "canbo", password="mat-khau-thu-nghiem", is_staff=True
    )
    clerk.groups.add(Group.objects.get(name=CLERK_GROUP))
    AuthorityMembership.objects.create(user=clerk, authority=authority)
    year = date.today().year

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "canbo")
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")

    page.goto(live_server.url + "/admin/registry/decision/add/")
    # The clerk's one office is chosen; its place and next number are there already.
    assert page.input_value("#id_place") == "Văn Lãng"
    expect(page.locator("#id_number")).to_have_value("1/QĐ-UBND")
    # Only what the authority may give is offered.
    options = page.locator("select[name='awards-0-award_type'] option").all_inner_texts()
    assert "Giấy khen" in options
    assert not any("Bằng khen" in o for o in options)
    looks_right(page)

    page.fill("#id_subject", "Về việc tặng Giấy khen phong trào văn nghệ, thể thao")
    page.fill("#id_signer_title", "CHỦ TỊCH")
    page.fill("#id_signer_name", "Hoàng Văn Thử")
    pick(page, 0, "tap-the", "doi van nghe", "Đội văn nghệ xã Hoàng Việt")
    page.select_option("select[name='awards-0-award_type']", label="Giấy khen")
    page.fill("input[name='awards-0-period_from']", str(year - 1))
    page.fill("input[name='awards-0-period_to']", str(year - 1))
    pick(page, 1, "ca-nhan", "nguyen van huong", "Nguyễn Văn Hưởng")
    page.select_option("select[name='awards-1-award_type']", label="Giấy khen")
    page.fill("input[name='awards-1-period_from']", str(year - 1))
    page.fill("input[name='awards-1-period_to']", str(year + 1))  # a slip: a year ahead
    page.click("input[name=_continue]")

    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "Chưa lưu được: có 1 lỗi cần sửa." in summary.inner_text()
    assert "không khen trước thành tích" in summary.inner_text()
    assert not Decision.objects.exists()  # nothing saved, not even the header
    looks_right(page)
    summary.locator("a", has_text="Dòng mới thứ 2").click()
    assert page.url.endswith("#dong-moi-1")
    line = page.locator("#dong-moi-1")
    assert "không khen trước thành tích" in line.inner_text()
    assert line.locator("input[name='awards-1-period_to']").is_visible()

    line.locator("input[name='awards-1-period_to']").fill(str(year - 1))
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    assert "Đã thêm quyết định 1/QĐ-UBND" in page.inner_text(".messagelist")
    decision = Decision.objects.get()
    assert sorted(decision.awards.values_list("recipient_name", flat=True)) == [
        "Nguyễn Văn Hưởng",
        "Đội văn nghệ xã Hoàng Việt",
    ]
    assert decision.place == "Văn Lãng"
    assert page.locator("tbody.dp-line").count() == 2 + 2  # two lines, two empty ones
    looks_right(page)


def test_the_lines_offer_the_types_of_the_authority_chosen(live_server, wide_page):
    page = wide_page
    factories.catalogue()
    factories.authority(
        "hatinh-ubnd", name="Chủ tịch UBND tỉnh Hà Tĩnh", level="tinh", place_name="Hà Tĩnh"
    )
    get_user_model().objects.create_superuser("quantri", password="mat-khau-thu-nghiem")
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "quantri")
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")

    page.goto(live_server.url + "/admin/registry/decision/add/")
    types = page.locator("select[name='awards-0-award_type'] option")
    assert types.all_inner_texts() == ["—"]  # no authority yet: nothing to offer

    def choose(typed: str, name: str) -> None:
        page.click("#id_authority + .select2 .select2-selection")
        page.locator(".select2-container--open .select2-search__field").fill(typed)
        page.locator(".select2-results__option", has_text=name).first.click()

    choose("ha tinh", "Hà Tĩnh")
    expect(types).to_have_count(2)
    assert types.all_inner_texts() == ["—", "Bằng khen của Chủ tịch UBND tỉnh"]
    assert page.input_value("#id_place") == "Hà Tĩnh"
    choose("van lang", "Văn Lãng")
    expect(page.locator("select[name='awards-1-award_type']")).to_contain_text("Giấy khen")
    assert types.all_inner_texts() == ["—", "Giấy khen"]
    assert page.input_value("#id_place") == "Văn Lãng"  # the suggestion follows the authority
    looks_right(page)
