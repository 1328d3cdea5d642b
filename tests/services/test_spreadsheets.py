"""Every workbook the registry hands out keeps a name such as "=1+1" as the text it is."""

import io
import zipfile
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from registry.models import Authority, AwardType, Individual, Rating
from registry.selectors.eligibility import nominee_list, nominee_list_xlsx
from registry.selectors.reports import annual_summary
from registry.services.awards import award_add
from registry.services.catalogue import catalogue_load
from registry.services.decisions import decision_issue
from registry.services.report_exports import awards_list_xlsx, report_xlsx
from registry.services.rules import rules_load
from registry.services.spreadsheets import cell_write, row_append
from tests import factories

pytestmark = pytest.mark.django_db

RISKY = ["=1+1", '=HYPERLINK("http://example.invalid","x")', "+84 912", "-Tổ 3", "@SUM(A1)"]


def cells_with(book, values) -> dict:
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value in values:
                    found.setdefault(cell.value, []).append(cell)
    return found


def assert_text(raw: bytes, values) -> None:
    book = load_workbook(io.BytesIO(raw))
    found = cells_with(book, values)
    assert set(found) == set(values), found.keys()
    for value, cells in found.items():
        for cell in cells:
            assert cell.data_type == "s" and cell.quotePrefix, (value, cell.coordinate)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        for member in archive.namelist():
            if member.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(member).decode(), member


@pytest.mark.parametrize("write_only", [False, True])
def test_the_writer_keeps_formula_text_as_text_and_other_values_as_they_are(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("Thử")
    row_append(sheet, [*RISKY, "\t=1", "Nguyễn Văn A", 7, None, "bad\x01char"])
    if not write_only:
        cell_write(sheet, row=2, column=1, value="=2+2")
    buffer = io.BytesIO()
    book.save(buffer)
    assert_text(buffer.getvalue(), [*RISKY, "\t=1"] + ([] if write_only else ["=2+2"]))
    read = load_workbook(io.BytesIO(buffer.getvalue()))["Thử"]
    row = [c.value for c in next(read.iter_rows(max_row=1))]
    assert row[len(RISKY) + 1 :] == ["Nguyễn Văn A", 7, None, "badchar"]
    assert read.cell(1, len(RISKY) + 3).data_type == "n"


def test_report_and_list_workbooks_keep_formula_names_as_text():
    authority = factories.catalogue()["authority"]
    decision = factories.draft_decision(number="8/QĐ-UBND")
    gk = factories.award_type()
    for name in RISKY:
        person = factories.individual(name, registered_by=authority, position="=1+1", gender="nam")
        award_add(
            decision=decision, award_type=gk, recipient=person, period_from=2022, period_to=2022
        )
    award_add(
        decision=decision,
        award_type=gk,
        recipient=factories.collective("@Tổ dân phố", registered_by=authority),
        period_from=2022,
        period_to=2022,
    )
    decision_issue(decision=decision)
    summary = annual_summary(year=2022, authority=authority)
    for write in (report_xlsx, awards_list_xlsx):
        buffer = io.BytesIO()
        write(summary, buffer)
        assert_text(buffer.getvalue(), [*RISKY, "@Tổ dân phố"])


def test_the_annual_report_command_writes_formula_names_as_text(tmp_path):
    authority = factories.catalogue()["authority"]
    decision = factories.draft_decision(number="9/QĐ-UBND")
    person = factories.individual("=1+1", registered_by=authority, gender="nu")
    award_add(
        decision=decision,
        award_type=factories.award_type(),
        recipient=person,
        period_from=2022,
        period_to=2022,
    )
    decision_issue(decision=decision)
    out = tmp_path / "bao-cao.xlsx"
    call_command(
        "annual_report", "--year", "2022", "--authority", authority.code, "--format", "xlsx",
        "-o", str(out),
    )  # fmt: skip
    assert_text(out.read_bytes(), ["=1+1"])


def _nominee_setup():
    catalogue_load()
    rules_load()
    authority = Authority.objects.get(code="honglinh-ubnd")
    for name in RISKY:
        person = Individual.objects.create(full_name=name, registered_by=authority)
        Rating.objects.create(individual=person, year=2023, grade="HTXSNV")
    return AwardType.objects.get(code="cstd-co-so")


def test_the_nominee_list_workbook_keeps_formula_names_as_text():
    award_type = _nominee_setup()
    found = nominee_list(award_type=award_type, year=2023, on=date(2024, 3, 1), include_all=True)
    assert {a.name for a in found.answers} >= set(RISKY)
    assert_text(nominee_list_xlsx(found), RISKY)


def test_the_nominee_list_download_from_the_admin_keeps_formula_names_as_text(admin_client):
    award_type = _nominee_setup()
    response = admin_client.get(
        reverse("admin:registry_eligibility_nominees"),
        {
            "award_type": award_type.pk,
            "year": "2023",
            "on": "01/03/2024",
            "format": "xlsx",
            "include_all": "on",
        },
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert_text(response.content, RISKY)


@pytest.mark.django_db
def test_the_import_template_keeps_a_formula_looking_award_name_as_text():
    from registry.services.imports import template_workbook

    factories.award_type("bieu-thuc", name="=1+1")
    book = load_workbook(io.BytesIO(template_workbook()))
    cells = [c for row in book["Danh mục"].iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)
