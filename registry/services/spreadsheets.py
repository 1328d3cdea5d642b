"""The one way the registry writes cells into the workbooks it hands out.

Names, notes and titles come from people and imported files; a name typed as "=1+1" or
"@SUM(…)" must reach the reader as that text, never as a formula that a spreadsheet runs.
Such text is written as a string cell with Excel's quote prefix (the "'" that Excel and
LibreOffice show nowhere but keep, so that editing the cell does not turn it into a formula).
Works for ordinary and write-only sheets alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

# What a spreadsheet may read as the start of a formula (or of a DDE call, for tab and CR).
FORMULA_START = frozenset("=+-@\t\r")


def text_clean(value: str) -> str:
    """The text without the control characters a workbook cannot hold (openpyxl refuses them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if ILLEGAL_CHARACTERS_RE.search(value) else value


def text_risky(value) -> bool:
    return isinstance(value, str) and bool(value) and value[0] in FORMULA_START


def _as_text(cell: Cell) -> Cell:
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def cell_safe(sheet, value, *, font=None, fill=None, alignment=None, number_format=None):
    """What to put in a row for ``value``: the value itself when plain, else a cell of ``sheet``
    carrying it as text (and the style asked for)."""
    if isinstance(value, str):
        value = text_clean(value)
    styled = font is not None or fill is not None or alignment is not None or number_format
    if not styled and not text_risky(value):
        return value
    cell = WriteOnlyCell(sheet, value)
    if text_risky(value):
        _as_text(cell)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if number_format:
        cell.number_format = number_format
    return cell


def row_safe(sheet, values: Iterable) -> list:
    """A row for ``sheet.append``; cells already made are kept as they are."""
    return [v if isinstance(v, Cell) else cell_safe(sheet, v) for v in values]


def row_append(sheet, values: Iterable) -> None:
    sheet.append(row_safe(sheet, values))


def cell_write(sheet, *, row: int, column: int, value) -> Cell:
    """``sheet.cell(row, column, value)`` for an ordinary sheet, with the text kept as text."""
    if isinstance(value, str):
        value = text_clean(value)
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if text_risky(value):
        _as_text(cell)
    return cell
