"""Annual reports: the seed figures through JSON, Excel and PDF; every part; both year bases;
revoked awards; unknown cash; subtrees; formula-looking text; a bounded number of queries."""

import io
import json
import re
import subprocess
import zipfile
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from registry.models import Authority, Award, AwardPower, Decision
from registry.selectors.reports import annual_summary, authority_subtree_ids
from registry.services.awards import award_add
from registry.services.decisions import decision_create, decision_issue
from registry.services.report_exports import chart_svg, report_pdf, report_xlsx
from tests import factories

pytestmark = pytest.mark.django_db

# (authority, year) -> (collectives, individuals) and of which chuyên đề, as the articles say.
ANCHORS = [
    ("vanlang-ubnd", 2022, 41, 62, (12, 6)),
    ("vanlang-hu", 2022, 9, 4, None),
    ("caoloc-hu", 2021, 14, 0, None),
    ("hatinh-ubnd", 2023, 0, 3, None),
]
QUERY_BOUND = 12


@pytest.fixture(scope="module", autouse=True)
def demo(demo_data):
    return demo_data


def authority(code: str) -> Authority:
    return Authority.objects.get(code=code)


def report_json(tmp_path, *args) -> dict:
    out = tmp_path / "report.json"
    call_command("annual_report", *args, "--format", "json", "-o", str(out))
    return json.loads(out.read_text(encoding="utf-8"))


def xlsx_book(summary):
    buffer = io.BytesIO()
    report_xlsx(summary, buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer), buffer.getvalue()


def sheet_rows(book, name: str) -> list[tuple]:
    return [tuple(row) for row in book[name].iter_rows(values_only=True)]


def find_row(rows: list[tuple], *first: str) -> tuple:
    matches = [row for row in rows if tuple(row[: len(first)]) == first]
    assert len(matches) == 1, f"{first} in {rows}"
    return matches[0]


def pdf_text(summary, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(report_pdf(summary))
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_subtree_ids_follow_parents(django_assert_max_num_queries):
    root = authority("langson-tu")
    with django_assert_max_num_queries(1):
        ids = authority_subtree_ids(root)
    codes = set(Authority.objects.filter(pk__in=ids).values_list("code", flat=True))
    # The district committees until 30/6/2025, the communes' Party committees after.
    assert codes == {"langson-tu", "vanlang-hu", "caoloc-hu", "bacson-hu"} | {
        f"xa-{name}-du" for name in ("na-sam", "hoang-van-thu", "thuy-hung", "van-lang", "hoi-hoan")
    }


# ------------------------------------------------------------------ the seed figures
@pytest.mark.parametrize(("code", "year", "collectives", "individuals", "thematic"), ANCHORS)
def test_seed_figures_in_json(tmp_path, code, year, collectives, individuals, thematic):
    data = report_json(tmp_path, "--year", str(year), "--authority", code)
    assert data["year"] == year
    assert data["basis"] == "achievement"
    assert data["authority"] == code
    assert data["subtree"] is False
    assert data["totals"]["collectives"] == collectives
    assert data["totals"]["individuals"] == individuals
    assert data["totals"]["households"] == 0
    assert data["totals"]["revoked"] == 0
    assert set(data["totals"]) == set(data["previous"]) == {
        "collectives", "individuals", "households", "revoked", "cash", "cash_unknown",
    }  # fmt: skip
    if thematic:
        rows = {(r["award_type"], r["loai_hinh"]): r for r in data["rows"]}
        assert (
            rows["giay-khen", "chuyen-de"]["collectives"],
            rows["giay-khen", "chuyen-de"]["individuals"],
        ) == thematic
        regular = rows["giay-khen", "thuong-xuyen"]
        assert (regular["collectives"], regular["individuals"]) == (
            collectives - thematic[0], individuals - thematic[1],
        )  # fmt: skip
    assert sum(r["collectives"] for r in data["rows"]) == collectives
    assert sum(r["individuals"] for r in data["rows"]) == individuals


@pytest.mark.parametrize(("code", "year", "collectives", "individuals", "thematic"), ANCHORS)
def test_seed_figures_in_xlsx(code, year, collectives, individuals, thematic):
    summary = annual_summary(year=year, authority=authority(code))
    book, _ = xlsx_book(summary)
    overview = sheet_rows(book, "Tổng hợp")
    total = find_row(overview, "Tổng cộng")
    assert total[1:3] == (collectives, individuals)
    assert any("Năm thành tích" in str(row[0]) for row in overview[:6])
    if code.startswith("vanlang"):
        assert find_row(overview, "Giấy khen")[1:3] == (collectives, individuals)
    if thematic:
        detail = sheet_rows(book, "Danh hiệu - loại hình")
        assert find_row(detail, "Giấy khen", "Theo đợt, chuyên đề")[2:4] == thematic
        assert find_row(sheet_rows(book, "Loại hình"), "Theo đợt, chuyên đề")[1:3] == thematic
    listed = [r for r in sheet_rows(book, "Danh sách") if isinstance(r[0], int)]
    assert len(listed) == collectives + individuals


@pytest.mark.parametrize(("code", "year", "collectives", "individuals", "thematic"), ANCHORS)
def test_seed_figures_in_pdf(tmp_path, code, year, collectives, individuals, thematic):
    summary = annual_summary(year=year, authority=authority(code))
    text = pdf_text(summary, tmp_path)
    assert f"BÁO CÁO TỔNG HỢP KHEN THƯỞNG NĂM {year}" in text
    assert "Năm thành tích" in text
    assert re.search(rf"^\s*Tập thể\s+{collectives}\s+\d+\s*$", text, re.M), text[:1500]
    assert re.search(rf"^\s*Cá nhân\s+{individuals}\s+\d+\s*$", text, re.M), text[:1500]
    if thematic:
        assert re.search(rf"Theo đợt, chuyên đề\s+{thematic[0]}\s+{thematic[1]}\s", text)


def test_pdf_embeds_the_bundled_font_and_draws_the_chart(tmp_path):
    summary = annual_summary(year=2022, authority=authority("vanlang-ubnd"))
    path = tmp_path / "report.pdf"
    path.write_bytes(report_pdf(summary))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"Noto-?Serif", fonts), fonts
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "Số khen thưởng theo danh hiệu, hình thức: năm 2022 và năm 2021" in text


# ------------------------------------------------------------------ parts and bases
def test_both_bases_and_the_previous_year():
    vanlang = authority("vanlang-ubnd")
    # Achievement 2022, signed in January 2023.
    by_decision_2022 = annual_summary(year=2022, authority=vanlang, basis="decision")
    assert by_decision_2022.totals.total == 0
    by_decision_2023 = annual_summary(year=2023, authority=vanlang, basis="decision")
    assert (by_decision_2023.totals.collectives, by_decision_2023.totals.individuals) == (41, 62)
    assert by_decision_2023.previous.total == 0
    by_achievement_2023 = annual_summary(year=2023, authority=vanlang)
    assert by_achievement_2023.totals.total == 0
    assert (by_achievement_2023.previous.collectives, by_achievement_2023.previous.individuals) == (
        41,
        62,
    )
    giay_khen = by_achievement_2023.by_award_type[0]
    assert (giay_khen.key, giay_khen.previous.total, giay_khen.current.total) == (
        "giay-khen",
        103,
        0,
    )
    assert "Năm quyết định" in by_decision_2023.as_json()["basis_label"]


def test_decision_basis_stated_in_every_output(tmp_path):
    summary = annual_summary(year=2023, authority=authority("vanlang-ubnd"), basis="decision")
    book, _ = xlsx_book(summary)
    for name in book.sheetnames:
        head = " ".join(str(row[0]) for row in sheet_rows(book, name)[:6])
        if name.startswith("Biểu"):
            # A form states its own period and one basis, never the summary's year basis.
            assert "Kỳ báo cáo: năm 2023" in head and "15/12/2023" in head, name
            assert "Năm quyết định" not in head and "Năm thành tích" not in head, name
        else:
            assert "Năm quyết định" in head, name
    assert "Năm quyết định" in pdf_text(summary, tmp_path)
    assert (
        report_json(
            tmp_path, "--year", "2023", "--authority", "vanlang-ubnd", "--basis", "decision"
        )["basis"]
        == "decision"
    )


def test_campaign_unit_and_loai_hinh_parts():
    summary = annual_summary(year=2022, authority=authority("vanlang-ubnd"))
    campaigns = {line.label: line.current for line in summary.by_campaign}
    movement = campaigns[
        "Phong trào văn hóa, văn nghệ, thể dục thể thao thực hiện Nghị quyết số 19-NQ/HU"
    ]
    assert (movement.collectives, movement.individuals) == (12, 6)
    none = campaigns["Không gắn với phong trào thi đua"]
    assert (none.collectives, none.individuals) == (29, 56)
    loai_hinh = {line.key: line.current.total for line in summary.by_loai_hinh}
    assert loai_hinh["thuong-xuyen"] == 85 and loai_hinh["chuyen-de"] == 18
    assert set(loai_hinh) >= {"dot-xuat", "cong-hien", "nien-han", "doi-ngoai", "khang-chien"}
    units = {line.label: line.current for line in summary.by_unit}
    assert sum(u.total for u in units.values()) == 103
    assert units["huyện Văn Lãng"].collectives == 10
    assert summary.totals.cash == sum(line.current.cash for line in summary.by_unit)


def test_lines_whose_names_share_a_sort_key_keep_one_order():
    """Clerks type a unit as "Trường THCS Kim Đồng" and "trường THCS Kim Đồng.": two groups,
    one sort key, returned by the database in no fixed order. The report must not follow it."""
    from registry.selectors.reports import Counts, Line, _line_order

    lines = [
        Line(label, label, Counts(collectives=1), Counts())
        for label in ("trường THCS Kim Đồng.", "Trường THCS Kim Đồng", "Trường THCS Kim Đồng ")
    ]
    orders = {
        tuple(line.label for line in sorted(p, key=_line_order)) for p in (lines, lines[::-1])
    }
    assert len(orders) == 1


def test_full_list_holds_the_years_awards():
    summary = annual_summary(year=2022, authority=authority("vanlang-hu"))
    book, _ = xlsx_book(summary)
    rows = sheet_rows(book, "Danh sách")
    header = rows.index(next(r for r in rows if r[0] == "STT"))
    listed = rows[header + 1 :]
    assert len(listed) == 13
    assert {r[1] for r in listed} == {"312-QĐ/HU", "313-QĐ/HU"}
    assert all(isinstance(r[2], __import__("datetime").datetime) for r in listed)
    assert {r[10] for r in listed} == {"2022", "2018–2022"}
    ws = book["Danh sách"]
    assert ws.freeze_panes == f"B{header + 2}"
    assert ws.print_title_rows.replace("$", "") == f"{header + 1}:{header + 1}"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.cell(header + 2, 3).number_format == "DD/MM/YYYY"
    assert ws.column_dimensions["H"].width >= 30


def test_every_sheet_is_printable_with_frozen_headers():
    summary = annual_summary(year=2023, authority=authority("hatinh-ubnd"), subtree=True)
    book, _ = xlsx_book(summary)
    assert book.sheetnames == [
        "Tổng hợp", "Danh hiệu - loại hình", "Loại hình", "Phong trào", "Đơn vị",
        "Danh sách", "Biểu 0601.N", "Biểu 0602.N", "Biểu 0603.N",
    ]  # fmt: skip
    for ws in book.worksheets:
        assert ws.freeze_panes, ws.title
        assert ws.print_title_rows, ws.title
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        header_row = int(ws.print_title_rows.replace("$", "").split(":")[0])
        header = [c.value for c in ws[header_row]]
        assert all(isinstance(v, str) for v in header if v is not None)
        assert ws.column_dimensions["A"].width >= 6
    overview = book["Tổng hợp"]
    assert overview.page_setup.orientation == "landscape"
    money_col = 10
    total_row = next(r for r in overview.iter_rows() if r[0].value == "Tổng cộng")
    assert total_row[money_col - 1].number_format == "#,##0"
    assert total_row[money_col - 1].value == summary.totals.cash


def test_statistical_forms_count_by_decision_date():
    hatinh = annual_summary(year=2023, authority=authority("hatinh-ubnd"))
    form = hatinh.form_0603
    assert form.total.cell("cstd-tinh") == [0, 3]
    proposers = {r.label: r for r in form.sections[0].rows}
    assert proposers[Authority.objects.get(code="honglinh-ubnd").name].individuals == 3
    loai_hinh = {r.label: r.individuals for r in form.sections[2].rows}
    assert loai_hinh["Thường xuyên"] == 3
    assert sum(r.individuals for r in form.sections[1].rows) == 3
    # The same decision counted by decision date even when the summary uses achievement years.
    assert (
        annual_summary(year=2022, authority=authority("hatinh-ubnd")).form_0603.total.individuals
        == 0
    )
    state = annual_summary(year=2023).form_0602
    assert state.total.cell("hcld-2") == [1, 0]
    assert "hcld-2" in [code for code, _ in state.columns]
    assert annual_summary(year=2023).form_0603.total.cell("cstd-tinh") == [0, 3]


def test_form_0601_counts_movements_by_scope_duration_and_form():
    form_2021 = annual_summary(year=2021, authority=authority("vanlang-ubnd")).form_0601
    assert form_2021.total == 1
    sections = dict(form_2021.sections)
    assert dict(sections["Chia theo hình thức"])["Chuyên đề"] == 1
    # Five duration bands, as deployed systems have them; 15/3/2021–30/6/2025 is 3 to 5 years.
    assert dict(sections["Chia theo thời gian"]) == {
        "Dưới 1 năm": 0,
        "1 năm": 0,
        "Từ trên 1 năm đến dưới 3 năm": 0,
        "Từ 3 năm đến dưới 5 năm": 1,
        "Từ 5 năm trở lên": 0,
    }
    assert dict(sections["Chia theo phạm vi"]) == {"Toàn huyện Văn Lãng": 1}
    form_2023 = annual_summary(year=2023, authority=authority("vanlang-ubnd")).form_0601
    # The movement of the year 2023, launched on 17/01 and ending on 31/12, lasts one year.
    assert dict(dict(form_2023.sections)["Chia theo thời gian"])["1 năm"] == 1
    assert annual_summary(year=2024, authority=authority("honglinh-ubnd")).form_0601.total == 1


def test_subtree_totals():
    alone = annual_summary(year=2023, authority=authority("hatinh-ubnd"))
    tree = annual_summary(year=2023, authority=authority("hatinh-ubnd"), subtree=True)
    assert alone.totals.individuals == 3
    assert tree.totals.individuals == 6  # and Hồng Lĩnh's three Chiến sĩ thi đua cơ sở
    assert {line.key for line in tree.by_award_type} == {"cstd-tinh", "cstd-co-so"}
    assert tree.previous.individuals == 3
    party = annual_summary(year=2022, authority=authority("langson-tu"), subtree=True)
    assert (party.totals.collectives, party.totals.individuals) == (9, 4)
    assert annual_summary(year=2022, authority=authority("langson-tu")).totals.total == 0
    assert "các cấp trực thuộc" in tree.scope_label


# ------------------------------------------------------------------ revoked and unknown cash
def _issued(authority_, number, day, lines):
    decision = decision_create(
        authority=authority_,
        number=number,
        signed_date=day,
        subject="Về việc tặng Giấy khen",
        signer_title="CHỦ TỊCH",
        signer_name="Hoàng Văn Thử",
    )
    for award_type, recipient in lines:
        award_add(
            decision=decision,
            award_type=award_type,
            recipient=recipient,
            period_from=2022,
            period_to=2022,
        )
    return decision_issue(decision=decision)


@pytest.fixture
def test_authority():
    # The demo's catalogue lets district chairs give Giấy khen; a fresh district keeps counts apart.
    return factories.authority(
        "thu-nghiem-ubnd", name="Chủ tịch UBND huyện Thử Nghiệm", place_name="Thử Nghiệm"
    )


def test_revoked_awards_are_left_out_and_counted_apart(tmp_path, test_authority):
    gk = factories.award_type()
    decision = _issued(
        test_authority, "5/QĐ-UBND", date(2023, 1, 9),
        [(gk, factories.collective("Tập thể A", registered_by=test_authority)),
         (gk, factories.collective("Tập thể B", registered_by=test_authority)),
         (gk, factories.individual("Nguyễn Thị Cúc", registered_by=test_authority))],
    )  # fmt: skip
    before = annual_summary(year=2022, authority=test_authority)
    later = _issued(
        test_authority, "7/QĐ-UBND", date(2023, 3, 1),
        [(gk, factories.individual("Trần Văn Đức", registered_by=test_authority))],
    )  # fmt: skip
    target = decision.awards.get(recipient_name="Tập thể B")
    factories.revoke([target], "6/QĐ-UBND", date(2023, 3, 1), note="Kê khai không đúng")
    after = annual_summary(year=2022, authority=test_authority)
    assert (after.totals.collectives, after.totals.individuals, after.totals.revoked) == (1, 2, 1)
    assert (
        after.totals.cash
        == before.totals.cash - target.cash_amount + later.awards.get().cash_amount
    )
    assert after.by_award_type[0].current.revoked == 1
    data = report_json(tmp_path, "--year", "2022", "--authority", "thu-nghiem-ubnd")
    assert data["totals"]["revoked"] == 1 and data["totals"]["collectives"] == 1
    book, _ = xlsx_book(after)
    listed = [r for r in sheet_rows(book, "Danh sách") if isinstance(r[0], int)]
    assert len(listed) == 4  # kept for the archive ...
    revoked_row = find_row(listed_names := [(r[7], r[14]) for r in listed], "Tập thể B")
    assert revoked_row[1].startswith("Đã hủy bỏ theo quyết định 6/QĐ-UBND")  # ... and marked
    assert sum(1 for _, note in listed_names if note) == 1
    assert find_row(sheet_rows(book, "Tổng hợp"), "Tổng cộng")[11] == 1


def test_unknown_cash_is_counted_apart_never_zero(tmp_path, test_authority):
    gk = factories.award_type()
    badge = factories.award_type(
        "huy-hieu-thu", name="Huy hiệu thử nghiệm", certificate_title="HUY HIỆU"
    )
    AwardPower.objects.create(chain="nha-nuoc", level="huyen", award_type=badge)
    _issued(
        test_authority, "7/QĐ-UBND", date(2023, 1, 9),
        [(gk, factories.individual("Lê Văn An", registered_by=test_authority)),
         (badge, factories.individual("Lê Thị Bình", registered_by=test_authority)),
         (badge, factories.collective("Tổ Thử", registered_by=test_authority))],
    )  # fmt: skip
    assert Award.objects.filter(award_type=badge, cash_amount__isnull=True).count() == 2
    summary = annual_summary(year=2022, authority=test_authority)
    assert summary.totals.cash_unknown == 2
    assert (
        summary.totals.cash
        == Award.objects.get(award_type=gk, authority=test_authority).cash_amount
    )
    badge_line = next(line for line in summary.by_award_type if line.key == "huy-hieu-thu")
    assert (badge_line.current.cash, badge_line.current.cash_unknown) == (0, 2)
    data = report_json(tmp_path, "--year", "2022", "--authority", "thu-nghiem-ubnd")
    assert data["totals"]["cash_unknown"] == 2
    book, _ = xlsx_book(summary)
    listed = [r for r in sheet_rows(book, "Danh sách") if isinstance(r[0], int)]
    assert (
        sorted(str(r[13]) for r in listed if r[4] == "Huy hiệu thử nghiệm") == ["chưa xác định"] * 2
    )
    assert "chưa xác định" in " ".join(str(r[0]) for r in sheet_rows(book, "Tổng hợp")[:8])


def test_formula_looking_text_is_written_as_text(test_authority):
    gk = factories.award_type()
    names = ['=HYPERLINK("http://example.invalid","x")', "+84 912 345 678", "-Tổ 3", "@SUM(A1:A9)"]
    recipients = [factories.collective(names[0], registered_by=test_authority)] + [
        factories.individual(name, registered_by=test_authority, position="=1+1")
        for name in names[1:]
    ]
    _issued(test_authority, "8/QĐ-UBND", date(2023, 1, 9), [(gk, r) for r in recipients])
    summary = annual_summary(year=2022, authority=test_authority)
    book, raw = xlsx_book(summary)
    ws = book["Danh sách"]
    found = {}
    for row in ws.iter_rows():
        if row[7].value in names:
            found[row[7].value] = row
    assert set(found) == set(names)
    for name, row in found.items():
        assert row[7].data_type == "s", name
        assert row[7].value == name
    assert found[names[1]][8].value == "=1+1" and found[names[1]][8].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        for member in archive.namelist():
            if member.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(member).decode(), member


# ------------------------------------------------------------------ queries, chart, command
def test_queries_are_bounded(django_assert_max_num_queries, test_authority):
    gk = factories.award_type()
    langson = authority("langson-ubnd")
    with django_assert_max_num_queries(QUERY_BOUND):
        small = annual_summary(year=2022, authority=langson, subtree=True)
    for n in range(8):
        _issued(
            test_authority, f"{20 + n}/QĐ-UBND", date(2023, 1, 9),
            [(gk, factories.collective(f"Tổ {n} {k}", registered_by=test_authority, parent_name=f"Xã {k}")) for k in range(5)],
        )  # fmt: skip
    with django_assert_max_num_queries(QUERY_BOUND):
        big = annual_summary(year=2022)
    assert big.totals.total > small.totals.total
    with django_assert_max_num_queries(1):
        report_xlsx(big, io.BytesIO())  # the figures are in hand; the full list is one query


def test_chart_is_plain_svg_with_both_years():
    summary = annual_summary(year=2023, authority=authority("hatinh-ubnd"), subtree=True)
    svg = chart_svg(summary)
    assert svg.startswith("<svg") and "<script" not in svg
    assert "Năm 2023" in svg and "Năm 2022" in svg
    assert "Chiến sĩ thi đua cơ sở: 3" in svg
    assert svg.count("<rect") >= 2 * 2 + 2


def test_command_writes_to_stdout(capsysbinary):
    call_command(
        "annual_report", "--year", "2021", "--authority", "caoloc-hu", "--format", "json", "-o", "-"
    )
    data = json.loads(capsysbinary.readouterr().out.decode("utf-8"))
    assert data["totals"]["collectives"] == 14
    call_command(
        "annual_report", "--year", "2021", "--authority", "caoloc-hu", "--format", "xlsx", "-o", "-"
    )
    book = openpyxl.load_workbook(io.BytesIO(capsysbinary.readouterr().out))
    assert find_row(sheet_rows(book, "Tổng hợp"), "Tổng cộng")[1] == 14


def test_command_whole_registry_and_errors(tmp_path):
    data = report_json(tmp_path, "--year", "2022")
    assert data["authority"] is None
    assert data["totals"]["collectives"] >= 41 + 9
    with pytest.raises(CommandError, match="Không có cấp khen mã"):
        call_command(
            "annual_report",
            "--year",
            "2022",
            "--authority",
            "khong-co",
            "--format",
            "json",
            "-o",
            "-",
        )
    assert Decision.objects.filter(status="issued").count() == 12


def test_form_0602_has_no_impossible_cell():
    summary = annual_summary(year=2023)
    form = summary.form_0602
    assert form.cells_of("cstd-toan-quoc") == ["individuals"]
    assert form.cells_of("co-thi-dua-cp") == ["collectives"]
    book, _ = xlsx_book(summary)
    rows = sheet_rows(book, "Biểu 0602.N")
    header = next(r for r in rows if r[0] == "Chỉ tiêu")
    assert "Chiến sĩ thi đua toàn quốc: cá nhân" in header
    assert "Chiến sĩ thi đua toàn quốc: tập thể" not in header
    assert "Cờ thi đua của Chính phủ: tập thể" in header
    assert "Cờ thi đua của Chính phủ: cá nhân" not in header
    # Every column is a cell the award type may have; the grouped headers span them exactly.
    groups = next(r for r in rows if r[0] is None and "Tổng số" in r)
    assert len([v for v in groups if v is not None]) == len(form.columns) + 1
    cells = summary.as_json()["forms"]["0602.N"]["total"]["cells"]
    assert "collectives" not in cells.get("cstd-toan-quoc", {})


def test_forms_carry_one_basis_the_period_and_the_due_date(tmp_path):
    summary = annual_summary(year=2023, authority=authority("vanlang-ubnd"))
    book, _ = xlsx_book(summary)
    for name in ("Biểu 0601.N", "Biểu 0602.N", "Biểu 0603.N"):
        head = [str(row[0]) for row in sheet_rows(book, name)[:8] if row[0]]
        assert "Kỳ báo cáo: năm 2023 (từ ngày 01/01/2023 đến ngày 31/12/2023)" in head, name
        assert "Thời hạn gửi báo cáo: ngày 15/12/2023" in head, name
        assert not any("Năm thành tích" in line for line in head), name
    rows = sheet_rows(book, "Biểu 0601.N")
    bands = [r[0].strip() for r in rows if r[0] and r[0].startswith("   ")]
    for band in (
        "Dưới 1 năm",
        "1 năm",
        "Từ trên 1 năm đến dưới 3 năm",
        "Từ 3 năm đến dưới 5 năm",
        "Từ 5 năm trở lên",
    ):
        assert band in bands
    everything = " ".join(
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )
    text = pdf_text(summary, tmp_path)
    for shown in (everything, text):
        assert "chưa đối chiếu" not in shown.lower()
    assert "Thời hạn gửi báo cáo: ngày 15/12/2023" in " ".join(text.split())


def test_a_drafts_lines_are_counted_nowhere(test_authority):
    gk = factories.award_type()
    _issued(
        test_authority, "11/QĐ-UBND", date(2023, 1, 9),
        [(gk, factories.collective("Tập thể Đã ban hành", registered_by=test_authority))],
    )  # fmt: skip
    office, registry = (
        annual_summary(year=2022, authority=test_authority),
        annual_summary(year=2022),
    )
    draft = decision_create(
        authority=test_authority, number="12/QĐ-UBND", signed_date=date(2023, 2, 1),
        subject="Về việc tặng Giấy khen", signer_title="CHỦ TỊCH", signer_name="Hoàng Văn Thử",
    )  # fmt: skip
    for name in ("Tập thể Dự thảo", "Tập thể Dự thảo hai"):
        award_add(
            decision=draft, award_type=gk, period_from=2022, period_to=2022,
            recipient=factories.collective(name, registered_by=test_authority),
        )  # fmt: skip
    assert draft.awards.count() == 2
    assert annual_summary(year=2022, authority=test_authority).totals == office.totals
    assert office.totals.collectives == 1
    assert annual_summary(year=2022).totals == registry.totals
