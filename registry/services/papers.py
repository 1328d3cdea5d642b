"""The other papers a clerk prints: the decision with its list (PDF and .docx), the cash payout
sheet, the register (sổ vàng) of an authority for a year, and a recipient's record of awards.

Each paper is built once as plain data (``*_data``), in a bounded number of queries, and then
rendered: to PDF through the same stylesheet and bundled font as the certificates, and for the
decision also to .docx, which the office may still edit before signing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from registry.models import Award, Collective, Decision, Individual
from registry.models.awards import DecisionStatus
from registry.services.awards import awards_cash_notes
from registry.services.certificates import html_to_pdf, long_date, signer_lines
from registry.services.heading import (
    MOTTO,
    PARTY_MOTTO,
    join_mid_phrase,
    paper_heading,
    without_unconfirmed,
)
from registry.services.numbers_vi import amount_in_words

__all__ = ["MOTTO", "PARTY_MOTTO"]
DRAFT_WATERMARK = "DỰ THẢO"


def money(amount: int | None) -> str:
    """1800000 -> '1.800.000'; None -> 'chưa xác định'."""
    if amount is None:
        return "chưa xác định"
    return f"{amount:,}".replace(",", ".")


def _heading(authority, *, number: str | None, day: date, place: str) -> dict:
    """Every paper's heading, from the one helper the certificates share."""
    return paper_heading(authority, number=number, day=day, place=place)


def _awards_of(decision: Decision):
    return (
        decision.awards.select_related("award_type", "individual", "collective", "household")
        .filter(revoked_by__isnull=True)
        .order_by("line_no", "id")
    )


def _recipient_row(award: Award) -> dict:
    return {
        "line_no": award.line_no,
        "name": award.recipient_name or str(award.recipient),
        "position": award.recipient_position,
        "unit": award.recipient_unit,
        "position_unit": join_mid_phrase(award.recipient_position, award.recipient_unit),
        "award_type": award.award_type.name,
        "period": award.period_label,
        "cash": award.cash_amount,
        "cash_text": money(award.cash_amount),
    }


@dataclass
class DecisionPaper:
    decision: Decision
    heading: dict
    draft: bool
    authority_title: str
    bases: list[str]
    proposal: str
    article1: str
    article2: str
    article3: str
    recipients: list[str]
    signer: list[str]
    signer_name: str
    groups: list[dict] = field(default_factory=list)
    list_caption: str = ""


def decision_paper_data(*, decision: Decision) -> DecisionPaper:
    decision = Decision.objects.select_related(
        "authority__parent", "proposing_authority", "proposing_unit"
    ).get(pk=decision.pk)
    authority = decision.authority
    awards = list(_awards_of(decision))
    collectives = [a for a in awards if a.collective_id]
    individuals = [a for a in awards if a.individual_id]
    households = [a for a in awards if a.household_id]
    type_names = list(dict.fromkeys(a.award_type.name for a in awards))
    counts = []
    if collectives:
        counts.append(f"{len(collectives):02d} tập thể")
    if individuals:
        counts.append(f"{len(individuals):02d} cá nhân")
    if households:
        counts.append(f"{len(households):02d} hộ gia đình")
    who = " và ".join(counts) or "các tập thể, cá nhân"
    article1 = (
        f"Tặng {', '.join(type_names) or '…'} cho {who} "
        "(có danh sách kèm theo) đã có thành tích được nêu trong danh sách."
    )
    known = [a.cash_amount for a in awards if a.cash_amount is not None]
    unknown = len(awards) - len(known)
    total = sum(known)
    if known:
        article2 = (
            f"Kèm theo Giấy khen là tiền thưởng theo quy định; tổng số tiền: {money(total)} đồng "
            f"({amount_in_words(total)[0].lower() + amount_in_words(total)[1:]})."
        )
        if unknown:
            article2 += f" Có {unknown} trường hợp chưa xác định mức thưởng."
    else:
        article2 = "Mức tiền thưởng thực hiện theo quy định hiện hành."
    proposer = decision.proposing_authority or decision.proposing_unit
    proposal = ""
    if proposer or decision.proposal:
        proposal = "Xét đề nghị"
        if proposer:
            proposal += f" của {proposer.name if hasattr(proposer, 'name') else proposer}"
        if decision.proposal:
            proposal += f" tại {decision.proposal}"
        proposal += "."
    groups = [
        {"title": title, "name_header": header, "rows": [_recipient_row(a) for a in items]}
        for title, header, items in (
            ("TẬP THỂ", "Tên tập thể", collectives),
            ("CÁ NHÂN", "Họ và tên", individuals),
            ("HỘ GIA ĐÌNH", "Hộ gia đình", households),
        )
        if items
    ]
    for roman, group in zip(("I", "II", "III"), groups, strict=False):
        group["title"] = f"{roman}. {group['title']}"
    return DecisionPaper(
        decision=decision,
        heading=_heading(
            authority,
            number=decision.number,
            day=decision.signed_date,
            place=decision.place or authority.place_name,
        ),
        draft=decision.status != DecisionStatus.ISSUED,
        authority_title=(authority.header or authority.name).upper(),
        bases=[
            without_unconfirmed(line.strip())
            for line in decision.legal_bases.splitlines()
            if without_unconfirmed(line.strip())
        ],
        proposal=proposal,
        article1=article1,
        article2=article2,
        article3=(
            "Chánh Văn phòng, Trưởng phòng Nội vụ, thủ trưởng các cơ quan, đơn vị có liên quan và "
            "các tập thể, cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./."
        ),
        recipients=["Như Điều 3;", "Lưu: VT."],
        signer=signer_lines(decision),
        signer_name=decision.signer_name,
        groups=groups,
        list_caption=(
            f"(Kèm theo Quyết định số {decision.number or '…'} {long_date(decision.signed_date)} "
            f"của {authority.name})"
        ),
    )


def decision_pdf(*, decision: Decision) -> bytes:
    paper = decision_paper_data(decision=decision)
    return html_to_pdf(render_to_string("registry/papers/decision.html", {"paper": paper}))


def decision_docx(*, decision: Decision) -> bytes:
    """The decision as a Word file the office can still edit before signing."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt

    paper = decision_paper_data(decision=decision)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)

    def para(text="", *, bold=False, italic=False, align=None, size=None):
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        return p

    _docx_heading(doc, paper.heading)
    if paper.draft:
        _docx_watermark(section)
    para("QUYẾT ĐỊNH", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    para(paper.decision.subject, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(paper.authority_title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for basis in paper.bases:
        para(basis, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    if paper.proposal:
        para(paper.proposal, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    para("QUYẾT ĐỊNH:", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for number, text in enumerate((paper.article1, paper.article2, paper.article3), start=1):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.add_run(f"Điều {number}. ").bold = True
        p.add_run(text)
    sign = doc.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    run = left.paragraphs[0].add_run("Nơi nhận:")
    run.bold, run.italic = True, True
    for line in paper.recipients:
        left.add_paragraph(f"- {line}")
    right.paragraphs[0].add_run(paper.signer[0]).bold = True
    for line in paper.signer[1:]:
        right.add_paragraph().add_run(line).bold = True
    for _ in range(4):
        right.add_paragraph()
    right.add_paragraph().add_run(paper.signer_name).bold = True
    for p in right.paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    para("DANH SÁCH", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(
        paper.decision.subject.replace("Về việc tặng", "Tặng", 1),
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    para(paper.list_caption, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for group in paper.groups:
        para(group["title"], bold=True)
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, ("STT", "Tên", "Chức vụ, đơn vị", "Hình thức"), strict=True
        ):
            cell.paragraphs[0].add_run(text).bold = True
        for index, row in enumerate(group["rows"], start=1):
            cells = table.add_row().cells
            cells[0].text = str(index)
            cells[1].text = row["name"]
            cells[2].text = row["position_unit"]
            cells[3].text = row["award_type"]
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _docx_rule(paragraph, *, width_mm: float, cell_mm: float) -> None:
    """A short centred rule under a paragraph: its bottom border, indented to the rule's width."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    side = max((cell_mm - width_mm) / 2, 0)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _docx_heading(doc, heading: dict) -> None:
    """The same heading as _heading.html: the body on its own lines, bold, a short rule, number."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Mm(70), Mm(95)

    def line(cell, text, *, bold=False, italic=False, first=False, size=12.5):
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.size = Pt(size)
        return p

    for index, organ in enumerate(heading["organ_lines"]):
        last = line(left, organ["text"], bold=organ["bold"], first=index == 0)
    if heading["party"]:
        line(left, "*")
    else:
        _docx_rule(last, width_mm=30, cell_mm=70)
    if heading["number"]:
        line(left, heading["number"], size=12)
    for index, text in enumerate(heading["motto"]):
        last = line(right, text, bold=True, first=index == 0)
    _docx_rule(last, width_mm=60 if not heading["party"] else 62, cell_mm=95)
    line(right, heading["date_line"], italic=True, size=12)


def _docx_watermark(section) -> None:
    """A draft's mark on every page of the .docx: a line in the page header, which Word repeats."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(f"{DRAFT_WATERMARK} – bản xem trước, chưa ký ban hành")
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = RGBColor(0xC8, 0x10, 0x2E)


def payout_sheet_data(*, decision: Decision) -> dict:
    decision = Decision.objects.select_related("authority__parent").get(pk=decision.pk)
    awards = list(_awards_of(decision))
    # Several titles of one period are paid once, at the highest (Nghị định 152/2025 Điều 49).
    notes = awards_cash_notes(decision=decision, awards=awards)
    rows = []
    for award in awards:
        row = _recipient_row(award)
        if award.pk in notes:
            row["note"], row["cash"] = notes[award.pk]
            row["cash_text"] = money(row["cash"])
        rows.append(row)
    known = [r["cash"] for r in rows if r["cash"] is not None]
    total = sum(known)
    return {
        "decision": decision,
        "heading": _heading(
            decision.authority,
            number=None,
            day=timezone.localdate(),
            place=decision.place or decision.authority.place_name,
        ),
        "caption": f"(Kèm theo Quyết định số {decision.number or '…'} {long_date(decision.signed_date)} "
        f"của {decision.authority.name})",
        "rows": rows,
        "total": total,
        "total_text": money(total),
        "total_words": amount_in_words(total),
        "unknown": len(rows) - len(known),
        "draft": decision.status != DecisionStatus.ISSUED,
    }


def payout_sheet_pdf(*, decision: Decision) -> bytes:
    data = payout_sheet_data(decision=decision)
    return html_to_pdf(render_to_string("registry/papers/payout.html", data))


def register_data(*, authority, year: int) -> dict:
    awards = (
        Award.objects.filter(
            authority=authority,
            register_number__isnull=False,
            decision__status=DecisionStatus.ISSUED,
            decision__signed_date__year=year,
        )
        .select_related("award_type", "decision", "revoked_by")
        .order_by("register_number")
    )
    rows = []
    for award in awards:
        row = _recipient_row(award)
        row.update(
            register_number=award.register_number,
            decision=f"{award.decision.number} ngày {award.decision.signed_date:%d/%m/%Y}",
            note=(
                f"Đã hủy theo QĐ {award.revoked_by.number} ngày {award.revoked_by.signed_date:%d/%m/%Y}"
                if award.revoked_by_id
                else ""
            ),
        )
        rows.append(row)
    return {
        "authority": authority,
        "year": year,
        "rows": rows,
        "heading": _heading(
            authority, number=None, day=timezone.localdate(), place=authority.place_name
        ),
    }


def register_pdf(*, authority, year: int) -> bytes:
    data = register_data(authority=authority, year=year)
    return html_to_pdf(render_to_string("registry/papers/register.html", data))


def record_data(*, recipient: Individual | Collective, authority=None) -> dict:
    if isinstance(recipient, Individual):
        awards = Award.objects.filter(individual=recipient)
        recipient = Individual.objects.select_related("unit").get(pk=recipient.pk)
        facts = [("Họ và tên", recipient.full_name)]
        born = (
            recipient.birth_date.strftime("%d/%m/%Y")
            if recipient.birth_date
            else (str(recipient.birth_year) if recipient.birth_year else "")
        )
        if born:
            facts.append(("Ngày sinh" if recipient.birth_date else "Năm sinh", born))
        if recipient.position:
            facts.append(("Chức vụ", recipient.position))
        if recipient.unit_label:
            facts.append(("Đơn vị công tác", recipient.unit_label))
        name = recipient.full_name
    elif isinstance(recipient, Collective):
        awards = Award.objects.filter(collective=recipient)
        facts = [("Tên tập thể", recipient.name)]
        if recipient.parent_name:
            facts.append(("Thuộc", recipient.parent_name))
        name = recipient.name
    else:
        raise ValidationError("Chỉ in xác nhận quá trình khen thưởng cho cá nhân hoặc tập thể.")
    authority = authority or recipient.registered_by
    awards = (
        awards.filter(decision__status=DecisionStatus.ISSUED)
        .select_related("award_type", "decision__authority", "revoked_by")
        .order_by("decision__signed_date", "line_no", "id")
    )
    rows = []
    for award in awards:
        rows.append(
            {
                "period": award.period_label,
                "award_type": award.award_type.name,
                "authority": award.decision.authority.name,
                "decision": f"{award.decision.number} ngày {award.decision.signed_date:%d/%m/%Y}",
                "register_number": award.register_number,
                "loai_hinh": award.get_loai_hinh_display(),
                "note": (
                    f"Đã hủy theo QĐ {award.revoked_by.number} ngày "
                    f"{award.revoked_by.signed_date:%d/%m/%Y}"
                    if award.revoked_by_id
                    else ""
                ),
            }
        )
    return {
        "name": name,
        "facts": facts,
        "rows": rows,
        "authority": authority,
        "heading": _heading(
            authority, number=None, day=timezone.localdate(), place=authority.place_name
        ),
    }


def records_pdf(*, recipients: list[Individual | Collective], authority=None) -> bytes:
    """Records of several recipients in one PDF, each starting on a new page."""
    records = [record_data(recipient=r, authority=authority) for r in recipients]
    return html_to_pdf(render_to_string("registry/papers/record.html", {"records": records}))


def record_pdf(*, recipient: Individual | Collective, authority=None) -> bytes:
    return records_pdf(recipients=[recipient], authority=authority)
