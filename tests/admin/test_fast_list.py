"""The registry's lists write their rows themselves: the same cells as the admin's result_list."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_list
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import reverse

from registry.templatetags.fast_list import fast_result_list

pytestmark = pytest.mark.django_db


def _request(user, query=""):
    request = RequestFactory().get(f"/admin/?{query}")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _cells(context) -> list[list[str]]:
    return [[str(cell) for cell in row] for row in context["results"]]


def test_every_registry_list_writes_the_admins_own_cells(demo_data):
    user = get_user_model().objects.create_superuser("quantri-ds", "qt@example.vn", "x")
    compared = 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "registry" or not model_admin.has_view_permission(
            _request(user)
        ):
            continue
        for query in ("", "o=-2.1"):
            cl = model_admin.get_changelist_instance(_request(user, query))
            cl.formset = None
            ours, djangos = fast_result_list(cl), result_list(cl)
            assert _cells(ours) == _cells(djangos), model.__name__
            assert ours["result_headers"] == djangos["result_headers"]
            assert ours["num_sorted_fields"] == djangos["num_sorted_fields"]
            compared += len(ours["results"])
    assert compared > 200  # decisions, lines, people, collectives… of the demo


def test_the_decision_list_page_is_written_by_the_fast_rows(admin_client, demo_data):
    response = admin_client.get(reverse("admin:registry_decision_changelist"))
    assert response.status_code == 200
    assert "admin/registry/change_list.html" in [t.name for t in response.templates]
    html = response.content.decode()
    cl = response.context["cl"]
    first = next(iter(fast_result_list(cl)["results"]))
    assert "".join(str(cell) for cell in first) in html
