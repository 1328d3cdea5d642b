"""Importing honoree lists as offices really make them, into a draft decision."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from registry.models import Award, Collective, Household, ImportBatch, Individual
from registry.services import legacy_text
from registry.services.awards import award_add
from registry.services.decisions import decision_issue
from registry.services.imports import (
    import_confirm,
    import_preview,
    import_report,
    template_workbook,
)
from tests import factories
from tests.data.books import HEADER, TITLE_ROWS, messy_list, xlsx

pytestmark = pytest.mark.django_db


def preview(data, decision=None, award_type="default", **kwargs):
    decision = decision or factories.draft_decision()
    if award_type == "default":
        award_type = factories.award_type()
    return import_preview(
        kind="danh-sach",
        data=data,
        file_name="danh-sach.xlsx",
        decision=decision,
        award_type=award_type,
        **kwargs,
    )


def messages(batch):
    return [p["message"] for p in batch.payload["problems"]]


def table_counts():
    return (
        Award.objects.count(),
        Individual.objects.count(),
        Collective.objects.count(),
        Household.objects.count(),
        ImportBatch.objects.count(),
    )


def test_a_real_looking_list_previews_and_imports():
    decision = factories.draft_decision()
    data = messy_list(
        people=[
            ("Ông Nguyễn Văn Hưởng", 1980, "Chuyên viên, Phòng Nội vụ", "năm 2022"),
            ("Bà  Lê Thị\nHoa", "12/05/1985", "Giáo viên, Trường TH Hoàng Việt", None),
            ("Đồng chí Hoàng Văn Bình", "1979", "Bí thư Chi bộ, Thôn Nà Lầu", None),
            ("Vi Văn Tài", date(1990, 3, 4), "Công an viên, xã Tân Mỹ", None),
        ],
        collectives=[
            ("Trường Tiểu học Hoàng Việt", "xã Hoàng Việt", "năm học 2021-2022"),
            ("Công ty TNHH Tân Thanh", "", None),
        ],
    )
    batch = preview(data, decision=decision)
    assert messages(batch) == []
    assert batch.pk is not None
    lines = batch.payload["lines"]
    assert [(line["row"], line["kind"], line["name"]) for line in lines] == [
        (9, "tap-the", "Trường Tiểu học Hoàng Việt"),
        (10, "tap-the", "Công ty TNHH Tân Thanh"),
        (12, "ca-nhan", "Nguyễn Văn Hưởng"),
        (13, "ca-nhan", "Lê Thị Hoa"),
        (14, "ca-nhan", "Hoàng Văn Bình"),
        (15, "ca-nhan", "Vi Văn Tài"),
    ]
    people = {line["name"]: line for line in lines}
    assert people["Nguyễn Văn Hưởng"]["gender"] == "nam"
    assert people["Lê Thị Hoa"]["gender"] == "nu"
    assert people["Lê Thị Hoa"]["birth_date"] == "1985-05-12"
    assert people["Hoàng Văn Bình"]["birth_year"] == 1979
    assert people["Vi Văn Tài"]["birth_date"] == "1990-03-04"
    assert people["Nguyễn Văn Hưởng"]["position"] == "Chuyên viên"
    assert people["Nguyễn Văn Hưởng"]["unit"] == "Phòng Nội vụ"
    # The school year counts in its end year; no year given: the year before the decision.
    assert people["Trường Tiểu học Hoàng Việt"]["period_to"] == 2022
    assert people["Vi Văn Tài"]["period_to"] == 2022
    assert batch.payload["counts"]["collectives"] == 2
    assert batch.payload["counts"]["individuals"] == 4

    import_confirm(batch=batch)
    awards = list(decision.awards.select_related("individual", "collective").order_by("line_no"))
    assert len(awards) == 6
    assert all(a.authority_id == decision.authority_id for a in awards)
    assert awards[2].individual.full_name == "Nguyễn Văn Hưởng"
    assert awards[2].individual.gender == "nam"
    assert awards[2].recipient_position == "Chuyên viên"
    assert awards[2].cash_amount == 450_000  # 0.3 × 1,490,000 đ, rounded up to 10,000 đ
    hoa = Individual.objects.get(full_name="Lê Thị Hoa")
    assert hoa.search_key == "le thi hoa" and hoa.sort_key  # keys set despite bulk_create
    # Awards of the import pass the decision's own checks: it can be issued.
    decision_issue(decision=decision)


@pytest.mark.parametrize(
    "header",
    [
        ["TT", "Họ tên", "Ngày sinh", "Đơn vị công tác", "Thành tích"],
        ["stt", "HỌ VÀ\nTÊN", "năm  sinh", "Chức vụ, đơn vị công tác", "thanh tich"],
        ["So TT", "Tên tập thể, cá nhân", "Nam sinh", "Don vi", "Ghi chú"],
        [" STT ", "Họ và tên (ghi đủ)", "Ngày, tháng, năm sinh", "Đơn vị", "Thành tích đạt được"],
    ],
)
def test_header_names_vary(header):
    data = messy_list([("Nguyễn Văn An", 1980, "Phòng Tư pháp", None)], header=header)
    batch = preview(data)
    assert messages(batch) == []
    (line,) = batch.payload["lines"]
    assert line["name"] == "Nguyễn Văn An" and line["birth_year"] == 1980


@pytest.mark.parametrize(
    "sections",
    [
        ("A.", "B.", "C."),
        ("Tập thể:", "Cá nhân:", "Hộ gia đình:"),
        ("I. TẬP THỂ", "II. CÁ NHÂN", "III. HỘ GIA ĐÌNH"),
    ],
)
def test_section_rows_switch_the_recipient_kind(sections):
    giay_khen = factories.award_type()
    giay_khen.for_households = True
    giay_khen.save()
    rows = [*TITLE_ROWS, HEADER]
    first = [sections[0]] if ":" in sections[0] or " " in sections[0] else [sections[0], "TẬP THỂ"]
    rows += [first, [1, "Thôn Nà Lầu", None, "xã Hoàng Việt"]]
    second = [sections[1]] if ":" in sections[1] or " " in sections[1] else [sections[1], "CÁ NHÂN"]
    rows += [second, [1, "Nông Văn Dũng", 1975, "Thôn Nà Lầu"]]
    third = (
        [sections[2]] if ":" in sections[2] or " " in sections[2] else [sections[2], "HỘ GIA ĐÌNH"]
    )
    rows += [third, [1, "Ông Lộc Văn Sơn", None, "Thôn Nà Lầu"]]
    batch = preview(xlsx(rows), award_type=giay_khen)
    assert messages(batch) == []
    assert [line["kind"] for line in batch.payload["lines"]] == [
        "tap-the",
        "ca-nhan",
        "ho-gia-dinh",
    ]
    import_confirm(batch=batch)
    assert Household.objects.get().head_name == "Lộc Văn Sơn"


@pytest.mark.parametrize("encoding", ["TCVN3", "VNI"])
def test_legacy_fonts_are_converted(encoding):
    to_legacy = legacy_text.to_tcvn3 if encoding == "TCVN3" else legacy_text.to_vni
    rows = [
        [to_legacy("DANH SÁCH CÁ NHÂN ĐƯỢC TẶNG GIẤY KHEN")],
        [],
        [to_legacy(h) for h in ["STT", "Họ và tên", "Năm sinh", "Đơn vị công tác"]],
        [1, to_legacy("Nguyễn Văn Hưởng"), 1980, to_legacy("Phòng Nội vụ")],
        [2, to_legacy("Đàm Thị Thu Hường"), 1982, to_legacy("Trường Tiểu học Hoàng Việt")],
    ]
    batch = preview(xlsx(rows))
    assert messages(batch) == []
    assert batch.legacy_encoding == encoding
    assert [line["name"] for line in batch.payload["lines"]] == [
        "Nguyễn Văn Hưởng",
        "Đàm Thị Thu Hường",
    ]
    assert batch.payload["lines"][1]["unit"] == "Trường Tiểu học Hoàng Việt"
    assert any(encoding in note for note in batch.payload["notes"])


def test_unicode_text_is_left_alone():
    batch = preview(messy_list([("Ông Tô Văn Ẩn", 1970, "Phòng Nội vụ", None)]))
    assert batch.legacy_encoding == ""
    assert batch.payload["lines"][0]["name"] == "Tô Văn Ẩn"


def test_award_type_column_and_default():
    cat = factories.catalogue()
    rows = [
        ["STT", "Họ và tên", "Năm sinh", "Hình thức khen thưởng"],
        [1, "Nguyễn Văn An", 1980, "Giấy khen"],
        [2, "Nguyễn Văn Bình", 1981, None],
        [3, "Nguyễn Văn Cường", 1982, "Huy chương vàng"],
    ]
    batch = preview(xlsx(rows), award_type=cat["giay_khen"])
    assert batch.pk is None
    (problem,) = batch.payload["problems"]
    assert (problem["sheet"], problem["row"], problem["column"]) == ("Danh sách", 4, "D")
    assert "Huy chương vàng" in problem["message"]
    assert [line.get("award_type_id") for line in batch.payload["lines"][:2]] == [
        cat["giay_khen"].pk,
        cat["giay_khen"].pk,
    ]


def test_no_award_type_column_and_no_default_is_a_file_error():
    batch = preview(messy_list([("Nguyễn Văn An", 1980, "", None)]), award_type=None)
    (problem,) = batch.payload["problems"]
    assert problem["row"] is None and problem["sheet"] is None
    assert "Hình thức khen thưởng" in problem["message"]


def test_row_errors_name_sheet_row_and_column():
    cat = factories.catalogue()
    earlier = factories.draft_decision(number="3/QĐ-UBND", signed_date=date(2023, 1, 5))
    twice = factories.individual("Lý Văn Hai", birth_year=1970)
    award_add(
        decision=earlier,
        award_type=cat["giay_khen"],
        recipient=twice,
        period_from=2022,
        period_to=2022,
    )
    rows = [
        *TITLE_ROWS,
        ["STT", "Họ và tên", "Năm sinh", "Đơn vị công tác", "Hình thức khen thưởng"],
        [1, None, 1980, "Phòng Nội vụ", "Giấy khen"],
        [2, "Nguyễn Văn Tương Lai", 2090, "Phòng Nội vụ", "Giấy khen"],
        [3, "Hà Thị Đôi", 1985, "Phòng Y tế", "Giấy khen"],
        [4, "Hà Thị Đôi", 1985, "Phòng Y tế", "Giấy khen"],
        [5, "Lý Văn Hai", 1970, "", "Giấy khen"],
        [6, "Nông Văn Tỉnh", 1971, "", "Bằng khen của Chủ tịch UBND tỉnh"],
    ]
    before = table_counts()
    batch = preview(xlsx(rows, title="DS khen"), award_type=None)
    assert batch.pk is None
    found = {}
    for p in batch.payload["problems"]:
        found[(p["row"], p["column"])] = found.get((p["row"], p["column"]), "") + p["message"]
    assert found.keys() >= {(8, "B"), (9, "C"), (11, "B"), (12, "B"), (13, "E")}
    assert all(p["sheet"] == "DS khen" for p in batch.payload["problems"])
    assert "Thiếu họ tên" in found[(8, "B")]
    assert "tương lai" in found[(9, "C")]
    assert "hai lần" in found[(11, "B")] and "dòng 10" in found[(11, "B")]
    assert "đã được tặng Giấy khen" in found[(12, "B")] and "3/QĐ-UBND" in found[(12, "B")]
    assert "không có thẩm quyền" in found[(13, "E")]
    assert table_counts() == before


def test_an_issued_decision_takes_no_import():
    decision = factories.decision_with_lines()
    decision_issue(decision=decision)
    before = table_counts()
    batch = preview(messy_list([("Nguyễn Văn An", 1980, "", None)]), decision=decision)
    (problem,) = batch.payload["problems"]
    assert "đã ban hành" in problem["message"] and problem["row"] is None
    assert table_counts() == before


def test_matching_by_citizen_id_then_name_birth_unit():
    authority = factories.authority()
    by_id = factories.individual("Nguyễn Văn Cũ", citizen_id="001080000123")
    by_birth = factories.individual("Trần Thị Mai", birth_year=1985)
    factories.individual("Trần Thị Mai", birth_year=1990)  # another person, another birth year
    by_unit = factories.individual("Lương Văn Tám", workplace="Phòng Tư pháp")
    other_office = factories.authority("caoloc-ubnd", name="Chủ tịch UBND huyện Cao Lộc")
    factories.individual("Hà Văn Xa", birth_year=1960, registered_by=other_office)
    rows = [
        ["STT", "Họ và tên", "Năm sinh", "Đơn vị công tác", "Số CCCD"],
        [1, "Nguyen Van Moi Ten", 1980, "", "001080000123"],
        [2, "TRẦN THỊ MAI", "1985", "", None],
        [3, "Lương Văn Tám", None, "phòng tư pháp", None],
        [4, "Hà Văn Xa", 1960, "", None],
    ]
    batch = preview(xlsx(rows))
    lines = batch.payload["lines"]
    assert [line["match"] for line in lines] == ["matched", "matched", "matched", "new"]
    assert [line["recipient_id"] for line in lines[:3]] == [by_id.pk, by_birth.pk, by_unit.pk]
    assert authority.pk == by_id.registered_by_id
    import_confirm(batch=batch)
    assert Individual.objects.filter(full_name="Hà Văn Xa").count() == 2


def test_an_ambiguous_match_waits_for_the_clerk():
    first = factories.individual("Hoàng Văn Nam", birth_year=1980, workplace="Thôn A")
    second = factories.individual("Hoàng Văn Nam", birth_year=1980, workplace="Thôn B")
    batch = preview(xlsx([["STT", "Họ và tên", "Năm sinh"], [1, "Hoàng Văn Nam", 1980]]))
    (line,) = batch.payload["lines"]
    assert line["match"] == "ambiguous"
    assert {c["id"] for c in line["candidates"]} == {first.pk, second.pk}
    assert batch.payload["counts"]["ambiguous"] == 1
    with pytest.raises(ValidationError, match="hãy chọn|Hãy chọn"):
        import_confirm(batch=batch)
    assert Award.objects.count() == 0
    import_confirm(batch=batch, choices={0: second.pk})
    assert Award.objects.get().individual_id == second.pk


def test_reimporting_the_same_file_adds_nothing():
    decision = factories.draft_decision()
    data = messy_list(
        [("Ông Nguyễn Văn An", 1980, "Phòng Nội vụ", None), ("Bà Lê Thị Bích", 1981, "", None)],
        collectives=[("Phòng Tư pháp", "", None)],
    )
    import_confirm(batch=preview(data, decision=decision))
    before = table_counts()
    again = preview(data, decision=decision)
    report = import_report(again)
    assert report["unchanged"] == 3
    assert report["new_recipients"] == report["matched_recipients"] == 0
    assert any("không có gì mới" in note for note in again.payload["notes"])
    import_confirm(batch=again)
    assert table_counts()[:4] == before[:4]


def test_confirm_uses_the_stored_preview_and_is_all_or_nothing():
    decision = factories.draft_decision()
    batch = preview(messy_list([("Nguyễn Văn An", 1980, "", None)]), decision=decision)
    # Meanwhile someone issues the decision: nothing of the import may be written.
    award_add(
        decision=decision,
        award_type=factories.award_type(),
        recipient=factories.collective("Phòng Văn hóa"),
        period_from=2022,
        period_to=2022,
    )
    decision_issue(decision=decision)
    before = table_counts()
    with pytest.raises(ValidationError, match="đã ban hành"):
        import_confirm(batch=batch)
    assert table_counts() == before
    batch.refresh_from_db()
    assert batch.status == "preview"


def test_template_workbook_has_header_instructions_dropdown_and_imports_cleanly():
    factories.catalogue()
    data = template_workbook(kind="danh-sach")
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Danh sách"]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["STT", "Họ và tên (tên tập thể)", "Năm sinh"]
    assert "Hướng dẫn" in book.sheetnames
    assert any("TCVN3" in (row[0].value or "") for row in book["Hướng dẫn"].iter_rows())
    (validation,) = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    column = "ABCDEFGHIJ"[headers.index("Hình thức khen thưởng")]
    assert str(validation.sqref).startswith(f"{column}2:")
    assert "Giấy khen" in [c.value for c in book["Danh mục"]["A"]]

    values = {"Họ và tên (tên tập thể)": "Bà Đinh Thị Lan", "Năm sinh": 1988}
    values["Hình thức khen thưởng"] = "Giấy khen"
    sheet.append([values.get(h) if h != "STT" else 1 for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = preview(buffer.getvalue(), award_type=None)
    assert messages(batch) == []
    import_confirm(batch=batch)
    assert Award.objects.get().individual.gender == "nu"


def test_preview_queries_do_not_grow_with_rows(django_assert_max_num_queries):
    factories.catalogue()
    for i in range(60):
        factories.individual(f"Người Có Sẵn {i}", birth_year=1970 + i % 20)
    decision = factories.draft_decision()

    def book(n):
        people = [(f"Người Có Sẵn {i}", 1970 + i % 20, "", None) for i in range(0, n, 2)]
        people += [(f"Người Mới {i}", 1980, "", None) for i in range(1, n, 2)]
        return messy_list(people)

    small, large = book(10), book(60)
    with django_assert_max_num_queries(20):
        batch = preview(small, decision=decision)
    with django_assert_max_num_queries(20):
        batch = preview(large, decision=decision)
    assert batch.payload["counts"]["matched_recipients"] == 30
    with django_assert_max_num_queries(30):
        import_confirm(batch=batch)
    assert decision.awards.count() == 60
