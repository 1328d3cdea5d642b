"""Every change keeps who, when and what: visible from the object's admin page."""

import pytest
from django.urls import reverse

from registry.models import Individual
from registry.services.decisions import decision_issue
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_edit_through_the_admin_is_kept_with_who_and_what(admin_client, admin_user):
    person = factories.individual("Nguyễn Văn Hưởng", position="Chuyên viên", gender="nam")
    url = reverse("admin:registry_individual_change", args=[person.pk])
    form = {
        "full_name": "Nguyễn Văn Hưởng",
        "gender": "nam",
        "position": "Trưởng phòng",
        "registered_by": person.registered_by_id,
        "citizen_id": "",
        "note": "",
        **{
            f"{p}-{k}": v
            for p in ("awards", "ratings")
            for k, v in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
        },
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    history = list(Individual.history.filter(id=person.pk).order_by("history_date"))
    assert [h.position for h in history] == ["Chuyên viên", "Trưởng phòng"]
    assert history[-1].history_user == admin_user
    change = history[-1].diff_against(history[0])
    assert [(c.field, c.old, c.new) for c in change.changes] == [
        ("position", "Chuyên viên", "Trưởng phòng")
    ]
    page = admin_client.get(reverse("admin:registry_individual_history", args=[person.pk]))
    assert "Trưởng phòng" in page.content.decode()


def test_issuing_and_the_decision_page_keep_their_history(admin_client):
    decision = factories.decision_with_lines("15/QĐ-UBND")
    decision_issue(decision=decision)
    statuses = list(decision.history.order_by("history_date").values_list("status", flat=True))
    assert statuses[0] == "draft" and statuses[-1] == "issued"
    page = admin_client.get(reverse("admin:registry_decision_history", args=[decision.pk]))
    assert page.status_code == 200 and "15/QĐ-UBND" in page.content.decode()
