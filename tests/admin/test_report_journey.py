"""The annual report page: a clerk chooses the year and the authority, sees the figures and the
chart, and downloads the Excel file (in a real browser in the PostgreSQL pass)."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from registry.models import Authority
from registry.models.trust import AuthorityMembership
from registry.services.accounts import CLERK_GROUP, groups_ensure
from registry.services.demo import demo_load

PASSWORD = "mat-khau-thu-nghiem"


def clerk():
    groups_ensure()
    user = get_user_model().objects.create_user("canbo", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=CLERK_GROUP))
    # The clerk reports for the offices they belong to (the district's people's committee and
    # its Party committee); other offices are out of their sight.
    for code in ("vanlang-ubnd", "vanlang-hu"):
        AuthorityMembership.objects.create(user=user, authority=Authority.objects.get(code=code))
    return user


def overview_total(content: bytes) -> tuple:
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = list(book["Tổng hợp"].iter_rows(values_only=True))
    return next(row for row in rows if row[0] == "Tổng cộng")


@pytest.mark.django_db
def test_report_page_downloads_and_permissions(client):
    demo_load()
    url = reverse("admin:registry_annual_report")
    client.force_login(clerk())
    index = client.get(reverse("admin:index"))
    assert url in index.content.decode()
    page = client.get(url, {"year": 2022, "authority": "vanlang-ubnd", "basis": "achievement"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Giấy khen" in html
    assert "Năm thành tích" in html
    xlsx = client.get(
        url, {"year": 2022, "authority": "vanlang-ubnd", "basis": "achievement", "format": "xlsx"}
    )
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert overview_total(b"".join(xlsx.streaming_content))[1:3] == (41, 62)
    pdf = client.get(
        url, {"year": 2022, "authority": "vanlang-hu", "basis": "decision", "format": "pdf"}
    )
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    bad = client.get(url, {"year": 12, "basis": "achievement"})
    assert bad.status_code == 200 and 'id="report-chart"' not in bad.content.decode()
    assert "errorlist" in bad.content.decode()

    nobody = get_user_model().objects.create_user("khach", password=PASSWORD, is_staff=True)
    client.force_login(nobody)
    assert client.get(url, {"year": 2022, "basis": "achievement"}).status_code == 403
    assert url not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clerk_sees_the_chart_and_downloads_excel(live_server, page):
    demo_load()
    clerk()
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "canbo")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")

    page.click("text=Báo cáo khen thưởng hằng năm")
    page.fill("#id_year", "2022")
    page.select_option("#id_authority", "vanlang-ubnd")
    page.check("#id_basis_0")
    page.click("input[type=submit][value='Xem báo cáo']")
    chart = page.locator("#report-chart svg")
    chart.wait_for()
    assert chart.is_visible()
    assert "Giấy khen" in chart.text_content()
    assert "Năm 2022" in chart.text_content()
    totals = page.locator("#report-totals").inner_text()
    assert "41" in totals and "62" in totals

    with page.expect_download() as download_info:
        page.click("#download-xlsx")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    content = Path(download.path()).read_bytes()
    assert overview_total(content)[1:3] == (41, 62)
