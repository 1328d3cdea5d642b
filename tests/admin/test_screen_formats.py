"""Screens write numbers as a Vietnamese reader does: money 1.410.000 đ, dates dd/mm/yyyy, a
bloc's scale +10 / +2 / −2,5 (never +10.00 or −0.00), and a count is labelled as a count."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from registry.models import Bloc, Campaign
from registry.templatetags.vi_format import money_vnd, number_vi, points
from tests import factories


def test_the_shared_formatters():
    assert money_vnd(1_410_000) == "1.410.000 đ"
    assert money_vnd(0) == "0 đ"
    assert money_vnd(None) == "chưa xác định"
    assert number_vi(Decimal("10.00")) == "10"
    assert number_vi(Decimal("-2.50")) == "−2,5"
    assert number_vi(Decimal("-0.00")) == "0"
    assert points(Decimal("10.00")) == "+10"
    assert points(Decimal("2.50"), "-") == "−2,5"
    assert points(Decimal("0.00"), "-") == "0"
    assert points(Decimal("-0.00")) == "0"


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("quantri", password="x"))
    return client


@pytest.mark.django_db
def test_bloc_scale_and_campaign_counts(admin_client):
    authority = factories.authority()
    Bloc.objects.create(authority=authority, name="Khối A", points_missed=Decimal("0"))
    Bloc.objects.create(
        authority=authority,
        name="Khối B",
        points_met=Decimal("10"),
        points_exceeded=Decimal("1.5"),
        points_missed=Decimal("2.5"),
    )
    html = admin_client.get(reverse("admin:registry_bloc_changelist")).content.decode()
    assert "+10 / +2 / 0" in html
    assert "+10 / +1,5 / −2,5" in html
    assert "10.00" not in html and "−0" not in html

    Campaign.objects.create(
        authority=authority, name="Phong trào thi đua Dân vận khéo", start_date=date(2023, 2, 1)
    )
    html = admin_client.get(reverse("admin:registry_campaign_changelist")).content.decode()
    assert "Số lượng quyết định" in html
    assert "01/02/2023" in html and "2023-02-01" not in html


@pytest.mark.django_db
def test_money_in_lists(admin_client):
    factories.catalogue()
    html = admin_client.get(reverse("admin:registry_basesalary_changelist")).content.decode()
    assert "1.490.000 đ" in html and "1.800.000 đ" in html
    assert "1490000" not in html and "1800000" not in html
    assert "01/07/2019" in html


@pytest.mark.django_db
def test_the_report_page_groups_its_headers_and_folds_its_tables(admin_client):
    from registry.services.demo import demo_load

    demo_load()
    html = admin_client.get(
        reverse("admin:registry_annual_report"),
        {"year": 2022, "authority": "vanlang-ubnd", "basis": "achievement"},
    ).content.decode()
    assert html.count('<details class="report-part"') == 8
    assert html.count('<details class="report-part" open>') == 1  # the overview; others folded
    assert '<th colspan="4" class="group">Năm 2021</th>' in html
    assert "Năm 2021: tập thể" not in html  # the group says the year once
    assert "64.800.000 đ" in html and "64800000" not in html


@pytest.mark.django_db
def test_the_report_tables_rows_are_the_templates_own(admin_client):
    """report_rows writes each table's body as the template's loop did, cell for cell."""
    from django.template import engines

    from registry.services.demo import demo_load

    loop = engines["django"].from_string(
        '{% for row in rows %}\n<tr class="{% if row.strong %}strong{% endif %}">'
        '{% for cell in row.cells %}<td{% if not forloop.first %} class="n"{% endif %}>{{ cell }}'
        "</td>{% endfor %}</tr>{% empty %}<tr><td>Không có số liệu.</td></tr>{% endfor %}"
    )
    demo_load()
    response = admin_client.get(
        reverse("admin:registry_annual_report"),
        {"year": 2022, "authority": "vanlang-ubnd", "basis": "achievement"},
    )
    html = response.content.decode()
    tables = response.context["tables"]
    rows = 0
    for item in [*tables, {"rows": []}]:
        expected = loop.render({"rows": item["rows"]}).strip()
        assert expected.replace("\n", "") in html.replace("\n", "") or not item["rows"]
        rows += len(item["rows"])
    assert rows > 20 and 'class="strong"' in html and "<td>Không có" not in html
