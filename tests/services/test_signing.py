"""Digital signatures: signing the registry's papers and checking any PDF against the trust roots.

The PKI, the timestamp server and the SoftHSM2 token are made at run time
(tests/signing_fixtures.py); nothing is fetched from the network.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from registry.services import signing
from registry.services.signing import pdf_sign, pdf_verify, signer_from_pkcs12
from tests.signing_fixtures import pdf_add_content


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>Quyết định số 15/QĐ-UBND</h1><p>Tặng Giấy khen.</p>").write_pdf()


def signer_of(pki, name):
    return signer_from_pkcs12(pki[name].pkcs12, pki[name].password)


def test_signed_by_the_office_validates_with_code_and_signer(signing_pki, plain_pdf):
    signed = pdf_sign(plain_pdf, reason="Ban hành", metadata={"verification_code": "GK7Q2M"})
    result = pdf_verify(signed)
    assert result.status == "valid", result.message
    assert result.verification_code == "GK7Q2M"
    (check,) = result.signatures
    assert check.signer_name == "Ủy ban nhân dân huyện Văn Lãng"
    assert check.signer_organisation == "UBND huyện Văn Lãng"
    assert check.issuer_name == "Cơ quan chứng thực thử nghiệm Sổ thi đua"
    assert len(check.certificate_sha256) == 64
    assert check.certificate_serial
    assert check.covers_revision == 1 and check.modifications_ok
    assert check.signed_at is not None and check.signed_at.tzinfo is not None
    assert not check.timestamped
    assert "Hợp lệ" in result.message


def test_one_byte_changed_after_signing_is_altered(signing_pki, plain_pdf):
    signed = bytearray(pdf_sign(plain_pdf))
    # A byte of the first page's objects, well inside the signed range.
    at = signed.index(b"/Type")
    signed[at + 1] = ord("X")
    result = pdf_verify(bytes(signed))
    assert result.status == "altered"
    assert "tài liệu đã bị thay đổi sau khi ký" in result.message


def test_outside_the_trust_roots_is_untrusted(signing_pki, plain_pdf):
    result = pdf_verify(pdf_sign(plain_pdf, signer=signer_of(signing_pki, "outside")))
    assert result.status == "untrusted"
    assert "chứng thư số không thuộc nơi cấp tin cậy" in result.message
    assert result.signatures[0].signer_name == "Phạm Văn Ngoài"


def test_expired_signer_is_reported(signing_pki, plain_pdf, timestamp_server):
    expired = signer_of(signing_pki, "expired")
    for url in (None, timestamp_server.url):  # a timestamp of today does not help
        result = pdf_verify(pdf_sign(plain_pdf, signer=expired, timestamp_url=url))
        assert result.status == "expired"
        assert "chứng thư số đã hết hạn" in result.message


def test_signed_while_valid_with_a_timestamp_stays_valid(signing_pki, plain_pdf, timestamp_server):
    """The same expired certificate, signed (per the trusted timestamp) while it was valid."""
    pki = signing_pki
    when = pki["expired"].not_after - timedelta(days=100)
    signed = pdf_sign(
        plain_pdf, signer=signer_of(pki, "expired"), timestamp_url=timestamp_server.url_at(when)
    )
    result = pdf_verify(signed)
    assert result.status == "valid", result.message
    (check,) = result.signatures
    assert check.timestamped
    assert abs(check.signed_at - when) < timedelta(seconds=2)


def test_revoked_signer_is_reported(signing_pki, plain_pdf):
    result = pdf_verify(pdf_sign(plain_pdf, signer=signer_of(signing_pki, "revoked")))
    assert result.status == "revoked"
    assert "chứng thư số đã bị thu hồi" in result.message


def test_trust_folder_decides(signing_pki, plain_pdf, tmp_path):
    signed = pdf_sign(plain_pdf)
    assert pdf_verify(signed, trust_dir=tmp_path).status == "untrusted"  # an empty folder
    (tmp_path / "ngoai.pem").write_bytes(signing_pki.outside_root_cert.read_bytes())
    (tmp_path / "hong.crl").write_bytes(b"not a CRL")
    assert pdf_verify(signed, trust_dir=tmp_path).status == "untrusted"
    assert pdf_verify(signed, trust_dir=signing_pki.trust_dir).status == "valid"


def test_two_signatures_validate_and_content_between_them_does_not(signing_pki, plain_pdf, sign_as):
    first = sign_as(plain_pdf, "person")
    both = sign_as(first, "second")
    result = pdf_verify(both)
    assert result.status == "valid", result.message
    assert [c.signer_name for c in result.signatures] == ["Hoàng Văn Thử", "Lê Thị Ký"]
    assert [c.covers_revision for c in result.signatures] == [1, 2]
    assert all(c.modifications_ok for c in result.signatures)

    forged = pdf_sign(pdf_add_content(first), signer=signer_of(signing_pki, "second"))
    result = pdf_verify(forged)
    assert result.status == "altered"
    first_check, second_check = result.signatures
    assert first_check.status == "altered" and not first_check.modifications_ok
    assert second_check.status == "valid"
    assert "Hoàng Văn Thử" in result.message


def test_content_after_the_last_signature_is_not_valid(signing_pki, plain_pdf):
    result = pdf_verify(pdf_add_content(pdf_sign(plain_pdf)))
    assert result.status == "altered"
    assert "sau chữ ký" in result.message


def test_unsigned_and_garbage(signing_pki, plain_pdf):
    unsigned = pdf_verify(plain_pdf)
    assert unsigned.status == "unsigned" and unsigned.signatures == ()
    assert "không chứng minh được" in unsigned.message
    for junk in (b"", b"hello", b"%PDF-1.7\n garbage", b"\x89PNG\r\n" * 50):
        result = pdf_verify(junk)
        assert result.status == "invalid"
        assert "không phải là tệp PDF" in result.message


def test_signing_through_softhsm2(
    signing_pkcs11, signing_pki, plain_pdf, timestamp_server, settings
):
    settings.SIGNING_TIMESTAMP_URL = timestamp_server.url
    result = pdf_verify(pdf_sign(plain_pdf, metadata={"verification_code": "HSM001"}))
    assert result.status == "valid", result.message
    assert result.verification_code == "HSM001"
    (check,) = result.signatures
    assert check.signer_name == "Ủy ban nhân dân huyện Văn Lãng"
    assert check.timestamped
    assert abs(check.signed_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_wrong_pin_is_a_vietnamese_error(signing_pkcs11, plain_pdf, settings, tmp_path):
    wrong = tmp_path / "pin"
    wrong.write_text("000000")
    settings.SIGNING_PKCS11_PIN_FILE = str(wrong)
    with pytest.raises(ValidationError, match="Không mở được USB token"):
        pdf_sign(plain_pdf)


def test_not_configured_is_a_vietnamese_error(settings, plain_pdf):
    settings.SIGNING_PKCS12_PATH = ""
    settings.SIGNING_PKCS11_MODULE = ""
    assert not signing.signing_configured()
    with pytest.raises(ValidationError, match="Chưa cấu hình ký số"):
        pdf_sign(plain_pdf)


def test_wrong_pkcs12_password(signing_pki, plain_pdf, settings, tmp_path):
    wrong = tmp_path / "pass"
    wrong.write_text("sai")
    settings.SIGNING_PKCS12_PASSWORD_FILE = str(wrong)
    with pytest.raises(ValidationError, match="sai mật khẩu"):
        pdf_sign(plain_pdf)


def test_a_signature_larger_than_the_reserved_room_is_measured_instead(
    signing_pki, plain_pdf, monkeypatch
):
    monkeypatch.setattr(signing, "RESERVED_BYTES", 512)
    result = pdf_verify(pdf_sign(plain_pdf))
    assert result.status == "valid", result.message


def test_a_document_timestamp_after_the_signature_keeps_it_valid(
    signing_pki, plain_pdf, timestamp_server
):
    """PAdES-LTA software appends a document timestamp: validation data, not new content."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers import PdfTimeStamper

    signed = pdf_sign(plain_pdf)
    stamper = PdfTimeStamper(signing.UrllibTimeStamper(timestamp_server.url))
    out = stamper.timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(signed), strict=False), md_algorithm="sha256"
    )
    result = pdf_verify(out.getvalue())
    assert result.status == "valid", result.message
    assert result.revisions == 3
    assert result.signatures[0].covers_whole_file


def test_callable_from_a_thread_that_runs_an_event_loop(signing_pki, plain_pdf):
    """As in the browser tests, where Playwright's sync API keeps a loop running."""
    import asyncio

    async def inside():
        return pdf_verify(pdf_sign(plain_pdf))

    assert asyncio.run(inside()).status == "valid"


def test_an_unreadable_signature_is_invalid_not_a_crash(signing_pki, plain_pdf):
    signed = pdf_sign(plain_pdf)
    start = signed.index(b"/Contents <") + len(b"/Contents <")
    end = signed.index(b">", start)
    broken = signed[:start] + b"0" * (end - start) + signed[end:]
    result = pdf_verify(broken)
    assert result.status == "invalid"
    assert "chữ ký số không hợp lệ" in result.message
    assert "không đọc được" in result.message


def test_damage_anywhere_gives_an_answer_never_a_traceback(signing_pki, plain_pdf):
    signed = pdf_sign(plain_pdf)
    statuses = set()
    for at in range(0, len(signed), max(1, len(signed) // 40)):
        damaged = bytearray(signed)
        damaged[at] ^= 0x55
        result = pdf_verify(bytes(damaged))
        assert result.status in {"valid", "altered", "invalid"}, (at, result.status)
        assert result.message
        statuses.add(result.status)
        # Only bytes outside the signed range (inside the unused signature room) keep it valid.
    assert "altered" in statuses
    truncated = pdf_verify(signed[: len(signed) // 2])
    assert truncated.status in {"invalid", "altered", "unsigned"} and truncated.message


def test_a_subordinate_ca_carried_in_the_signature_and_its_crl(signing_pki, plain_pdf):
    """The trust folder holds the root and the subordinate CA's CRL, not the subordinate CA."""
    assert not (signing_pki.trust_dir / "sub.pem").exists()
    result = pdf_verify(pdf_sign(plain_pdf, signer=signer_of(signing_pki, "sub_person")))
    assert result.status == "valid", result.message
    assert result.signatures[0].issuer_name == "Cơ quan chứng thực cấp dưới thử nghiệm"
    result = pdf_verify(pdf_sign(plain_pdf, signer=signer_of(signing_pki, "sub_revoked")))
    assert result.status == "revoked"
    assert "chứng thư số đã bị thu hồi" in result.message
