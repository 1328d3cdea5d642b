"""Repeated failed logins lock that user name out from that address (django-axes); behind a
trusted proxy the address is the client's own, read from X-Forwarded-For."""

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


# Behind a reverse proxy every request comes from the proxy's address.
PROXY = "127.0.0.1"


def login_from(client, username, password, *, remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, **extra
    )


def test_behind_a_trusted_proxy_a_lockout_holds_only_for_the_attackers_address(
    client, django_user_model, settings
):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    django_user_model.objects.create_user("quantri", password="dung-mat-khau-1", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # What the attacker writes in the header is kept on the left and never believed.
        login_from(client, "quantri", "sai", forwarded="198.51.100.1, 203.0.113.66, 10.1.2.3")
    assert (
        login_from(client, "quantri", "dung-mat-khau-1", forwarded="203.0.113.66").status_code
        == 429
    )
    # The real user, through the same proxy, from their own address.
    assert (
        login_from(client, "quantri", "dung-mat-khau-1", forwarded="192.0.2.10").status_code == 302
    )


def test_an_untrusted_sender_cannot_choose_the_address_its_failures_count_against(
    client, django_user_model, settings
):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    django_user_model.objects.create_user("canbo", password="dung-mat-khau-1", is_staff=True)
    for n in range(settings.AXES_FAILURE_LIMIT):
        login_from(client, "canbo", "sai", remote="203.0.113.66", forwarded=f"192.0.2.{n}")
    # Every failure counted against 203.0.113.66, whatever the header said.
    fresh = login_from(
        client, "canbo", "dung-mat-khau-1", remote="203.0.113.66", forwarded="192.0.2.99"
    )
    assert fresh.status_code == 429
    # The address it named is not locked: a user there (through the trusted proxy) logs in.
    assert login_from(client, "canbo", "dung-mat-khau-1", forwarded="192.0.2.1").status_code == 302


def test_without_trusted_proxies_the_header_is_ignored(rf, settings):
    from registry.clientip import client_ip

    settings.TRUSTED_PROXIES = []
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.7")
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request) == "192.0.2.7"
    # Garbage in the header stops the walk at the nearest trusted proxy.
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.7, bịa đặt")
    assert client_ip(request) == "127.0.0.1"
