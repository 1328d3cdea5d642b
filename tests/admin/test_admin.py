"""The clerk's admin: lists with bounded queries, folded search, Vietnamese order, the decision page."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import Award, Decision, Individual
from registry.services.decisions import decision_issue
from tests import factories

pytestmark = pytest.mark.django_db

NAMES_IN_ORDER = [
    "Đỗ Văn An",
    "Lê Anh",
    "Vũ Thị Ăn",
    "Phạm Ân",
    "Bùi Dũng",
    "Hồ Đức",
    "Lê Hà",
    "Trần Thị Hà",
    "Lê Hả",
    "Lê Hạ",
    "Nguyễn Văn Hưởng",
]


def changelist_queries(client, model) -> int:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_database_sorts_people_the_vietnamese_way():
    for name in reversed(NAMES_IN_ORDER):
        factories.individual(name)
    assert list(Individual.objects.values_list("full_name", flat=True)) == NAMES_IN_ORDER


def test_people_changelist_is_in_vietnamese_order(admin_client):
    for name in reversed(NAMES_IN_ORDER):
        factories.individual(name)
    html = admin_client.get(reverse("admin:registry_individual_changelist")).content.decode()
    positions = [html.index(f">{name}<") for name in NAMES_IN_ORDER]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("nguyen van huong", True),
        ("NGUYEN   Huong", True),
        ("Nguyễn Văn Hưởng", True),
        ("huong", True),
        ("hương", True),  # a different tone still finds it: search ignores tones
        ("nguyen van hung", False),
    ],
)
def test_people_search_ignores_diacritics_and_case(admin_client, term, found):
    factories.individual("Nguyễn Văn Hưởng")
    factories.individual("Trần Đức Dũng")
    response = admin_client.get(reverse("admin:registry_individual_changelist"), {"q": term})
    assert ("Nguyễn Văn Hưởng" in response.content.decode()) is found
    assert "Trần Đức Dũng" not in response.content.decode()


def test_d_finds_d_bar_and_autocomplete_folds_too(admin_client):
    factories.individual("Trần Đức Dũng")
    response = admin_client.get(reverse("admin:registry_individual_changelist"), {"q": "duc dung"})
    assert "Trần Đức Dũng" in response.content.decode()
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "đuc", "app_label": "registry", "model_name": "award", "field_name": "individual"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Trần Đức Dũng"]


def test_decision_search_without_diacritics(admin_client):
    factories.draft_decision(
        number="15/QĐ-UBND", subject="Về việc tặng Giấy khen phong trào văn nghệ"
    )
    factories.draft_decision(number="16/QĐ-UBND", subject="Về việc tặng Giấy khen năm 2022")
    html = admin_client.get(
        reverse("admin:registry_decision_changelist"), {"q": "van nghe"}
    ).content.decode()
    assert "15/QĐ-UBND" in html and "16/QĐ-UBND" not in html


@pytest.mark.parametrize("model", [Decision, Award, Individual])
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    factories.decision_with_lines("1/QĐ-UBND", collectives=2, individuals=2)
    few = changelist_queries(admin_client, model)
    for n in range(2, 12):
        decision = factories.decision_with_lines(f"{n}/QĐ-UBND", collectives=2, individuals=3)
        if n % 2:
            decision_issue(decision=decision)
    many = changelist_queries(admin_client, model)
    assert many == few


def test_every_changelist_has_a_bounded_number_of_queries(admin_client):
    factories.decision_with_lines("1/QĐ-UBND", collectives=3, individuals=3)
    for model in admin.site._registry:
        assert changelist_queries(admin_client, model) <= 12, model


def test_person_page_shows_award_history(admin_client):
    decision = factories.decision_with_lines("7/QĐ-UBND", collectives=0, individuals=1)
    decision_issue(decision=decision)
    person = Individual.objects.get()
    html = admin_client.get(
        reverse("admin:registry_individual_change", args=[person.pk])
    ).content.decode()
    assert "quá trình khen thưởng" in html.lower()
    assert "7/QĐ-UBND" in html


def _inline_post(decision, award_type, individual_id, **extra):
    data = {
        "authority": decision.authority_id,
        "kind": "khen-thuong",
        "number": decision.number,
        "signed_date": decision.signed_date.strftime("%d/%m/%Y"),
        "place": "Văn Lãng",
        "subject": decision.subject,
        "loai_hinh": "thuong-xuyen",
        "signer_prefix": "",
        "signer_title": "CHỦ TỊCH",
        "signer_name": "Hoàng Văn Thử",
        "awards-TOTAL_FORMS": "1",
        "awards-INITIAL_FORMS": "0",
        "awards-MIN_NUM_FORMS": "0",
        "awards-MAX_NUM_FORMS": "1000",
        "awards-0-award_type": award_type.pk,
        "awards-0-loai_hinh": "thuong-xuyen",
        "awards-0-individual": individual_id,
        "awards-0-period_from": "2022",
        "awards-0-period_to": "2022",
        "awards-0-achievement": "Hoàn thành xuất sắc nhiệm vụ năm 2022",
    }
    data.update(extra)
    return data


def test_admin_refuses_an_award_type_the_authority_may_not_give(admin_client):
    cat = factories.catalogue()
    decision = factories.draft_decision()
    person = factories.individual()
    url = reverse("admin:registry_decision_change", args=[decision.pk])
    response = admin_client.post(url, _inline_post(decision, cat["bang_khen"], person.pk))
    assert response.status_code == 200
    assert "không có thẩm quyền tặng Bằng khen" in response.content.decode()
    assert not Award.objects.exists()

    response = admin_client.post(url, _inline_post(decision, cat["giay_khen"], person.pk))
    assert response.status_code == 302
    award = Award.objects.get()
    assert (award.recipient_name, award.authority_id) == ("Nguyễn Văn Hưởng", decision.authority_id)


def test_issue_from_the_admin_then_the_page_is_read_only(admin_client):
    decision = factories.decision_with_lines("9/QĐ-UBND")
    change_url = reverse("admin:registry_decision_change", args=[decision.pk])
    assert "Ban hành quyết định" in admin_client.get(change_url).content.decode()
    response = admin_client.post(reverse("admin:registry_decision_issue", args=[decision.pk]))
    assert response.status_code == 302
    assert Decision.objects.get(pk=decision.pk).status == "issued"
    html = admin_client.get(change_url).content.decode()
    assert "chỉ xem, không sửa hoặc xóa được" in html
    assert not re.search(r'name="_save"', html)
    # A forged POST to the change page changes nothing.
    admin_client.post(
        change_url, _inline_post(decision, factories.award_type(), factories.individual().pk)
    )
    assert Award.objects.filter(decision=decision).count() == 2
    delete = admin_client.post(
        reverse("admin:registry_decision_delete", args=[decision.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Decision.objects.filter(pk=decision.pk).exists()
