"""Signed papers in use: a decision's PDF signed elsewhere, the authority's requirement on every
issuing path, and the public page checking a PDF anyone brings."""

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from registry.models import Decision, SignedPaper
from registry.services import signed_papers
from registry.services.decisions import decision_issue
from registry.services.papers import decision_pdf
from registry.services.signed_papers import (
    decision_signed_attach,
    decision_text_read,
    upload_read,
)
from tests import factories
from tests.data.books import xlsx

pytestmark = pytest.mark.django_db


@dataclass
class Check:
    signer_name: str = "Hoàng Văn Thử"
    signer_organisation: str = "UBND huyện Văn Lãng"
    certificate_sha256: str = "ab" * 32
    certificate_serial: str = "1234"
    issuer_name: str = "CA thử nghiệm"
    signed_at: datetime = datetime(2023, 1, 10, 8, 0, tzinfo=UTC)
    timestamped: bool = False
    status: str = "valid"
    message: str = "Chữ ký hợp lệ."
    covers_revision: int = 1
    modifications_ok: bool = True
    field_name: str = "Signature1"


@dataclass
class Verification:
    status: str = "valid"
    message: str = "Chữ ký hợp lệ."
    signatures: tuple = field(default_factory=lambda: (Check(),))
    verification_code: str | None = None
    metadata: dict = field(default_factory=dict)


@pytest.fixture
def verifier(monkeypatch):
    """pdf_verify answering what the test says (the signatures themselves are tested in
    tests/services/test_signing.py)."""
    answer = {"value": Verification()}
    monkeypatch.setattr(signed_papers, "pdf_verify", lambda data: answer["value"])
    return answer


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user("canbo.thu", password="x", is_staff=True)


def test_the_number_and_date_are_read_from_the_decision_pdf():
    decision = factories.decision_with_lines(number="15/QĐ-UBND", signed_date=date(2023, 1, 10))
    assert decision_text_read(decision_pdf(decision=decision)) == ("15/QĐ-UBND", date(2023, 1, 10))


def test_an_uploaded_decision_whose_number_differs_is_refused(verifier, clerk):
    decision = factories.decision_with_lines(number="15/QĐ-UBND")
    other = factories.draft_decision(number="16/QĐ-UBND")
    with pytest.raises(ValidationError) as refused:
        decision_signed_attach(
            decision=decision, data=decision_pdf(decision=other), filename="qd.pdf", user=clerk
        )
    message = " ".join(refused.value.messages)
    assert "16/QĐ-UBND" in message and "15/QĐ-UBND" in message
    assert SignedPaper.objects.count() == 0


def test_a_signed_decision_is_recorded_with_its_signer(verifier, clerk):
    decision = factories.decision_with_lines(number="15/QĐ-UBND")
    paper = decision_signed_attach(
        decision=decision, data=decision_pdf(decision=decision), filename="qd.pdf", user=clerk
    )
    assert paper.is_valid and paper.read_from_text and paper.number_read == "15/QĐ-UBND"
    signature = paper.signatures.get()
    assert signature.signer_name == "Hoàng Văn Thử" and signature.certificate_sha256 == "ab" * 32
    assert paper.file.read().startswith(b"%PDF-")
    assert paper.history.count() == 1


def test_an_unsigned_or_altered_pdf_is_not_attached(verifier, clerk):
    decision = factories.decision_with_lines()
    data = decision_pdf(decision=decision)
    verifier["value"] = Verification(status="unsigned", message="", signatures=())
    with pytest.raises(ValidationError, match="không có chữ ký số"):
        decision_signed_attach(decision=decision, data=data, user=clerk)
    verifier["value"] = Verification(status="altered", message="Tệp đã bị sửa sau khi ký.")
    with pytest.raises(ValidationError, match="đã bị sửa"):
        decision_signed_attach(decision=decision, data=data, user=clerk)
    assert SignedPaper.objects.count() == 0


def test_an_image_only_pdf_needs_the_clerk_to_confirm_number_and_date(verifier, clerk):
    from weasyprint import HTML

    decision = factories.decision_with_lines(number="15/QĐ-UBND", signed_date=date(2023, 1, 10))
    image_only = HTML(string="<div style='width:5cm;height:5cm;background:#888'></div>").write_pdf()
    with pytest.raises(ValidationError) as refused:
        decision_signed_attach(decision=decision, data=image_only, user=clerk)
    assert "confirmed_number" in refused.value.message_dict
    with pytest.raises(ValidationError, match="16/QĐ-UBND"):
        decision_signed_attach(
            decision=decision,
            data=image_only,
            user=clerk,
            confirmed_number="16/QĐ-UBND",
            confirmed_date=date(2023, 1, 10),
        )
    paper = decision_signed_attach(
        decision=decision,
        data=image_only,
        user=clerk,
        confirmed_number="15/QĐ-UBND",
        confirmed_date=date(2023, 1, 10),
    )
    assert not paper.read_from_text and paper.confirmed_by == clerk and paper.confirmed_at


# ------------------------------------------------------------- the authority's requirement


def _requiring():
    authority = factories.authority()
    authority.requires_signed_pdf = True
    authority.save()
    return authority


def test_the_requirement_blocks_the_issuing_service_until_a_valid_pdf(verifier, clerk):
    _requiring()
    decision = factories.decision_with_lines()
    with pytest.raises(ValidationError, match="bản PDF ký số hợp lệ"):
        decision_issue(decision=decision, user=clerk)
    decision.refresh_from_db()
    assert decision.status == "draft"
    # A paper whose signer is outside the trust roots is recorded but does not count.
    verifier["value"] = Verification(status="untrusted", message="Chứng thư không tin cậy.")
    decision_signed_attach(decision=decision, data=decision_pdf(decision=decision), user=clerk)
    with pytest.raises(ValidationError, match="bản PDF ký số hợp lệ"):
        decision_issue(decision=decision, user=clerk)
    verifier["value"] = Verification()
    decision_signed_attach(decision=decision, data=decision_pdf(decision=decision), user=clerk)
    assert decision_issue(decision=decision, user=clerk).status == "issued"


def test_the_requirement_holds_in_the_admin_issue_page_and_action(verifier, client):
    _requiring()
    admin_user = get_user_model().objects.create_superuser("quantri", password="x")
    client.force_login(admin_user)
    decision = factories.decision_with_lines()
    url = reverse("admin:registry_decision_issue", args=[decision.pk])
    response = client.post(url, {"confirm": "1"}, follow=True)
    assert "chưa có" in response.content.decode() and "ký số" in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == "draft"
    response = client.post(
        reverse("admin:registry_decision_changelist"),
        {"action": "issue_selected", "_selected_action": [decision.pk]},
        follow=True,
    )
    assert "bản PDF ký số hợp lệ" in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == "draft"
    # The clerk attaches the signed PDF on its page, then issuing goes through.
    pdf = SimpleUploadedFile("qd.pdf", decision_pdf(decision=decision), "application/pdf")
    response = client.post(
        reverse("admin:registry_decision_signed", args=[decision.pk]), {"file": pdf}, follow=True
    )
    assert "Đã đính kèm bản ký số" in response.content.decode()
    client.post(url, {"confirm": "1"})
    decision.refresh_from_db()
    assert decision.status == "issued"


def test_the_requirement_holds_for_the_history_import_command(verifier, tmp_path):
    authority = _requiring()
    factories.catalogue()
    header = ["STT", "Họ và tên", "Năm sinh", "Đơn vị", "Hình thức khen thưởng"]
    header += ["Số quyết định", "Ngày quyết định", "Năm thành tích"]
    rows = [
        header,
        [1, "Ông Triệu Văn Cũ", 1970, "", "Giấy khen", "12/QĐ-UBND", "15/01/2021", 2020],
    ]
    path = tmp_path / "so-cu.xlsx"
    path.write_bytes(xlsx(rows))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as failed:
        call_command(
            "import_history", str(path), "--authority", authority.code, "--json",
            stdout=out, stderr=err,
        )  # fmt: skip
    assert failed.value.code != 0
    assert "bản PDF ký số hợp lệ" in out.getvalue() + err.getvalue()
    assert not Decision.objects.exists()


def test_upload_read_refuses_large_files_and_non_pdf(settings):
    settings.REGISTRY_VERIFY_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="quá lớn"):
        upload_read(SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 2000))
    with pytest.raises(ValidationError, match="không phải PDF"):
        upload_read(SimpleUploadedFile("a.pdf", b"<html>"))
    assert json.dumps(upload_read(SimpleUploadedFile("a.pdf", b"%PDF-1.7")).decode())
