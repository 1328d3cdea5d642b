"""Workbooks built the way offices make them, for the import tests and the benchmark."""

import io

from openpyxl import Workbook

TITLE_ROWS = [
    ["ỦY BAN NHÂN DÂN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["HUYỆN VĂN LÃNG", None, None, "Độc lập - Tự do - Hạnh phúc"],
    [],
    ["DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC TẶNG GIẤY KHEN"],
    ["(Kèm theo Quyết định số 15/QĐ-UBND ngày 10/01/2023 của Chủ tịch UBND huyện Văn Lãng)"],
    [],
]
HEADER = ["STT", "Họ và tên", "Năm sinh", "Chức vụ, đơn vị công tác", "Thành tích"]


def xlsx(rows, *, title="Danh sách", merges=(), extra_sheets=None) -> bytes:
    """Rows of values (None for empty cells) into .xlsx bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    for name, more in (extra_sheets or {}).items():
        other = book.create_sheet(name)
        for row in more:
            other.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def messy_list(people, collectives=(), *, header=HEADER, total=True) -> bytes:
    """Title lines, merged cells, a blank line, header, sections, a total row, signatures.

    people: (name, birth, position_unit, achievement); collectives: (name, unit, achievement).
    """
    rows = [list(r) for r in TITLE_ROWS]
    rows.append(header)
    if collectives:
        rows.append(["I", "TẬP THỂ"])
        for n, (name, unit, achievement) in enumerate(collectives, start=1):
            rows.append([n, name, None, unit, achievement])
        rows.append(["II", "CÁ NHÂN"])
    for n, (name, birth, unit, achievement) in enumerate(people, start=1):
        rows.append([f"{n:02d}", name, birth, unit, achievement])
    if total:
        rows.append([None, f"Tổng cộng: {len(collectives):02d} tập thể, {len(people):02d} cá nhân"])
    rows.append([])
    rows.append([None, None, None, "Văn Lãng, ngày 10 tháng 01 năm 2023"])
    rows.append([None, "NGƯỜI LẬP BIỂU", None, "CHỦ TỊCH"])
    rows.append([None, "Nông Thị Lập", None, "Hoàng Văn Thử"])
    return xlsx(rows, merges=["A1:C1", "A2:C2", "A4:E4", "A5:E5"])
