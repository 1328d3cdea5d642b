"""A record's histories on its page (HistoryTablesMixin) are Django's tabular inlines, cell for
cell, for whoever reads them, without the inline's forms; the record still saves."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.admin.history import history_table
from registry.admin.people import AwardHistoryInline, RatingHistoryInline
from registry.models import Rating, Unit
from registry.services.awards import award_add
from registry.services.decisions import decision_issue
from tests import factories
from tests.services.test_scope import two_offices

pytestmark = pytest.mark.django_db


def django_inline(inline, request, parent) -> str:
    """Django's own: the inline's formset through edit_inline/tabular.html."""
    formset_class = inline.get_formset(request, parent)
    formset = formset_class(
        instance=parent,
        prefix=formset_class.get_default_prefix(),
        queryset=inline.get_queryset(request),
    )
    wrapped = helpers.InlineAdminFormSet(
        inline,
        formset,
        list(inline.get_fieldsets(request, parent)),
        {},
        inline.get_readonly_fields(request, parent),
        model_admin=admin.site._registry[type(parent)],
        has_add_permission=False,
        has_change_permission=False,
        has_delete_permission=False,
        has_view_permission=True,
    )
    return render_to_string(inline.template, {"inline_admin_formset": wrapped}, request)


def cells(html: str):
    """The headings, and each row's cells, inputs left out and spaces next to tags dropped."""
    html = re.sub(r"\s+", " ", re.sub(r"<input[^>]*>", "", html))
    html = re.sub(r"\s*(<|>)\s*", lambda m: m.group(1), html)
    heads = re.findall(r'<th class="(column-[^"]*)">(.*?)</th>', html)
    rows = re.findall(r'<tr class="form-row has_original" id="([^"]*)">(.*?)</tr>', html)
    found = [
        (row_id, re.findall(r'<td class="(original|field-[^"]*|delete)">(.*?)</td>', row))
        for row_id, row in rows
    ]
    heading = re.findall(r'<h2 id="([^"]*)" class="inline-heading">(.*?)</h2>', html)
    return heading, heads, found


def test_the_histories_are_djangos_inline_cells(offices_with_history):
    offices = offices_with_history
    person, group = offices["A"]["individual"], offices["A"]["collective"]
    household = offices["A"]["household"]
    checked = 0
    for user in (offices["clerk"], offices["clerk_b"], offices["administrator"]):
        request = RequestFactory().get("/")
        request.user = user
        for inline_class, parent in (
            (AwardHistoryInline, person),
            (RatingHistoryInline, person),
            (AwardHistoryInline, group),
            (AwardHistoryInline, household),
        ):
            inline = inline_class(type(parent), admin.site)
            ours, theirs = (
                history_table(inline, request, parent),
                django_inline(inline, request, parent),
            )
            assert cells(ours) == cells(theirs), (user, inline_class, parent)
            checked += len(cells(ours)[2])
    assert checked >= 10  # rows, not only headings, were compared


def test_the_page_shows_them_with_no_inline_forms_and_the_record_saves(
    client, offices_with_history
):
    offices = offices_with_history
    person = offices["A"]["individual"]
    client.force_login(offices["clerk"])
    url = reverse("admin:registry_individual_change", args=[person.pk])
    html = client.get(url).content.decode()
    assert "Quá trình khen thưởng" in html and "Xếp loại hằng năm" in html
    assert "TOTAL_FORMS" not in html  # no formset to send back
    # Draft lines of another office are not the clerk's to read (the inline's own queryset).
    assert offices["B"]["other_draft"].number not in html
    data = {
        "full_name": "Người Thử A (đã sửa)",
        "gender": person.gender,
        "birth_year": "1980",
        "position": "",
        "workplace": "",
        "citizen_id": person.citizen_id,
        "category": person.category,
        "registered_by": person.registered_by_id,
        "note": "",
        "_save": "Lưu",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.full_name == "Người Thử A (đã sửa)"


def test_the_page_reads_no_more_for_more_history(client, offices_with_history):
    """The histories read only the columns they show (.only()): a column shown but not read
    would cost one query a row. So the page's count must not grow with the rows."""
    offices = offices_with_history
    person = offices["A"]["individual"]
    url = reverse("admin:registry_individual_change", args=[person.pk])

    def counts() -> list[int]:
        found = []
        for user in (offices["clerk"], offices["administrator"]):
            client.force_login(user)
            client.get(url)  # the per-process caches (rules, site) warm up first
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    award_type = offices["A"]["award"].award_type
    for year in (2015, 2016, 2017, 2018):
        other = factories.authority(f"xa-thu-{year}", name=f"Chủ tịch UBND xã Thử {year}")
        decision = factories.draft_decision(number=f"{year}/QĐ-THU", authority=other)
        award_add(
            decision=decision,
            award_type=award_type,
            recipient=person,
            period_from=year,
            period_to=year,
        )
        decision_issue(decision=decision)
        unit = Unit.objects.create(name=f"Đơn vị thử {year}", code=f"dv-thu-{year}")
        Rating.objects.create(
            individual=person, year=year, grade="HTTNV", unit=unit, rated_by=other
        )
    html = client.get(url).content.decode()
    assert "2018/QĐ-THU" in html and "Đơn vị thử 2018" in html  # the new rows are shown
    assert counts() == before


@pytest.fixture
def offices_with_history():
    offices = two_offices()
    a, b = offices["A"], offices["B"]
    person = a["individual"]
    unit = Unit.objects.create(name="Trường THCS Thử", code="thcs-thu")
    Rating.objects.create(
        individual=person, year=2023, grade="HTTNV", unit=unit, rated_by=offices["authority"]
    )
    # A draft of office B with a line for A's person: B's clerk reads it, A's does not.
    draft = factories.draft_decision(
        number="9/QĐ-B", authority=b["authority"], subject="Dự thảo khác của B"
    )
    award_add(
        decision=draft,
        award_type=a["award"].award_type,
        recipient=person,
        period_from=2021,
        period_to=2021,
    )
    offices["B"]["other_draft"] = draft
    return offices
