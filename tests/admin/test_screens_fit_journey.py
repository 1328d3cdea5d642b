"""The import preview and the annual report fit the office laptop (1366x768) and speak Vietnamese;
the public verification page fits a phone (390 px). In Chromium, in the PostgreSQL pass."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from registry.models import Authority
from registry.models.trust import AuthorityMembership
from registry.services.accounts import CLERK_GROUP, groups_ensure
from registry.services.decisions import decision_issue
from registry.services.demo import demo_load
from tests import factories
from tests.data.books import TITLE_ROWS, xlsx

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PASSWORD = "mat-khau-thu-nghiem"
ENGLISH = re.compile(
    r"(?<!\w)(Show|View|Changed|Object|None|Please|Toggle|Skip|entries|Add|Delete|Save|Search"
    r"|History|Filter|Action|Go|Yes|No)(?!\w)"
)


def clerk():
    groups_ensure()
    user = get_user_model().objects.create_user("canbo", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=CLERK_GROUP))
    AuthorityMembership.objects.create(
        user=user, authority=Authority.objects.get(code="vanlang-ubnd")
    )
    return user


def open_as_clerk(browser, live_server, viewport=LAPTOP):
    context = browser.new_context(viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "canbo")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    return context, page


def assert_fits_and_vietnamese(page, width=1366):
    measure = page.evaluate(
        "() => ({width: document.documentElement.scrollWidth, text: document.body.innerText})"
    )
    assert measure["width"] <= width, f"{page.url} is {measure['width']} px wide"
    english = sorted({m.group(1) for m in ENGLISH.finditer(measure["text"])})
    assert not english, f"{page.url} shows English: {english}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_annual_report_fits_the_laptop(live_server, browser):
    demo_load()
    clerk()
    context, page = open_as_clerk(browser, live_server)
    try:
        page.goto(
            live_server.url
            + "/admin/registry/bao-cao-nam/?year=2022&authority=vanlang-ubnd&basis=achievement"
        )
        page.locator("#report-chart svg").wait_for()
        assert_fits_and_vietnamese(page)
        # The totals and the first table are open; the rest fold under their titles.
        assert "64.800.000 đ" in page.locator("#report-totals").inner_text()
        assert page.evaluate("() => document.documentElement.scrollHeight") < 2500
        units = page.locator("details.report-part", has_text="theo đơn vị của đối tượng")
        assert not units.locator("table").is_visible()
        units.locator("summary").click()
        assert units.locator("table").is_visible()
        # Every table open: still no sideways scroll, and each table fits its box.
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        assert_fits_and_vietnamese(page)
        boxes = page.evaluate(
            "() => [...document.querySelectorAll('.report-box')]"
            ".map(b => b.scrollWidth - b.clientWidth)"
        )
        assert boxes and max(boxes) <= 1
        headers = page.locator("details.report-part").first.locator("thead").inner_text()
        assert "NĂM 2021" in headers.upper() and "NĂM 2021: " not in headers.upper()
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_import_preview_fits_and_shows_the_doubts(live_server, browser, tmp_path):
    decision = factories.draft_decision()
    factories.award_type()
    clerk()
    path = tmp_path / "ds.xlsx"
    header = [
        "STT",
        "Họ và tên",
        "Giới tính",
        "Ngày sinh",
        "Chức vụ, đơn vị công tác",
        "Thành tích",
    ]
    path.write_bytes(
        xlsx(
            [
                *TITLE_ROWS,
                header,
                [1, "Bà Nguyễn Thị A", "Nam", "12/03/1986", "Kế toán, Phòng Tài chính", None],
                [2, "Ông Lò Văn B", "Nam", 1975, "Chuyên viên, Phòng Nội vụ", "Xuất sắc năm 2022"],
            ]
        )
    )
    context, page = open_as_clerk(browser, live_server)
    try:
        page.goto(
            live_server.url
            + f"/admin/registry/importbatch/upload/danh-sach/?decision={decision.pk}"
        )
        page.set_input_files("input[name=file]", str(path))
        page.select_option("select[name=award_type]", label="Giấy khen")
        page.click("input[name=upload]")
        page.locator("#import-lines").wait_for()
        lines = page.locator("#import-lines").inner_text()
        assert "12/03/1986" in lines and "1986-03-12" not in lines
        assert "Xuất sắc năm 2022" in lines
        doubts = page.locator("#import-notices").inner_text()
        assert "Dòng 8, cột C: Danh xưng “Bà”" in doubts
        assert "Dòng 8, cột F: Ô thành tích để trống" in doubts
        assert page.locator("input[name=confirm]").is_visible()  # a warning, not a block
        assert_fits_and_vietnamese(page)
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_verification_page_fits_a_phone(live_server, browser):
    decision = factories.decision_with_lines(collectives=0, individuals=1)
    decision_issue(decision=decision)
    code = decision.awards.get().verification_code
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + f"/xac-thuc/{code}/")
        assert "Giấy khen hợp lệ" in page.locator("body").inner_text()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the verification page is {width} px wide on a 390 px phone"
        box = page.locator("dd.code").bounding_box()
        assert box["x"] + box["width"] <= 390
        # A code typed with garbage after it must not widen the page either.
        page.goto(live_server.url + "/xac-thuc/" + "X" * 200 + "/")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
