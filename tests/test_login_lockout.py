"""Repeated failed logins lock that user name out from that address (django-axes)."""

import pytest

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_five_failures_lock_the_account_out_even_with_the_right_password(
    client, django_user_model, settings
):
    django_user_model.objects.create_user("canbo", password="dung-mat-khau-1", is_staff=True)
    django_user_model.objects.create_user("lanhdao", password="dung-mat-khau-2", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "canbo", "sai").status_code == 200  # the form again, with its error
    locked = login(client, "canbo", "sai")
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    again = login(client, "canbo", "dung-mat-khau-1")
    assert again.status_code == 429
    # Someone else at the same desk is not locked out.
    assert login(client, "lanhdao", "dung-mat-khau-2").status_code == 302


def test_a_success_resets_the_count(client, django_user_model, settings):
    django_user_model.objects.create_user("canbo", password="dung-mat-khau-1", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "canbo", "sai")
    assert login(client, "canbo", "dung-mat-khau-1").status_code == 302
    client.logout()
    assert login(client, "canbo", "sai").status_code == 200
