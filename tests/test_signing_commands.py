"""sign_papers and verify_pdf from the command line, and the background signing batch.

The decision and its certificates are signed with the test PKI's office key
(tests/signing_fixtures.py); verify_pdf exits 0 only for a valid, unchanged file.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from registry.models.printing import PrintLog
from registry.services.certificates import certificates_render, decision_certificate_awards
from registry.services.decisions import decision_issue
from registry.services.signed_papers import (
    certificates_sign_start,
    certificates_sign_status,
    decision_pdf_signed,
)
from registry.services.signing import pdf_verify
from tests import factories
from tests.conftest import database_url_is_postgres

pytestmark = pytest.mark.django_db


def issued(number="15/QĐ-UBND", collectives=1, individuals=2):
    return decision_issue(decision=factories.decision_with_lines(number, collectives, individuals))


def verify(path, *args):
    """verify_pdf's exit code and output."""
    out = io.StringIO()
    try:
        call_command("verify_pdf", str(path), *args, stdout=out)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue()


def test_signed_decision_verifies_from_the_command_line(signing_pki, tmp_path):
    decision = issued()
    target = tmp_path / "qd.pdf"
    out = io.StringIO()
    call_command("sign_papers", "--decision", decision.pk, "-o", str(target), stdout=out)
    assert "Đã ký số quyết định 15/QĐ-UBND" in out.getvalue()

    code, text = verify(target, "--json")
    assert code == 0
    result = json.loads(text)
    assert result["status"] == "valid"
    assert result["metadata"]["RegistryDecisionNumber"] == "15/QĐ-UBND"
    (signature,) = result["signatures"]
    assert signature["signer_name"] == "Ủy ban nhân dân huyện Văn Lãng"
    assert signature["issuer_name"] == "Cơ quan chứng thực thử nghiệm Sổ thi đua"

    code, text = verify(target)
    assert code == 0
    assert "HỢP LỆ" in text and "Ủy ban nhân dân huyện Văn Lãng" in text

    # One byte changed inside the signed part: refused, with the reason in Vietnamese.
    data = bytearray(target.read_bytes())
    at = data.index(b"/Type")
    data[at + 1] = ord("X")
    target.write_bytes(bytes(data))
    code, text = verify(target, "--json")
    assert code == 1
    result = json.loads(text)
    assert result["status"] == "altered"
    assert "tài liệu đã bị thay đổi sau khi ký" in result["message"]


def test_verify_pdf_unsigned_garbage_and_missing(signing_pki, tmp_path):
    decision = issued()
    from registry.services import papers

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(papers.decision_pdf(decision=decision))
    code, text = verify(plain, "--json")
    assert code == 1 and json.loads(text)["status"] == "unsigned"
    assert "không chứng minh được" in json.loads(text)["message"]

    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"MZ\x90\x00 not a pdf")
    code, text = verify(junk)
    assert code == 1 and "không phải là tệp PDF" in text

    with pytest.raises(CommandError, match="Không đọc được tệp"):
        call_command("verify_pdf", str(tmp_path / "khong-co.pdf"))


def test_outside_trust_dir_is_untrusted_from_the_command_line(signing_pki, tmp_path):
    target = tmp_path / "qd.pdf"
    target.write_bytes(decision_pdf_signed(decision=issued()))
    empty = tmp_path / "trust"
    empty.mkdir()
    code, text = verify(target, "--json", "--trust-dir", str(empty))
    assert code == 1
    assert json.loads(text)["status"] == "untrusted"


def test_certificates_zip_one_signed_pdf_each_with_its_code(signing_pki, tmp_path):
    decision = issued(collectives=1, individuals=2)
    awards = list(decision_certificate_awards(decision))
    target = tmp_path / "giay-khen.zip"
    out = io.StringIO()
    call_command(
        "sign_papers", "--decision", decision.pk, "--certificates", "-o", str(target), stdout=out
    )
    assert "Đã ký số 3 giấy khen" in out.getvalue()
    archive = zipfile.ZipFile(target)
    names = archive.namelist()
    assert len(names) == 3
    codes = []
    for name in names:
        result = pdf_verify(archive.read(name))
        assert result.status == "valid", result.message
        codes.append(result.verification_code)
        assert result.verification_code in name
    assert codes == [a.verification_code for a in awards]
    # Signed certificates are issued papers: logged like printed ones.
    assert PrintLog.objects.filter(award__decision=decision).count() == 3


def test_a_single_printed_certificate_carries_its_code_unsigned(signing_pki):
    award = decision_certificate_awards(issued()).first()
    result = pdf_verify(certificates_render(awards=[award]))
    assert result.status == "unsigned"
    assert result.verification_code == award.verification_code


def test_draft_decision_and_unconfigured_signing_are_refused(signing_pki, settings, tmp_path):
    draft = factories.decision_with_lines("16/QĐ-UBND", 1, 0)
    target = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="chưa ban hành"):
        call_command("sign_papers", "--decision", draft.pk, "-o", str(target))
    assert not target.exists()

    decision = issued("17/QĐ-UBND")
    settings.SIGNING_PKCS12_PATH = ""
    with pytest.raises(CommandError, match="Chưa cấu hình ký số"):
        call_command("sign_papers", "--decision", decision.pk, "-o", str(target))
    assert not target.exists()
    with pytest.raises(ValidationError, match="Chưa cấu hình ký số"):
        certificates_sign_start(awards=decision_certificate_awards(decision))


# As in tests/services/test_certificates.py: PostgreSQL needs real commits for the worker.
@pytest.mark.django_db(transaction=database_url_is_postgres())
def test_a_large_batch_is_signed_by_the_background_worker(signing_pki, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRINT_CHUNK_SIZE = 2
    decision = issued("40/QĐ-UBND", collectives=2, individuals=3)
    awards = decision_certificate_awards(decision)
    batch = certificates_sign_start(awards=awards, decision=decision)
    assert batch.status == "READY" and not batch.finished

    call_command("db_worker", batch=True, verbosity=0)

    batch = certificates_sign_status(batch.task_id)
    assert batch.status == "SUCCEEDED", batch.error
    path = tmp_path / batch.file_name
    archive = zipfile.ZipFile(path)
    assert len(archive.namelist()) == 5
    assert all(pdf_verify(archive.read(n)).status == "valid" for n in archive.namelist())


@pytest.mark.django_db(transaction=database_url_is_postgres())
def test_a_refused_background_batch_says_why(signing_pki, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    decision = issued("41/QĐ-UBND")
    awards = list(decision_certificate_awards(decision))
    factories.revoke(awards[:1])
    batch = certificates_sign_start(awards=[a.pk for a in awards], decision=decision)
    call_command("db_worker", batch=True, verbosity=0)
    batch = certificates_sign_status(batch.task_id)
    assert batch.status == "FAILED"
    assert "đã bị hủy" in batch.error


def test_certificates_signed_on_the_softhsm2_token(signing_pkcs11, signing_pki, tmp_path):
    decision = issued("42/QĐ-UBND", collectives=1, individuals=2)
    target = tmp_path / "token.zip"
    call_command(
        "sign_papers", "--decision", decision.pk, "--certificates", "-o", str(target),
        stdout=io.StringIO(),
    )  # fmt: skip
    archive = zipfile.ZipFile(target)
    results = [pdf_verify(archive.read(name)) for name in archive.namelist()]
    assert [r.status for r in results] == ["valid"] * 3
    assert {r.signatures[0].signer_name for r in results} == {"Ủy ban nhân dân huyện Văn Lãng"}
    decision_pdf = decision_pdf_signed(decision=decision)
    assert pdf_verify(decision_pdf).decision_number == "42/QĐ-UBND"
