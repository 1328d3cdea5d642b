"""What a list leaves in doubt is shown on its line, without blocking the import: an honorific
that contradicts the gender column, an empty achievement; birth dates read dd/mm/yyyy."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from registry.models import ImportBatch, Individual
from registry.services.imports import batch_lines, import_confirm, import_preview
from tests import factories
from tests.data.books import TITLE_ROWS, xlsx

pytestmark = pytest.mark.django_db

HEADER = ["STT", "Họ và tên", "Giới tính", "Ngày sinh", "Chức vụ, đơn vị công tác", "Thành tích"]
ROWS = [
    [1, "Bà Nguyễn Thị A", "Nam", "12/03/1986", "Kế toán, Phòng Tài chính", "Hoàn thành xuất sắc"],
    [2, "Ông Trần Văn B", "Nam", 1975, "Trưởng phòng, Phòng Nội vụ", None],
    [3, "Lò Thị C", "Nữ", "01/02/1990", "Chuyên viên, Phòng Nội vụ", "Năm 2022: xuất sắc"],
]


def workbook() -> bytes:
    return xlsx([*TITLE_ROWS, HEADER, *ROWS])


def preview(decision):
    return import_preview(
        kind="danh-sach",
        data=workbook(),
        file_name="ds.xlsx",
        decision=decision,
        award_type=factories.award_type(),
    )


def test_honorific_against_gender_and_empty_achievement_are_flagged_not_blocking():
    decision = factories.draft_decision()
    batch = preview(decision)
    assert batch.payload["problems"] == []
    assert batch.pk is not None  # saved for confirmation: the doubts do not block
    first, second, third = batch_lines(batch)
    # Line 8 (the header is row 7): "Bà" but Giới tính (column C) says "Nam".
    assert first.row == 8
    assert first.gender == "nam"  # the gender column still wins, as before
    [notice] = first.notices
    assert notice["column"] == "C"
    assert "Danh xưng “Bà”" in notice["message"] and "“Nam”" in notice["message"]
    assert first.notices_shown[0].startswith("Dòng 8, cột C: ")
    # Line 9: the achievement cell (column F) is empty.
    [notice] = second.notices
    assert notice["column"] == "F"
    assert "Ô thành tích để trống" in notice["message"]
    assert second.notices_shown[0].startswith("Dòng 9, cột F: ")
    assert third.notices == []
    # Shown dd/mm/yyyy; a year alone stays a year.
    assert first.birth_shown == "12/03/1986"
    assert second.birth_shown == "1975"

    import_confirm(batch=batch)
    assert decision.awards.count() == 3
    assert Individual.objects.get(full_name="Nguyễn Thị A").gender == "nam"


def test_a_list_without_an_achievement_column_is_flagged_on_each_line():
    data = xlsx([*TITLE_ROWS, ["STT", "Họ và tên", "Năm sinh"], [1, "Ông Nông Văn D", 1970]])
    batch = import_preview(
        kind="danh-sach",
        data=data,
        file_name="ds.xlsx",
        decision=factories.draft_decision(),
        award_type=factories.award_type(),
    )
    [line] = batch_lines(batch)
    [notice] = line.notices
    assert notice["column"] is None and "không có cột Thành tích" in notice["message"]


def test_the_preview_page_shows_dates_achievements_and_the_doubts(client):
    decision = factories.draft_decision()
    client.force_login(get_user_model().objects.create_superuser("quantri", password="x"))
    batch = preview(decision)
    html = client.get(reverse("admin:registry_importbatch_preview", args=[batch.pk])).content
    html = html.decode()
    assert "12/03/1986" in html and "1986-03-12" not in html
    assert "<th>Thành tích</th>" in html and "Hoàn thành xuất sắc" in html
    assert "2 dòng cần xem lại" in html
    assert "Dòng 8, cột C: Danh xưng “Bà”" in html
    assert "Dòng 9, cột F: Ô thành tích để trống" in html
    assert "Xác nhận nhập" in html  # still confirmable
    assert ImportBatch.objects.get().status == "preview"
    import_confirm(batch=batch)
    change = reverse("admin:registry_importbatch_change", args=[batch.pk])
    html = client.get(change).content.decode()
    assert "số dòng: 3; dòng đã nhập: 3" in html and "created_lines" not in html
