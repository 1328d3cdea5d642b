"""Importing the spreadsheets offices keep: honoree lists, past years' awards, yearly ratings.

One path for the admin, the commands and the tests:

    batch = import_preview(kind=..., data=..., file_name=..., decision=... | authority=...)
    batch = import_confirm(batch=batch, choices={line_index: recipient_id or "new"}, user=...)

The preview reads the workbook once (header row found wherever it is, legacy TCVN3/VNI text
converted), matches recipients in bulk, checks every line with the decision rules, and keeps
the parsed lines in ``ImportBatch.payload``. A preview with errors is returned unsaved: bad
input writes nothing. Confirm writes everything from the payload in one transaction.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from openpyxl.utils import get_column_letter
from simple_history.utils import bulk_create_with_history

from registry.models import (
    Authority,
    Award,
    AwardType,
    Collective,
    Decision,
    Household,
    ImportBatch,
    ImportKind,
    ImportStatus,
    Individual,
    Rating,
    RatingGrade,
    RecipientKind,
)
from registry.models.awards import DecisionStatus
from registry.resources import RESOURCES, TextWidget, visible
from registry.selectors.eligibility import award_eligibility_warnings
from registry.services.awards import (
    awards_add,
    awards_problems,
    decision_ensure_draft,
    history_user,
)
from registry.services.decisions import decision_create, decision_issue
from registry.services.recipients import recipients_merge  # noqa: F401  (importable from here too)
from registry.services.spreadsheets import cell_write, row_append
from registry.text import fold

from .workbook import (  # noqa: F401  (importable from here, as before)
    HEADER_SCAN_ROWS,
    ZIP_MAX_MEMBERS,
    ZIP_MEMBER_RATIO,
    ZIP_RATIO_FLOOR,
    FileProblem,
    check_upload_size,
    hidden_sheets,
    problem,
    workbook_rows,
)

COLLECTIVE = RecipientKind.COLLECTIVE.value
INDIVIDUAL = RecipientKind.INDIVIDUAL.value
HOUSEHOLD = RecipientKind.HOUSEHOLD.value
KIND_MODELS = {COLLECTIVE: Collective, INDIVIDUAL: Individual, HOUSEHOLD: Household}
KIND_FIELD = {COLLECTIVE: "collective", INDIVIDUAL: "individual", HOUSEHOLD: "household"}

QUERY_CHUNK = 5000

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
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_SCHOOL_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-–—/]\s*((?:19|20)\d{2})(?!\d)")
_GRADES = {
    "htxsnv": RatingGrade.HTXSNV,
    "hoan thanh xuat sac nhiem vu": RatingGrade.HTXSNV,
    "httnv": RatingGrade.HTTNV,
    "hoan thanh tot nhiem vu": RatingGrade.HTTNV,
    "htnv": RatingGrade.HTNV,
    "hoan thanh nhiem vu": RatingGrade.HTNV,
    "khtnv": RatingGrade.KHTNV,
    "khong hoan thanh nhiem vu": RatingGrade.KHTNV,
}


def header_key(text) -> str:
    if text is None:
        return ""
    text = re.sub(r"\([^)]*\)", " ", visible(str(text)))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


# --- Finding the header and reading rows ---------------------------------------------------------


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
) -> tuple[list[dict], list[dict]]:
    """Data lines of every sheet that has a header row, and the problems met reading them.

    Sheets passed over (no header of a list, or a guidance or lookup sheet) are named in notes.
    """
    aliases = _aliases(resource)
    columns = resource.columns()
    notes = notes if notes is not None else []
    lines: list[dict] = []
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
            line = {
                "sheet": title, "row": number, "kind": kind, "kind_known": kind_known,
                "cols": dict(letters),
            }  # fmt: skip
            for field, column in fields.items():
                if field in ("stt", "position_unit") or field in _LINE_FIELDS:
                    continue
                widget = columns[field].widget
                try:
                    line[field] = widget.clean(_cell(row, column))
                except (ValueError, ArithmeticError):
                    line[field] = None
                    line.setdefault("bad", []).append(field)
                    line.setdefault("raw", {})[field] = str(_cell(row, column))
            if "recipient_kind" in fields:
                _line_kind(line, _TEXT.clean(_cell(row, fields["recipient_kind"])), problems)
            if "title" in fields:
                _line_title(line, _TEXT.clean(_cell(row, fields["title"])))
            if "position_unit" in fields:
                combined = " ".join(str(_cell(row, fields["position_unit"]) or "").split())
                position, _, unit = combined.partition(", ")
                line.setdefault("position", position)
                line.setdefault("unit", unit)
                if not line.get("position"):
                    line["position"] = position
                if not line.get("unit"):
                    line["unit"] = unit
                line["cols"].setdefault("position", letters["position_unit"])
                line["cols"].setdefault("unit", letters["position_unit"])
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


def _line_kind(line: dict, typed: str, problems: list[dict]) -> None:
    if not typed:
        return
    kind = _kind_of(typed)
    if kind is None:
        problems.append(
            problem(
                f"Phân loại khen thưởng ghi “{typed}”: hãy ghi “Khen thưởng tập thể”, "
                "“Khen thưởng cá nhân” hoặc “Khen thưởng hộ gia đình” (hoặc mã TAPTHE, "
                "CANHAN, HOGIADINH).",
                line["sheet"],
                line["row"],
                line["cols"]["recipient_kind"],
            )
        )
        return
    line["kind"], line["kind_known"] = kind, True


def _line_title(line: dict, title: str) -> None:
    """Ông/Bà give the gender when the list has no gender column; a rank is kept as written."""
    line["title"] = title
    word = header_key(title)
    if not line.get("gender") and line["kind"] != COLLECTIVE:
        if word == "ong":
            line["gender"] = "Nam"
        elif word == "ba":
            line["gender"] = "Nữ"


def _clean_person(line: dict, problems: list[dict], today: date) -> None:
    """Name prefix and gender, birth, CCCD: normalise in place, report what cannot be read."""
    cols = line["cols"]
    where = (line["sheet"], line["row"])
    name = unicodedata.normalize("NFC", " ".join(str(line.get("name") or "").split()))
    gender = ""
    prefix = _PREFIX.match(name)
    if prefix and line["kind"] != COLLECTIVE:
        word = fold(prefix.group(1))
        if word.startswith("ong") and "(" not in word:
            gender = "nam"
        elif word.startswith("ba") and "(" not in word:
            gender = "nu"
        name = name[prefix.end() :].strip()
    line["name"] = name
    if not name:
        problems.append(problem("Thiếu họ tên sau danh xưng.", *where, cols.get("name")))
    given = fold(line.get("gender") or "")
    if given in ("nam", "m", "ong"):
        gender = "nam"
    elif given in ("nu", "f", "ba"):
        gender = "nu"
    elif given:
        problems.append(
            problem(
                f"Giới tính ghi “{line['gender']}”: hãy ghi Nam hoặc Nữ.",
                *where,
                cols.get("gender"),
            )
        )
    line["gender"] = gender
    birth = line.pop("birth", None)
    line["birth_date"], line["birth_year"] = None, None
    if "birth" in line.get("bad", []):
        problems.append(
            problem(
                f"Không đọc được năm sinh “{line['raw']['birth']}”: hãy ghi năm (1980) "
                "hoặc ngày dd/mm/yyyy.",
                *where,
                cols.get("birth"),
            )
        )
    elif birth and birth[1] and line["kind"] == INDIVIDUAL:
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
            line["birth_date"] = day.isoformat() if day else None
            line["birth_year"] = year
    cid = line.get("citizen_id") or ""
    if cid and not (len(cid) == 12 and cid.isdigit()):
        problems.append(
            problem(f"Số CCCD “{cid}” phải gồm đúng 12 chữ số.", *where, cols.get("citizen_id"))
        )
        cid = ""
    line["citizen_id"] = cid if line["kind"] == INDIVIDUAL else ""
    for field in ("position", "unit", "achievement", "note"):
        line[field] = line.get(field) or ""


# --- Matching recipients in bulk ----------------------------------------------------------------


def _chunks(values, size=QUERY_CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _visible(model, authority: Authority):
    """Records the office may see: registered by it, or given an award by it."""
    field = {Collective: "collective", Individual: "individual", Household: "household"}[model]
    awarded = Award.objects.filter(authority=authority, **{f"{field}__isnull": False}).values(
        f"{field}_id"
    )
    return model.objects.filter(Q(registered_by=authority) | Q(pk__in=awarded))


def _label(kind: str, obj) -> str:
    if kind == INDIVIDUAL:
        parts = [obj.full_name]
        if obj.birth_date:
            parts.append(f"sinh {obj.birth_date:%d/%m/%Y}")
        elif obj.birth_year:
            parts.append(f"sinh {obj.birth_year}")
        if obj.position:
            parts.append(obj.position)
        if obj.unit_label:
            parts.append(obj.unit_label)
        if obj.citizen_id:
            parts.append(f"CCCD …{obj.citizen_id[-4:]}")
        return ", ".join(parts)
    if kind == COLLECTIVE:
        return f"{obj.name}, {obj.parent_name}" if obj.parent_name else obj.name
    return f"Hộ {obj.head_name}, {obj.address}" if obj.address else f"Hộ {obj.head_name}"


def _person_key(line: dict) -> tuple:
    """Who a new line names, within one file: the name as typed (Hương and Hưởng differ)."""
    name = " ".join(line["name"].lower().split())
    if line["kind"] == INDIVIDUAL:
        if line.get("citizen_id"):
            return (INDIVIDUAL, "cccd", line["citizen_id"])
        return (INDIVIDUAL, name, line.get("birth_year"), fold(line.get("unit")))
    return (line["kind"], name, fold(line.get("unit")))


def match_recipients(*, lines: list[dict], authority: Authority) -> dict:
    """Set line["match"] to new / matched / ambiguous, with recipient_id and candidates.

    Individuals: citizen ID first (unique in the registry), then the folded name among the
    office's records, confirmed by birth and unit. Never guesses between two candidates.
    Returns the matched objects by (kind, id).
    """
    objects: dict[tuple, object] = {}
    people = [line for line in lines if line["kind"] == INDIVIDUAL]
    by_cid: dict[str, Individual] = {}
    by_name: dict[str, list[Individual]] = defaultdict(list)
    cids = {line["citizen_id"] for line in people if line.get("citizen_id")}
    names = {fold(line["name"]) for line in people}
    for chunk in _chunks(cids):
        for person in Individual.objects.filter(citizen_id__in=chunk).select_related("unit"):
            by_cid[person.citizen_id] = person
    visible = _visible(Individual, authority).select_related("unit")
    for chunk in _chunks(names):
        for person in visible.filter(search_key__in=chunk):
            by_name[person.search_key].append(person)

    others: dict[str, dict[str, list]] = {
        COLLECTIVE: defaultdict(list),
        HOUSEHOLD: defaultdict(list),
    }
    for kind, model, name_field in (
        (COLLECTIVE, Collective, "name"),
        (HOUSEHOLD, Household, "head_name"),
    ):
        if any(line["kind"] == kind for line in lines):
            for obj in _visible(model, authority).select_related("unit"):
                others[kind][fold(getattr(obj, name_field))].append(obj)

    for line in lines:
        kind = line["kind"]
        unit = fold(line.get("unit"))
        chosen, candidates = None, []
        if kind == INDIVIDUAL:
            if line.get("citizen_id") and line["citizen_id"] in by_cid:
                chosen = by_cid[line["citizen_id"]]
            else:
                pool = []
                for person in by_name.get(fold(line["name"]), []):
                    if line.get("citizen_id") and person.citizen_id:
                        continue  # both have an ID and they differ
                    if _birth_conflict(line, person):
                        continue
                    pool.append(person)
                confirmed = [p for p in pool if _birth_equal(line, p) or _unit_equal(unit, p)]
                if len(confirmed) > 1:
                    both = [p for p in confirmed if _birth_equal(line, p) and _unit_equal(unit, p)]
                    confirmed = both if len(both) == 1 else confirmed
                if len(confirmed) == 1:
                    chosen = confirmed[0]
                else:
                    candidates = confirmed or pool
        else:
            pool = others[kind].get(fold(line["name"]), [])
            if len(pool) > 1 and unit:
                narrowed = [o for o in pool if _unit_equal(unit, o)]
                pool = narrowed or pool
            if len(pool) == 1:
                chosen = pool[0]
            else:
                candidates = pool
        if chosen is not None:
            line.update(match="matched", recipient_id=chosen.pk, label=_label(kind, chosen))
            objects[(kind, chosen.pk)] = chosen
        elif candidates:
            line.update(
                match="ambiguous",
                recipient_id=None,
                candidates=[{"id": c.pk, "label": _label(kind, c)} for c in candidates[:20]],
            )
            for c in candidates:
                objects[(kind, c.pk)] = c
        else:
            line.update(match="new", recipient_id=None)
    return objects


def _birth_equal(line: dict, person: Individual) -> bool:
    if line.get("birth_date") and person.birth_date:
        return line["birth_date"] == person.birth_date.isoformat()
    year = person.birth_year or (person.birth_date.year if person.birth_date else None)
    return bool(line.get("birth_year") and year and line["birth_year"] == year)


def _birth_conflict(line: dict, person: Individual) -> bool:
    year = person.birth_year or (person.birth_date.year if person.birth_date else None)
    if line.get("birth_year") and year and line["birth_year"] != year:
        return True
    return bool(
        line.get("birth_date")
        and person.birth_date
        and line["birth_date"] != person.birth_date.isoformat()
    )


def _unit_equal(unit: str, obj) -> bool:
    if not unit:
        return False
    if isinstance(obj, Individual):
        labels = {fold(obj.workplace), fold(obj.unit.name) if obj.unit_id else ""}
    elif isinstance(obj, Collective):
        labels = {fold(obj.parent_name), fold(obj.unit.name) if obj.unit_id else ""}
    else:
        labels = {fold(obj.address), fold(obj.unit.name) if obj.unit_id else ""}
    return unit in labels - {""}


# --- Award types, periods -----------------------------------------------------------------------


def _award_types() -> dict[str, AwardType]:
    table: dict[str, AwardType] = {}
    types = list(AwardType.objects.all())
    for award_type in types:
        table.setdefault(fold(award_type.code), award_type)
        table.setdefault(header_key(award_type.name), award_type)
    titles = defaultdict(list)
    for award_type in types:
        titles[header_key(award_type.certificate_title)].append(award_type)
    for title, found in titles.items():
        if len(found) == 1:
            table.setdefault(title, found[0])
    return table


def award_type_by_code(code: str) -> AwardType:
    found = _award_types().get(fold(code)) or _award_types().get(header_key(code))
    if found is None:
        raise ValidationError(
            f"Không có hình thức khen thưởng mã “{code}”. Xem danh mục hình thức khen thưởng."
        )
    return found


def _period(line: dict, default_year: int) -> tuple[int, int]:
    """From the achievement text ('năm 2022', 'năm học 2021–2022', '2019–2023'), else default.

    A school year counts in its end year.
    """
    text = str(line.get("achievement") or "")
    years: list[int] = []
    for match in _SCHOOL_YEAR.finditer(text):
        start, end = int(match.group(1)), int(match.group(2))
        years += [end] if end == start + 1 else [start, end]
    years += [int(y) for y in _YEAR.findall(_SCHOOL_YEAR.sub(" ", text))]
    if years:
        return min(years), max(years)
    return default_year, default_year


def _default_year(day: date) -> int:
    """Year-end reviews are signed in the first half of the next year."""
    return day.year - 1 if day.month <= 6 else day.year


# --- Preview -----------------------------------------------------------------------------------


def import_preview(
    *,
    kind: str,
    data: bytes,
    file_name: str,
    decision: Decision | None = None,
    authority: Authority | None = None,
    award_type: AwardType | None = None,
    user=None,
    resource=None,
) -> ImportBatch:
    """Read and check a workbook; a batch saved for confirmation, or unsaved with its errors."""
    resource = resource or RESOURCES[kind]()
    if decision is not None:
        decision = Decision.objects.select_related("authority").get(pk=decision.pk)
        authority = decision.authority
    batch = ImportBatch(
        kind=kind,
        decision=decision,
        authority=authority,
        award_type=award_type,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        created_by=user if user is not None and getattr(user, "is_authenticated", False) else None,
    )
    payload = {"lines": [], "problems": [], "notes": []}
    try:
        if kind == ImportKind.HONOREES:
            if decision is None:
                raise FileProblem("Chưa chọn quyết định để nhập danh sách.")
            if decision.status != DecisionStatus.DRAFT:
                raise FileProblem(
                    f"Quyết định {decision.number} đã ban hành: không thêm được dòng khen thưởng. "
                    "Hãy nhập vào một quyết định dự thảo."
                )
        sheets, encoding, problems = workbook_rows(data)
        batch.legacy_encoding = encoding
        for title in hidden_sheets(data):
            payload["notes"].append(
                f"Trang “{title}” đang ẩn nên không đọc. Nếu trang này có danh sách cần nhập, "
                "hãy bỏ ẩn trang (chuột phải vào tên trang, chọn Bỏ ẩn) rồi tải lên lại."
            )
        lines, read_problems = parse_sheets(
            sheets=sheets, resource=resource, default_kind=INDIVIDUAL, notes=payload["notes"]
        )
        # What the reader found on rows that are not lines (blank, styled, other sheets) matters
        # to no one.
        read = {(line["sheet"], line["row"]) for line in lines}
        problems = [p for p in problems if p["row"] is None or (p["sheet"], p["row"]) in read]
        problems += read_problems
        _kinds_from_award_types(lines, award_type, authority)
        today = timezone.localdate()
        for line in lines:
            _clean_person(line, problems, today)
        if kind == ImportKind.HONOREES:
            _preview_honorees(batch, lines, problems, award_type)
        elif kind == ImportKind.HISTORY:
            _preview_history(batch, lines, problems, award_type)
        else:
            _preview_ratings(batch, lines, problems)
        payload["lines"] = lines
    except FileProblem as refused:
        problems = [problem(str(refused))]
    payload["problems"] = sorted(
        problems, key=lambda p: (p["sheet"] is not None, p["sheet"] or "", p["row"] or 0)
    )
    if batch.legacy_encoding:
        payload["notes"].append(
            f"Tệp gõ bằng bảng mã cũ {batch.legacy_encoding}; đã chuyển sang Unicode. "
            "Hãy xem lại tên người trong bản xem trước."
        )
    payload["counts"] = _counts(payload["lines"])
    if payload["lines"] and payload["counts"]["unchanged"] == len(payload["lines"]):
        payload["notes"].append(
            f"Cả {len(payload['lines'])} dòng đã có trong sổ (tệp này đã được nhập): "
            "không có gì mới để nhập."
        )
    batch.payload = payload
    if not payload["problems"]:
        batch.save()
    return batch


def _counts(lines: list[dict]) -> dict:
    counts = {
        "collectives": 0,
        "individuals": 0,
        "households": 0,
        "new_recipients": 0,
        "matched_recipients": 0,
        "ambiguous": 0,
        "unchanged": 0,
        "lines": len(lines),
    }
    for line in lines:
        key = {COLLECTIVE: "collectives", INDIVIDUAL: "individuals", HOUSEHOLD: "households"}
        counts[key[line["kind"]]] += 1
        if line.get("unchanged"):
            counts["unchanged"] += 1
        elif line.get("match") == "new":
            counts["new_recipients"] += 1
        elif line.get("match") == "matched":
            counts["matched_recipients"] += 1
        elif line.get("match") == "ambiguous":
            counts["ambiguous"] += 1
    return counts


# The award level an authority's own awards carry: "Bằng khen" on a province's decision is the
# province's Bằng khen, not the Prime Minister's.
_AWARD_LEVEL = {
    "chu-tich-nuoc": "nha-nuoc",
    "chinh-phu": "chinh-phu",
    "tinh": "bo-tinh",
    "huyen": "co-so",
    "xa": "co-so",
    "don-vi": "co-so",
}


def _award_index() -> tuple[dict[str, list[AwardType]], dict[str, list[AwardType]]]:
    """({code or name: types}, {certificate title: types}), names winning over titles."""
    names: dict[str, list[AwardType]] = defaultdict(list)
    titles: dict[str, list[AwardType]] = defaultdict(list)
    for award_type in AwardType.objects.all():
        for key in {fold(award_type.code), header_key(award_type.name)}:
            names[key].append(award_type)
        titles[header_key(award_type.certificate_title)].append(award_type)
    return names, titles


def _award_candidates(typed, index, authority: Authority | None, kind: str | None):
    """The catalogue types a written award name can mean, narrowed by level, then kind."""
    names, titles = index
    key = header_key(typed)
    found = names.get(key) or names.get(fold(typed)) or titles.get(key) or []
    if len(found) > 1 and authority is not None:
        level = _AWARD_LEVEL.get(authority.level)
        found = [t for t in found if t.level == level] or found
    if len(found) > 1 and kind:
        found = [t for t in found if t.allows(kind)] or found
    return found


def _kinds_from_award_types(lines, default: AwardType | None, authority) -> None:
    """Lines of no stated kind take the one kind their award type admits (Tập thể LĐTT)."""
    todo = [line for line in lines if not line.get("kind_known")]
    if not todo:
        return
    index = _award_index()
    for line in todo:
        typed = line.get("award_type")
        found = _award_candidates(typed, index, authority, None) if typed else [default]
        kinds = {kind for t in found if t is not None for kind in KIND_MODELS if t.allows(kind)}
        if len(kinds) == 1:
            line["kind"] = kinds.pop()


def _resolve_award_types(
    lines, problems, default: AwardType | None, has_column: bool, authority=None
):
    if not has_column and default is None and lines:
        raise FileProblem(
            "Danh sách không có cột “Hình thức khen thưởng”. Hãy chọn hình thức khen thưởng "
            "chung cho cả danh sách khi tải lên (dòng lệnh: --award-type MÃ)."
        )
    index = _award_index()
    by_id: dict[int, AwardType] = {}
    for line in lines:
        typed = line.get("award_type")
        where = (line["sheet"], line["row"], line["cols"].get("award_type"))
        found = _award_candidates(typed, index, authority, line["kind"]) if typed else [default]
        if len(found) > 1:
            names = ", ".join(f"“{t.name}” (mã {t.code})" for t in found)
            problems.append(
                problem(
                    f"“{typed}” có thể là {len(found)} hình thức trong danh mục: {names}. "
                    "Hãy ghi tên đầy đủ hoặc mã của hình thức đúng.",
                    *where,
                )
            )
            line["award_type_id"] = None
            continue
        if not found or found[0] is None:
            if typed:
                message = (
                    f"Không có hình thức khen thưởng “{typed}” trong danh mục. Hãy ghi đúng tên "
                    "(ví dụ “Giấy khen”) hoặc chọn trong danh sách thả xuống của tệp mẫu."
                )
            else:
                message = (
                    "Thiếu hình thức khen thưởng. Hãy ghi hoặc chọn hình thức mặc định khi tải lên."
                )
            problems.append(problem(message, *where))
            line["award_type_id"] = None
            continue
        found = found[0]
        line["award_type_id"] = found.pk
        line["award_type_name"] = found.name
        by_id[found.pk] = found
    return by_id


def _same_person_twice(lines, problems) -> None:
    first: dict[tuple, dict] = {}
    for line in lines:
        if line.get("match") == "ambiguous":
            continue
        key = (
            ("id", line["kind"], line["recipient_id"])
            if line.get("recipient_id")
            else ("new", *_person_key(line))
        )
        if key in first:
            other = first[key]
            line["twice"] = True
            problems.append(
                problem(
                    f"{line['name']} có hai lần trong danh sách (trùng với dòng {other['row']} "
                    f"trang “{other['sheet']}”). Hãy xóa một dòng.",
                    line["sheet"],
                    line["row"],
                    line["cols"].get("name"),
                )
            )
        else:
            first[key] = line


def _new_refs(lines) -> None:
    """One reference per new recipient, shared by the lines that name the same new person."""
    refs: dict[tuple, int] = {}
    for line in lines:
        if line.get("match") != "matched":
            key = _person_key(line) if line.get("match") == "new" else ("line", line["row"])
            line["new_ref"] = refs.setdefault(key, len(refs) + 1)


def _stub(kind: str, line: dict, authority: Authority):
    if kind == INDIVIDUAL:
        return Individual(
            full_name=line["name"],
            gender=line.get("gender") or "",
            birth_date=date.fromisoformat(line["birth_date"]) if line.get("birth_date") else None,
            birth_year=line.get("birth_year"),
            position=line.get("position") or "",
            workplace=(line.get("unit") or "")[:255],
            citizen_id=line.get("citizen_id") or None,
            registered_by=authority,
        )
    if kind == COLLECTIVE:
        return Collective(
            name=line["name"], parent_name=(line.get("unit") or "")[:255], registered_by=authority
        )
    return Household(
        head_name=line["name"], address=(line.get("unit") or "")[:255], registered_by=authority
    )


_FIELD_COLUMN = {
    "award_type": "award_type",
    "period_from": "achievement",
    "period_to": "achievement",
    "__all__": "name",
}


def _check_awards(decision, lines, objects, types, problems) -> None:
    """awards_problems() for the lines to be created, with their errors placed on cells."""
    # A line already reported as a repeat would only be reported again as a second award.
    todo = [
        line
        for line in lines
        if line.get("award_type_id") and not line.get("unchanged") and not line.get("twice")
    ]
    awards = []
    for line in todo:
        kind = line["kind"]
        award = Award(
            decision=decision,
            authority_id=decision.authority_id,
            award_type=types[line["award_type_id"]],
            period_from=line["period_from"],
            period_to=line["period_to"],
            line_no=line["row"],
        )
        if line.get("recipient_id"):
            recipient = objects[(kind, line["recipient_id"])]
        else:
            recipient = _stub(kind, line, decision.authority)
            recipient.pk = -line["new_ref"]
        setattr(award, KIND_FIELD[kind], recipient)
        awards.append(award)
    found_problems = awards_problems(decision=decision, awards=awards)
    for line, found in zip(todo, found_problems, strict=True):
        for field, messages in found.items():
            column = line["cols"].get(_FIELD_COLUMN.get(field, "name"))
            for message in messages:
                problems.append(problem(message, line["sheet"], line["row"], column))
    # Eligibility informs, the council decides: warnings are shown, not errors.
    clean = [
        (line, award) for line, award, f in zip(todo, awards, found_problems, strict=True) if not f
    ]
    warnings = award_eligibility_warnings(decision=decision, awards=[a for _, a in clean])
    for (line, _), found in zip(clean, warnings, strict=True):
        if found:
            line["warnings"] = found


def _preview_honorees(batch, lines, problems, default_type) -> None:
    decision = batch.decision
    has_column = any("award_type" in line["cols"] for line in lines)
    types = _resolve_award_types(lines, problems, default_type, has_column, decision.authority)
    default_year = _default_year(decision.signed_date)
    for line in lines:
        line["period_from"], line["period_to"] = _period(line, default_year)
    objects = match_recipients(lines=lines, authority=decision.authority)
    _new_refs(lines)
    existing = set(
        decision.awards.values_list(
            "collective_id", "individual_id", "household_id", "award_type_id", "period_from",
            "period_to",
        )
    )  # fmt: skip
    for line in lines:
        if line.get("match") == "matched" and line.get("award_type_id"):
            ids = [None, None, None]
            ids[[COLLECTIVE, INDIVIDUAL, HOUSEHOLD].index(line["kind"])] = line["recipient_id"]
            key = (*ids, line["award_type_id"], line["period_from"], line["period_to"])
            line["unchanged"] = key in existing
    _same_person_twice(lines, problems)
    _check_awards(decision, lines, objects, types, problems)


def _preview_history(batch, lines, problems, default_type) -> None:
    authority = batch.authority
    has_column = any("award_type" in line["cols"] for line in lines)
    types = _resolve_award_types(lines, problems, default_type, has_column, authority)
    numbers = set()
    for line in lines:
        where = (line["sheet"], line["row"])
        number = " ".join(str(line.get("decision_number") or "").split())
        line["decision_number"] = number
        signed = line.pop("decision_date", None)
        line["decision_date"] = None
        if "decision_date" in line.get("bad", []) or (signed and signed[0] is None):
            problems.append(
                problem(
                    "Không đọc được ngày quyết định: hãy ghi ngày dd/mm/yyyy.",
                    *where,
                    line["cols"].get("decision_date"),
                )
            )
        elif signed:
            line["decision_date"] = signed[0].isoformat()
        elif number:
            problems.append(
                problem("Thiếu ngày quyết định.", *where, line["cols"].get("decision_date", None))
            )
        if not number:
            problems.append(
                problem(
                    "Thiếu số quyết định (ví dụ 15/QĐ-UBND).",
                    *where,
                    line["cols"].get("decision_number"),
                )
            )
        numbers.add(number)
        period = line.pop("period", None)
        day = date.fromisoformat(line["decision_date"]) if line["decision_date"] else None
        if period:
            line["period_from"] = line["period_to"] = period[0]
        else:
            line["period_from"], line["period_to"] = _period(
                line, _default_year(day or date.today())
            )
    existing = {
        (d.number, d.signed_date.isoformat()): d
        for d in Decision.objects.filter(authority=authority, number__in=numbers - {""})
    }
    by_number = {d.number: d for d in existing.values()}
    objects = match_recipients(lines=lines, authority=authority)
    _new_refs(lines)
    known = set()
    if existing:
        known = set(
            Award.objects.filter(decision__in=existing.values()).values_list(
                "decision_id", "collective_id", "individual_id", "household_id", "award_type_id",
                "period_from", "period_to",
            )
        )  # fmt: skip
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for line in lines:
        if not (line["decision_number"] and line["decision_date"]):
            continue
        key = (line["decision_number"], line["decision_date"])
        decision = existing.get(key)
        other = by_number.get(line["decision_number"])
        if decision is None and other is not None:
            problems.append(
                problem(
                    f"Quyết định {other.number} đã có trong sổ với ngày {other.signed_date:%d/%m/%Y}, "
                    "khác ngày ghi trong tệp. Hãy kiểm tra lại.",
                    line["sheet"],
                    line["row"],
                    line["cols"].get("decision_date"),
                )
            )
            continue
        line["decision_id"] = decision.pk if decision else None
        if decision and line.get("match") == "matched" and line.get("award_type_id"):
            ids = [None, None, None]
            ids[[COLLECTIVE, INDIVIDUAL, HOUSEHOLD].index(line["kind"])] = line["recipient_id"]
            line["unchanged"] = (
                decision.pk,
                *ids,
                line["award_type_id"],
                line["period_from"],
                line["period_to"],
            ) in known
        if decision and not line.get("unchanged"):
            problems.append(
                problem(
                    f"Quyết định {decision.number} đã có trong sổ nhưng chưa có dòng này; "
                    "quyết định đã ban hành không thêm dòng được. Hãy nhập dòng này vào đúng "
                    "quyết định trong trang quản trị.",
                    line["sheet"],
                    line["row"],
                    line["cols"].get("decision_number"),
                )
            )
            continue
        groups[key].append(line)
    for (number, signed), group in groups.items():
        if not group or all(line.get("unchanged") for line in group):
            continue
        day = date.fromisoformat(signed)
        decision = Decision(
            authority=authority,
            number=number,
            signed_date=day,
            numbering_period=authority.numbering_period(day),
        )
        _same_person_twice(group, problems)
        _check_awards(decision, group, objects, types, problems)


def _preview_ratings(batch, lines, problems) -> None:
    authority = batch.authority
    for line in lines:
        where = (line["sheet"], line["row"])
        year = line.pop("year", None)
        if "year" in line.get("bad", []) or not year:
            problems.append(
                problem(
                    "Thiếu hoặc không đọc được năm: ghi 2023, hoặc năm học 2022-2023.",
                    *where,
                    line["cols"].get("year"),
                )
            )
            line["year"], line["school_year"] = None, False
        else:
            line["year"], line["school_year"] = year
        grade = _GRADES.get(header_key(line.get("grade")))
        if grade is None:
            problems.append(
                problem(
                    f"Xếp loại “{line.get('grade') or ''}” không hợp lệ: ghi HTXSNV, HTTNV, HTNV "
                    "hoặc KHTNV.",
                    *where,
                    line["cols"].get("grade"),
                )
            )
        line["grade"] = grade.value if grade else None
        if line["kind"] == HOUSEHOLD:
            problems.append(
                problem("Hộ gia đình không có xếp loại hằng năm.", *where, line["cols"]["name"])
            )
    match_recipients(lines=lines, authority=authority)
    _new_refs(lines)
    matched = defaultdict(set)
    for line in lines:
        if line.get("match") == "matched":
            matched[line["kind"]].add(line["recipient_id"])
    existing = {}
    for kind, ids in matched.items():
        field = KIND_FIELD[kind]
        for chunk in _chunks(ids):
            for rating in Rating.objects.filter(**{f"{field}_id__in": chunk}):
                existing[(kind, getattr(rating, f"{field}_id"), rating.year)] = rating.grade
    seen: dict[tuple, dict] = {}
    for line in lines:
        if line.get("match") == "ambiguous" or not line.get("year"):
            continue
        identity = (
            ("id", line["kind"], line["recipient_id"])
            if line.get("recipient_id")
            else ("new", *_person_key(line))
        )
        key = (identity, line["year"])
        if key in seen:
            problems.append(
                problem(
                    f"{line['name']} có hai xếp loại năm {line['year']} (trùng dòng "
                    f"{seen[key]['row']}). Hãy xóa một dòng.",
                    line["sheet"],
                    line["row"],
                    line["cols"]["name"],
                )
            )
            continue
        seen[key] = line
        if line.get("match") == "matched":
            grade = existing.get((line["kind"], line["recipient_id"], line["year"]))
            if grade == line["grade"]:
                line["unchanged"] = True
            elif grade:
                problems.append(
                    problem(
                        f"{line['name']} đã có xếp loại {grade} năm {line['year']} trong sổ, khác "
                        f"với {line['grade']} trong tệp. Hãy sửa trong trang quản trị nếu cần.",
                        line["sheet"],
                        line["row"],
                        line["cols"].get("grade"),
                    )
                )


# --- Confirm -----------------------------------------------------------------------------------


def _ambiguous_problems(lines, choices) -> list[str]:
    missing = []
    for index, line in enumerate(lines):
        if line.get("match") == "ambiguous" and str(index) not in choices:
            missing.append(
                f"Trang “{line['sheet']}”, dòng {line['row']}: có {len(line['candidates'])} hồ sơ "
                f"giống “{line['name']}”. Hãy chọn đúng người (hoặc “tạo mới”) trong bản xem "
                "trước, hoặc ghi thêm số CCCD, năm sinh vào tệp."
            )
    return missing


def _apply_choices(lines, choices) -> None:
    for index, line in enumerate(lines):
        if line.get("match") != "ambiguous":
            continue
        choice = str(choices[str(index)])
        allowed = {str(c["id"]) for c in line["candidates"]}
        if choice == "new":
            line["match"] = "new"
        elif choice in allowed:
            line["match"], line["recipient_id"] = "matched", int(choice)
        else:
            raise ValidationError(f"Dòng {line['row']}: lựa chọn không hợp lệ.")


def _create_recipients(lines, authority, user) -> dict[tuple, object]:
    """bulk_create the new recipients with their history rows (keys set by hand: bulk_create
    skips save())."""
    created: dict[tuple, object] = {}
    by_kind: dict[str, list] = defaultdict(list)
    for line in lines:
        if line.get("match") == "new" and not line.get("unchanged"):
            key = (line["kind"], line["new_ref"])
            if key not in created:
                obj = _stub(line["kind"], line, authority)
                obj.refresh_keys()
                created[key] = obj
                by_kind[line["kind"]].append(obj)
    for kind, objs in by_kind.items():
        bulk_create_with_history(
            objs, KIND_MODELS[kind], batch_size=1000, default_user=history_user(user)
        )
    return created


def _load_matched(lines) -> dict[tuple, object]:
    ids = defaultdict(set)
    for line in lines:
        if line.get("match") == "matched" and not line.get("unchanged"):
            ids[line["kind"]].add(line["recipient_id"])
    found = {}
    for kind, wanted in ids.items():
        for chunk in _chunks(wanted):
            for obj in KIND_MODELS[kind].objects.filter(pk__in=chunk).select_related("unit"):
                found[(kind, obj.pk)] = obj
    missing = sum(len(v) for v in ids.values()) - len(found)
    if missing:
        raise ValidationError(
            f"{missing} hồ sơ đã khớp lúc xem trước nay không còn (đã xóa hoặc gộp). "
            "Hãy tải tệp lên lại."
        )
    return found


def _build_awards(lines, matched, created, types, reasons) -> tuple[list[Award], list[str]]:
    """Unsaved lines for awards_add, and where each came from (sheet and row) for its errors."""
    awards, labels = [], []
    for index, line in enumerate(lines):
        if line.get("unchanged"):
            continue
        kind = line["kind"]
        recipient = (
            matched[(kind, line["recipient_id"])]
            if line.get("match") == "matched"
            else created[(kind, line["new_ref"])]
        )
        award = Award(
            award_type=types[line["award_type_id"]],
            achievement=line.get("achievement") or "",
            period_from=line["period_from"],
            period_to=line["period_to"],
            # The council's reason for a warned line: typed in the preview, or the file's column;
            # a line that meets the rule carries none, whatever the column says.
            eligibility_override=(
                (reasons.get(str(index)) or line.get("reason") or "").strip()
                if line.get("warnings")
                else ""
            ),
        )
        setattr(award, KIND_FIELD[kind], recipient)
        if kind == INDIVIDUAL:
            award.recipient_position = line.get("position") or ""
            award.recipient_unit = line.get("unit") or ""
        awards.append(award)
        labels.append(f"Trang “{line['sheet']}”, dòng {line['row']}")
    return awards, labels


def preview_expiry():
    """Previews uploaded before this moment can no longer be confirmed."""
    return timezone.now() - timedelta(days=settings.IMPORT_PREVIEW_DAYS)


def import_batches_clear() -> int:
    """Delete the expired previews, whose payload holds a whole list; returns how many."""
    deleted, _ = ImportBatch.objects.filter(
        status=ImportStatus.PREVIEW, created_at__lt=preview_expiry()
    ).delete()
    return deleted


def import_confirm(
    *,
    batch: ImportBatch,
    choices: dict | None = None,
    reasons: dict | None = None,
    user=None,
) -> ImportBatch:
    """Write what the preview holds, all or nothing. choices: {line index: recipient id | "new"};
    reasons: {line index: the council's reason for a line the rule in force warned about}."""
    choices = {str(k): v for k, v in (choices or {}).items()}
    reasons = {str(k): str(v or "") for k, v in (reasons or {}).items()}
    user = user if user is not None else batch.created_by
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.PREVIEW:
            raise ValidationError(
                f"Tệp {batch.file_name} đã được {batch.get_status_display().lower()}; "
                "không nhập lại từ bản xem trước này."
            )
        if batch.created_at < preview_expiry():
            uploaded = timezone.localtime(batch.created_at).strftime("%d/%m/%Y")
            raise ValidationError(
                f"Bản xem trước của tệp {batch.file_name} (tải lên ngày {uploaded}) đã quá "
                f"{settings.IMPORT_PREVIEW_DAYS} ngày nên hết hạn: danh mục và sổ có thể đã "
                "thay đổi. Hãy tải tệp lên lại để xem trước rồi nhập."
            )
        lines = batch.payload.get("lines", [])
        missing = _ambiguous_problems(lines, choices)
        if missing:
            raise ValidationError(missing)
        _apply_choices(lines, choices)
        try:
            if batch.kind == ImportKind.HONOREES:
                summary = _confirm_honorees(batch, lines, reasons, user)
            elif batch.kind == ImportKind.HISTORY:
                summary = _confirm_history(batch, lines, user)
            else:
                summary = _confirm_ratings(batch, lines, user)
        except IntegrityError as exc:
            raise ValidationError(
                f"Cơ sở dữ liệu từ chối ghi ({exc}). Không có gì được nhập; hãy tải tệp lên lại."
            ) from exc
        batch.payload = {**batch.payload, "lines": lines}
        batch.summary = summary
        batch.status = ImportStatus.IMPORTED
        batch.imported_at = timezone.now()
        batch.save(update_fields=["payload", "summary", "status", "imported_at"])
    return batch


def _confirm_honorees(batch, lines, reasons, user) -> dict:
    decision = (
        Decision.objects.select_for_update().select_related("authority").get(pk=batch.decision_id)
    )
    decision_ensure_draft(decision)
    types = {t.pk: t for t in AwardType.objects.filter(pk__in={l["award_type_id"] for l in lines})}  # noqa: E741
    matched = _load_matched(lines)
    created = _create_recipients(lines, decision.authority, user)
    awards, labels = _build_awards(lines, matched, created, types, reasons)
    awards_add(decision=decision, awards=awards, user=user, labels=labels)
    return _summary(lines, created)


def _summary(lines, created) -> dict:
    counts = _counts(lines)
    counts["created_recipients"] = len(created)
    counts["created_lines"] = counts["lines"] - counts["unchanged"]
    return counts


def _confirm_history(batch, lines, user) -> dict:
    authority = batch.authority
    types = {t.pk: t for t in AwardType.objects.filter(pk__in={l["award_type_id"] for l in lines})}  # noqa: E741
    matched = _load_matched(lines)
    created = _create_recipients(lines, authority, user)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for line in lines:
        if not line.get("unchanged"):
            groups[(line["decision_number"], line["decision_date"])].append(line)
    decisions = 0
    for (number, signed), group in groups.items():
        names = sorted({types[line["award_type_id"]].name for line in group})
        decision = decision_create(
            authority=authority,
            number=number,
            signed_date=date.fromisoformat(signed),
            subject=f"Về việc tặng {', '.join(names)} (nhập từ sổ theo dõi: {batch.file_name})"[
                :500
            ],
            signer_title="(theo sổ theo dõi)",
            signer_name="(chưa ghi)",
            user=user,
        )
        # Signed under the rules of its day: recorded as it was, the rule in force only warns.
        awards, labels = _build_awards(group, matched, created, types, {})
        awards_add(decision=decision, awards=awards, user=user, past=True, labels=labels)
        decision_issue(decision=decision, user=user, past=True)
        decisions += 1
    summary = _summary(lines, created)
    summary["decisions"] = decisions
    return summary


def _confirm_ratings(batch, lines, user) -> dict:
    authority = batch.authority
    matched = _load_matched(lines)
    created = _create_recipients(lines, authority, user)
    ratings = []
    for line in lines:
        if line.get("unchanged"):
            continue
        kind = line["kind"]
        subject = (
            matched[(kind, line["recipient_id"])]
            if line.get("match") == "matched"
            else created[(kind, line["new_ref"])]
        )
        rating = Rating(
            year=line["year"],
            school_year=line["school_year"],
            grade=line["grade"],
            rated_by=authority,
        )
        setattr(rating, KIND_FIELD[kind], subject)
        ratings.append(rating)
    bulk_create_with_history(ratings, Rating, batch_size=1000, default_user=history_user(user))
    return _summary(lines, created)


def import_discard(*, batch: ImportBatch) -> ImportBatch:
    if batch.status == ImportStatus.PREVIEW:
        batch.status = ImportStatus.DISCARDED
        batch.save(update_fields=["status"])
    return batch


def problems_as_text(problems: list[dict]) -> list[str]:
    """'Trang “DS”, dòng 12, cột C: …' for messages and the command line."""
    result = []
    for p in problems:
        where = []
        if p.get("sheet"):
            where.append(f"Trang “{p['sheet']}”")
        if p.get("row"):
            where.append(f"dòng {p['row']}")
        if p.get("column"):
            where.append(f"cột {p['column']}")
        result.append(f"{', '.join(where)}: {p['message']}" if where else p["message"])
    return result


def import_report(batch: ImportBatch) -> dict:
    """The JSON the commands print."""
    counts = batch.payload.get("counts", {})
    return {
        "collectives": counts.get("collectives", 0),
        "individuals": counts.get("individuals", 0),
        "households": counts.get("households", 0),
        "new_recipients": counts.get("new_recipients", 0),
        "matched_recipients": counts.get("matched_recipients", 0),
        "unchanged": counts.get("unchanged", 0),
        "errors": [
            {k: p.get(k) for k in ("sheet", "row", "column", "message")}
            for p in batch.payload.get("problems", [])
        ],
    }


# --- The template workbook ---------------------------------------------------------------------


def template_workbook(*, kind: str = ImportKind.HONOREES) -> bytes:
    """A workbook that imports cleanly: header row, an instructions sheet, award type drop-down."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    resource = RESOURCES[kind]()
    headers = resource.template_headers()
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    row_append(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 4)
    sheet.freeze_panes = "A2"

    lists = book.create_sheet("Danh mục")
    type_names = list(
        AwardType.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate()))
        .order_by("display_order", "name")
        .values_list("name", flat=True)
    )
    for row, name in enumerate(type_names, start=1):
        cell_write(lists, row=row, column=1, value=name)
    for row, grade in enumerate(RatingGrade.values, start=1):
        cell_write(lists, row=row, column=2, value=grade)
    lists.sheet_state = "hidden"
    columns = {header_key(h): get_column_letter(i) for i, h in enumerate(headers, start=1)}
    type_column = columns.get(header_key("Hình thức khen thưởng"))
    if type_column and type_names:
        validation = DataValidation(
            type="list",
            formula1=f"='Danh mục'!$A$1:$A${len(type_names)}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Hình thức khen thưởng",
            error="Hãy chọn trong danh sách thả xuống.",
        )
        sheet.add_data_validation(validation)
        validation.add(f"{type_column}2:{type_column}2000")
    grade_column = columns.get(header_key("Xếp loại"))
    if grade_column:
        validation = DataValidation(type="list", formula1="='Danh mục'!$B$1:$B$4", allow_blank=True)
        sheet.add_data_validation(validation)
        validation.add(f"{grade_column}2:{grade_column}2000")

    guide = book.create_sheet("Hướng dẫn")
    guide.column_dimensions["A"].width = 110
    for text in _GUIDE[kind]:
        row_append(guide, [text])
    guide["A1"].font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_GUIDE_COMMON = [
    "Mỗi dòng một tập thể, cá nhân hoặc hộ gia đình; không để dòng trống giữa danh sách.",
    "Dòng tiêu đề giữ nguyên; có thể thêm tiêu đề văn bản phía trên và chữ ký phía dưới.",
    "Chia nhóm bằng một dòng riêng: “I. TẬP THỂ”, “II. CÁ NHÂN”, “III. HỘ GIA ĐÌNH”; không chia thì mọi dòng là cá nhân.",
    "Họ và tên: có thể ghi “Ông”, “Bà”, “Đồng chí” phía trước; Ông/Bà cho biết giới tính.",
    "Năm sinh: ghi năm (1980) hoặc ngày sinh dd/mm/yyyy. Số CCCD: đủ 12 chữ số.",
    "Người đã có trong sổ được nhận ra theo số CCCD, hoặc họ tên cùng năm sinh, đơn vị.",
    "Tệp gõ bằng phông chữ cũ (TCVN3 .VnTime, VNI-Times) được tự chuyển sang Unicode.",
]
_GUIDE = {
    ImportKind.HONOREES: [
        "HƯỚNG DẪN ĐIỀN DANH SÁCH KHEN THƯỞNG KÈM QUYẾT ĐỊNH",
        *_GUIDE_COMMON,
        "Hình thức khen thưởng: chọn trong danh sách thả xuống; để trống thì dùng hình thức chọn khi tải lên.",
        "Thành tích: ghi năm thành tích (ví dụ “năm 2022”, “năm học 2022-2023”); không ghi thì lấy năm trước năm ký quyết định.",
        "Lý do vẫn đề nghị: chỉ ghi khi người được đề nghị chưa đủ tiêu chuẩn theo quy định mà Hội đồng vẫn đề nghị; dòng chưa đủ tiêu chuẩn và không có lý do sẽ không được nhập.",
    ],
    ImportKind.HISTORY: [
        "HƯỚNG DẪN ĐIỀN SỔ KHEN THƯỞNG CÁC NĂM TRƯỚC",
        *_GUIDE_COMMON,
        "Mỗi dòng ghi số quyết định (ví dụ 15/QĐ-UBND), ngày quyết định dd/mm/yyyy và hình thức khen thưởng.",
        "Năm thành tích: năm hoặc năm học; để trống thì lấy theo ngày quyết định.",
    ],
    ImportKind.RATINGS: [
        "HƯỚNG DẪN ĐIỀN XẾP LOẠI HẰNG NĂM",
        *_GUIDE_COMMON,
        "Năm: ghi 2023, hoặc năm học 2022-2023 (tính vào năm kết thúc).",
        "Xếp loại: HTXSNV, HTTNV, HTNV hoặc KHTNV.",
    ],
}
