"""The council's papers: the minutes (biên bản) as PDF and .docx, and the upward dossier zip
(tờ trình, danh sách as xlsx and PDF, the minutes, the attachments)."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from django.template.loader import render_to_string
from openpyxl import Workbook, load_workbook

from registry.models import Attachment, CouncilSession, SessionStatus
from registry.services.certificates import html_to_pdf, long_date
from registry.services.council import session_results, threshold_for, threshold_text
from registry.services.heading import paper_heading


def minutes_data(*, session: CouncilSession) -> dict:
    session = CouncilSession.objects.select_related("council__authority", "round").get(
        pk=session.pk
    )
    authority = session.council.authority
    attendance = list(session.attendance.select_related("member"))
    results = session_results(session=session)
    rows = []
    for r in results:
        threshold = threshold_for(award_type=r.line.award_type, day=session.date)
        rows.append(
            {
                "name": r.line.name,
                "unit": r.line.proposal.unit.name,
                "award_type": r.line.award_type.name,
                "tally": r.ballot.tally if r.ballot else "Chưa biểu quyết",
                "base": r.ballot.base if r.ballot else None,
                "result": r.label,
                "threshold": r.ballot.threshold_text if r.ballot else threshold_text(threshold),
                "recusals": [f"{x.member.name} ({x.reason})" for x in r.recusals],
            }
        )
    secretary = next((a.member for a in attendance if a.member.role == "thu-ky"), None)
    return {
        "session": session,
        "heading": paper_heading(
            authority,
            number=session.minutes_number or None,
            day=session.date,
            place=authority.place_name,
        ),
        "title": f"Họp {session.council.name} xét khen thưởng – {session.round.title}",
        "when": long_date(session.date),
        "present": [a for a in attendance if a.present],
        "absent": [a for a in attendance if not a.present],
        "rows": rows,
        "passed": sum(1 for r in results if r.passed),
        "secretary": secretary.name if secretary else "",
        "draft": session.status != SessionStatus.CLOSED,
    }


def minutes_pdf(*, session: CouncilSession) -> bytes:
    return html_to_pdf(
        render_to_string("registry/papers/minutes.html", minutes_data(session=session))
    )


def minutes_docx(*, session: CouncilSession) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    from registry.services.papers import _docx_heading

    data = minutes_data(session=session)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)

    def para(text="", *, bold=False, italic=False, center=False):
        p = doc.add_paragraph()
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        return p

    _docx_heading(doc, data["heading"])
    para("BIÊN BẢN", bold=True, center=True)
    para(data["title"], bold=True, center=True)
    s = data["session"]
    para(f"Thời gian: {data['when']}. Địa điểm: {s.place or '…'}. Chủ trì: {s.chaired_by or '…'}.")
    para("I. THÀNH PHẦN", bold=True)
    para(f"Có mặt {len(data['present'])} thành viên:")
    for a in data["present"]:
        para(
            f"- {a.member.name}, {a.member.get_role_display()}{', ' + a.member.position if a.member.position else ''}"
        )
    if data["absent"]:
        para(f"Vắng {len(data['absent'])} thành viên:")
        for a in data["absent"]:
            para(f"- {a.member.name}{' (' + a.note + ')' if a.note else ''}")
    para("II. KẾT QUẢ BỎ PHIẾU", bold=True)
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ("STT", "Đối tượng, đơn vị", "Hình thức", "Số phiếu", "Kết quả"),
        strict=True,
    ):
        cell.paragraphs[0].add_run(text).bold = True
    for index, row in enumerate(data["rows"], start=1):
        cells = table.add_row().cells
        cells[0].text = str(index)
        cells[1].text = f"{row['name']} – {row['unit']}"
        cells[2].text = row["award_type"]
        recused = f"; không biểu quyết: {', '.join(row['recusals'])}" if row["recusals"] else ""
        cells[3].text = f"{row['tally']}{recused}"
        cells[4].text = row["result"]
    para(f"Hội đồng thông qua {data['passed']}/{len(data['rows'])} trường hợp.")
    sign = doc.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    left.paragraphs[0].add_run("THƯ KÝ").bold = True
    left.add_paragraph(data["secretary"])
    right.paragraphs[0].add_run("CHỦ TỌA").bold = True
    right.add_paragraph(s.chaired_by)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- upward dossier

LIST_HEADER = (
    "STT",
    "Họ tên, tên tập thể",
    "Năm sinh",
    "Chức vụ, đơn vị",
    "Hình thức đề nghị",
    "Kết quả hội đồng",
)


def _passed_rows(session: CouncilSession) -> list[tuple]:
    rows = []
    for r in session_results(session=session):
        if not r.passed:
            continue
        ln = r.line
        where = ", ".join(x for x in (ln.position, ln.unit_name or ln.proposal.unit.name) if x)
        rows.append((ln.name, ln.birth_year or "", where, ln.award_type.name, r.ballot.tally))
    return rows


def list_xlsx(*, session: CouncilSession) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append(LIST_HEADER)
    for index, row in enumerate(_passed_rows(session), start=1):
        ws.append((index, *row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def list_xlsx_rows(data: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(data), read_only=True).active
    return [tuple(c for c in row) for row in ws.iter_rows(values_only=True)]


def list_pdf(*, session: CouncilSession) -> bytes:
    data = minutes_data(session=session)
    data["list_rows"] = _passed_rows(session)
    return html_to_pdf(render_to_string("registry/papers/council_list.html", data))


def submission_pdf(*, session: CouncilSession) -> bytes:
    data = minutes_data(session=session)
    data["list_rows"] = _passed_rows(session)
    return html_to_pdf(render_to_string("registry/papers/council_submission.html", data))


def upward_dossier_zip(*, session: CouncilSession) -> tuple[bytes, list[str]]:
    """One zip for the higher level: tờ trình, danh sách (xlsx, PDF), biên bản, attachments of
    the passed lines' proposals. Returns the bytes and the names inside."""
    passed = [r for r in session_results(session=session) if r.passed]
    names = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:

        def put(name, content):
            zf.writestr(name, content)
            names.append(name)

        put("01-to-trinh.pdf", submission_pdf(session=session))
        put("02-danh-sach.xlsx", list_xlsx(session=session))
        put("02-danh-sach.pdf", list_pdf(session=session))
        put("03-bien-ban-hop-hoi-dong.pdf", minutes_pdf(session=session))
        put("03-bien-ban-hop-hoi-dong.docx", minutes_docx(session=session))
        proposal_ids = {r.line.proposal_id for r in passed}
        line_ids = {r.line.pk for r in passed}
        for att in Attachment.objects.filter(proposal_id__in=proposal_ids).select_related(
            "proposal__unit"
        ):
            if att.line_id and att.line_id not in line_ids:
                continue
            name = PurePath(att.file_name).name
            try:
                with att.file.open("rb") as f:
                    content = f.read()
            except OSError:
                continue
            put(f"04-tai-lieu/{att.proposal_id}-{att.pk}-{name}", content)
    return buffer.getvalue(), names
