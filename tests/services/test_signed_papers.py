"""Signed papers in use: a decision's PDF signed elsewhere, the authority's requirement on every
issuing path, and the public page checking a PDF anyone brings."""

import io
import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from registry.models import Decision, SignedPaper
from registry.services.decisions import decision_issue
from registry.services.papers import decision_pdf
from registry.services.received_papers import (
    decision_signed_attach,
    decision_text_read,
    upload_read,
)
from registry.services.signing import pdf_sign, signer_from_pkcs12
from tests import factories
from tests.data.books import xlsx

pytestmark = pytest.mark.django_db


def signer_of(pki, name):
    return signer_from_pkcs12(pki[name].pkcs12, pki[name].password)


def signed_by(pki, name, data: bytes, **kwargs) -> bytes:
    return pdf_sign(data, signer=signer_of(pki, name), **kwargs)


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user("canbo.thu", password="x", is_staff=True)


def test_the_number_and_date_are_read_from_the_decision_pdf():
    decision = factories.decision_with_lines(number="15/QĐ-UBND", signed_date=date(2023, 1, 10))
    assert decision_text_read(decision_pdf(decision=decision)) == ("15/QĐ-UBND", date(2023, 1, 10))


def test_an_uploaded_decision_whose_number_differs_is_refused(signing_pki, clerk):
    decision = factories.decision_with_lines(number="15/QĐ-UBND")
    other = factories.draft_decision(number="16/QĐ-UBND")
    signed = signed_by(signing_pki, "person", decision_pdf(decision=other))
    with pytest.raises(ValidationError) as refused:
        decision_signed_attach(decision=decision, data=signed, filename="qd.pdf", user=clerk)
    message = " ".join(refused.value.messages)
    assert "16/QĐ-UBND" in message and "15/QĐ-UBND" in message
    assert SignedPaper.objects.count() == 0


def test_the_command_refuses_a_different_number_and_attaches_the_right_file(signing_pki, tmp_path):
    decision = factories.decision_with_lines(number="15/QĐ-UBND")
    other = factories.draft_decision(number="16/QĐ-UBND")
    wrong, right = tmp_path / "sai.pdf", tmp_path / "dung.pdf"
    wrong.write_bytes(signed_by(signing_pki, "person", decision_pdf(decision=other)))
    right.write_bytes(signed_by(signing_pki, "person", decision_pdf(decision=decision)))
    with pytest.raises(CommandError, match="Tệp ghi số 16/QĐ-UBND"):
        call_command("attach_signed", str(wrong), "--decision", str(decision.pk))
    out = io.StringIO()
    call_command("attach_signed", str(right), "--decision", str(decision.pk), stdout=out)
    assert "Đã đính kèm bản ký số của quyết định 15/QĐ-UBND: hợp lệ." in out.getvalue()
    assert decision.signed_papers.count() == 1


def test_a_signed_certificate_is_not_taken_for_its_decision(signing_pki, clerk):
    from registry.services.certificates import certificates_render

    decision = decision_issue(decision=factories.decision_with_lines(collectives=0))
    award = decision.awards.get()
    unsigned = certificates_render(awards=[award])
    # The certificate prints "Quyết định số 15/QĐ-UBND ngày …" in a sentence: not a heading.
    assert decision_text_read(unsigned)[0] == ""
    certificate = pdf_sign(unsigned, metadata={"verification_code": award.verification_code})
    with pytest.raises(ValidationError, match="đây là giấy khen"):
        decision_signed_attach(decision=decision, data=certificate, user=clerk)
    assert SignedPaper.objects.count() == 0


def test_a_signed_decision_is_recorded_with_its_signer(signing_pki, clerk):
    decision = factories.decision_with_lines(number="15/QĐ-UBND")
    signed = signed_by(signing_pki, "person", decision_pdf(decision=decision))
    paper = decision_signed_attach(decision=decision, data=signed, filename="qd.pdf", user=clerk)
    assert paper.is_valid and paper.read_from_text and paper.number_read == "15/QĐ-UBND"
    signature = paper.signatures.get()
    assert signature.signer_name == "Hoàng Văn Thử" and len(signature.certificate_sha256) == 64
    assert int(signature.certificate_serial, 16) == signing_pki["person"].serial
    assert paper.file.read() == signed
    assert paper.history.count() == 1


def test_an_unsigned_or_altered_pdf_is_not_attached(signing_pki, clerk):
    decision = factories.decision_with_lines()
    data = decision_pdf(decision=decision)
    with pytest.raises(ValidationError, match="không có chữ ký số"):
        decision_signed_attach(decision=decision, data=data, user=clerk)
    altered = bytearray(signed_by(signing_pki, "person", data))
    altered[len(altered) // 3] ^= 0x01
    with pytest.raises(ValidationError) as refused:
        decision_signed_attach(decision=decision, data=bytes(altered), user=clerk)
    assert "Không nhận tệp" in " ".join(refused.value.messages)
    assert SignedPaper.objects.count() == 0


def test_an_image_only_pdf_needs_the_clerk_to_confirm_number_and_date(signing_pki, clerk):
    from weasyprint import HTML

    decision = factories.decision_with_lines(number="15/QĐ-UBND", signed_date=date(2023, 1, 10))
    blank = HTML(string="<div style='width:5cm;height:5cm;background:#888'></div>").write_pdf()
    image_only = signed_by(signing_pki, "person", blank)
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


def test_the_requirement_blocks_the_issuing_service_until_a_valid_pdf(signing_pki, clerk):
    _requiring()
    decision = factories.decision_with_lines()
    with pytest.raises(ValidationError, match="bản PDF ký số hợp lệ"):
        decision_issue(decision=decision, user=clerk)
    decision.refresh_from_db()
    assert decision.status == "draft"
    # A paper whose signer is outside the trust roots is recorded but does not count.
    data = decision_pdf(decision=decision)
    outside = decision_signed_attach(
        decision=decision, data=signed_by(signing_pki, "outside", data), user=clerk
    )
    assert outside.status == "untrusted"
    with pytest.raises(ValidationError, match="bản PDF ký số hợp lệ"):
        decision_issue(decision=decision, user=clerk)
    decision_signed_attach(
        decision=decision, data=signed_by(signing_pki, "person", data), user=clerk
    )
    assert decision_issue(decision=decision, user=clerk).status == "issued"


def test_the_requirement_holds_in_the_admin_issue_page_and_action(signing_pki, client):
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
    signed = signed_by(signing_pki, "person", decision_pdf(decision=decision))
    pdf = SimpleUploadedFile("qd.pdf", signed, "application/pdf")
    response = client.post(
        reverse("admin:registry_decision_signed", args=[decision.pk]), {"file": pdf}, follow=True
    )
    assert "Đã đính kèm bản ký số" in response.content.decode()
    client.post(url, {"confirm": "1"})
    decision.refresh_from_db()
    assert decision.status == "issued"


def test_the_requirement_holds_for_the_history_import_command(tmp_path):
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


# ----------------------------------------------------------------------------- pledges


def add_content(data: bytes) -> bytes:
    """An incremental update that paints a box on the first page: content, not a signature."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    stream = generic.StreamObject(stream_data=b"q 0 0 1 rg 50 50 200 40 re f Q")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def pledge():
    from django.utils import timezone

    from registry.models import Bloc, BlocMembership, Unit
    from registry.services.pledges import TargetSpec, pledge_create

    year = timezone.localdate().year
    authority = factories.authority()
    bloc = Bloc.objects.create(authority=authority, name="Khối các trường học", points_met=10)
    for i, name in enumerate(["Trường Mầm non Hoa Sen", "Trường Tiểu học Hoàng Việt"]):
        unit = Unit.objects.create(name=name, code=f"truong-{i}")
        BlocMembership.objects.create(
            bloc=bloc, year=year, unit=unit, role="truong" if i == 0 else "thanh-vien"
        )
    return pledge_create(
        year=year,
        title=f"Giao ước thi đua khối các trường học năm {year}",
        ceremony_date=date(year, 1, 15),
        targets=[TargetSpec("Tỷ lệ học sinh lên lớp", 98, "%")],
        bloc=bloc,
    )


def test_a_pledge_signed_by_two_units_one_after_the_other_validates(signing_pki, pledge, clerk):
    from registry.services.pledges import pledge_pdf
    from registry.services.received_papers import pledge_signed_upload, pledge_signing_rows

    first_unit, second_unit = [row.unit for row in pledge_signing_rows(pledge=pledge)]
    first = signed_by(signing_pki, "person", pledge_pdf(pledge=pledge))
    pledge_signed_upload(pledge=pledge, data=first, unit=first_unit, user=clerk)
    rows = pledge_signing_rows(pledge=pledge)
    assert [(r.unit.name, r.signed) for r in rows] == [
        (first_unit.name, True),
        (second_unit.name, False),
    ]
    both = signed_by(signing_pki, "second", first)
    paper = pledge_signed_upload(pledge=pledge, data=both, unit=second_unit, user=clerk)
    assert paper.revision == 2 and paper.is_valid
    assert [s.signer_name for s in paper.signatures.all()] == ["Hoàng Văn Thử", "Lê Thị Ký"]
    rows = pledge_signing_rows(pledge=pledge)
    assert [(r.signed, r.signature.signer_name) for r in rows] == [
        (True, "Hoàng Văn Thử"),
        (True, "Lê Thị Ký"),
    ]
    signatory = pledge.signatories.get(unit=second_unit)
    assert signatory.signed and signatory.signer_name == "Lê Thị Ký"


def test_a_pledge_with_content_added_between_two_signatures_is_refused(signing_pki, pledge, clerk):
    from weasyprint import HTML

    from registry.services.pledges import pledge_pdf
    from registry.services.received_papers import pledge_signed_upload, pledge_signing_rows

    first_unit, second_unit = [row.unit for row in pledge_signing_rows(pledge=pledge)]
    stranger = signed_by(signing_pki, "person", HTML(string="<h1>Văn bản khác</h1>").write_pdf())
    with pytest.raises(ValidationError, match="không phải giao ước"):
        pledge_signed_upload(pledge=pledge, data=stranger, unit=first_unit, user=clerk)
    first = signed_by(signing_pki, "person", pledge_pdf(pledge=pledge))
    pledge_signed_upload(pledge=pledge, data=first, unit=first_unit, user=clerk)
    forged = signed_by(signing_pki, "second", add_content(first))
    with pytest.raises(ValidationError) as refused:
        pledge_signed_upload(pledge=pledge, data=forged, unit=second_unit, user=clerk)
    assert "Hoàng Văn Thử" in " ".join(refused.value.messages)
    assert "thêm hoặc sửa nội dung" in " ".join(refused.value.messages)
    assert SignedPaper.objects.filter(pledge=pledge).count() == 1
    assert not pledge.signatories.filter(unit=second_unit, signed=True).exists()
    # A file that is not the last upload plus a signature is refused too.
    fresh = signed_by(signing_pki, "second", pledge_pdf(pledge=pledge))
    with pytest.raises(ValidationError, match="không phải là tệp tải lên lần 1"):
        pledge_signed_upload(pledge=pledge, data=fresh, unit=second_unit, user=clerk)


def test_who_has_signed_takes_a_few_queries_however_many_units(
    signing_pki, pledge, clerk, django_assert_max_num_queries
):
    from registry.models import BlocMembership, Unit
    from registry.services.pledges import pledge_pdf
    from registry.services.received_papers import pledge_signed_upload, pledge_signing_rows

    first_unit = pledge_signing_rows(pledge=pledge)[0].unit
    first = signed_by(signing_pki, "person", pledge_pdf(pledge=pledge))
    pledge_signed_upload(pledge=pledge, data=first, unit=first_unit, user=clerk)
    for i in range(30):
        unit = Unit.objects.create(name=f"Trường thử {i}", code=f"thu-{i}")
        BlocMembership.objects.create(bloc=pledge.bloc, year=pledge.year, unit=unit)
    with django_assert_max_num_queries(6):
        rows = pledge_signing_rows(pledge=pledge)
        assert len(rows) == 32 and sum(r.signed for r in rows) == 1
        assert [r.signature.signer_name for r in rows if r.signed] == ["Hoàng Văn Thử"]


def test_the_pledge_page_shows_who_has_signed(signing_pki, pledge, client):
    from registry.services.pledges import pledge_pdf
    from registry.services.received_papers import pledge_signing_rows

    admin_user = get_user_model().objects.create_superuser("quantri", password="x")
    client.force_login(admin_user)
    first_unit, second_unit = [row.unit for row in pledge_signing_rows(pledge=pledge)]
    first = signed_by(signing_pki, "person", pledge_pdf(pledge=pledge))
    response = client.post(
        reverse("admin:registry_pledge_signed", args=[pledge.pk]),
        {"unit": str(first_unit.pk), "file": SimpleUploadedFile("gu.pdf", first)},
        follow=True,
    )
    assert f"Đã ghi nhận chữ ký số của {first_unit}" in response.content.decode()
    page = client.get(reverse("admin:registry_pledge_change", args=[pledge.pk])).content.decode()
    assert "Đã ký số: 1/2 đơn vị" in page and "Hoàng Văn Thử" in page and "Chưa ký" in page


# ------------------------------------------------------------------------ the public page


def _certificate(signing_pki):
    from registry.services.certificates import certificates_render

    decision = decision_issue(decision=factories.decision_with_lines(collectives=0))
    award = decision.awards.get()
    pdf = certificates_render(awards=[award])
    return award, pdf_sign(pdf, metadata={"verification_code": award.verification_code})


def test_the_public_page_names_the_award_and_says_when_it_was_revoked(signing_pki, client):
    award, certificate = _certificate(signing_pki)
    url = reverse("registry_verification_upload")
    page = client.post(url, {"file": SimpleUploadedFile("gk.pdf", certificate)}).content.decode()
    assert "Bản gốc, chưa bị sửa" in page and award.recipient_name in page
    assert award.verification_code in page and "Khen thưởng còn giá trị" in page
    factories.revoke([award], signed_date=date(2023, 2, 1))
    page = client.post(url, {"file": SimpleUploadedFile("gk.pdf", certificate)}).content.decode()
    assert "đã bị hủy theo Quyết định số 30/QĐ-UBND" in page


def test_the_public_page_recognises_a_decision_the_registry_signed(signing_pki, client):
    from registry.services.signed_papers import decision_pdf_signed

    decision = decision_issue(decision=factories.decision_with_lines(number="15/QĐ-UBND"))
    signed = decision_pdf_signed(decision=decision)
    url = reverse("registry_verification_upload")
    page = client.post(url, {"file": SimpleUploadedFile("qd.pdf", signed)}).content.decode()
    assert "quyết định đã lưu trong sổ" in page and "Số 15/QĐ-UBND ngày 10/01/2023" in page


def test_the_public_page_on_unsigned_altered_large_and_non_pdf_files(signing_pki, client, settings):
    from registry.services.papers import decision_pdf as paper

    url = reverse("registry_verification_upload")
    assert "Kiểm tra tệp PDF đã ký số" in client.get(url).content.decode()
    award, certificate = _certificate(signing_pki)
    unsigned = paper(decision=award.decision)
    page = client.post(url, {"file": SimpleUploadedFile("a.pdf", unsigned)}).content.decode()
    assert "Không chứng minh được" in page
    page = client.post(
        url, {"file": SimpleUploadedFile("a.pdf", add_content(certificate))}
    ).content.decode()
    assert "không phải bản gốc" in page and award.recipient_name not in page
    response = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"<html></html>")})
    assert response.status_code == 400 and "không phải PDF" in response.content.decode()
    settings.REGISTRY_VERIFY_UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("a.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1))
    response = client.post(url, {"file": big})
    assert response.status_code == 400 and "quá lớn" in response.content.decode()


def test_the_qr_page_shows_the_decision_signature(signing_pki, client, clerk):
    decision = factories.decision_with_lines(collectives=0)
    signed = signed_by(signing_pki, "person", decision_pdf(decision=decision))
    decision_signed_attach(decision=decision, data=signed, user=clerk)
    award = decision_issue(decision=decision).awards.get()
    page = client.get(reverse("registry_verification", args=[award.verification_code]))
    text = page.content.decode()
    assert "đã được ký số; chữ ký hợp lệ" in text and "Hoàng Văn Thử" in text
