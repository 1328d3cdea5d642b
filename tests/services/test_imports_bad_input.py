"""Every kind of bad file an office may send: a clear Vietnamese error, and nothing written."""

import io
import zipfile

import pytest

from registry.models import Award, Collective, Decision, Household, ImportBatch, Individual
from registry.services.imports import import_preview
from tests import factories
from tests.data.books import HEADER, messy_list, xlsx

pytestmark = pytest.mark.django_db


def counts():
    return (
        Award.objects.count(),
        Individual.objects.count(),
        Collective.objects.count(),
        Household.objects.count(),
        ImportBatch.objects.count(),
    )


def a_draft():
    return Decision.objects.first() or factories.draft_decision()


def refused(data, expected: str, *, whole_file=True):
    decision = a_draft()
    before = counts()
    batch = import_preview(
        kind="danh-sach",
        data=data,
        file_name="danh-sach.xlsx",
        decision=decision,
        award_type=factories.award_type(),
    )
    assert batch.pk is None
    problems = batch.payload["problems"]
    assert problems, "an error was expected"
    assert any(expected in p["message"] for p in problems), problems
    if whole_file:
        assert [(p["sheet"], p["row"], p["column"]) for p in problems] == [(None, None, None)]
    assert counts() == before
    return problems


def test_csv_renamed_to_xlsx():
    refused("STT,Họ và tên,Năm sinh\n1,Nguyễn Văn An,1980\n".encode(), "CSV")


def test_docx_renamed_to_xlsx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", "<w:document/>")
    refused(buffer.getvalue(), "Word (.docx)")


def test_old_xls():
    # An .xls is an OLE2 compound file: the signature, then sectors.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096
    refused(data, "Save As")


def test_password_protected_workbook():
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    encrypted = io.BytesIO()
    ooxml.OOXMLFile(io.BytesIO(messy_list([("Nguyễn Văn An", 1980, "", None)]))).encrypt(
        "mat-khau", encrypted
    )
    refused(encrypted.getvalue(), "mật khẩu")


def test_empty_file_and_empty_workbook():
    refused(b"", "rỗng")
    refused(xlsx([]), "trống")


def test_header_with_no_rows():
    problems = refused(xlsx([["Danh sách"], [], HEADER]), "không có dòng dữ liệu", whole_file=False)
    assert (problems[0]["sheet"], problems[0]["row"]) == ("Danh sách", 3)


def test_no_recognisable_header():
    refused(xlsx([["Cột 1", "Cột 2"], ["Nguyễn Văn An", 1980]]), "Không tìm thấy dòng tiêu đề")


def test_file_over_the_size_limit(settings):
    settings.IMPORT_MAX_BYTES = 2000
    refused(messy_list([("Nguyễn Văn An", 1980, "", None)] * 30), "quá giới hạn")


def test_zip_bomb():
    data = messy_list([("Nguyễn Văn An", 1980, "", None)])
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            bomb.writestr(item, source.read(item.filename))
        bomb.writestr("xl/media/padding.bin", b"\x00" * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    refused(buffer.getvalue(), "giải nén")


def test_formulas_without_cached_values():
    rows = [HEADER, [1, "Nguyễn Văn An", "=1979+1", "Phòng Nội vụ", None]]
    problems = refused(xlsx(rows), "công thức", whole_file=False)
    assert [(p["sheet"], p["row"], p["column"]) for p in problems] == [("Danh sách", 2, "C")]


def test_more_rows_than_the_limit(settings):
    settings.IMPORT_MAX_ROWS = 5
    people = [(f"Người Thứ {i}", 1980, "", None) for i in range(6)]
    refused(messy_list(people), "quá giới hạn")
    settings.IMPORT_MAX_ROWS = 6
    decision = a_draft()
    batch = import_preview(
        kind="danh-sach",
        data=messy_list(people),
        file_name="ds.xlsx",
        decision=decision,
        award_type=factories.award_type(),
    )
    assert batch.payload["problems"] == []
