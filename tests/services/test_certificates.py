"""Certificates read back from the PDF: every field, every Vietnamese letter, the page count, the
draft stamp, positions on blanks, reprints, the print log and the background batch."""

import re
import subprocess
import tempfile
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from registry.models import Award
from registry.models.printing import (
    CertificateLayout,
    PrintJob,
    PrintJobStatus,
    PrintLog,
)
from registry.services.awards import award_add
from registry.services.certificates import (
    DESIGN,
    certificates_calibration,
    certificates_render,
    decision_certificate_awards,
    fit_size,
    long_date,
)
from registry.services.decisions import decision_create, decision_issue
from tests import factories
from tests.conftest import database_url_is_postgres

pytestmark = pytest.mark.django_db

PT_PER_MM = 72 / 25.4
LONG_NAME = (
    "Tổ Công tác liên ngành phòng, chống dịch bệnh và bảo vệ môi trường, an ninh trật tự "
    "thuộc Ủy ban nhân dân xã Hoàng Việt, huyện Văn Lãng, tỉnh Lạng Sơn nhiệm kỳ 2021–2026"
)


# --- Reading PDFs back -----------------------------------------------------------------------------


def _run(args: list[str], pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        out = subprocess.run([*args, tmp.name, "-"], capture_output=True, check=True)
    return out.stdout.decode()


def pdf_text(pdf: bytes) -> str:
    """pdftotext output, NFC, with runs of white space as single spaces."""
    text = unicodedata.normalize("NFC", _run(["pdftotext"], pdf))
    return " ".join(text.split())


def pdf_pages_text(pdf: bytes) -> list[str]:
    text = unicodedata.normalize("NFC", _run(["pdftotext"], pdf))
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def pdf_pages(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        info = subprocess.run(["pdfinfo", tmp.name], capture_output=True, check=True).stdout
    return int(re.search(rb"Pages:\s+(\d+)", info).group(1))


def pdf_fonts(pdf: bytes) -> list[str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        out = subprocess.run(["pdffonts", tmp.name], capture_output=True, check=True).stdout
    return [line.split()[0] for line in out.decode().splitlines()[2:] if line.strip()]


def pdf_words(pdf: bytes) -> list[dict]:
    """Words with their boxes in points (pdftotext -bbox), page by page."""
    html = unicodedata.normalize("NFC", _run(["pdftotext", "-bbox"], pdf))
    words = []
    for page_no, page in enumerate(html.split("<page ")[1:], start=1):
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            page,
        ):
            words.append(
                {
                    "page": page_no,
                    "x0": float(m[1]),
                    "y0": float(m[2]),
                    "x1": float(m[3]),
                    "y1": float(m[4]),
                    "text": m[5],
                }
            )
    return words


# --- Data --------------------------------------------------------------------------------------------


def issued_decision(number="15/QĐ-UBND", **fields):
    """A collective, a woman with position and unit, and a man with a very long unit line."""
    cat = factories.catalogue()
    decision = factories.draft_decision(
        number=number, signer_prefix="KT.", signer_title="Phó Chủ tịch", **fields
    )
    gk = cat["giay_khen"]
    award_add(
        decision=decision,
        award_type=gk,
        recipient=factories.collective("Phòng Tư pháp huyện Văn Lãng"),
        period_from=2022,
        period_to=2022,
        achievement="Đã có thành tích xuất sắc trong công tác năm 2022",
    )
    award_add(
        decision=decision,
        award_type=gk,
        recipient=factories.individual(
            "Nông Thị Hằng", gender="nu", position="Chuyên viên", workplace="Phòng Nội vụ"
        ),
        period_from=2020,
        period_to=2022,
        achievement="Đã hoàn thành xuất sắc nhiệm vụ 3 năm liên tục (2020–2022)",
    )
    award_add(
        decision=decision,
        award_type=gk,
        recipient=factories.collective(LONG_NAME),
        period_from=2022,
        period_to=2022,
        achievement=("Đã có thành tích xuất sắc trong phong trào thi đua " * 12).strip(),
    )
    return decision


def party_decision():
    factories.catalogue()
    party = factories.authority(
        "vanlang-hu",
        name="Ban Thường vụ Huyện ủy Văn Lãng",
        organ="Huyện ủy Văn Lãng",
        chain="dang",
        level="huyen",
        header="BAN THƯỜNG VỤ HUYỆN ỦY VĂN LÃNG",
        numbering="nhiem-ky",
        term_start=date(2020, 10, 1),
        number_pattern="{n}-QĐ/HU",
    )
    from registry.models import AwardPower

    AwardPower.objects.get_or_create(chain="dang", level="huyen", award_type=factories.award_type())
    decision = decision_create(
        authority=party,
        number="45-QĐ/HU",
        signed_date=date(2023, 1, 17),
        subject="Về việc tặng Giấy khen cho đảng viên",
        signer_prefix="TM.",
        signer_title="Bí thư",
        signer_name="Đinh Hữu Học",
    )
    award_add(
        decision=decision,
        award_type=factories.award_type(),
        recipient=factories.individual("Hoàng Văn Sáu", gender="nam"),
        period_from=2018,
        period_to=2022,
        achievement="Đảng viên hoàn thành xuất sắc nhiệm vụ 5 năm liên tục (2018–2022)",
    )
    return decision_issue(decision=decision)


# --- Tests ------------------------------------------------------------------------------------------


def test_every_field_of_a_collective_and_an_individual(django_assert_max_num_queries):
    decision = decision_issue(decision=issued_decision())
    awards = list(decision_certificate_awards(decision))
    with django_assert_max_num_queries(8):
        pdf = certificates_render(awards=decision_certificate_awards(decision))
    pages = pdf_pages_text(pdf)
    assert len(pages) == pdf_pages(pdf) == 3
    collective, person = pages[0], pages[1]
    for page in pages:
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
        assert "Độc lập - Tự do - Hạnh phúc" in page  # hyphens, as in Nghị định 30/2020
        assert "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN VĂN LÃNG" in page
        assert "TẶNG" in page and "GIẤY KHEN" in page
        assert "Quyết định số 15/QĐ-UBND ngày 10 tháng 01 năm 2023" in page
        assert "Văn Lãng, ngày 10 tháng 01 năm 2023" in page
        assert "KT. CHỦ TỊCH" in page and "PHÓ CHỦ TỊCH" in page
        assert "Hoàng Văn Thử" in page
        assert "Mã xác thực" in page
    assert "Phòng Tư pháp huyện Văn Lãng" in collective
    assert "Đã có thành tích xuất sắc trong công tác năm 2022" in collective
    assert f"Số sổ vàng: {awards[0].register_number}" in collective
    assert awards[0].verification_code in collective
    assert "Bà Nông Thị Hằng" in person
    assert "Chuyên viên, Phòng Nội vụ" in person
    assert "Đã hoàn thành xuất sắc nhiệm vụ 3 năm liên tục (2020–2022)" in person
    assert f"Số sổ vàng: {awards[1].register_number}" in person
    assert awards[1].verification_code in person
    assert "Ông" not in collective


def test_the_qr_code_carries_the_verification_address(settings):
    import segno

    settings.PUBLIC_BASE_URL = "https://khenthuong.example.vn"
    decision = decision_issue(decision=issued_decision())
    award = decision_certificate_awards(decision).first()
    from registry.services.certificates import qr_data_uri, verification_url

    url = verification_url(award.verification_code)
    assert url == f"https://khenthuong.example.vn/xac-thuc/{award.verification_code}/"
    assert qr_data_uri(award.verification_code) == segno.make(url, error="m").png_data_uri(
        border=0, scale=1
    )
    pdf = certificates_render(awards=[award])
    assert pdf_pages(pdf) == 1
    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True)
    assert images.returncode == 0 and len(images.stdout.decode().splitlines()) == 3


def test_a_party_certificate_carries_the_party_header_not_the_national_motto():
    decision = party_decision()
    page = pdf_text(certificates_render(awards=decision_certificate_awards(decision)))
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in page
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA" not in page
    assert "BAN THƯỜNG VỤ HUYỆN ỦY VĂN LÃNG" in page
    assert "Ông Hoàng Văn Sáu" in page
    assert "TM. HUYỆN ỦY VĂN LÃNG" in page and "BÍ THƯ" in page
    assert "Quyết định số 45-QĐ/HU ngày 17 tháng 01 năm 2023" in page


def test_long_names_and_achievements_shrink_and_stay_on_their_page():
    decision = decision_issue(decision=issued_decision())
    pdf = certificates_render(awards=decision_certificate_awards(decision))
    assert pdf_pages(pdf) == 3
    long_page = pdf_pages_text(pdf)[2]
    assert LONG_NAME in long_page
    assert long_page.count("Đã có thành tích xuất sắc trong phong trào thi đua") == 12
    # Everything of the page is still there, below the long texts.
    assert "Hoàng Văn Thử" in long_page and "Số sổ vàng" in long_page
    words = [w for w in pdf_words(pdf) if w["page"] == 3]
    assert all(w["y1"] <= 210 * PT_PER_MM and w["x1"] <= 297 * PT_PER_MM for w in words)
    # The name's text got smaller than the design's 22 pt.
    assert (
        fit_size(LONG_NAME, font="bolditalic", width_mm=247, height_mm=15, max_pt=22, min_pt=10)
        < 22
    )


def test_page_count_equals_award_count_in_list_order_across_chunks(settings):
    settings.PRINT_CHUNK_SIZE = 2
    decision = factories.decision_with_lines("20/QĐ-UBND", collectives=2, individuals=3)
    # Reorder the list: line numbers decide, not the order of entry.
    lines = list(decision.awards.order_by("id"))
    for award, line_no in zip(lines, [5, 4, 3, 2, 1], strict=True):
        Award.objects.filter(pk=award.pk).update(line_no=line_no)
    decision_issue(decision=decision)
    pdf = certificates_render(awards=decision_certificate_awards(decision))
    pages = pdf_pages_text(pdf)
    assert pdf_pages(pdf) == 5
    expected = [a.recipient_name for a in decision.awards.order_by("line_no")]
    for page, name in zip(pages, expected, strict=True):
        assert name in page


def test_every_vietnamese_letter_in_both_cases_with_all_five_tones_round_trips():
    tones = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
    vowels = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
    words = [unicodedata.normalize("NFC", "".join(v + t for t in tones)) for v in vowels] + [
        "bcdđghklmnpqrstvx"
    ]
    lower = " ".join(words)
    upper = lower.upper()
    assert len(set(lower.replace(" ", ""))) == 12 * 6 + 17
    factories.catalogue()
    decision = factories.draft_decision("30/QĐ-UBND")
    gk = factories.award_type()
    for i, text in enumerate((lower, upper)):
        award_add(
            decision=decision,
            award_type=gk,
            recipient=factories.collective(f"Tập thể {i}"),
            period_from=2022,
            period_to=2022,
            achievement=text,
        )
    decision_issue(decision=decision)
    pdf = certificates_render(awards=decision_certificate_awards(decision))
    text = pdf_text(pdf)
    for word in (lower + " " + upper).split():
        assert word in text, word
    # Only the bundled font is embedded: no fallback font stood in for any letter.
    fonts = pdf_fonts(pdf)
    assert fonts and all("Registry-Serif" in name for name in fonts), fonts


def test_a_draft_prints_only_as_a_stamped_preview_without_numbers_codes_or_log():
    decision = issued_decision()  # not issued
    pdf = certificates_render(awards=decision_certificate_awards(decision))
    pages = pdf_pages_text(pdf)
    assert len(pages) == 3
    for page in pages:
        assert "DỰ THẢO" in page
        assert "Số sổ vàng" not in page
        assert "Mã xác thực" not in page
        assert "(dự thảo)" in page
    assert PrintLog.objects.count() == 0
    with pytest.raises(ValidationError, match="chưa ban hành"):
        certificates_render(awards=decision_certificate_awards(decision), reprint=True)


def test_overlay_prints_only_the_variable_text_at_the_stored_offsets():
    decision = decision_issue(decision=issued_decision())
    award = decision_certificate_awards(decision).first()
    default = pdf_words(certificates_render(awards=[award], mode="overlay"))
    texts = " ".join(w["text"] for w in default)
    assert "CỘNG" not in texts and "TẶNG" not in texts and "KHEN" not in texts
    first = next(w for w in default if w["text"] == "Quyết")
    # Unset offsets: where the full design puts the block.
    assert first["x0"] == pytest.approx(DESIGN["reference"]["x"] * PT_PER_MM, abs=1.5)

    CertificateLayout.objects.create(
        authority=decision.authority,
        award_type=award.award_type,
        reference_x=100,
        reference_y=40,
        name_y=60,
    )
    moved = pdf_words(certificates_render(awards=[award], mode="overlay"))
    first = next(w for w in moved if w["text"] == "Quyết")
    assert first["x0"] == pytest.approx(100 * PT_PER_MM, abs=1.5)
    assert first["y0"] == pytest.approx(40 * PT_PER_MM, abs=4)
    name = next(w for w in moved if w["text"] == "Phòng")
    assert name["y0"] == pytest.approx(60 * PT_PER_MM, abs=5)
    # The full design ignores a blank's offsets.
    full = pdf_words(certificates_render(awards=[award], mode="full"))
    first = next(w for w in full if w["text"] == "Quyết")
    assert first["x0"] == pytest.approx(DESIGN["reference"]["x"] * PT_PER_MM, abs=1.5)


def test_page_size_and_orientation_follow_the_award_types_layout():
    decision = decision_issue(decision=issued_decision())
    award = decision_certificate_awards(decision).first()
    CertificateLayout.objects.create(
        award_type=award.award_type, page_size="A4", orientation="portrait"
    )
    pdf = certificates_render(awards=[award])
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        info = subprocess.run(["pdfinfo", tmp.name], capture_output=True, check=True).stdout
    assert b"595.276 x 841.89" in info
    assert "Phòng Tư pháp huyện Văn Lãng" in pdf_text(pdf)


def test_calibration_page_has_a_ruler_and_the_blocks():
    decision = decision_issue(decision=issued_decision())
    award = decision_certificate_awards(decision).first()
    pdf = certificates_calibration(authority=decision.authority, award_type=award.award_type)
    assert pdf_pages(pdf) == 1
    text = pdf_text(pdf)
    assert "TRANG CĂN CHỈNH" in text
    assert "280" in text and "200" in text
    assert "tên người, tập thể được khen (25.0; 78.0)" in text


def test_a_reprint_keeps_its_code_says_so_and_every_print_is_logged():
    decision = decision_issue(decision=issued_decision())
    user = factories_user()
    award = decision_certificate_awards(decision)[1]
    first = pdf_text(certificates_render(awards=decision_certificate_awards(decision), user=user))
    assert "Bản cấp lại" not in first
    again = pdf_text(certificates_render(awards=[award], reprint=True, user=user))
    assert "Bản cấp lại" in again
    assert award.verification_code in again
    award.refresh_from_db()
    assert award.verification_code in first
    logs = list(PrintLog.objects.order_by("id").values_list("award_id", "kind", "printed_by"))
    assert len(logs) == 4
    assert logs[-1] == (award.pk, "cap-lai", user.pk)
    assert {kind for _, kind, _ in logs[:3]} == {"in"}


def test_a_revoked_award_gets_no_certificate():
    decision = decision_issue(decision=issued_decision())
    award = decision_certificate_awards(decision).first()
    factories.revoke([award], "99/QĐ-UBND", date(2023, 6, 1))
    with pytest.raises(ValidationError, match="đã bị hủy bởi quyết định 99/QĐ-UBND"):
        certificates_render(awards=[award.pk])
    assert pdf_pages(certificates_render(awards=decision_certificate_awards(decision))) == 2


def test_long_dates_put_a_zero_before_small_days_and_the_first_two_months():
    assert long_date(date(2023, 1, 17), "Văn Lãng") == "Văn Lãng, ngày 17 tháng 01 năm 2023"
    assert long_date(date(2023, 3, 5)) == "ngày 05 tháng 3 năm 2023"
    assert long_date(date(2023, 12, 25)) == "ngày 25 tháng 12 năm 2023"


# The worker closes database connections between tasks, as a worker should, so PostgreSQL needs
# real commits. SQLite's test database is one shared in-memory connection that survives that, and
# its flush after a transactional test would trip the issued-decision locks: it keeps the
# wrapping transaction and runs the commit callbacks by hand.
@pytest.mark.django_db(transaction=database_url_is_postgres())
def test_a_large_batch_runs_in_the_background_and_its_file_is_served(
    settings, tmp_path, client, request
):
    settings.MEDIA_ROOT = tmp_path
    settings.PRINT_BACKGROUND_THRESHOLD = 2
    settings.PRINT_CHUNK_SIZE = 2
    decision = decision_issue(decision=factories.decision_with_lines("40/QĐ-UBND", 2, 3))
    user = factories_user(superuser=True)
    client.force_login(user)
    if database_url_is_postgres():
        response = client.get(f"/admin/registry/printjob/decision/{decision.pk}/certificates/")
    else:
        with request.getfixturevalue("django_capture_on_commit_callbacks")(execute=True):
            response = client.get(f"/admin/registry/printjob/decision/{decision.pk}/certificates/")
    job = PrintJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/registry/printjob/{job.pk}/status/"
    assert job.status == PrintJobStatus.QUEUED and job.total == 5 and job.task_id
    page = client.get(response["Location"])
    assert "Đang chờ" in page.content.decode() and 'http-equiv="refresh"' in page.content.decode()

    call_command("db_worker", batch=True, verbosity=0)

    job.refresh_from_db()
    assert job.status == PrintJobStatus.DONE, job.error
    assert job.done == 5 and job.finished_at
    page = client.get(f"/admin/registry/printjob/{job.pk}/status/").content.decode()
    assert "Tải tệp PDF" in page and 'http-equiv="refresh"' not in page
    download = client.get(f"/admin/registry/printjob/{job.pk}/download/")
    pdf = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/pdf"
    assert pdf_pages(pdf) == 5
    assert PrintLog.objects.filter(job=job).count() == 5
    Path(job.file.path).unlink()


def test_a_small_batch_is_printed_at_once_from_the_decision_page(client):
    decision = decision_issue(decision=issued_decision())
    client.force_login(factories_user(superuser=True))
    page = client.get(f"/admin/registry/decision/{decision.pk}/change/").content.decode()
    assert "In giấy khen" in page and "In trên phôi" in page and "Quyết định (.docx)" in page
    response = client.get(f"/admin/registry/printjob/decision/{decision.pk}/certificates/")
    assert response["Content-Type"] == "application/pdf"
    assert pdf_pages(response.content) == 3
    overlay = client.get(
        f"/admin/registry/printjob/decision/{decision.pk}/certificates/?mode=overlay"
    )
    assert "CỘNG HÒA" not in pdf_text(overlay.content)
    calibration = client.get(f"/admin/registry/printjob/decision/{decision.pk}/calibration/")
    assert "TRANG CĂN CHỈNH" in pdf_text(calibration.content)
    assert PrintJob.objects.count() == 0


def test_the_award_admin_action_prints_and_reprints_selected_awards(client):
    decision = decision_issue(decision=issued_decision())
    client.force_login(factories_user(superuser=True))
    ids = [str(pk) for pk in decision_certificate_awards(decision).values_list("pk", flat=True)[:2]]
    response = client.post(
        "/admin/registry/award/",
        {"action": "reprint_certificates", "_selected_action": ids},
    )
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert pdf_pages(response.content) == 2 and text.count("Bản cấp lại") == 2
    assert PrintLog.objects.filter(kind="cap-lai").count() == 2


def test_the_command_prints_a_decision(tmp_path):
    decision = decision_issue(decision=issued_decision())
    out = tmp_path / "giay-khen.pdf"
    call_command("print_certificates", "--decision", str(decision.pk), "-o", str(out))
    assert pdf_pages(out.read_bytes()) == 3
    call_command("print_certificates", "--decision", str(decision.pk), "--overlay", "-o", str(out))
    assert "CỘNG HÒA" not in pdf_text(out.read_bytes())
    call_command(
        "print_certificates", "--decision", str(decision.pk), "--calibration", "-o", str(out)
    )
    assert "TRANG CĂN CHỈNH" in pdf_text(out.read_bytes())


def factories_user(superuser=False):
    from django.contrib.auth import get_user_model

    model = get_user_model()
    name = "quantri" if superuser else "canbo"
    user = model.objects.filter(username=name).first()
    if user:
        return user
    if superuser:
        return model.objects.create_superuser(name, password="mat-khau-thu-nghiem")
    return model.objects.create_user(name, password="mat-khau-thu-nghiem", is_staff=True)
