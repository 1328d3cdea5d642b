"""In Chromium: anyone uploads a signed certificate PDF to the public page and reads the answer,
on a desktop screen and on a phone; after the award is revoked the same file says so."""

from concurrent.futures import ThreadPoolExecutor
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
    # pyHanko signs through asyncio.run, and Playwright's loop runs in this thread: sign in another.
    with ThreadPoolExecutor(1) as pool:
        certificate = pool.submit(
            pdf_sign, unsigned, metadata={"verification_code": award.verification_code}
        ).result()
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
