"""The template workbook offered for download: a list that imports cleanly, with its guide."""

from __future__ import annotations

import io

from django.db.models import Q
from django.utils import timezone
from openpyxl.utils import get_column_letter

from registry.models import AwardType, ImportKind, RatingGrade
from registry.resources import RESOURCES
from registry.services.spreadsheets import cell_write, row_append

from .rows import header_key


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
