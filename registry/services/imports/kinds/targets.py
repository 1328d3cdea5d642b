"""Results of a target set (a pledge's or a unit's own plan), read from a workbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl.utils import get_column_letter

from registry.models import Target, TargetResult, TargetSet, Unit
from registry.models.campaigns import RatingGrade, TargetSetKind
from registry.services.pledges import (
    ResultEntry,
    result_units,
    results_problems,
    target_results_enter,
    to_decimal,
)
from registry.text import fold

from ..workbook import HEADER_SCAN_ROWS, FileProblem, check_upload_size, workbook_rows

_HEADERS = {
    "target": {"chi tieu", "stt", "so tt", "chi tieu so", "stt chi tieu", "ma chi tieu"},
    "unit": {"don vi", "ten don vi", "dia phuong", "don vi, dia phuong"},
    "value": {"thuc hien", "gia tri", "ket qua", "so thuc hien", "gia tri thuc hien"},
    "grade": {"muc hoan thanh", "xep loai", "danh gia"},
    "note": {"ghi chu"},
}
_HEADER_LABELS = {
    "target": "Chỉ tiêu",
    "unit": "Đơn vị",
    "value": "Thực hiện",
    "grade": "Mức hoàn thành",
    "note": "Ghi chú",
}


class TargetResults:
    """Target / unit / value rows of one target set's results.

    No batch is kept, unlike the lists of people: preview() checks the whole file and returns
    its entries, or raises ValidationError with every problem; confirm() enters them.
    """

    def __init__(self, *, target_set: TargetSet, as_of: date):
        self.target_set = target_set
        self.as_of = as_of
        self.pledge_set = target_set.kind == TargetSetKind.PLEDGE

    def preview(self, *, file, file_name: str = "") -> list[ResultEntry]:
        title, rows = _first_sheet(file, file_name or getattr(file, "name", "") or "tệp")
        sheet = self._header(title, rows)
        errors: list[str] = []
        entries: list[ResultEntry] = []
        entry_rows: list[int] = []
        unknown_units: dict[str, list[int]] = {}
        known = _Known.of(self.target_set)
        for offset, row in enumerate(rows[sheet.header_row + 1 :], start=sheet.header_row + 2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            entry = self._entry(sheet, offset, row, known, errors, unknown_units)
            if entry is not None:
                entries.append(entry)
                entry_rows.append(offset)
        errors += self._unknown_units(sheet, unknown_units)
        if not errors:
            found = results_problems(target_set=self.target_set, as_of=self.as_of, entries=entries)
            for row_no, messages in zip(entry_rows, found, strict=False):
                errors.extend(f"Trang «{title}», dòng {row_no}: {m}" for m in messages)
        if not errors and not entries:
            errors.append(f"Trang «{title}» không có dòng kết quả nào dưới dòng tiêu đề.")
        if errors:
            raise ValidationError(errors)
        return entries

    def confirm(self, entries: list[ResultEntry]) -> list[TargetResult]:
        return target_results_enter(target_set=self.target_set, as_of=self.as_of, entries=entries)

    def _header(self, title: str, rows: list[tuple]) -> _Sheet:
        columns: dict[str, int] = {}
        header_row = None
        for row_index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            found: dict[str, int] = {}
            for col_index, cell in enumerate(row):
                key = fold(str(cell)).strip(" :*") if cell is not None else ""
                for field_name, names in _HEADERS.items():
                    if key in names and field_name not in found:
                        found[field_name] = col_index
            if "target" in found and ("value" in found or "grade" in found):
                columns, header_row = found, row_index
                break
        if header_row is None:
            raise ValidationError(
                f"Trang «{title}»: không tìm thấy dòng tiêu đề. Dòng tiêu đề cần có các cột "
                "«Chỉ tiêu», «Đơn vị», «Thực hiện» (hoặc «Mức hoàn thành»)."
            )
        if self.pledge_set and "unit" not in columns:
            raise ValidationError(
                f"Trang «{title}», dòng {header_row + 1}: thiếu cột «Đơn vị» — kết quả giao ước "
                "phải ghi của đơn vị nào."
            )
        if len(rows) - header_row - 1 > settings.IMPORT_MAX_ROWS:
            raise ValidationError(
                f"Trang «{title}» có quá {settings.IMPORT_MAX_ROWS} dòng; hãy chia nhỏ tệp."
            )
        return _Sheet(title, columns, header_row)

    def _entry(self, sheet, offset, row, known, errors, unknown_units):
        """The row's entry, or None; its problems added to errors (unknown units kept apart)."""
        target_set = self.target_set
        raw_target = sheet.cell(row, "target")
        target = None
        if raw_target in (None, ""):
            errors.append(
                f"{sheet.where(offset, 'target')}: chưa ghi chỉ tiêu (số thứ tự hoặc nội dung)."
            )
        else:
            text = str(raw_target)
            number = text[:-2] if text.endswith(".0") else text
            if number.isdigit():
                target = known.by_order.get(int(number))
            else:
                target = known.by_text.get(fold(text))
            if target is None:
                errors.append(
                    f"{sheet.where(offset, 'target')}: không có chỉ tiêu «{raw_target}» trong bộ "
                    f"chỉ tiêu «{target_set.title}». Ghi số thứ tự (1 đến {known.count}) hoặc "
                    "đúng nội dung chỉ tiêu."
                )
        unit = None
        raw_unit = sheet.cell(row, "unit")
        if raw_unit not in (None, ""):
            unit = known.units.get(fold(str(raw_unit)))
            if unit is None:
                unknown_units.setdefault(str(raw_unit), []).append(offset)
        elif self.pledge_set:
            errors.append(f"{sheet.where(offset, 'unit')}: chưa ghi đơn vị.")
        elif target_set.unit_id:
            unit = target_set.unit
        raw_value = sheet.cell(row, "value")
        value_error = False
        try:
            value = to_decimal(raw_value)
        except ValueError:
            value, value_error = None, True
            errors.append(
                f"{sheet.where(offset, 'value')}: «{raw_value}» không phải là số. "
                "Hãy ghi số, ví dụ 107,14."
            )
        raw_grade = sheet.cell(row, "grade")
        grade = str(raw_grade).upper().replace(" ", "") if raw_grade not in (None, "") else ""
        if grade and grade not in RatingGrade.values:
            errors.append(
                f"{sheet.where(offset, 'grade')}: «{raw_grade}» không phải mức hoàn thành; "
                "ghi HTXSNV, HTTNV, HTNV hoặc KHTNV."
            )
            grade = ""
        if value is None and not grade and not value_error and raw_grade in (None, ""):
            column = "value" if "value" in sheet.columns else "grade"
            errors.append(
                f"{sheet.where(offset, column)}: chưa có số thực hiện"
                + (" hoặc mức hoàn thành." if "grade" in sheet.columns else ".")
            )
        if target is None or (unit is None and raw_unit not in (None, "")):
            return None
        note = sheet.cell(row, "note")
        return ResultEntry(
            target=target,
            unit=unit,
            achieved_value=value,
            grade=grade,
            note=str(note) if note is not None else "",
        )

    def _unknown_units(self, sheet, unknown_units: dict[str, list[int]]) -> list[str]:
        """Units the set has no results for: a known unit that may not report, or no unit."""
        if not unknown_units:
            return []
        target_set = self.target_set
        known = {
            fold(u.name)
            for u in Unit.objects.filter(search_key__in=[fold(name) for name in unknown_units])
        }
        errors = []
        for raw_unit, row_numbers in unknown_units.items():
            for row_no in row_numbers:
                where = sheet.where(row_no, "unit")
                if fold(raw_unit) not in known:
                    errors.append(
                        f"{where}: không tìm thấy đơn vị «{raw_unit}». "
                        "Ghi đúng tên đơn vị như trong sổ."
                    )
                elif self.pledge_set:
                    errors.append(
                        f"{where}: {raw_unit} không ký giao ước «{target_set.title}» nên không "
                        "nhập kết quả được."
                    )
                else:
                    errors.append(
                        f"{where}: bộ chỉ tiêu giao cho {target_set.unit}, không nhập kết quả "
                        f"cho {raw_unit} được."
                    )
        return errors


@dataclass
class _Known:
    """The set's targets by number and by folded text, and the units that report, by folded name
    or code."""

    by_order: dict[int, Target]
    by_text: dict[str, Target]
    count: int
    units: dict[str, Unit]

    @classmethod
    def of(cls, target_set: TargetSet) -> _Known:
        targets = list(target_set.targets.all())
        units: dict[str, Unit] = {}
        for unit in result_units(target_set).values():
            units[fold(unit.name)] = unit
            if unit.code:
                units[fold(unit.code)] = unit
        return cls(
            by_order={t.order: t for t in targets},
            by_text={fold(t.text): t for t in targets},
            count=len(targets),
            units=units,
        )


@dataclass
class _Sheet:
    """The sheet read and where its header put each column, for cells and error places."""

    title: str
    columns: dict[str, int]
    header_row: int

    def where(self, row_no: int, field_name: str) -> str:
        letter = get_column_letter(self.columns[field_name] + 1)
        return f"Trang «{self.title}», dòng {row_no}, cột {letter} ({_HEADER_LABELS[field_name]})"

    def cell(self, row: tuple, field_name: str):
        index = self.columns.get(field_name)
        if index is None or index >= len(row):
            return None
        value = row[index]
        return value.strip() if isinstance(value, str) else value


def _first_sheet(file, name: str) -> tuple[str, list[tuple]]:
    """The first sheet of an upload or a file on disk, through the one guarded reader; its size
    is checked before it is read."""
    try:
        if hasattr(file, "read"):
            size = getattr(file, "size", None)
            if size is None and hasattr(file, "seek"):
                start = file.tell()
                size = file.seek(0, 2) - start
                file.seek(start)
            check_upload_size(size)
            data = file.read(settings.IMPORT_MAX_BYTES + 1)
        else:
            check_upload_size(Path(file).stat().st_size)
            data = Path(file).read_bytes()
        sheets, _encoding, problems = workbook_rows(data)
    except FileProblem as problem:
        raise ValidationError(f"Tệp {name}: {problem}") from None
    if problems:
        raise ValidationError(
            [
                f"Trang «{p['sheet']}», dòng {p['row']}, cột {p['column']}: {p['message']}"
                for p in problems
            ]
        )
    return sheets[0]
