"""Column maps for the spreadsheets offices send: which columns, under which names, read how.

A Resource only maps columns and widgets. Finding the header row, reading legacy fonts,
matching people and writing live in registry.services.imports, which these classes call.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from import_export import fields, resources, widgets

_DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"]

# Zero-width spaces and joiners, word joiner, byte-order mark, soft hyphen: pasted from web
# pages and other systems, invisible on screen, yet they make two equal names differ.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def visible(text: str) -> str:
    return INVISIBLE.sub("", text)


class TextWidget(widgets.CharWidget):
    """Text as typed, with line breaks and runs of spaces folded into one space."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return " ".join(visible(str(value)).split())


class DigitsWidget(widgets.CharWidget):
    """Numbers kept as text (CCCD): 1.2e11 stored as a number loses its leading zero."""

    def __init__(self, length: int, **kwargs):
        self.length = length
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return ""
        if isinstance(value, (int, float)):
            return str(int(value)).zfill(self.length)
        text = "".join(visible(str(value)).split()).replace(".", "")
        if text.isdigit() and len(text) < self.length:
            text = text.zfill(self.length)
        return text


class YearOrDateWidget(widgets.Widget):
    """A year (1980, "1980", 1980.0), a date string (12/05/1980) or an Excel date.

    Returns (date or None, year or None); raises ValueError when it cannot be read.
    """

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None, None
        if isinstance(value, datetime):
            return value.date(), value.year
        if isinstance(value, date):
            return value, value.year
        if isinstance(value, (int, float)):
            if float(value).is_integer() and 1000 <= value <= 9999:
                return None, int(value)
            raise ValueError(value)
        text = " ".join(str(value).split())
        digits = text.replace(" ", "")
        if digits.isdigit() and len(digits) == 4:
            return None, int(digits)
        for fmt in _DATE_FORMATS:
            try:
                day = datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            return day, day.year
        raise ValueError(value)


class SchoolYearWidget(widgets.Widget):
    """2022, "2022", "2022-2023", "năm học 2022 – 2023": (end year, is a school year)."""

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, (int, float)) and float(value).is_integer():
            return int(value), False
        years = [int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", str(value))]
        if len(years) == 1:
            return years[0], False
        if len(years) == 2 and years[1] == years[0] + 1:
            return years[1], True
        raise ValueError(value)


def _text(name: str, column: str) -> fields.Field:
    return fields.Field(attribute=name, column_name=column, widget=TextWidget())


class ImportResource(resources.Resource):
    """The columns of one kind of list; the service reads them by attribute name."""

    kind = ""

    def columns(self) -> dict[str, fields.Field]:
        return {field.attribute: field for field in self.get_export_fields()}

    def template_headers(self) -> list[str]:
        return self.get_export_headers()

    def preview(self, **kwargs):
        from registry.services import imports

        return imports.import_preview(kind=self.kind, resource=self, **kwargs)


class _PersonAwardColumns(ImportResource):
    """The columns a list of honorees and an old register share."""

    stt = fields.Field(attribute="stt", column_name="STT", widget=TextWidget())
    name = _text("name", "Họ và tên (tên tập thể)")
    birth = fields.Field(attribute="birth", column_name="Năm sinh", widget=YearOrDateWidget())
    gender = _text("gender", "Giới tính")
    position = _text("position", "Chức vụ")
    unit = _text("unit", "Đơn vị công tác")
    achievement = _text("achievement", "Thành tích")
    award_type = _text("award_type", "Hình thức khen thưởng")
    citizen_id = fields.Field(
        attribute="citizen_id", column_name="Số CCCD", widget=DigitsWidget(length=12)
    )
    note = _text("note", "Ghi chú")


class HonoreeResource(_PersonAwardColumns):
    """Danh sách tập thể, cá nhân được khen kèm theo quyết định."""

    kind = "danh-sach"

    # The council's reason for proposing someone the rule in force warns about.
    reason = _text("reason", "Lý do vẫn đề nghị")


class HistoryResource(_PersonAwardColumns):
    """Sổ khen thưởng các năm trước: mỗi dòng kèm số, ngày quyết định và hình thức."""

    kind = "lich-su"

    decision_number = _text("decision_number", "Số quyết định")
    decision_date = fields.Field(
        attribute="decision_date",
        column_name="Ngày quyết định",
        widget=YearOrDateWidget(),
    )
    period = fields.Field(
        attribute="period", column_name="Năm thành tích", widget=SchoolYearWidget()
    )

    class Meta:
        export_order = [
            "stt",
            "name",
            "birth",
            "gender",
            "position",
            "unit",
            "award_type",
            "decision_number",
            "decision_date",
            "period",
            "achievement",
            "citizen_id",
            "note",
        ]


class RatingResource(ImportResource):
    """Xếp loại hằng năm: HTXSNV, HTTNV, HTNV, KHTNV, theo năm hoặc năm học."""

    kind = "xep-loai"

    stt = fields.Field(attribute="stt", column_name="STT", widget=TextWidget())
    name = _text("name", "Họ và tên (tên tập thể)")
    birth = fields.Field(attribute="birth", column_name="Năm sinh", widget=YearOrDateWidget())
    position = _text("position", "Chức vụ")
    unit = _text("unit", "Đơn vị công tác")
    year = fields.Field(attribute="year", column_name="Năm", widget=SchoolYearWidget())
    grade = _text("grade", "Xếp loại")
    citizen_id = fields.Field(
        attribute="citizen_id", column_name="Số CCCD", widget=DigitsWidget(length=12)
    )
    note = _text("note", "Ghi chú")


RESOURCES = {cls.kind: cls for cls in (HonoreeResource, HistoryResource, RatingResource)}
