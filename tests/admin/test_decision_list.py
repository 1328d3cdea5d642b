"""The decision list: line counts per decision and the award-type filter, per office."""

import re

import pytest
from django.urls import reverse

from registry.models import Authority, AwardPower, AwardType
from tests import factories
from tests.services.test_scope import two_offices

pytestmark = pytest.mark.django_db


def test_the_list_counts_each_decisions_lines_and_filters_by_the_offices_award_types(client):
    offices = two_offices()
    mine = factories.decision_with_lines("71/QĐ-UBND", collectives=1, individuals=1)
    # A second award type on the office's lines, so that the filter has a choice to offer.
    other = factories.award_type("giay-khen-so", name="Giấy khen của Giám đốc Sở")
    AwardPower.objects.create(chain="nha-nuoc", level="huyen", award_type=other)
    factories.award_add(
        decision=mine, award_type=other, recipient=factories.collective("Tập thể thứ hai"),
        period_from=2022, period_to=2022,
    )  # fmt: skip
    factories.draft_decision(number="72/QĐ-UBND", authority=offices["B"]["authority"])
    giay_khen = AwardType.objects.get(code="giay-khen")
    url = reverse("admin:registry_decision_changelist")
    option = f"awards__award_type__id__exact={giay_khen.pk}"

    client.force_login(offices["clerk"])
    page = client.get(url).content.decode()
    row = re.search(r"<tr>.*?71/QĐ-UBND.*?</tr>", page, re.S).group(0)
    assert re.search(r"field-award_count[^>]*>3<", row)
    assert option in page  # the office has Giấy khen lines: the filter offers it
    filtered = client.get(f"{url}?{option}").content.decode()
    assert "71/QĐ-UBND" in filtered
    by_count = client.get(f"{url}?o=6").content.decode()  # sorted by the line count
    assert "71/QĐ-UBND" in by_count

    client.force_login(offices["clerk_b"])
    page = client.get(url).content.decode()
    assert "72/QĐ-UBND" in page and "71/QĐ-UBND" not in page
    assert option not in page  # office B has no lines: no award type of office A's shows
    assert f"awards__award_type__id__exact={other.pk}" not in page
    assert mine.awards.count() == 3


def test_the_row_checkbox_is_djangos_markup_and_the_list_pages_by_fifty(admin_client):
    from django.contrib import admin
    from django.test.html import parse_html

    from registry.models import Decision

    for n in range(51):
        factories.draft_decision(number=f"{100 + n}/QĐ-UBND")
    decision = Decision.objects.get(number="150/QĐ-UBND")
    ours = admin.site._registry[Decision].action_checkbox(decision)
    djangos = admin.ModelAdmin.action_checkbox(admin.site._registry[Decision], decision)
    assert parse_html(ours) == parse_html(djangos)
    page = admin_client.get(reverse("admin:registry_decision_changelist")).content.decode()
    assert page.count('class="action-select"') == 50
    assert "51 quyết định khen thưởng" in page
    # Unfiltered, the list does not offer "Hiện tất cả" of what it already shows; searched, it
    # says how many it found without counting the whole table again.
    assert "kết quả (" not in page
    searched = admin_client.get(
        reverse("admin:registry_decision_changelist") + "?q=150"
    ).content.decode()
    assert re.search(r"1 kết quả \(<a [^>]*>Hiện tất cả</a>\)", searched)


def test_the_authority_filter_offers_the_users_own_offices(client, admin_client):
    offices = two_offices()
    a, b = offices["authority"], Authority.objects.get(code="honglinh-ubnd")
    below = factories.authority("xa-duoi", name="Chủ tịch UBND xã Dưới", level="xa", parent=a)
    factories.draft_decision(number="81/QĐ-UBND")
    factories.draft_decision(number="82/QĐ-UBND", authority=b)
    url = reverse("admin:registry_decision_changelist")

    def filter_links(page: str) -> set[int]:
        return {int(pk) for pk in re.findall(r"\?authority__id__exact=(\d+)", page)}

    client.force_login(offices["clerk"])
    # The office and the one below it; never another office's (and no filter at all with one).
    assert filter_links(client.get(url).content.decode()) == {a.pk, below.pk}
    assert filter_links(admin_client.get(url).content.decode()) >= {a.pk, b.pk, below.pk}
    chosen = admin_client.get(f"{url}?authority__id__exact={b.pk}").content.decode()
    assert "82/QĐ-UBND" in chosen and "81/QĐ-UBND" not in chosen
    assert f">{b.name}</a>" in admin_client.get(url).content.decode()  # named, not numbered


def test_the_filters_are_djangos_own_template_written_directly(client):
    """admin/filter.html writes each choice through filter_links: the markup of Django's own
    template, for every filter of the registry's lists, chosen or not."""
    from pathlib import Path

    import django
    from django.template import engines

    own = Path(django.__file__).parent / "contrib/admin/templates/admin/filter.html"
    theirs = engines["django"].from_string(own.read_text())
    ours = engines["django"].get_template("admin/filter.html")
    assert "filter_links" in ours.template.source  # the registry's own, not Django's
    offices = two_offices()
    factories.decision_with_lines("1/QĐ-UBND", collectives=1, individuals=2)
    compared = 0
    for user in (offices["clerk"], offices["administrator"]):
        client.force_login(user)
        for url, query in (
            (reverse("admin:registry_decision_changelist"), {}),
            (reverse("admin:registry_decision_changelist"), {"status__exact": "issued"}),
            (reverse("admin:registry_award_changelist"), {"loai_hinh__exact": "thuong-xuyen"}),
            (reverse("admin:registry_individual_changelist"), {}),
        ):
            response = client.get(url, query)
            cl = response.context["cl"]
            for spec in cl.filter_specs:
                context = {"title": spec.title, "choices": list(spec.choices(cl)), "spec": spec}
                expected = theirs.render(context)
                assert ours.render(context) == expected, spec
                assert expected in response.content.decode()
                compared += len(context["choices"])
    assert compared > 40


def test_the_year_filter_offers_the_years_of_the_users_decisions_newest_first(client):
    """On PostgreSQL the years are found by walking the date index (distinct_years); they are
    the years of the user's decisions, gaps left out, as Django's dates() gives them."""
    from datetime import date

    from registry.admin.base import YearFilter, distinct_years
    from registry.models import Decision
    from registry.selectors.scope import scoped

    offices = two_offices()
    a, b = offices["authority"], offices["B"]["authority"]
    for n, (authority, day) in enumerate(
        [
            (a, date(2016, 12, 31)),
            (a, date(2019, 1, 1)),
            (a, date(2019, 6, 3)),
            (b, date(2017, 5, 5)),
        ]
    ):
        factories.draft_decision(number=f"{n + 50}/QĐ-T", authority=authority, signed_date=day)
    for user in (offices["clerk"], offices["administrator"]):
        decisions = scoped(Decision.objects.all(), user, "authority")
        expected = [day.year for day in decisions.dates("signed_date", "year", order="DESC")]
        assert distinct_years(decisions, "signed_date") == expected
        client.force_login(user)
        response = client.get(reverse("admin:registry_decision_changelist"))
        (spec,) = [s for s in response.context["cl"].filter_specs if isinstance(s, YearFilter)]
        assert [int(value) for value, _ in spec.lookup_choices] == expected
        assert 2016 in expected and 2019 in expected and 2018 not in expected
        assert (2017 in expected) == (user == offices["administrator"])
