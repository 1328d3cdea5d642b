"""In a real browser: a clerk of Văn Lãng types the address of a Hồng Lĩnh decision and is told
it does not exist; the list shows only Văn Lãng's decisions."""

import pytest
from django.urls import reverse

from tests.services.test_scope import PASSWORD, two_offices

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_cannot_open_another_offices_decision(live_server, page):
    offices = two_offices()
    own, other = offices["A"]["draft"], offices["B"]["draft"]

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "canbo.a")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")

    response = page.goto(
        live_server.url + reverse("admin:registry_decision_change", args=[other.pk])
    )
    assert response.status == 404
    assert "không tồn tại" in page.locator(".errornote").inner_text()
    assert other.subject not in page.content()

    # The issue page of it is not found either.
    response = page.goto(
        live_server.url + reverse("admin:registry_decision_issue", args=[other.pk])
    )
    assert response.status == 404

    page.goto(live_server.url + reverse("admin:registry_decision_changelist"))
    rows = page.locator("#result_list tbody").inner_text()
    assert own.number in rows and other.number not in rows
    assert offices["B"]["issued"].number not in rows

    # The autocomplete of the decision form offers the clerk's own office only.
    page.goto(live_server.url + reverse("admin:registry_decision_add"))
    page.click("#id_authority + .select2 .select2-selection")
    page.locator(".select2-container--open .select2-search__field").fill("Chủ tịch UBND")
    page.locator(".select2-results__option", has_text="Văn Lãng").wait_for()
    page.locator(".select2-results__option.loading-results").wait_for(state="detached")
    texts = page.locator(".select2-results__option").all_inner_texts()
    assert texts == [offices["A"]["authority"].name]  # not Hồng Lĩnh's
