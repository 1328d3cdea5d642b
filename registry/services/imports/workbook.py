"""The one guarded reader of uploaded workbooks: every import path reads through it.

What is not a plain .xlsx is refused before openpyxl sees it (old .xls, encrypted, text, Word,
zip bombs, oversized shared strings); what openpyxl reads is bounded in rows, columns and text;
legacy TCVN3/VNI text is converted; formulas Excel never computed are reported by cell.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from xml.etree import ElementTree
from xml.parsers import expat

from django.conf import settings
from openpyxl.utils import get_column_letter

from registry.services import legacy_text

HEADER_SCAN_ROWS = 30
# A member bigger than this that unpacks to more than RATIO times its packed size is refused.
ZIP_MEMBER_RATIO = 100
ZIP_RATIO_FLOOR = 1024 * 1024
ZIP_MAX_MEMBERS = 1000


class FileProblem(Exception):
    """Something about the whole file: no sheet, row or column to point at."""


def problem(message: str, sheet=None, row=None, column=None) -> dict:
    return {"sheet": sheet, "row": row, "column": column, "message": message}


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",") + " MB"


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _too_big(size: int, limit: int) -> str:
    return (
        f"Tệp nặng {_mb(size)}, quá giới hạn {_mb(limit)} một lần nhập. "
        "Hãy xóa các trang không cần, hoặc chia danh sách thành nhiều tệp."
    )


def check_upload_size(size: int | None) -> None:
    """Refuse an upload or a file on disk by its size alone, before it is read into memory."""
    limit = settings.IMPORT_MAX_BYTES
    if size is not None and size > limit:
        raise FileProblem(_too_big(size, limit))


def _check_container(data: bytes) -> zipfile.ZipFile:
    """Refuse what is not a plain .xlsx before openpyxl sees it."""
    limit = settings.IMPORT_MAX_BYTES
    if not data:
        raise FileProblem("Tệp rỗng (0 byte). Hãy chọn đúng tệp danh sách .xlsx.")
    if len(data) > limit:
        raise FileProblem(_too_big(len(data), limit))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        if "EncryptionInfo".encode("utf-16-le") in data or b"EncryptionInfo" in data:
            raise FileProblem(
                "Tệp được đặt mật khẩu nên không đọc được. Hãy mở bằng Excel, bỏ mật khẩu "
                "(Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu, để trống), "
                "lưu lại rồi tải lên."
            )
        raise FileProblem(
            "Đây là tệp Excel cũ (.xls) hoặc tệp Office đời cũ. Hãy mở bằng Excel, chọn "
            "Lưu thành (Save As) kiểu “Excel Workbook (*.xlsx)” rồi tải tệp .xlsx lên."
        )
    if not data.startswith(b"PK"):
        head = data[:2048]
        kind = "tệp văn bản hoặc CSV" if _looks_like_text(head) else "không phải bảng tính"
        raise FileProblem(
            f"Tệp này là {kind}, không phải bảng tính Excel .xlsx (có thể chỉ được đổi đuôi). "
            "Hãy mở bằng Excel và lưu thành “Excel Workbook (*.xlsx)”."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileProblem(
            "Tệp .xlsx bị hỏng, không mở được. Hãy mở lại bằng Excel, lưu thành tệp mới."
        ) from exc
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise FileProblem(
                "Đây là tệp Word (.docx) được đổi tên thành .xlsx. Hãy chép bảng danh sách "
                "sang Excel và lưu thành tệp .xlsx."
            )
        raise FileProblem(
            "Tệp là tệp nén nhưng không phải bảng tính Excel .xlsx. Hãy chọn đúng tệp danh sách."
        )
    # zipfile stops each member at its declared size, so the declared sizes bound the work.
    unpacked = sum(m.file_size for m in members)
    unpacked_limit = _limit("IMPORT_MAX_UNPACKED_BYTES", 10 * limit)
    suspicious = any(
        m.file_size > ZIP_RATIO_FLOOR and m.file_size > ZIP_MEMBER_RATIO * max(m.compress_size, 1)
        for m in members
    )
    if (
        unpacked > unpacked_limit
        or suspicious
        or len(members) > _limit("IMPORT_MAX_ZIP_MEMBERS", ZIP_MAX_MEMBERS)
    ):
        raise FileProblem(
            f"Tệp {_mb(len(data))} giải nén ra tới {_mb(unpacked)} trong {len(members)} phần: "
            "cấu trúc bất thường, không nhập để bảo vệ hệ thống. Hãy mở bằng Excel, chép phần "
            "danh sách sang tệp mới rồi lưu."
        )
    _check_shared_strings(archive)
    return archive


def _long_text(length: int, limit: int, lead: str = "Có ô") -> str:
    return (
        f"{lead} chứa đoạn chữ dài {_n(length)} ký tự, quá giới hạn {_n(limit)} ký tự một ô của "
        "Excel: tệp bất thường, không nhập. Hãy chép phần danh sách sang tệp mới rồi lưu."
    )


def _check_shared_strings(archive: zipfile.ZipFile) -> None:
    """Measure every shared string while streaming, before openpyxl loads them all at once."""
    name = next((n for n in archive.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if name is None:
        return
    cell_limit = _limit("IMPORT_MAX_CELL_CHARS", 32767)
    count_limit = _limit("IMPORT_MAX_ROWS", 20000) * _limit("IMPORT_MAX_COLUMNS", 60)
    state = {"depth": 0, "in_t": 0, "length": 0, "count": 0}

    class Refused(Exception):
        pass

    def start(tag, attrs):
        local = tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
        if local == "si":
            state["length"] = 0
            state["count"] += 1
            if state["count"] > count_limit:
                raise Refused(
                    f"Tệp có hơn {_n(count_limit)} đoạn chữ khác nhau, quá giới hạn một lần "
                    "nhập. Hãy chia danh sách thành nhiều tệp."
                )
        elif local == "t":
            state["in_t"] += 1

    def end(tag):
        local = tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
        if local == "t":
            state["in_t"] -= 1

    def text(chars):
        if state["in_t"]:
            state["length"] += len(chars)
            if state["length"] > cell_limit:
                raise Refused(_long_text(state["length"], cell_limit))

    def doctype(*args):
        raise Refused("Tệp .xlsx chứa khai báo DOCTYPE bất thường, không nhập.")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(64 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except Refused as exc:
        raise FileProblem(str(exc)) from None
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise FileProblem(
            "Tệp .xlsx bị hỏng, không mở được. Hãy mở lại bằng Excel, lưu thành tệp mới."
        ) from exc


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return b"\x00" not in head


def _has_formula(archive: zipfile.ZipFile, name: str) -> bool:
    """Whether a sheet's XML has an <f> element, read in chunks rather than whole."""
    tail = b""
    with archive.open(name) as stream:
        while chunk := stream.read(1024 * 1024):
            if b"<f" in tail + chunk[:2] or b"<f" in chunk:
                return True
            tail = chunk[-1:]
    return False


def _formula_cells(archive: zipfile.ZipFile, data: bytes, rows_read: int) -> dict[str, set[str]]:
    """Cells holding formulas, by sheet title; only read again when a sheet has any."""
    if not any(
        m.filename.startswith("xl/worksheets/") and _has_formula(archive, m.filename)
        for m in archive.infolist()
        if m.filename.endswith(".xml")
    ):
        return {}
    import openpyxl

    max_col = _limit("IMPORT_MAX_COLUMNS", 60)
    found: dict[str, set[str]] = defaultdict(set)
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        for sheet in workbook.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            sheet.reset_dimensions()
            for row in sheet.iter_rows(max_col=max_col, max_row=max(rows_read, 1)):
                for cell in row:
                    if getattr(cell, "data_type", None) == "f":
                        found[sheet.title].add(cell.coordinate)
    finally:
        workbook.close()
    return found


def _filled(values) -> bool:
    return any(v is not None and v != "" for v in values)


def workbook_rows(data: bytes) -> tuple[list[tuple[str, list[tuple]]], str, list[dict]]:
    """(sheets as (title, rows of values), legacy encoding, problems). Raises FileProblem.

    Rows are cut to IMPORT_MAX_COLUMNS: openpyxl would otherwise pad every row out to its last
    styled cell (16,384 columns for a cell styled in XFD), whatever the sheet's dimension says.
    """
    import openpyxl

    archive = _check_container(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise FileProblem(
            "Không đọc được bảng tính (tệp hỏng hoặc không đúng định dạng .xlsx). "
            "Hãy mở bằng Excel, lưu thành tệp mới rồi tải lên."
        ) from exc
    max_rows = settings.IMPORT_MAX_ROWS
    max_col = _limit("IMPORT_MAX_COLUMNS", 60)
    cell_limit = _limit("IMPORT_MAX_CELL_CHARS", 32767)
    text_limit = _limit("IMPORT_MAX_TEXT_CHARS", 20_000_000)
    # Blank rows count too (a row styled down to row 1,048,576 is work), with room for gaps.
    any_rows_limit = 2 * max_rows + HEADER_SCAN_ROWS
    sheets: list[tuple[str, list[tuple]]] = []
    text_chars = 0
    rows_read = 0
    try:
        for sheet in workbook.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            sheet.reset_dimensions()
            rows: list[tuple] = []
            pending_blank = 0
            filled = 0
            seen = 0
            for values in sheet.iter_rows(min_row=1, max_col=max_col, values_only=True):
                seen += 1
                if seen > any_rows_limit:
                    raise FileProblem(
                        f"Trang “{sheet.title}” có hơn {_n(any_rows_limit)} dòng (kể cả dòng trống "
                        "đã định dạng), quá giới hạn một lần nhập. Hãy xóa các dòng thừa cuối "
                        "trang hoặc chia danh sách thành nhiều tệp."
                    )
                if not _filled(values):
                    pending_blank += 1
                    continue
                filled += 1
                if filled > max_rows + HEADER_SCAN_ROWS:
                    raise FileProblem(
                        f"Trang “{sheet.title}” có hơn {_n(max_rows)} dòng, quá giới hạn một lần "
                        "nhập. Hãy chia danh sách thành nhiều tệp."
                    )
                for column, value in enumerate(values):
                    if isinstance(value, str):
                        if len(value) > cell_limit:
                            where = (
                                f"Trang “{sheet.title}”, dòng {seen}, cột "
                                f"{get_column_letter(column + 1)}: ô"
                            )
                            raise FileProblem(_long_text(len(value), cell_limit, where))
                        text_chars += len(value)
                if text_chars > text_limit:
                    raise FileProblem(
                        f"Tệp có hơn {_n(text_limit)} ký tự chữ (tính đến trang “{sheet.title}”, "
                        f"dòng {seen}), quá giới hạn một lần nhập: có thể cùng một đoạn chữ dài "
                        "được lặp ở rất nhiều ô. Hãy chia danh sách thành nhiều tệp.".replace(
                            ",", "."
                        )
                    )
                # Blank rows are kept only between filled ones; trailing ones are dropped.
                rows.extend([()] * pending_blank)
                pending_blank = 0
                last = max(i for i, v in enumerate(values) if v is not None and v != "")
                rows.append(values[: last + 1])
            rows_read = max(rows_read, seen)
            sheets.append((sheet.title, rows))
    finally:
        workbook.close()
    if not any(_filled(row) for _, rows in sheets for row in rows):
        raise FileProblem("Bảng tính trống: không có ô nào có dữ liệu.")

    # The same text in many cells is detected and converted once.
    texts = list(
        dict.fromkeys(v for _, rows in sheets for row in rows for v in row if isinstance(v, str))
    )
    encoding = legacy_text.detect(texts)
    del texts
    if encoding:
        converted: dict[str, str] = {}

        def convert(value):
            if not isinstance(value, str):
                return value
            if value not in converted:
                converted[value] = legacy_text.convert(value, encoding)
            return converted[value]

        sheets = [
            (title, [tuple(convert(v) for v in row) for row in rows]) for title, rows in sheets
        ]

    problems = []
    formulas = _formula_cells(archive, data, rows_read)
    for title, rows in sheets:
        for coordinate in sorted(formulas.get(title, ())):
            letters = "".join(c for c in coordinate if c.isalpha())
            number = int("".join(c for c in coordinate if c.isdigit()))
            column = _column_index(letters)
            row = rows[number - 1] if number - 1 < len(rows) else ()
            value = row[column] if column < len(row) else None
            if value is None:
                problems.append(
                    problem(
                        "Ô có công thức nhưng chưa có giá trị đã tính (tệp được tạo bằng phần mềm "
                        "khác hoặc chưa lưu trong Excel). Hãy mở tệp bằng Excel, lưu lại rồi tải "
                        "lên; hoặc chép và dán dạng giá trị.",
                        title,
                        number,
                        letters,
                    )
                )
    return sheets, encoding, problems


def _column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def hidden_sheets(data: bytes) -> list[str]:
    """Titles of the sheets Excel hides, which the reader passes over."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, zipfile.BadZipFile, OSError, ElementTree.ParseError):
        return []
    return [
        sheet.get("name", "")
        for sheet in root.iter()
        if sheet.tag.rsplit("}", 1)[-1] == "sheet"
        and sheet.get("state", "visible") in ("hidden", "veryHidden")
    ]
