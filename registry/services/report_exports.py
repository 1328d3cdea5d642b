"""The annual report as files: Excel (openpyxl), PDF (WeasyPrint), JSON, and the SVG chart.

Every output is drawn from one Summary (registry.selectors.reports) through the same tables,
so the admin page, the command line and the tests see the same figures.

The workbook is written in openpyxl's write-only mode: rows stream from the database cursor
straight into the file, so the full list of a large year uses flat memory. Every cell goes
through registry.services.spreadsheets, so text never becomes a formula.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

from django.conf import settings
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from registry.selectors.reports import (
    FORMS_BASIS,
    LOAI_HINH_LABELS,
    AwardForm,
    Line,
    Summary,
    forms_period,
    recipient_kind_label,
)
from registry.services.papers import money
from registry.services.spreadsheets import cell_safe, row_append

FONT_DIR = Path(settings.BASE_DIR) / "registry" / "static" / "registry" / "fonts"
CASH_UNKNOWN = "chưa xác định"
PDF_LIST_LIMIT = 1000
LIST_CHUNK = 2000

TEXT, INT, MONEY, DATE = "text", "int", "money", "date"
NUMBER_FORMATS = {INT: "#,##0", MONEY: "#,##0", DATE: "DD/MM/YYYY"}


@dataclass
class Column:
    header: str
    kind: str = INT
    width: float | None = None


@dataclass
class Table:
    """One part of the report: a sheet in Excel, a section in the PDF and on the admin page."""

    sheet: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    total_rows: int = 0  # how many rows at the end are totals (printed bold)
    # Optional row of grouped headers above the column headers: (label, span).
    groups: list[tuple[str, int]] | None = None
    # A statistical form: its sheet carries the reporting period and the forms' one basis, not
    # the summary's year basis.
    form: bool = False

    @property
    def wide(self) -> bool:
        return len(self.columns) > 7


# ----------------------------------------------------------------------------------- tables
def _count_columns(first: str, year: int, *, cash: bool = True) -> list[Column]:
    columns = [
        Column(first, TEXT),
        Column("Tập thể"),
        Column("Cá nhân"),
        Column("Hộ gia đình"),
        Column("Cộng"),
        Column(f"Năm {year - 1}: tập thể"),
        Column(f"Năm {year - 1}: cá nhân"),
        Column(f"Năm {year - 1}: hộ gia đình"),
        Column(f"Năm {year - 1}: cộng"),
    ]
    if cash:
        columns += [
            Column("Tiền thưởng (đồng)", MONEY),
            Column("Số dòng tiền thưởng chưa xác định"),
            Column("Đã hủy bỏ (không tính)"),
        ]
    return columns


def _count_cells(line: Line) -> list:
    c, p = line.current, line.previous
    return [
        line.label,
        c.collectives,
        c.individuals,
        c.households,
        c.total,
        p.collectives,
        p.individuals,
        p.households,
        p.total,
        c.cash,
        c.cash_unknown,
        c.revoked,
    ]


def _count_table(sheet: str, title: str, first: str, summary: Summary, lines: list[Line]) -> Table:
    total = Line("", "Tổng cộng", summary.totals, summary.previous)
    return Table(
        sheet=sheet,
        title=title,
        columns=_count_columns(first, summary.year),
        rows=[_count_cells(line) for line in lines] + [_count_cells(total)],
        total_rows=1,
    )


KIND_HEADERS = {"collectives": "tập thể", "individuals": "cá nhân"}


def _form_notes(summary: Summary, *extra: str) -> list[str]:
    period = forms_period(summary.year)
    return [period["period"], period["due"], FORMS_BASIS, *extra]


def _award_form_table(summary: Summary, form: AwardForm, *, skip_empty: bool = False) -> Table:
    """0602.N / 0603.N: an award type has only the cells it may have (no impossible cell)."""
    columns = [(code, name) for code, name in form.columns if form.cells_of(code)]
    if skip_empty:
        columns = [(code, name) for code, name in columns if any(form.total.cell(code))]
    headers = [Column("Chỉ tiêu", TEXT, 40), Column("Tổng số: tập thể"), Column("Tổng số: cá nhân")]
    groups = [("", 1), ("Tổng số", 2)]
    for code, name in columns:
        kinds = form.cells_of(code)
        headers += [Column(f"{name}: {KIND_HEADERS[kind]}") for kind in kinds]
        groups.append((name, len(kinds)))
    rows = []

    def row(r, label=None):
        cells = [label or r.label, r.collectives, r.individuals]
        for code, _ in columns:
            collectives, individuals = r.cells.get(code, [0, 0])
            values = {"collectives": collectives, "individuals": individuals}
            cells += [values[kind] for kind in form.cells_of(code)]
        return cells

    rows.append(row(form.total))
    for section in form.sections:
        rows.append([section.title] + [None] * (len(headers) - 1))
        rows += [row(r, f"   {r.label}") for r in section.rows]
    extra = []
    if skip_empty and len(columns) < len(form.columns):
        extra.append("Các cột không có khen thưởng được lược bớt; bản Excel có đủ các cột.")
    return Table(
        sheet=f"Biểu {form.code}",
        title=form.title,
        columns=headers,
        rows=rows,
        notes=_form_notes(summary, *extra),
        groups=groups,
        form=True,
    )


def report_tables(summary: Summary, *, for_print: bool = False) -> list[Table]:
    """The report's parts in order (the full list is apart: it streams)."""
    year = summary.year
    overview = _count_table(
        "Tổng hợp",
        f"Khen thưởng năm {year} theo danh hiệu, hình thức và đối tượng",
        "Danh hiệu, hình thức",
        summary,
        summary.by_award_type,
    )
    overview.notes = [
        summary.basis_label + ".",
        f"Đã hủy bỏ: {summary.totals.revoked} dòng khen thưởng, không tính vào các số trên.",
        f"Tiền thưởng {CASH_UNKNOWN}: {summary.totals.cash_unknown} dòng "
        "(chưa có mức hệ số hoặc lương cơ sở áp dụng), không tính là 0 đồng.",
    ]
    detail = Table(
        sheet="Danh hiệu - loại hình",
        title=f"Khen thưởng năm {year} theo danh hiệu, hình thức và loại hình",
        columns=[
            Column("Danh hiệu, hình thức", TEXT),
            Column("Loại hình", TEXT),
            Column("Tập thể"),
            Column("Cá nhân"),
            Column("Hộ gia đình"),
            Column("Cộng"),
            Column("Tiền thưởng (đồng)", MONEY),
            Column("Số dòng tiền thưởng chưa xác định"),
            Column("Đã hủy bỏ (không tính)"),
        ],
        rows=[
            [
                line.label,
                LOAI_HINH_LABELS.get(line.loai_hinh, line.loai_hinh),
                line.current.collectives,
                line.current.individuals,
                line.current.households,
                line.current.total,
                line.current.cash,
                line.current.cash_unknown,
                line.current.revoked,
            ]
            for line in summary.by_type_loai_hinh
            if line.current.total or line.current.revoked
        ],
    )
    tables = [
        overview,
        detail,
        _count_table(
            "Loại hình",
            f"Khen thưởng năm {year} theo loại hình",
            "Loại hình khen thưởng",
            summary,
            summary.by_loai_hinh,
        ),
        _count_table(
            "Phong trào",
            f"Khen thưởng năm {year} theo phong trào thi đua",
            "Phong trào thi đua",
            summary,
            summary.by_campaign,
        ),
        _count_table(
            "Đơn vị",
            f"Khen thưởng năm {year} theo đơn vị của đối tượng (ghi khi khen)",
            "Đơn vị",
            summary,
            summary.by_unit,
        ),
    ]
    form = summary.form_0601
    rows_0601 = [["Tổng số phong trào", form.total]]
    for title, items in form.sections:
        rows_0601.append([title, None])
        rows_0601 += [[f"   {label}", n] for label, n in items]
    tables.append(
        Table(
            sheet="Biểu 0601.N",
            title=form.title,
            columns=[Column("Chỉ tiêu", TEXT, 50), Column("Số phong trào")],
            rows=rows_0601,
            notes=[
                forms_period(summary.year)["period"],
                forms_period(summary.year)["due"],
                "Phong trào phát động trong năm (theo ngày phát động, nếu trống thì ngày bắt đầu).",
                *(
                    [
                        f"Có {form.open_ended} phong trào chưa ghi ngày kết thúc: không tính vào "
                        "các khoảng thời gian."
                    ]
                    if form.open_ended
                    else []
                ),
            ],
            form=True,
        )
    )
    tables.append(_award_form_table(summary, summary.form_0602, skip_empty=for_print))
    tables.append(_award_form_table(summary, summary.form_0603, skip_empty=for_print))
    return tables


def report_heading(summary: Summary) -> list[str]:
    return [
        f"BÁO CÁO TỔNG HỢP KHEN THƯỞNG NĂM {summary.year}",
        f"Phạm vi: {summary.scope_label}",
        f"Cách tính năm: {summary.basis_label}",
    ]


LIST_COLUMNS = [
    Column("STT", INT, 7),
    Column("Số quyết định", TEXT, 16),
    Column("Ngày quyết định", DATE, 12),
    Column("Cấp khen", TEXT, 30),
    Column("Danh hiệu, hình thức", TEXT, 28),
    Column("Loại hình", TEXT, 16),
    Column("Đối tượng", TEXT, 11),
    Column("Tên tập thể, cá nhân", TEXT, 34),
    Column("Chức vụ", TEXT, 20),
    Column("Đơn vị", TEXT, 32),
    Column("Thành tích năm", TEXT, 11),
    Column("Phong trào thi đua", TEXT, 30),
    Column("Số sổ vàng", INT, 9),
    Column("Tiền thưởng (đồng)", MONEY, 14),
    Column("Ghi chú", TEXT, 30),
]


# ----------------------------------------------------------------------------------- chart
def chart_svg(summary: Summary, *, limit: int = 12) -> str:
    """Bars by award type, this year and last year side by side: plain SVG, no script."""
    lines = [line for line in summary.by_award_type if line.current.total or line.previous.total]
    lines = sorted(lines, key=lambda line: -(line.current.total + line.previous.total))[:limit]
    width, label_w, bar_h, gap, top = 760, 270, 13, 12, 46
    height = top + max(1, len(lines)) * (2 * bar_h + gap) + 10
    peak = max([1] + [max(line.current.total, line.previous.total) for line in lines])
    scale = (width - label_w - 60) / peak
    title = (
        f"Số khen thưởng theo danh hiệu, hình thức: năm {summary.year} và năm {summary.year - 1}"
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}" '
        'font-family="Noto Serif, DejaVu Serif, serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" font-weight="bold">{escape(title)}</text>',
        f'<rect x="{label_w}" y="24" width="12" height="10" fill="#b3261e"/>'
        f'<text x="{label_w + 16}" y="33">Năm {summary.year}</text>',
        f'<rect x="{label_w + 110}" y="24" width="12" height="10" fill="#9aa0a6"/>'
        f'<text x="{label_w + 126}" y="33">Năm {summary.year - 1}</text>',
    ]
    if not lines:
        out.append(
            f'<text x="0" y="{top + 14}">Không có khen thưởng nào trong năm này và năm trước.</text>'
        )
    for i, line in enumerate(lines):
        y = top + i * (2 * bar_h + gap)
        label = line.label if len(line.label) <= 40 else line.label[:39] + "…"
        out.append(
            f'<text x="{label_w - 8}" y="{y + bar_h + 4}" text-anchor="end">{escape(label)}</text>'
        )
        for j, (value, color) in enumerate(
            ((line.current.total, "#b3261e"), (line.previous.total, "#9aa0a6"))
        ):
            bar_y = y + j * bar_h
            bar_w = max(value * scale, 0.5 if value else 0)
            out.append(
                f'<rect x="{label_w}" y="{bar_y}" width="{bar_w:.1f}" height="{bar_h - 1}" '
                f'fill="{color}"><title>{escape(line.label)}: {value}</title></rect>'
                f'<text x="{label_w + bar_w + 4:.1f}" y="{bar_y + bar_h - 2}" '
                f'font-size="11">{value}</text>'
            )
    out.append("</svg>")
    return "".join(out)


# ----------------------------------------------------------------------------------- xlsx
class _SheetWriter:
    """Writes rows to a write-only sheet with the styles the kinds of columns need.

    Styled cells are made once per column and reused: openpyxl serialises each row as it is
    appended, so a cell object can carry the next row's value.
    """

    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="F2E6D9")
    wrap = Alignment(wrap_text=True, vertical="top")

    def __init__(self, ws, columns: list[Column]):
        self.ws = ws
        self.columns = columns
        self.cells: list[WriteOnlyCell | None] = []
        for column in columns:
            if column.kind in NUMBER_FORMATS and column.kind != INT:
                cell = WriteOnlyCell(ws)
                cell.number_format = NUMBER_FORMATS[column.kind]
                self.cells.append(cell)
            else:
                self.cells.append(None)

    def text(self, value: str, *, font=None, fill=None, alignment=None):
        return cell_safe(self.ws, value, font=font, fill=fill, alignment=alignment)

    def styled(self, value, *, font=None, fill=None, alignment=None, number_format=None):
        return cell_safe(
            self.ws,
            value,
            font=font,
            fill=fill,
            alignment=alignment,
            number_format=None if isinstance(value, str) else number_format,
        )

    def value(self, index: int, value):
        if value is None:
            return None
        if isinstance(value, str):
            return self.text(value)
        cell = self.cells[index]
        if cell is None:
            return value
        cell.value = value
        return cell

    def header(self, groups: list[tuple[str, int]] | None = None) -> int:
        """Write the column headers; returns the header row's number (1-based)."""
        if groups:
            row = []
            for label, span in groups:
                row.append(self.styled(label, font=self.bold, fill=self.header_fill))
                row += [None] * (span - 1)
            row_append(self.ws, row)
        row_append(
            self.ws,
            [
                self.styled(c.header, font=self.bold, fill=self.header_fill, alignment=self.wrap)
                for c in self.columns
            ],
        )


def _prepare_sheet(ws, columns: list[Column], widths: list[float], header_row: int, *, wide: bool):
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"B{header_row + 1}" if wide else f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = (
        Worksheet.ORIENTATION_LANDSCAPE if wide else Worksheet.ORIENTATION_PORTRAIT
    )
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.5


def _fit_widths(table: Table) -> list[float]:
    widths = []
    for index, column in enumerate(table.columns):
        if column.width:
            widths.append(column.width)
            continue
        longest = 0
        for row in table.rows:
            value = row[index] if index < len(row) else None
            if value is None:
                continue
            text = f"{value:,}" if isinstance(value, int) else str(value)
            longest = max(longest, len(text))
        header = min(len(column.header), 18) if column.kind != TEXT else len(column.header)
        widths.append(min(max(longest, header, 6) + 2, 60))
    return widths


def _write_table(wb: Workbook, summary: Summary, table: Table) -> None:
    ws = wb.create_sheet(table.sheet)
    heading = report_heading(summary)
    if table.form:
        # A form names its own period and basis: the summary's year basis would contradict it.
        lead = [table.title, heading[1], *table.notes]
    else:
        lead = [heading[0], table.title, heading[1], heading[2], *table.notes]
    header_row = len(lead) + 2 + (1 if table.groups else 0)
    _prepare_sheet(ws, table.columns, _fit_widths(table), header_row, wide=table.wide)
    writer = _SheetWriter(ws, table.columns)
    for i, line in enumerate(lead):
        row_append(
            ws, [writer.styled(line, font=_SheetWriter.bold) if i < 2 else writer.text(line)]
        )
    row_append(ws, [])
    writer.header(table.groups)
    first_total = len(table.rows) - table.total_rows
    for n, row in enumerate(table.rows):
        if n >= first_total or (row[1:] and all(v is None for v in row[1:])):
            row_append(
                ws,
                [
                    writer.styled(
                        v, font=_SheetWriter.bold, number_format=NUMBER_FORMATS.get(c.kind)
                    )
                    if v is not None
                    else None
                    for v, c in zip(row, table.columns, strict=False)
                ],
            )
        else:
            row_append(ws, [writer.value(i, v) for i, v in enumerate(row)])


def _list_values(row, n: int, writer: _SheetWriter) -> list:
    (
        number,
        signed_date,
        authority,
        award_type,
        loai_hinh,
        collective_id,
        individual_id,
        name,
        position,
        unit,
        period_from,
        period_to,
        campaign,
        register_number,
        cash,
        revoked_number,
        revoked_on,
    ) = row
    text = writer.text
    note = None
    if revoked_number:
        note = f"Đã hủy bỏ theo quyết định {revoked_number}"
        if revoked_on:
            note += f" ngày {revoked_on:%d/%m/%Y}"
    return [
        n,
        text(number),
        writer.value(2, signed_date),
        text(authority),
        text(award_type),
        LOAI_HINH_LABELS.get(loai_hinh, loai_hinh),
        recipient_kind_label(collective_id, individual_id),
        text(name) if name else None,
        text(position) if position else None,
        text(unit) if unit else None,
        str(period_to) if period_from == period_to else f"{period_from}–{period_to}",
        text(campaign) if campaign else None,
        register_number,
        writer.value(13, cash) if cash is not None else CASH_UNKNOWN,
        note,
    ]


def _write_list(wb: Workbook, summary: Summary) -> int:
    ws = wb.create_sheet("Danh sách")
    heading = report_heading(summary)
    lead = [
        heading[0],
        f"Danh sách khen thưởng năm {summary.year}",
        heading[1],
        heading[2],
        "Các dòng đã hủy bỏ vẫn được ghi trong danh sách để lưu trữ, có ghi chú quyết định hủy bỏ.",
    ]
    header_row = len(lead) + 2
    _prepare_sheet(ws, LIST_COLUMNS, [c.width for c in LIST_COLUMNS], header_row, wide=True)
    writer = _SheetWriter(ws, LIST_COLUMNS)
    for i, line in enumerate(lead):
        row_append(
            ws, [writer.styled(line, font=_SheetWriter.bold) if i < 2 else writer.text(line)]
        )
    row_append(ws, [])
    writer.header()
    n = 0
    for row in summary.awards().iterator(chunk_size=LIST_CHUNK):
        n += 1
        row_append(ws, _list_values(row, n, writer))
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(LIST_COLUMNS))}{header_row + n}"
    return n


def report_xlsx(summary: Summary, out: IO[bytes] | str | Path) -> None:
    """Write the whole report as a workbook, one sheet per part, the full list included."""
    wb = Workbook(write_only=True)
    tables = report_tables(summary)
    forms_at = next(i for i, t in enumerate(tables) if t.sheet.startswith("Biểu"))
    for table in tables[:forms_at]:
        _write_table(wb, summary, table)
    _write_list(wb, summary)
    for table in tables[forms_at:]:
        _write_table(wb, summary, table)
    wb.save(out)


def awards_list_xlsx(summary: Summary, out: IO[bytes] | str | Path) -> int:
    """Only the full list of the year's awards (the archive copy); returns the number of rows."""
    wb = Workbook(write_only=True)
    n = _write_list(wb, summary)
    wb.save(out)
    return n


# ----------------------------------------------------------------------------------- pdf, json
def _font_faces() -> list[dict]:
    faces = []
    for weight, style, name in (
        ("normal", "normal", "Regular"),
        ("bold", "normal", "Bold"),
        ("normal", "italic", "Italic"),
        ("bold", "italic", "BoldItalic"),
    ):
        path = FONT_DIR / f"NotoSerif-{name}.ttf"
        if path.exists():
            faces.append({"url": path.as_uri(), "weight": weight, "style": style})
    return faces


def _pdf_list(summary: Summary) -> tuple[list[list], int]:
    rows = list(summary.awards()[: PDF_LIST_LIMIT + 1])
    shown = []
    for n, row in enumerate(rows[:PDF_LIST_LIMIT], start=1):
        (number, signed_date, _auth, award_type, loai_hinh, c_id, i_id, name, position, unit,
         p_from, p_to, _camp, register_number, cash, revoked_number, _revoked_on) = row  # fmt: skip
        shown.append(
            [
                n,
                f"{number} ngày {signed_date:%d/%m/%Y}",
                award_type,
                LOAI_HINH_LABELS.get(loai_hinh, loai_hinh),
                recipient_kind_label(c_id, i_id),
                ", ".join(v for v in (name, position, unit) if v),
                str(p_to) if p_from == p_to else f"{p_from}–{p_to}",
                _money(cash),
                f"Đã hủy bỏ (QĐ {revoked_number})" if revoked_number else "",
            ]
        )
    return shown, len(rows)


def _money(value) -> str:
    return CASH_UNKNOWN if value is None else money(value)


def _display(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


def tables_for_display(tables: list[Table]) -> list[dict]:
    """Tables as plain strings for templates: Vietnamese number format, totals and sections marked."""
    shown = []
    for table in tables:
        first_total = len(table.rows) - table.total_rows
        rows = []
        for n, row in enumerate(table.rows):
            section = bool(row[1:]) and all(v is None for v in row[1:])
            rows.append(
                {
                    "cells": [
                        _display(v, c.kind) for v, c in zip(row, table.columns, strict=False)
                    ],
                    "strong": n >= first_total or section,
                    "section": section,
                }
            )
        shown.append({"table": table, "rows": rows})
    return shown


def report_context(summary: Summary, *, for_print: bool = False) -> dict:
    return {
        "summary": summary,
        "heading": report_heading(summary),
        "tables": tables_for_display(report_tables(summary, for_print=for_print)),
        "chart": chart_svg(summary),
        "forms_period": forms_period(summary.year),
        "totals": summary.totals,
        "previous": summary.previous,
        "cash": _money(summary.totals.cash),
        "previous_cash": _money(summary.previous.cash),
    }


def report_html(summary: Summary) -> str:
    context = report_context(summary, for_print=True)
    list_rows, found = _pdf_list(summary)
    context.update(
        {
            "fonts": _font_faces(),
            "list_rows": list_rows,
            "list_more": found > PDF_LIST_LIMIT,
            "list_limit": PDF_LIST_LIMIT,
            "today": date.today(),
        }
    )
    return render_to_string("registry/reports/annual.html", context)


def report_pdf(summary: Summary) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    return HTML(string=report_html(summary), base_url=str(settings.BASE_DIR)).write_pdf()


def report_json(summary: Summary) -> str:
    return json.dumps(summary.as_json(), ensure_ascii=False, indent=2) + "\n"
