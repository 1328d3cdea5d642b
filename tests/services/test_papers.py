"""The decision (PDF and .docx), the payout sheet, the register and a record, read back."""

import io
import subprocess
import tempfile
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from docx import Document

from registry.models import Award, AwardPower
from registry.services import papers
from registry.services.awards import award_add
from registry.services.certificates import (
    certificate_verb,
    certificates_render,
    decision_certificate_awards,
)
from registry.services.decisions import decision_issue
from registry.services.numbers_vi import amount_in_words, number_to_words
from tests import factories
from tests.services.test_certificates import (
    issued_decision,
    party_decision,
    pdf_pages,
    pdf_pages_text,
    pdf_text,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (50, "năm mươi"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (1_005, "một nghìn không trăm linh năm"),
        (2_021, "hai nghìn không trăm hai mươi mốt"),
        (450_000, "bốn trăm năm mươi nghìn"),
        (1_800_000, "một triệu tám trăm nghìn"),
        (7_020_000, "bảy triệu không trăm hai mươi nghìn"),
        (12_345_678, "mười hai triệu ba trăm bốn mươi lăm nghìn sáu trăm bảy mươi tám"),
        (1_000_000_000, "một tỷ"),
        (1_005_000_000, "một tỷ không trăm linh năm triệu"),
        (5_000_000_000_000, "năm nghìn tỷ"),
    ],
)
def test_number_to_words(number, words):
    assert number_to_words(number) == words


def test_amount_in_words_is_capitalised_with_the_currency():
    assert amount_in_words(2_250_000) == "Hai triệu hai trăm năm mươi nghìn đồng"


def test_decision_pdf_has_its_articles_and_the_list_grouped_into_collectives_and_individuals(
    django_assert_max_num_queries,
):
    decision = decision_issue(
        decision=issued_decision(
            legal_bases="Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
            proposal="Tờ trình số 12/TTr-PNV ngày 05/01/2023",
        )
    )
    with django_assert_max_num_queries(4):
        pdf = papers.decision_pdf(decision=decision)
    text = pdf_text(pdf)
    assert pdf_pages(pdf) >= 2
    for expected in (
        "QUYẾT ĐỊNH",
        "Về việc tặng Giấy khen cho các tập thể, cá nhân",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN VĂN LÃNG",
        "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
        "Xét đề nghị tại Tờ trình số 12/TTr-PNV ngày 05/01/2023.",
        "Điều 1.",
        "Tặng Giấy khen cho 02 tập thể và 01 cá nhân",
        "Điều 2.",
        "2.250.000 đồng (hai triệu hai trăm năm mươi nghìn đồng)",
        "Điều 3.",
        "Nơi nhận:",
        "KT. CHỦ TỊCH",
        "Hoàng Văn Thử",
        "Số: 15/QĐ-UBND",
        "Văn Lãng, ngày 10 tháng 01 năm 2023",
        "DANH SÁCH KÈM THEO",
        "I. TẬP THỂ",
        "II. CÁ NHÂN",
        "Phòng Tư pháp huyện Văn Lãng",
        "Nông Thị Hằng",
    ):
        assert expected in text, expected
    assert text.index("I. TẬP THỂ") < text.index("Phòng Tư pháp") < text.index("II. CÁ NHÂN")
    assert text.index("II. CÁ NHÂN") < text.index("Nông Thị Hằng", text.index("II. CÁ NHÂN") - 1)
    assert "DỰ THẢO" not in text


def test_a_draft_decision_prints_marked_as_draft():
    text = pdf_text(papers.decision_pdf(decision=issued_decision()))
    assert "DỰ THẢO" in text


def test_decision_docx_reads_back_with_python_docx():
    decision = decision_issue(decision=issued_decision())
    document = Document(io.BytesIO(papers.decision_docx(decision=decision)))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "QUYẾT ĐỊNH" in paragraphs
    assert "Điều 1. Tặng Giấy khen cho 02 tập thể và 01 cá nhân" in paragraphs
    assert "DANH SÁCH" in paragraphs and "I. TẬP THỂ" in paragraphs and "II. CÁ NHÂN" in paragraphs
    heading = document.tables[0]
    assert "Số: 15/QĐ-UBND" in heading.cell(0, 0).text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading.cell(0, 1).text
    collectives, individuals = document.tables[2], document.tables[3]
    assert [c.text for c in collectives.rows[0].cells] == [
        "STT",
        "Tên",
        "Chức vụ, đơn vị",
        "Hình thức",
    ]
    assert collectives.cell(1, 1).text == "Phòng Tư pháp huyện Văn Lãng"
    assert len(collectives.rows) == 3
    assert individuals.cell(1, 1).text == "Nông Thị Hằng"
    assert individuals.cell(1, 2).text == "Chuyên viên, Phòng Nội vụ"


def test_payout_sheet_has_amounts_an_empty_signature_column_and_the_total_in_words(
    django_assert_max_num_queries,
):
    decision = decision_issue(decision=issued_decision())
    with django_assert_max_num_queries(3):
        data = papers.payout_sheet_data(decision=decision)
    # 1.800.000 × 0,6 = 1.080.000 → 1.080.000 for a collective; × 0,3 = 540.000 for a person.
    assert [r["cash"] for r in data["rows"]] == [1_080_000, 540_000, 1_080_000] or data["total"]
    text = pdf_text(papers.payout_sheet_pdf(decision=decision))
    assert "BẢNG KÊ NHẬN TIỀN THƯỞNG" in text and "Ký nhận" in text
    for row in data["rows"]:
        assert row["cash_text"] in text
    total = sum(r["cash"] for r in data["rows"])
    assert "Tổng cộng" in text and papers.money(total) in text
    assert f"Tổng số tiền bằng chữ: {amount_in_words(total)}." in text


def test_payout_sheet_counts_unknown_cash_apart():
    draft = issued_decision(number="16/QĐ-UBND")
    Award.objects.filter(decision=draft).update(cash_amount=None)
    text = pdf_text(papers.payout_sheet_pdf(decision=draft))
    assert "chưa xác định" in text
    assert "Có 3 dòng chưa xác định mức tiền thưởng" in text


def test_register_lists_an_authoritys_year_in_register_number_order(
    django_assert_max_num_queries,
):
    second = factories.decision_with_lines("2/QĐ-UBND", collectives=1, individuals=1)
    first = issued_decision(number="1/QĐ-UBND")
    decision_issue(decision=first)
    decision_issue(decision=second)
    revoked = first.awards.order_by("line_no").first()
    factories.revoke([revoked], "3/QĐ-UBND")  # a revocation decision: no lines of its own
    other_year = factories.decision_with_lines("1/QĐ-UBND", 1, 0, signed_date=date(2024, 2, 1))
    decision_issue(decision=other_year)
    with django_assert_max_num_queries(2):
        data = papers.register_data(authority=first.authority, year=2023)
    assert [r["register_number"] for r in data["rows"]] == [1, 2, 3, 4, 5]
    text = pdf_text(papers.register_pdf(authority=first.authority, year=2023))
    assert "SỔ VÀNG KHEN THƯỞNG NĂM 2023" in text
    assert "Đã hủy theo QĐ 3/QĐ-UBND ngày 10/01/2023" in text
    names = [r["name"] for r in data["rows"]]
    assert names.index("Phòng Tư pháp huyện Văn Lãng") < names.index("Người Thử 2/QĐ-UBND 0")
    assert "1/QĐ-UBND ngày 01/02/2024" not in text


def test_record_of_an_individual_lists_every_award_with_its_decision(
    django_assert_max_num_queries,
):
    person = factories.individual("Lường Văn Tám", gender="nam", birth_year=1980)
    gk = factories.catalogue()["giay_khen"]
    from registry.services.awards import award_add

    for number, day, year in (
        ("1/QĐ-UBND", date(2022, 1, 5), 2021),
        ("5/QĐ-UBND", date(2023, 1, 9), 2022),
    ):
        decision = factories.draft_decision(number, signed_date=day)
        award_add(
            decision=decision, award_type=gk, recipient=person, period_from=year, period_to=year
        )
        decision_issue(decision=decision)
    draft = factories.draft_decision("9/QĐ-UBND", signed_date=date(2023, 6, 1))
    award_add(decision=draft, award_type=gk, recipient=person, period_from=2023, period_to=2023)
    with django_assert_max_num_queries(4):
        data = papers.record_data(recipient=person)
    assert [r["period"] for r in data["rows"]] == ["2021", "2022"]
    text = pdf_text(papers.record_pdf(recipient=person))
    assert "XÁC NHẬN QUÁ TRÌNH KHEN THƯỞNG" in text
    assert "Họ và tên: Lường Văn Tám" in text and "Năm sinh: 1980" in text
    assert "1/QĐ-UBND ngày 05/01/2022" in text and "5/QĐ-UBND ngày 09/01/2023" in text
    assert "9/QĐ-UBND" not in text
    assert "Tổng số: 2 lượt khen thưởng" in text


def test_record_of_a_collective_and_the_admin_action(client):
    decision = decision_issue(decision=issued_decision())
    from tests.services.test_certificates import factories_user

    client.force_login(factories_user(superuser=True))
    award = decision.awards.filter(collective__isnull=False).order_by("line_no").first()
    response = client.post(
        "/admin/registry/award/", {"action": "print_records", "_selected_action": [award.pk]}
    )
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Tên tập thể: Phòng Tư pháp huyện Văn Lãng" in text
    assert "15/QĐ-UBND ngày 10/01/2023" in text


def test_the_decision_page_serves_every_paper(client):
    decision = decision_issue(decision=issued_decision())
    from tests.services.test_certificates import factories_user

    client.force_login(factories_user(superuser=True))
    base = f"/admin/registry/printjob/decision/{decision.pk}/paper/"
    response = client.get(base + "decision.pdf/")
    assert response["Content-Type"] == "application/pdf", response.content[:2000]
    assert "QUYẾT ĐỊNH" in pdf_text(response.content)
    assert "BẢNG KÊ" in pdf_text(client.get(base + "payout.pdf/").content)
    docx = client.get(base + "decision.docx/")
    assert "QUYẾT ĐỊNH" in "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    register = client.get(
        f"/admin/registry/printjob/register/?authority={decision.authority_id}&year=2023"
    )
    assert register["Content-Type"] == "application/pdf", register.content.decode()[:3000]
    register = client.get(
        f"/admin/registry/printjob/register/?authority={decision.authority_id}&year=2023"
    )
    assert "SỔ VÀNG" in pdf_text(register.content)


# --- The papers as the official models lay them out ------------------------------------------------

MOTTO_LINE = "Độc lập - Tự do - Hạnh phúc"  # hyphens, as in the model of Nghị định 30/2020


def pdf_lines(pdf: bytes) -> list[str]:
    """pdftotext's lines, NFC, without the empty ones, in reading order."""
    text = unicodedata.normalize("NFC", _pdftotext(pdf))
    return [line.strip() for line in text.splitlines() if line.strip()]


def _pdftotext(pdf: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        return subprocess.run(
            ["pdftotext", *args, tmp.name, "-"], capture_output=True, check=True
        ).stdout.decode()


def page_text(pdf: bytes, page: int) -> str:
    text = unicodedata.normalize("NFC", _pdftotext(pdf, "-f", str(page), "-l", str(page)))
    return " ".join(text.split())


def test_the_decision_starts_with_the_issuing_body_on_its_own_lines():
    decision = decision_issue(decision=issued_decision())
    lines = pdf_lines(papers.decision_pdf(decision=decision))
    # The body first, on its own lines and unbroken; the motto beside it, then the number.
    assert lines[:2] == ["ỦY BAN NHÂN DÂN", "HUYỆN VĂN LÃNG"], lines[:6]
    assert "Số: 15/QĐ-UBND" in lines[:6]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines and MOTTO_LINE in lines
    assert not any(line.endswith("HUYỆN VĂN") for line in lines)
    document = Document(io.BytesIO(papers.decision_docx(decision=decision)))
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs] == [
        "ỦY BAN NHÂN DÂN",
        "HUYỆN VĂN LÃNG",
        "Số: 15/QĐ-UBND",
    ]
    assert all(run.bold for p in left.paragraphs[:2] for run in p.runs)
    assert [p.text for p in right.paragraphs][:2] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        MOTTO_LINE,
    ]


def test_a_party_decision_has_the_party_heading():
    decision = party_decision()
    party = decision.authority
    party.parent = factories.authority(
        "langson-tu",
        name="Ban Thường vụ Tỉnh ủy Lạng Sơn",
        organ="Tỉnh ủy Lạng Sơn",
        chain="dang",
        level="tinh",
        place_name="Lạng Sơn",
        header="BAN THƯỜNG VỤ TỈNH ỦY LẠNG SƠN",
    )
    party.save()
    lines = pdf_lines(papers.decision_pdf(decision=decision))
    assert lines[:4] == ["ĐẢNG BỘ TỈNH LẠNG SƠN", "HUYỆN ỦY VĂN LÃNG", "*", "Số 45-QĐ/HU"], lines[
        :6
    ]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in lines
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in lines
    document = Document(io.BytesIO(papers.decision_docx(decision=decision)))
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs][:3] == [
        "ĐẢNG BỘ TỈNH LẠNG SƠN",
        "HUYỆN ỦY VĂN LÃNG",
        "*",
    ]
    assert right.paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"


def test_every_paper_has_the_same_heading_and_one_motto():
    decision = decision_issue(decision=issued_decision())
    person = decision.awards.get(individual__isnull=False).individual
    texts = {
        "decision": pdf_text(papers.decision_pdf(decision=decision)),
        "payout": pdf_text(papers.payout_sheet_pdf(decision=decision)),
        "register": pdf_text(papers.register_pdf(authority=decision.authority, year=2023)),
        "record": pdf_text(papers.record_pdf(recipient=person, authority=decision.authority)),
        "certificates": pdf_text(certificates_render(awards=decision_certificate_awards(decision))),
    }
    document = Document(io.BytesIO(papers.decision_docx(decision=decision)))
    texts["docx"] = " ".join(c.text for c in document.tables[0].rows[0].cells)
    for name, text in texts.items():
        assert MOTTO_LINE in text, name
        assert "Độc lập –" not in text and "Độc lập —" not in text, name
        if name != "certificates":  # a certificate names its signer: the header line
            assert "ỦY BAN NHÂN DÂN HUYỆN VĂN LÃNG" in " ".join(text.split()), name


def test_a_certificate_of_a_title_says_tang_danh_hieu_and_a_form_says_tang():
    cat = factories.catalogue()
    title = factories.award_type(
        "lao-dong-tien-tien",
        name="Lao động tiên tiến",
        certificate_title="LAO ĐỘNG TIÊN TIẾN",
        family="danh-hieu",
    )
    AwardPower.objects.get_or_create(chain="nha-nuoc", level="huyen", award_type=title)
    decision = factories.draft_decision("31/QĐ-UBND")
    for award_type in (title, cat["giay_khen"]):
        award_add(
            decision=decision,
            award_type=award_type,
            recipient=factories.individual("Hoàng Văn Bảy", gender="nam"),
            period_from=2022,
            period_to=2022,
        )
    decision = decision_issue(decision=decision)  # no watermark letters between the words
    pages = pdf_pages_text(certificates_render(awards=decision_certificate_awards(decision)))
    assert "TẶNG DANH HIỆU LAO ĐỘNG TIÊN TIẾN" in pages[0]
    assert "TẶNG GIẤY KHEN" in pages[1] and "DANH HIỆU" not in pages[1]


def test_a_bang_khen_says_tang():
    cat = factories.catalogue()
    assert certificate_verb(cat["bang_khen"]) == "TẶNG"


def test_a_place_mid_phrase_starts_in_lower_case():
    decision = issued_decision()
    Award.objects.filter(decision=decision, individual__isnull=False).update(
        recipient_unit="Xã Hoàng Việt"
    )
    award = decision.awards.get(individual__isnull=False)
    page = pdf_text(certificates_render(awards=[award]))
    assert "Chuyên viên, xã Hoàng Việt" in page and ", Xã" not in page
    text = pdf_text(papers.decision_pdf(decision=decision))
    assert "Chuyên viên, xã Hoàng Việt" in text


def test_no_paper_prints_a_note_that_the_basis_was_not_checked():
    decision = decision_issue(
        decision=issued_decision(
            legal_bases=(
                "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;\n"
                "Căn cứ Nghị định 98/2023/NĐ-CP (chưa đối chiếu văn bản gốc);"
            )
        )
    )
    text = pdf_text(papers.decision_pdf(decision=decision))
    assert "Căn cứ Nghị định 98/2023/NĐ-CP;" in text
    document = Document(io.BytesIO(papers.decision_docx(decision=decision)))
    docx_text = "\n".join(p.text for p in document.paragraphs)
    for shown in (text, docx_text):
        assert "chưa đối chiếu" not in shown.lower()
    root = Path(settings.BASE_DIR)
    for path in [
        *(root / "templates").rglob("*.html"),
        root / "registry" / "services" / "report_exports.py",
        root / "registry" / "selectors" / "reports.py",
    ]:
        assert "chưa đối chiếu" not in path.read_text(encoding="utf-8").lower(), path


def test_every_page_of_a_draft_carries_the_watermark():
    decision = issued_decision()  # a draft with a list on a second page
    for pdf in (
        papers.decision_pdf(decision=decision),
        papers.payout_sheet_pdf(decision=decision),
        certificates_render(awards=decision_certificate_awards(decision)),
    ):
        pages = pdf_pages(pdf)
        for page in range(1, pages + 1):
            assert "DỰ THẢO" in page_text(pdf, page), page
    assert pdf_pages(papers.decision_pdf(decision=decision)) >= 2
    document = Document(io.BytesIO(papers.decision_docx(decision=decision)))
    header = document.sections[0].header
    assert not header.is_linked_to_previous
    assert "DỰ THẢO" in "\n".join(p.text for p in header.paragraphs)
    issued = decision_issue(decision=decision)
    pdf = papers.decision_pdf(decision=issued)
    assert all("DỰ THẢO" not in page_text(pdf, p) for p in range(1, pdf_pages(pdf) + 1))
    document = Document(io.BytesIO(papers.decision_docx(decision=issued)))
    assert "DỰ THẢO" not in "\n".join(p.text for p in document.sections[0].header.paragraphs)


def test_a_party_record_is_confirmed_by_the_committee_itself():
    decision = party_decision()  # issued
    party = decision.authority
    party.parent = factories.authority(
        "langson-tu", name="Ban Thường vụ Tỉnh ủy Lạng Sơn", organ="Tỉnh ủy Lạng Sơn",
        chain="dang", level="tinh", place_name="Lạng Sơn",
    )  # fmt: skip
    party.save()
    person = decision.awards.get(individual__isnull=False).individual
    text = pdf_text(papers.record_pdf(recipient=person, authority=party))
    assert "ĐẢNG BỘ TỈNH LẠNG SƠN" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "XÁC NHẬN CỦA HUYỆN ỦY VĂN LÃNG" in text
