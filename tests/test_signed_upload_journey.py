"""In Chromium: anyone uploads a signed certificate PDF to the public page and reads the answer,
on a desktop screen and on a phone; after the award is revoked the same file says so."""

from datetime import date

import pytest

from registry.services.certificates import certificates_render
from registry.services.decisions import decision_issue
from registry.services.signing import pdf_sign
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def upload(page, url, data: bytes) -> str:
    page.goto(url)
    page.locator("#id_file").set_input_files(
        {"name": "giay-khen.pdf", "mimeType": "application/pdf", "buffer": data}
    )
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#check-result, #upload-error")
    return page.inner_text("body")


def test_a_certificate_pdf_uploaded_to_the_public_page(live_server, page, signing_pki):
    decision = decision_issue(decision=factories.decision_with_lines(collectives=0))
    award = decision.awards.get()
    unsigned = certificates_render(awards=[award])
    certificate = pdf_sign(unsigned, metadata={"verification_code": award.verification_code})
    url = live_server.url + "/xac-thuc/"

    text = upload(page, url, certificate)
    assert "Bản gốc, chưa bị sửa" in page.inner_text("#verdict")
    assert award.recipient_name in text and award.verification_code in text
    assert "Khen thưởng còn giá trị" in page.inner_text("#standing")
    assert "Ủy ban nhân dân huyện Văn Lãng" in page.inner_text("#signatures")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    # An unsigned PDF proves nothing.
    upload(page, url, unsigned)
    assert "Không chứng minh được" in page.inner_text("#verdict")

    factories.revoke([award], signed_date=date(2023, 2, 1))
    page.set_viewport_size({"width": 390, "height": 844})
    upload(page, url, certificate)
    assert "đã bị hủy" in page.inner_text("#standing")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_clerk_attaches_the_signed_decision_before_issuing(live_server, page, signing_pki):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.urls import reverse

    from registry.models.trust import AuthorityMembership
    from registry.services.accounts import CLERK_GROUP, groups_ensure
    from registry.services.papers import decision_pdf
    from registry.services.signing import signer_from_pkcs12

    decision = factories.decision_with_lines(number="15/QĐ-UBND")
    authority = decision.authority
    authority.requires_signed_pdf = True
    authority.save()
    groups_ensure()
    clerk = get_user_model().objects.create_user("canbo", password="mat-khau-12", is_staff=True)
    clerk.groups.add(Group.objects.get(name=CLERK_GROUP))
    AuthorityMembership.objects.create(user=clerk, authority=authority)
    person = signing_pki["person"]
    signer = signer_from_pkcs12(person.pkcs12, person.password)
    signed = pdf_sign(decision_pdf(decision=decision), signer=signer)

    base = live_server.url
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", "canbo")
    page.fill("input[name=password]", "mat-khau-12")
    page.click("input[type=submit]")
    page.wait_for_url(base + "/admin/")

    # Issuing without the signed PDF is refused, with the reason.
    page.goto(base + reverse("admin:registry_decision_issue", args=[decision.pk]))
    page.click("input[name=confirm]")
    assert "chưa có" in page.inner_text(".messagelist .error")
    decision.refresh_from_db()
    assert decision.status == "draft"

    page.click("a.signed-link")
    page.locator("#id_file").set_input_files(
        {"name": "qd-15.pdf", "mimeType": "application/pdf", "buffer": signed}
    )
    page.click("#signed-form input[type=submit]")
    page.locator(".messagelist .success").wait_for()
    assert "Hoàng Văn Thử" in page.inner_text(".signed-paper")
    assert "đã có" in page.inner_text(".signed-state")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    page.goto(base + reverse("admin:registry_decision_issue", args=[decision.pk]))
    page.click("input[name=confirm]")
    page.locator(".messagelist .success").wait_for()
    decision.refresh_from_db()
    assert decision.status == "issued"
