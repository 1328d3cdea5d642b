"""Proposal lists exported by other commendation systems, read as offices receive them."""

import io
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import Workbook
from openpyxl.styles import Border, PatternFill, Side

from registry.models import Authority, Award, AwardType, Collective, ImportBatch
from registry.services.catalogue import catalogue_load
from registry.services.decisions import decision_create
from registry.services.imports import import_confirm, import_preview
from tests.data.books import xlsx

pytestmark = pytest.mark.django_db

N = 40
HEADER = [
    "STT", "Tên gọi (Ông/Bà/Chức danh)", "Tên tập thể/cá nhân/hộ gia đình", "Chức vụ",
    "Đơn vị công tác", "Phân loại khen thưởng", "Danh hiệu thi đua/Hình thức khen thưởng",
    "Phân loại đối tượng", "Lĩnh vực hoạt động", "Mã phân loại khen thưởng", "Mã danh hiệu",
    "Mã phân loại đối tượng", "Mã lĩnh vực",
]  # fmt: skip
PARENTS = ["Sở Nội vụ", "Sở Tài chính", "Sở Y tế", "Sở Giáo dục và Đào tạo"]


def collective_row(n, name, parent):
    return [
        n, None, name, None, parent, "Khen thưởng tập thể", "Tập thể lao động tiên tiến",
        "Cơ quan hành chính", "Quản lý nhà nước", "TAPTHE", 1023, 5, 12,
    ]  # fmt: skip


def collectives(count=N):
    return [(f"Phòng Nghiệp vụ {n}", PARENTS[n % len(PARENTS)]) for n in range(1, count + 1)]


def exported_list(rows, *, duplicate=True, formula_rows=20) -> bytes:
    """The shape a provincial department's export has: data sheet, lookups, guidance, hidden."""
    book = Workbook()
    sheet = book.active
    sheet.title = "file nhận"
    sheet.append(HEADER)
    data = [collective_row(n, name, parent) for n, (name, parent) in enumerate(rows, start=1)]
    if duplicate:
        data.append(collective_row(len(data) + 1, *rows[4]))
    for row in data:
        sheet.append(row)
    # Rows prepared for more entries: bordered, filled, lookups Excel never computed.
    fill = PatternFill("solid", fgColor="FFF2CC")
    thin = Side(style="thin")
    first = len(data) + 2
    for number in range(first, first + formula_rows):
        for column in range(1, len(HEADER) + 1):
            cell = sheet.cell(row=number, column=column)
            cell.fill = fill
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        sheet.cell(number, 10).value = f"=IFERROR(VLOOKUP(F{number},'DM phân loại'!B:C,2,0),\"\")"
        sheet.cell(number, 11).value = f"=IFERROR(VLOOKUP(G{number},'Danh mục danh hiệu'!B:C,2,0),\"\")"  # fmt: skip
    awards = book.create_sheet("Danh mục danh hiệu")
    for row in (
        ["STT", "Tên", "Mã"],
        [1, "Tập thể lao động tiên tiến", 1023],
        [2, "Bằng khen", 2001],
        [3, "Chiến sĩ thi đua cơ sở", 1011],
    ):
        awards.append(row)
    kinds = book.create_sheet("DM phân loại")
    for row in (
        ["Mã", "Phân loại khen thưởng", "Mã phân loại khen thưởng"],
        [1, "Khen thưởng tập thể", "TAPTHE"],
        [2, "Khen thưởng cá nhân", "CANHAN"],
        [3, "Khen thưởng hộ gia đình", "HOGIADINH"],
    ):
        kinds.append(row)
    fields = book.create_sheet("Lĩnh vực")
    for row in (["Mã lĩnh vực", "Lĩnh vực hoạt động"], [12, "Quản lý nhà nước"], [13, "Y tế"]):
        fields.append(row)
    guide = book.create_sheet("Hướng dẫn")
    guide.append(["HƯỚNG DẪN NHẬP DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"])
    guide.append(HEADER)
    guide.append([1, "Ông", "Nguyễn Văn A", "Giám đốc", "Sở Nội vụ", "Khen thưởng cá nhân",
                  "Bằng khen", "Cán bộ lãnh đạo", "Quản lý nhà nước", "CANHAN", 2001, 1, 12])  # fmt: skip
    guide.append([2, None, "Phòng Tổ chức", None, "Sở Nội vụ", "Khen thưởng tập thể",
                  "Bằng khen", "Cơ quan hành chính", "Quản lý nhà nước", "TAPTHE", 2001, 5, 12])  # fmt: skip
    hidden = book.create_sheet("Dữ liệu cũ")
    hidden.append(HEADER)
    hidden.append(collective_row(1, "Phòng Đã Giải Thể", "Sở Nội vụ"))
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def decision(authority="vanlang-ubnd", signed=date(2024, 1, 15), number="12/QĐ-UBND"):
    return decision_create(
        authority=Authority.objects.get(code=authority),
        number=number,
        signed_date=signed,
        subject="Về việc tặng danh hiệu Tập thể lao động tiên tiến năm 2023",
        signer_title="CHỦ TỊCH",
        signer_name="Người Ký Thử",
    )


def preview(data, target=None, **kwargs):
    return import_preview(
        kind="danh-sach", data=data, file_name="de-nghi.xlsx", decision=target or decision(),
        **kwargs,
    )  # fmt: skip


@pytest.fixture(autouse=True)
def real_catalogue():
    catalogue_load()


def test_a_list_exported_by_another_system_reads_as_collectives_and_finds_the_duplicate():
    batch = preview(exported_list(collectives()))
    lines = batch.payload["lines"]
    assert {line["sheet"] for line in lines} == {"file nhận"}
    assert len({line["name"] for line in lines}) == N
    assert batch.payload["counts"]["collectives"] == N + 1
    assert batch.payload["counts"]["individuals"] == 0
    assert {line["award_type_id"] for line in lines} == {AwardType.objects.get(code="tt-ldtt").pk}
    assert lines[0]["unit"] == PARENTS[1]
    problems = batch.payload["problems"]
    assert len(problems) == 1, problems
    [twice] = problems
    assert (twice["sheet"], twice["row"], twice["column"]) == ("file nhận", N + 2, "C")
    assert "Phòng Nghiệp vụ 5 có hai lần" in twice["message"]
    assert not any("Thiếu họ tên" in p["message"] for p in problems)
    notes = " ".join(batch.payload["notes"])
    assert "Trang “Dữ liệu cũ” đang ẩn" in notes
    for title in ("Hướng dẫn", "Danh mục danh hiệu", "DM phân loại", "Lĩnh vực"):
        assert f"Trang “{title}”" in notes
    assert not batch.pk  # errors: nothing kept


def test_the_list_without_the_duplicate_confirms_and_a_name_with_invisible_characters_matches():
    target = decision()
    batch = preview(exported_list(collectives(), duplicate=False), target)
    assert not batch.payload["problems"], batch.payload["problems"]
    warned = [str(i) for i, line in enumerate(batch.payload["lines"]) if line.get("warnings")]
    import_confirm(batch=batch, reasons=dict.fromkeys(warned, "Hội đồng đề nghị"))
    assert Award.objects.filter(decision=target).count() == N
    assert Collective.objects.filter(name__startswith="Phòng Nghiệp vụ").count() == N

    hidden = [("\ufeffPhòng\u200b Nghiệp\u00ad vụ 1\u2060", PARENTS[1]), *collectives(3)[1:]]
    hidden[1] = (hidden[1][0].replace(" ", " \u200d"), hidden[1][1])
    again = preview(exported_list(hidden, duplicate=False), target)
    assert not again.payload["problems"], again.payload["problems"]
    first = again.payload["lines"][0]
    assert first["name"] == "Phòng Nghiệp vụ 1"
    assert first["recipient_id"] == Collective.objects.get(name="Phòng Nghiệp vụ 1").pk
    assert [line.get("unchanged") for line in again.payload["lines"]] == [True, True, True]


def test_invisible_characters_do_not_hide_a_duplicate():
    rows = [("Phòng Tư pháp", "Sở Tư pháp"), ("Phòng\u200b Tư pháp", "Sở Tư pháp")]
    batch = preview(exported_list(rows, duplicate=False, formula_rows=0))
    assert ["có hai lần" in p["message"] for p in batch.payload["problems"]] == [True]


def test_the_kind_comes_from_an_award_type_that_admits_one_kind_only():
    rows = [
        ["STT", "Tên tập thể/cá nhân/hộ gia đình", "Đơn vị công tác", "Danh hiệu thi đua"],
        [1, "Phòng Kinh tế", "UBND huyện Văn Lãng", "Tập thể lao động tiên tiến"],
    ]
    batch = preview(xlsx(rows))
    [line] = batch.payload["lines"]
    assert line["kind"] == "tap-the"


def test_bang_khen_on_a_provinces_decision_is_the_provinces_and_a_title_gives_the_gender():
    rows = [
        ["STT", "Tên gọi (Ông/Bà/Chức danh)", "Tên tập thể/cá nhân/hộ gia đình", "Chức vụ",
         "Đơn vị công tác", "Phân loại khen thưởng", "Danh hiệu thi đua/Hình thức khen thưởng"],
        [1, "Bà", "Lê Thị Hoa", "Giám đốc", "Sở Y tế", "Khen thưởng cá nhân", "Bằng khen"],
    ]  # fmt: skip
    target = decision("hatinh-ubnd", date(2024, 3, 1), "300/QĐ-UBND")
    batch = preview(xlsx(rows, title="file nhận"), target)
    [line] = batch.payload["lines"]
    assert line["award_type_id"] == AwardType.objects.get(code="bang-khen-tinh").pk
    assert (line["kind"], line["gender"], line["title"]) == ("ca-nhan", "nu", "Bà")

    AwardType.objects.create(
        code="bang-khen-so", name="Bằng khen của Giám đốc Sở", certificate_title="BẰNG KHEN",
        family="hinh-thuc", level="bo-tinh", for_individuals=True,
    )  # fmt: skip
    batch = preview(xlsx(rows, title="file nhận"), target)
    [problem] = batch.payload["problems"]
    assert (problem["sheet"], problem["row"], problem["column"]) == ("file nhận", 2, "G")
    assert "“Bằng khen” có thể là 2 hình thức" in problem["message"]
    assert "bang-khen-tinh" in problem["message"] and "bang-khen-so" in problem["message"]


def test_an_unknown_kind_is_reported_on_its_cell():
    rows = [HEADER, collective_row(1, "Phòng Nội vụ", "UBND huyện")]
    rows[1][5] = "Khen thưởng đoàn thể"
    batch = preview(xlsx(rows, title="file nhận"))
    [problem] = batch.payload["problems"]
    assert (problem["row"], problem["column"]) == (2, "F")
    assert "Phân loại khen thưởng ghi “Khen thưởng đoàn thể”" in problem["message"]


def test_an_expired_preview_is_refused_and_cleared(settings):
    settings.IMPORT_PREVIEW_DAYS = 7
    batch = preview(exported_list(collectives(3), duplicate=False, formula_rows=0))
    fresh = preview(
        exported_list(collectives(2), duplicate=False, formula_rows=0),
        decision(number="13/QĐ-UBND"),
    )
    assert batch.pk and fresh.pk
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=batch.created_at - timedelta(days=8))
    batch.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        import_confirm(batch=batch)
    assert "đã quá 7 ngày nên hết hạn" in refused.value.messages[0]
    assert "Hãy tải tệp lên lại" in refused.value.messages[0]
    assert not Award.objects.exists()
    out = StringIO()
    call_command("import_batches_clear", stdout=out)
    assert "Đã xóa 1 bản xem trước" in out.getvalue()
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [fresh.pk]
