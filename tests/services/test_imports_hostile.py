"""Files built to hurt: refused by every import path, and cheaply.

The parent test builds each hostile file, then runs every import path on them in a child
pytest process and reads the child's peak memory and time: the work must stay under 500 MB
and 60 s of work on the files. The child is limited to 2 GB of address space so a regression cannot starve the
shared machine.
"""

import base64
import io
import json
import os
import re
import resource
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from registry.models import Award, ImportBatch, Individual, Rating, TargetResult
from registry.services.imports import FileProblem, workbook_rows
from registry.services.pledges import target_results_import
from tests import factories
from tests.data.books import HEADER, xlsx

CHILD = "HOSTILE_IMPORT_DIR"
PEAK_MB = 500
SECONDS = 60
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="A1:XFD1"/><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def _package(sheet: bytes | None, shared: bytes | None = None, bomb: int = 0) -> bytes:
    """A valid .xlsx around raw sheet XML (and shared strings); bomb pads the sheet XML with
    that many bytes of whitespace, compressed a thousandfold."""
    content = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        + (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if shared
            else ""
        )
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    book_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        + (
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            if shared
            else ""
        )
        + "</Relationships>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", book_rels)
        if shared:
            archive.writestr("xl/sharedStrings.xml", shared)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(_SHEET_HEAD.encode())
            padding = b" " * (1024 * 1024)
            for _ in range(bomb // len(padding)):
                member.write(padding)
            member.write(sheet or b"")
            member.write(_SHEET_TAIL.encode())
    return out.getvalue()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def styled_to_xfd(rows: int = 3000) -> bytes:
    """A title, then rows whose only cell is a styled blank in column XFD (16,384)."""
    body = ['<row r="1">' + _inline("A1", "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG") + "</row>"]
    body += [f'<row r="{n}"><c r="XFD{n}" s="0"/></row>' for n in range(2, rows + 2)]
    return _package("".join(body).encode())


def huge_shared_string(chars: int = 8 * 1024 * 1024, cells: int = 40_000) -> bytes:
    """One 8 MB shared string (random letters, so the zip ratio stays ordinary) in 40,000 cells."""
    text = base64.b64encode(os.urandom(chars * 3 // 4)).decode()[:chars]
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        f'uniqueCount="1"><si><t>{text}</t></si></sst>'
    ).encode()
    body = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(1, cells))
    return _package(body.encode(), shared)


def zip_bomb(unpacked: int = 1024 * 1024 * 1024) -> bytes:
    """A 1 GB sheet of whitespace packed into about a megabyte."""
    return _package(b"", bomb=unpacked)


def oversized(size: int = 11 * 1024 * 1024) -> bytes:
    return b"PK\x03\x04" + os.urandom(size - 4)


HOSTILE = {
    "xfd.xlsx": (styled_to_xfd, r"tiêu đề|Bảng tính trống"),
    "shared.xlsx": (huge_shared_string, r"đoạn chữ dài [\d.]+ ký tự, quá giới hạn 32\.767"),
    "bomb.xlsx": (zip_bomb, r"giải nén ra tới .*cấu trúc bất thường"),
    "big.xlsx": (oversized, r"Tệp nặng 11,0 MB, quá giới hạn 10,0 MB"),
}


def _limit_child():
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))


def test_every_import_path_refuses_hostile_files_cheaply(tmp_path):
    started = time.monotonic()
    for name, (build, _) in HOSTILE.items():
        (tmp_path / name).write_bytes(build())
    built = time.monotonic() - started
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-m", "pytest", f"{__file__}::test_child_paths", "-q", "-s",
         "-p", "no:cacheprovider"],
        # On SQLite: a child pytest on the PostgreSQL pass's server would create and drop the
        # parent's own test database (same name).
        env={**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, CHILD: str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=SECONDS * 3,
        preexec_fn=_limit_child,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert child.returncode == 0, child.stdout[-4000:] + child.stderr[-4000:]
    assert "1 passed" in child.stdout
    report = json.loads(re.search(r"HOSTILE (\{.*\})", child.stdout).group(1))
    print(f"\nbuilt in {built:.1f} s; child peak {peak_mb:.0f} MB, {elapsed:.1f} s: {report}")
    # ru_maxrss of children is the largest child so far; this one must have set it or be under.
    assert max(peak_mb, before / 1024) < PEAK_MB or peak_mb < PEAK_MB
    assert peak_mb < PEAK_MB
    # The budget is the work on the hostile files, not the child's start-up (migrations of a fresh
    # test database), which the shared machine's load stretches; the timeout above bounds that.
    assert sum(report.values()) < SECONDS, report


def _refused(message: str, pattern: str, where: str) -> None:
    assert re.search(pattern, message), f"{where}: {message[:500]}"


@pytest.mark.django_db
@pytest.mark.skipif(CHILD not in os.environ, reason="run by the test above in a child process")
def test_child_paths(client, django_user_model):
    from tests.services.test_pledges import bloc_setup, sign_all

    folder = Path(os.environ[CHILD])
    decision = factories.draft_decision()
    factories.award_type()
    authority = decision.authority
    admin = django_user_model.objects.create_superuser("quantri", "qt@example.com", "x")
    client.force_login(admin)
    setup = bloc_setup()
    sign_all(setup)
    target_set = setup["pledge"].target_set
    seconds = {}
    for name, (_, pattern) in HOSTILE.items():
        path = folder / name
        started = time.monotonic()
        for command, args in [
            ("import_honorees", ["--decision", str(decision.pk)]),
            ("import_history", ["--authority", authority.code]),
            ("import_ratings", ["--authority", authority.code]),
        ]:
            out, err = io.StringIO(), io.StringIO()
            try:
                call_command(command, str(path), *args, stdout=out, stderr=err)
                message = "(không bị từ chối)"
            except CommandError as exc:
                message = str(exc)
            except SystemExit:
                message = err.getvalue()
            _refused(message, pattern, f"{command} {name}")
        for kind in ("danh-sach", "lich-su", "xep-loai"):
            url = reverse("admin:registry_importbatch_upload", args=[kind])
            if kind == "danh-sach":
                url += f"?decision={decision.pk}"
            with path.open("rb") as upload:
                fields = {"file": upload, "authority": authority.pk}
                response = client.post(url, fields)
            assert response.status_code == 200, (kind, name, response.status_code)
            _refused(response.content.decode(), pattern, f"admin {kind} {name}")
        with path.open("rb") as upload:
            response = client.post(
                reverse("admin:registry_targetset_import", args=[target_set.pk]),
                {"file": upload, "as_of": "31/12/2023"},
            )
        _refused(response.content.decode(), pattern, f"admin target results {name}")
        try:
            with path.open("rb") as upload:
                target_results_import(target_set=target_set, file=upload, as_of=date(2023, 12, 31))
            message = "(không bị từ chối)"
        except Exception as exc:  # noqa: BLE001  (the message is what is checked)
            message = " ".join(getattr(exc, "messages", [str(exc)]))
        _refused(message, pattern, f"target results {name}")
        seconds[name] = round(time.monotonic() - started, 1)
    assert (Award.objects.count(), Individual.objects.count(), Rating.objects.count()) == (0, 0, 0)
    assert ImportBatch.objects.count() == 0 and TargetResult.objects.count() == 0
    print("HOSTILE " + json.dumps(seconds))


# --- Cheap checks in this process -----------------------------------------------------------------


def test_rows_styled_to_xfd_are_read_only_as_wide_as_a_list_can_be(settings):
    header = xlsx([HEADER, [1, "Nguyễn Văn A", 1980, "Xã Tân Mỹ", "Xuất sắc"]])
    with zipfile.ZipFile(io.BytesIO(header)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<row" in sheet
    sheets, _, problems = workbook_rows(styled_to_xfd(rows=200))
    ((_, rows),) = sheets
    assert problems == [] and len(rows) == 1
    assert all(len(row) <= settings.IMPORT_MAX_COLUMNS for row in rows)


def test_a_long_string_repeated_in_many_cells_is_refused_by_total_text():
    text = "x" * 30_000
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<si><t>{text}</t></si></sst>"
    ).encode()
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(1, 800))
    with pytest.raises(FileProblem, match=r"hơn 20\.000\.000 ký tự chữ .*dòng \d+"):
        workbook_rows(_package(rows.encode(), shared))
    # A string of an allowed length is read as any other cell.
    sheets, _, _ = workbook_rows(_package(f'<row r="1">{_inline("A1", text)}</row>'.encode()))
    assert len(sheets[0][1][0][0]) == 30_000


def test_an_inline_string_over_the_excel_limit_names_its_cell():
    cell = _inline("C2", "y" * 40_000)
    data = _package(
        f'<row r="1">{_inline("A1", "Họ và tên")}</row><row r="2">{cell}</row>'.encode()
    )
    with pytest.raises(FileProblem, match=r"Trang “Danh sách”, dòng 2, cột C: ô chứa đoạn chữ"):
        workbook_rows(data)


@pytest.mark.django_db
def test_target_results_check_the_upload_size_before_reading_it(settings):
    from tests.services.test_pledges import bloc_setup

    setup = bloc_setup()

    class Upload:
        name = "kq.xlsx"
        size = settings.IMPORT_MAX_BYTES + 1

        def read(self, *args):
            raise AssertionError("đọc tệp trước khi kiểm tra dung lượng")

    upload = Upload()
    with pytest.raises(Exception, match="quá giới hạn 10,0 MB"):
        target_results_import(
            target_set=setup["pledge"].target_set, file=upload, as_of=date(2023, 12, 31)
        )
