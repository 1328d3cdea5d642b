"""A clerk prints a decision's certificates from its admin page and gets a PDF."""

import subprocess

import pytest
from django.contrib.auth import get_user_model

from registry.services.decisions import decision_issue
from tests.services.test_certificates import issued_decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_prints_the_certificates_of_an_issued_decision(live_server, page, tmp_path):
    decision = decision_issue(decision=issued_decision())
    get_user_model().objects.create_superuser("quantri", password="mat-khau-thu-nghiem")

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "quantri")
    page.fill("input[name=password]", "mat-khau-thu-nghiem")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")

    page.goto(f"{live_server.url}/admin/registry/decision/{decision.pk}/change/")
    with page.expect_download() as download_info:
        page.click("a.print-certificates")
    download = download_info.value
    assert download.suggested_filename == "giay-khen-15-qd-ubnd.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, check=True).stdout
    assert b"Pages:           3" in info
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, check=True)
    assert "Phòng Tư pháp huyện Văn Lãng" in text.stdout.decode()
