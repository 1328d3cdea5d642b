"""From sheets of cell values to lines: the header row found wherever it is, section rows,
totals and signatures passed over, each cell read through the Resource's widget.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.conf import settings
from openpyxl.utils import get_column_letter

from registry.resources import TextWidget, visible
from registry.text import fold

from .lines import COLLECTIVE, HOUSEHOLD, INDIVIDUAL, STORED_FIELDS, ImportLine
from .workbook import HEADER_SCAN_ROWS, FileProblem, problem

# Header names seen on real lists, folded (no diacritics, lower case, punctuation as spaces,
# text in brackets dropped). The Resource's own column name is always accepted too.
HEADER_ALIASES = {
    "stt": ["stt", "tt", "so tt", "so thu tu"],
    "name": [
        "ho va ten", "ho ten", "ten tap the ca nhan", "ten tap the", "ten ca nhan",
        "tap the ca nhan", "ten", "ten don vi", "ho ten chu ho", "ho va ten chu ho", "chu ho",
        "ten tap the ca nhan ho gia dinh", "ten don vi ca nhan", "ten tap the ho ten ca nhan",
        "ten tap the ca nhan ho gd",
    ],
    # Ông/Bà or a rank, kept apart from the name by lists exported from other systems.
    "title": ["ten goi", "danh xung", "xung ho", "ong ba"],
    # Whether the line is a collective, a person or a household, in words or as a code.
    "recipient_kind": [
        "phan loai khen thuong", "loai khen thuong", "doi tuong khen thuong",
        "ma phan loai khen thuong", "ma loai khen thuong", "ma doi tuong khen thuong",
        "tap the ca nhan ho gia dinh", "loai doi tuong khen thuong",
    ],
    "birth": ["nam sinh", "ngay sinh", "ngay thang nam sinh", "sinh nam"],
    "gender": ["gioi tinh", "nam nu"],
    "position": ["chuc vu", "chuc danh"],
    "unit": [
        "don vi", "don vi cong tac", "noi cong tac", "co quan don vi", "co quan cong tac",
        "co quan don vi cong tac", "dia chi", "thon xom", "thuoc don vi",
    ],
    "position_unit": [
        "chuc vu don vi cong tac", "chuc vu don vi", "chuc vu noi cong tac",
        "chuc danh don vi cong tac", "chuc vu va don vi cong tac", "chuc vu co quan don vi",
    ],
    "achievement": [
        "thanh tich", "thanh tich dat duoc", "noi dung thanh tich", "tom tat thanh tich",
        "ly do khen thuong",
    ],
    "award_type": [
        "hinh thuc khen thuong", "hinh thuc", "danh hieu", "danh hieu thi dua",
        "hinh thuc danh hieu", "danh hieu hinh thuc khen thuong", "hinh thuc khen",
        "danh hieu thi dua hinh thuc khen thuong",
    ],
    "citizen_id": [
        "so cccd", "cccd", "so can cuoc cong dan", "can cuoc cong dan", "so dinh danh",
        "so dinh danh ca nhan", "so cmnd cccd", "cmnd cccd", "so can cuoc",
    ],
    "note": ["ghi chu"],
    "reason": ["ly do", "ly do van de nghi", "ly do hoi dong van de nghi", "y kien hoi dong"],
    "decision_number": [
        "so quyet dinh", "so qd", "quyet dinh so", "so ky hieu quyet dinh", "so hieu quyet dinh",
    ],
    "decision_date": [
        "ngay quyet dinh", "ngay ky", "ngay qd", "ngay ky quyet dinh", "ngay ban hanh",
        "ngay thang nam quyet dinh",
    ],
    "period": ["nam thanh tich", "thanh tich nam", "nam khen", "nam", "nam hoc"],
    "year": ["nam", "nam danh gia", "nam xep loai", "nam hoc", "nam hoc nam"],
    "grade": [
        "xep loai", "muc xep loai", "ket qua xep loai", "danh gia xep loai",
        "ket qua danh gia xep loai", "xep loai danh gia", "muc do hoan thanh nhiem vu",
    ],
}  # fmt: skip

_SECTION = re.compile(
    r"^(?:(?:[ivx]+|[a-e]|\d{1,2})\s*[.):/-]?\s+)?(tap the|ca nhan|ho gia dinh|gia dinh)\b(.*)$"
)
_SECTION_KINDS = {
    "tap the": COLLECTIVE,
    "ca nhan": INDIVIDUAL,
    "ho gia dinh": HOUSEHOLD,
    "gia dinh": HOUSEHOLD,
}
_TOTAL = re.compile(r"^(tong cong|tong so|cong\s*:)")
_SIGNATURE_DATE = re.compile(r"\bngay\b.*\bthang\b.*\bnam\b")
_SIGNATURE_WORDS = (
    "nguoi lap", "thu truong", "chu tich", "tm ", "kt ", "giam doc", "xac nhan", "truong phong",
    "bi thu", "pho chu tich", "thu ky", "ky ten", "lanh dao", "noi nhan",
)  # fmt: skip
_PREFIX = re.compile(
    r"^\s*(ông\s*\(bà\)|bà\s*\(ông\)|đồng chí|đ/c|đ\.c\.?|ông|bà)(?:[\s.:]+|$)", re.IGNORECASE
)


_HONORIFIC_GENDER = {"ong": "nam", "ba": "nu"}


def header_key(text) -> str:
    if text is None:
        return ""
    text = re.sub(r"\([^)]*\)", " ", visible(str(text)))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def _aliases(resource) -> dict[str, str]:
    columns = resource.columns()
    wanted = set(columns) | ({"position_unit"} if {"position", "unit"} <= set(columns) else set())
    if {"award_type", "name"} <= set(columns):
        wanted |= _LINE_FIELDS
    table: dict[str, str] = {}
    for field in wanted:
        for alias in HEADER_ALIASES.get(field, []):
            table.setdefault(alias, field)
        if field in columns:
            table.setdefault(header_key(columns[field].column_name), field)
    return table


def _header_field(text, aliases: dict[str, str]) -> str | None:
    key = header_key(text)
    if not key:
        return None
    if key in aliases:
        return aliases[key]
    for alias in sorted(aliases, key=len, reverse=True):
        if " " in alias and key.startswith(alias + " "):
            return aliases[alias]
    return None


def find_header(rows: list[tuple], aliases: dict[str, str]) -> tuple[int, dict[str, int]] | None:
    """(row index, {field: column index}) of the first row that names a name column and more."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for column, value in enumerate(row):
            if isinstance(value, str):
                field = _header_field(value, aliases)
                if field and field not in found:
                    found[field] = column
        if "name" in found and len(found) >= 2:
            return index, found
    return None


def _cell(row: tuple, column: int | None):
    if column is None or column >= len(row):
        return None
    value = row[column]
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _is_number(value) -> bool:
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and value.strip().rstrip(".").isdigit()


# Read from the cell itself, not through a Resource column.
_LINE_FIELDS = {"title", "recipient_kind"}
# Read through a widget that gives a tuple (a date and a year, a year and whether it is a school
# year), which the preview of the kind turns into the line's own fields.
_TYPED_CELLS = {"birth", "decision_date", "period", "year"}
# A column a Resource adds beyond these is kept with them, for the kind to read.
_LINE_ATTRIBUTES = STORED_FIELDS - _TYPED_CELLS
# Sheets of guidance or lookup lists that other systems ship beside the list itself.
_REFERENCE_SHEET = re.compile(
    r"^(huong dan|danh muc|dm|tra cuu|bang ma|ma|tham so|cau hinh|du lieu|lookup|list)\b"
)
_TEXT = TextWidget()


def _shown(value) -> bool:
    """A value a reader sees: not empty, not only spaces or invisible characters."""
    return value is not None and bool(visible(str(value)).strip())


def _kind_of(value) -> str | None:
    """'Khen thưởng tập thể', 'Tập thể', 'TAPTHE', 'HOGIADINH' … to a recipient kind."""
    compact = header_key(value).replace(" ", "")
    if "giadinh" in compact or compact.endswith("hgd"):
        return HOUSEHOLD
    if "tapthe" in compact:
        return COLLECTIVE
    if "canhan" in compact:
        return INDIVIDUAL
    return None


def _row_text(row: tuple) -> str:
    return " ".join(str(v) for v in row if v is not None and str(v).strip())


def parse_sheets(
    *, sheets, resource, default_kind: str, notes: list[str] | None = None
) -> tuple[list[ImportLine], list[dict]]:
    """Data lines of every sheet that has a header row, and the problems met reading them.

    Sheets passed over (no header of a list, or a guidance or lookup sheet) are named in notes.
    """
    aliases = _aliases(resource)
    columns = resource.columns()
    notes = notes if notes is not None else []
    lines: list[ImportLine] = []
    problems: list[dict] = []
    headers_found = 0
    for title, rows in sheets:
        filled = any(_shown(v) for row in rows for v in row)
        header = find_header(rows, aliases)
        if header is None or _REFERENCE_SHEET.match(header_key(title)):
            if filled:
                why = "là trang hướng dẫn hoặc danh mục" if header else "không có dòng tiêu đề"
                notes.append(f"Trang “{title}” {why} của danh sách khen thưởng: không đọc.")
            continue
        headers_found += 1
        header_index, fields = header
        letters = {field: get_column_letter(col + 1) for field, col in fields.items()}
        name_header = header_key(rows[header_index][fields["name"]])
        kind = default_kind
        kind_known = False
        if "tap the" in name_header and "ca nhan" not in name_header:
            kind, kind_known = COLLECTIVE, True
        elif "chu ho" in name_header:
            kind, kind_known = HOUSEHOLD, True
        stt_col = fields.get("stt")
        sheet_lines = 0
        for index in range(header_index + 1, len(rows)):
            row = rows[index]
            number = index + 1
            # Rows only styled, or holding formulas Excel never computed, show nothing.
            values = [v for v in row if _shown(v)]
            if not values:
                continue
            text = fold(_row_text(row))
            stt = _cell(row, stt_col)
            name = _cell(row, fields["name"])
            name = name if _shown(name) else None
            # A row of column numbers under the header: (1) (2) (3) …
            if all(_is_number(str(v).strip("() ")) for v in values) and sheet_lines == 0:
                continue
            if not _is_number(stt) and len(values) <= 2:
                section = _SECTION.match(" ".join(header_key(v) for v in values))
                if section and len(section.group(2).split()) <= 4:
                    kind, kind_known = _SECTION_KINDS[section.group(1)], True
                    continue
            if not _is_number(stt) and _TOTAL.match(fold(str(values[0]))):
                break
            if (
                not _is_number(stt)
                and len(values) <= 3
                and (
                    _SIGNATURE_DATE.search(text)
                    or (header_key(values[0]) + " ").startswith(_SIGNATURE_WORDS)
                )
            ):
                break
            if name is None:
                if stt is not None and len(values) == 1:
                    continue  # a numbered but empty line of a template
                problems.append(
                    problem(
                        "Thiếu họ tên (tên tập thể). Hãy điền tên hoặc xóa dòng này.",
                        title,
                        number,
                        letters["name"],
                    )
                )
                continue
            line = ImportLine(
                sheet=title, row=number, kind=kind, kind_known=kind_known, cols=dict(letters)
            )
            for field, column in fields.items():
                if field in ("stt", "position_unit") or field in _LINE_FIELDS:
                    continue
                try:
                    value = columns[field].widget.clean(_cell(row, column))
                except (ValueError, ArithmeticError):
                    value = None
                    line.bad.append(field)
                    line.raw[field] = str(_cell(row, column))
                if field in _TYPED_CELLS or field not in _LINE_ATTRIBUTES:
                    line.read[field] = value
                else:
                    setattr(line, field, value)
            if "recipient_kind" in fields:
                _line_kind(line, _TEXT.clean(_cell(row, fields["recipient_kind"])), problems)
            if "title" in fields:
                _line_title(line, _TEXT.clean(_cell(row, fields["title"])))
            if "position_unit" in fields:
                combined = " ".join(str(_cell(row, fields["position_unit"]) or "").split())
                position, _, unit = combined.partition(", ")
                line.position = line.position or position
                line.unit = line.unit or unit
                line.cols.setdefault("position", letters["position_unit"])
                line.cols.setdefault("unit", letters["position_unit"])
            lines.append(line)
            sheet_lines += 1
        if sheet_lines == 0 and not problems:
            problems.append(
                problem(
                    f"Có dòng tiêu đề ở dòng {header_index + 1} nhưng không có dòng dữ liệu nào "
                    "bên dưới. Hãy điền danh sách dưới dòng tiêu đề.",
                    title,
                    header_index + 1,
                )
            )
    if not headers_found:
        expected = ", ".join(f"“{f.column_name}”" for f in list(columns.values())[:4])
        raise FileProblem(
            "Không tìm thấy dòng tiêu đề của danh sách (ví dụ các cột "
            f"{expected}) trong {HEADER_SCAN_ROWS} dòng đầu của các trang. "
            "Hãy thêm dòng tiêu đề, hoặc dùng tệp mẫu tải từ hệ thống."
        )
    if len(lines) > settings.IMPORT_MAX_ROWS:
        raise FileProblem(
            f"Danh sách có {len(lines)} dòng, quá giới hạn {settings.IMPORT_MAX_ROWS} dòng một "
            "lần nhập. Hãy chia thành nhiều tệp."
        )
    return lines, problems


def _line_kind(line: ImportLine, typed: str, problems: list[dict]) -> None:
    if not typed:
        return
    kind = _kind_of(typed)
    if kind is None:
        problems.append(
            problem(
                f"Phân loại khen thưởng ghi “{typed}”: hãy ghi “Khen thưởng tập thể”, "
                "“Khen thưởng cá nhân” hoặc “Khen thưởng hộ gia đình” (hoặc mã TAPTHE, "
                "CANHAN, HOGIADINH).",
                line.sheet,
                line.row,
                line.cols["recipient_kind"],
            )
        )
        return
    line.kind, line.kind_known = kind, True


def _line_title(line: ImportLine, title: str) -> None:
    """Ông/Bà give the gender when the list has no gender column; a rank is kept as written."""
    line.title = title
    word = header_key(title)
    if not line.gender and line.kind != COLLECTIVE:
        if word == "ong":
            line.gender = "Nam"
        elif word == "ba":
            line.gender = "Nữ"


def clean_person(line: ImportLine, problems: list[dict], today: date) -> None:
    """Name prefix and gender, birth, CCCD: normalise in place, report what cannot be read."""
    cols = line.cols
    where = (line.sheet, line.row)
    name = unicodedata.normalize("NFC", " ".join(str(line.name or "").split()))
    gender = ""
    # The honorific the list writes (in the name, or in a column of its own) and its column.
    honorific, honorific_col = "", None
    prefix = _PREFIX.match(name)
    if prefix and line.kind != COLLECTIVE:
        word = fold(prefix.group(1))
        if word.startswith("ong") and "(" not in word:
            gender = "nam"
        elif word.startswith("ba") and "(" not in word:
            gender = "nu"
        if gender:
            honorific, honorific_col = prefix.group(1), cols.get("name")
        name = name[prefix.end() :].strip()
    titled = _HONORIFIC_GENDER.get(header_key(line.title))
    if titled and not honorific and line.kind != COLLECTIVE:
        honorific, honorific_col = line.title, cols.get("title")
    line.name = name
    if not name:
        problems.append(problem("Thiếu họ tên sau danh xưng.", *where, cols.get("name")))
    given = fold(line.gender or "")
    if given in ("nam", "m", "ong"):
        gender = "nam"
    elif given in ("nu", "f", "ba"):
        gender = "nu"
    elif given:
        problems.append(
            problem(
                f"Giới tính ghi “{line.gender}”: hãy ghi Nam hoặc Nữ.",
                *where,
                cols.get("gender"),
            )
        )
    if honorific and gender != _HONORIFIC_GENDER[header_key(honorific)] and "gender" in cols:
        # The gender column wins, as it always has; the clerk is told, on the cell.
        said = {"nam": "Ông", "nu": "Bà"}[gender]
        line.notices.append(
            {
                "column": cols.get("gender"),
                "message": f"Danh xưng “{honorific.capitalize()}” (cột {honorific_col}) nhưng "
                f"Giới tính ghi “{line.gender}”: đã ghi theo cột Giới tính ({said}). "
                "Hãy kiểm tra lại; nếu sai, sửa tệp rồi tải lên lại.",
            }
        )
    line.gender = gender
    birth = line.read.pop("birth", None)
    line.birth_date, line.birth_year = None, None
    if "birth" in line.bad:
        problems.append(
            problem(
                f"Không đọc được năm sinh “{line.raw['birth']}”: hãy ghi năm (1980) "
                "hoặc ngày dd/mm/yyyy.",
                *where,
                cols.get("birth"),
            )
        )
    elif birth and birth[1] and line.kind == INDIVIDUAL:
        day, year = birth
        if year > today.year or (day and day > today):
            problems.append(
                problem(
                    f"Năm sinh {year} ở tương lai. Hãy sửa lại năm sinh.", *where, cols.get("birth")
                )
            )
        elif year < 1900:
            problems.append(
                problem(f"Năm sinh {year} không hợp lý (trước 1900).", *where, cols.get("birth"))
            )
        else:
            line.birth_date = day.isoformat() if day else None
            line.birth_year = year
    cid = line.citizen_id or ""
    if cid and not (len(cid) == 12 and cid.isdigit()):
        problems.append(
            problem(f"Số CCCD “{cid}” phải gồm đúng 12 chữ số.", *where, cols.get("citizen_id"))
        )
        cid = ""
    line.citizen_id = cid if line.kind == INDIVIDUAL else ""
    line.position = line.position or ""
    line.unit = line.unit or ""
    line.achievement = line.achievement or ""
    line.note = line.note or ""
