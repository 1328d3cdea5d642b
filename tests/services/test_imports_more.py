"""The commands and their JSON, past years' awards, yearly ratings, merging duplicates."""

import io
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from registry.models import Award, Decision, Individual, Rating, RecipientMerge
from registry.services.awards import ELIGIBILITY_REASON_NEEDED, award_add
from registry.services.decisions import decision_issue
from registry.services.imports import import_confirm, import_preview
from registry.services.recipients import recipients_merge
from tests import factories
from tests.data.books import messy_list, xlsx

pytestmark = pytest.mark.django_db


def run(command, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_import_honorees_json_dry_run_then_real(tmp_path):
    decision = factories.draft_decision()
    factories.individual("Nguyễn Văn Hưởng", birth_year=1980)
    path = tmp_path / "ds.xlsx"
    path.write_bytes(
        messy_list(
            [("Ông Nguyễn Văn Hưởng", 1980, "", None), ("Bà Lê Thị Hoa", 1985, "", None)],
            collectives=[("Phòng Nội vụ", "", None)],
        )
    )
    args = [str(path), "--decision", str(decision.pk), "--award-type", "giay-khen", "--json"]
    code, out, _ = run("import_honorees", *args, "--dry-run")
    assert code == 0
    assert json.loads(out) == {
        "collectives": 1,
        "individuals": 2,
        "households": 0,
        "new_recipients": 2,
        "matched_recipients": 1,
        "unchanged": 0,
        "errors": [],
    }
    assert decision.awards.count() == 0
    code, out, _ = run("import_honorees", *args)
    assert code == 0 and decision.awards.count() == 3
    code, out, _ = run("import_honorees", *args)
    assert code == 0
    report = json.loads(out)
    assert report["unchanged"] == 3 and report["new_recipients"] == 0
    assert decision.awards.count() == 3


def test_import_honorees_errors_exit_non_zero(tmp_path):
    decision = factories.draft_decision()
    path = tmp_path / "ds.xlsx"
    path.write_bytes(xlsx([["STT", "Họ và tên", "Năm sinh"], [1, "Nguyễn Văn An", 2999]]))
    code, out, _ = run(
        "import_honorees", str(path), "--decision", str(decision.pk), "--award-type", "giay-khen",
        "--json",
    )  # fmt: skip
    assert code != 0
    (error,) = json.loads(out)["errors"]
    assert (error["sheet"], error["row"], error["column"]) == ("Danh sách", 2, "C")
    path.write_bytes(b"not a workbook")
    code, out, _ = run("import_honorees", str(path), "--decision", str(decision.pk), "--json")
    assert code != 0
    (error,) = json.loads(out)["errors"]
    assert error["sheet"] is None and error["row"] is None and error["column"] is None
    code, _, err = run("import_honorees", str(path), "--decision", str(decision.pk))
    assert code != 0 and "xlsx" in err
    assert Award.objects.count() == 0


HISTORY_HEADER = ["STT", "Họ và tên", "Năm sinh", "Đơn vị", "Hình thức khen thưởng"]
HISTORY_HEADER += ["Số quyết định", "Ngày quyết định", "Năm thành tích"]


def test_import_history_creates_issued_decisions_and_is_idempotent(tmp_path):
    cat = factories.catalogue()
    rows = [
        ["SỔ THEO DÕI KHEN THƯỞNG 2020 - 2022"],
        [],
        HISTORY_HEADER,
        [
            1,
            "Ông Triệu Văn Cũ",
            1970,
            "Phòng Nội vụ",
            "Giấy khen",
            "12/QĐ-UBND",
            "15/01/2021",
            2020,
        ],
        [2, "Bà Hoàng Thị Xưa", 1975, "", "Giấy khen", "12/QĐ-UBND", "15/01/2021", 2020],
        [
            3,
            "Ông Triệu Văn Cũ",
            1970,
            "Phòng Nội vụ",
            "Giấy khen",
            "8/QĐ-UBND",
            "20/01/2022",
            "2021",
        ],
    ]
    path = tmp_path / "so-cu.xlsx"
    path.write_bytes(xlsx(rows))
    code, out, err = run(
        "import_history", str(path), "--authority", cat["authority"].code, "--json"
    )
    assert code == 0, out + err
    report = json.loads(out)
    assert report["individuals"] == 3 and report["new_recipients"] == 3
    decisions = Decision.objects.order_by("signed_date")
    assert [(d.number, d.status, d.awards.count()) for d in decisions] == [
        ("12/QĐ-UBND", "issued", 2),
        ("8/QĐ-UBND", "issued", 1),
    ]
    assert Individual.objects.filter(full_name="Triệu Văn Cũ").count() == 1
    assert all(a.register_number for a in Award.objects.all())
    code, out, _ = run("import_history", str(path), "--authority", cat["authority"].code, "--json")
    assert code == 0 and json.loads(out)["unchanged"] == 3
    assert Award.objects.count() == 3


def test_import_history_reports_row_errors_and_writes_nothing():
    cat = factories.catalogue()
    rows = [
        HISTORY_HEADER,
        [1, "Ông Triệu Văn Cũ", 1970, "", "Giấy khen", "", "15/01/2021", 2020],
        [2, "Bà Hoàng Thị Xưa", 1975, "", "Bằng khen của Chủ tịch UBND tỉnh", "3/QĐ-UBND",
         "15/01/2021", 2020],
    ]  # fmt: skip
    batch = import_preview(
        kind="lich-su", data=xlsx(rows), file_name="so.xlsx", authority=cat["authority"]
    )
    where = {(p["row"], p["column"]) for p in batch.payload["problems"]}
    assert (2, "F") in where and (3, "E") in where
    assert Decision.objects.count() == 0 and Individual.objects.count() == 0


def test_import_ratings(tmp_path):
    authority = factories.authority()
    known = factories.individual("Phạm Văn Đạt", birth_year=1980)
    rows = [
        ["STT", "Họ và tên", "Năm sinh", "Năm", "Xếp loại"],
        [1, "Phạm Văn Đạt", 1980, 2022, "HTXSNV"],
        [2, "Phạm Văn Đạt", 1980, "Năm học 2022-2023", "Hoàn thành tốt nhiệm vụ"],
        [3, "Bà Vũ Thị Mới", 1990, 2022, "htnv"],
    ]
    path = tmp_path / "xep-loai.xlsx"
    path.write_bytes(xlsx(rows))
    code, out, err = run("import_ratings", str(path), "--authority", authority.code, "--json")
    assert code == 0, out + err
    assert sorted(known.ratings.values_list("year", "school_year", "grade")) == [
        (2022, False, "HTXSNV"),
        (2023, True, "HTTNV"),
    ]
    assert Rating.objects.get(individual__full_name="Vũ Thị Mới").rated_by == authority
    code, out, _ = run("import_ratings", str(path), "--authority", authority.code, "--json")
    assert json.loads(out)["unchanged"] == 3 and Rating.objects.count() == 3

    rows[1][4] = "Xuất sắc lắm"
    rows[3][4] = "KHTNV"  # differs from the grade already recorded
    path.write_bytes(xlsx(rows))
    code, out, _ = run("import_ratings", str(path), "--authority", authority.code, "--json")
    assert code != 0
    errors = json.loads(out)["errors"]
    assert {(e["row"], e["column"]) for e in errors} == {(2, "E"), (4, "E")}
    assert Rating.objects.count() == 3


def test_merge_moves_awards_and_ratings_and_is_recorded():
    cat = factories.catalogue()
    kept = factories.individual("Nguyễn Văn Hưởng", birth_year=1980)
    removed = factories.individual("Nguyen Van Huong", citizen_id="001080000999")
    decision = factories.draft_decision()
    award_add(
        decision=decision, award_type=cat["giay_khen"], recipient=removed,
        period_from=2022, period_to=2022,
    )  # fmt: skip
    Rating.objects.create(individual=removed, year=2021, grade="HTXSNV")
    Rating.objects.create(individual=kept, year=2022, grade="HTTNV")
    record = recipients_merge(kind="ca-nhan", kept=kept, removed=removed)
    assert (record.moved_awards, record.moved_ratings) == (1, 1)
    assert record.removed_snapshot["full_name"] == "Nguyen Van Huong"
    assert RecipientMerge.objects.count() == 1
    assert not Individual.objects.filter(pk=removed.pk).exists()
    kept.refresh_from_db()
    assert kept.awards.count() == 1 and kept.ratings.count() == 2
    assert kept.citizen_id == "001080000999"


def test_merge_refuses_clashing_ratings_and_changes_nothing():
    kept = factories.individual("Nguyễn Văn Hưởng")
    removed = factories.individual("Nguyễn Văn Hưởng")
    Rating.objects.create(individual=removed, year=2021, grade="HTXSNV")
    Rating.objects.create(individual=kept, year=2021, grade="HTTNV")
    with pytest.raises(ValidationError, match="2021"):
        recipients_merge(kind="ca-nhan", kept=kept, removed=removed)
    assert Individual.objects.count() == 2 and RecipientMerge.objects.count() == 0


def test_merge_moves_issued_awards_and_nothing_else_may_repoint_them():
    cat = factories.catalogue()
    kept = factories.individual("Nguyễn Văn Hưởng")
    removed = factories.individual("Nguyen Van Huong")
    stranger = factories.individual("Trần Văn Khác")
    decision = factories.draft_decision()
    award_add(
        decision=decision, award_type=cat["giay_khen"], recipient=removed,
        period_from=2022, period_to=2022,
    )  # fmt: skip
    Rating.objects.create(individual=removed, year=2021, grade="HTXSNV")
    decision_issue(decision=decision)
    # Without a recorded merge the database refuses to give the award to someone else.
    with pytest.raises(IntegrityError, match="đã ban hành"), transaction.atomic():
        Award.objects.filter(decision=decision).update(individual=stranger)

    record = recipients_merge(kind="ca-nhan", kept=kept, removed=removed)

    assert (record.moved_awards, record.moved_ratings) == (1, 1)
    award = Award.objects.get(decision=decision)
    assert award.individual_id == kept.pk
    assert award.recipient_name == "Nguyen Van Huong"  # the signed text stays as printed
    assert kept.ratings.count() == 1
    # The merge kept -> removed is recorded, not stranger: still refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.filter(decision=decision).update(individual=stranger)


def test_history_then_honorees_match_people_the_office_awarded():
    """People awarded by the office before count as known even if another office registered them."""
    cat = factories.catalogue()
    elsewhere = factories.authority("so-noi-vu", name="Sở Nội vụ", level="tinh")
    person = factories.individual("Lăng Văn Khen", birth_year=1977, registered_by=elsewhere)
    old = factories.draft_decision(number="1/QĐ-UBND", signed_date=date(2022, 1, 10))
    award_add(
        decision=old, award_type=cat["giay_khen"], recipient=person,
        period_from=2021, period_to=2021,
    )  # fmt: skip
    batch = import_preview(
        kind="danh-sach",
        data=messy_list([("Lăng Văn Khen", 1977, "", None)]),
        file_name="ds.xlsx",
        decision=factories.draft_decision(),
        award_type=cat["giay_khen"],
    )
    assert batch.payload["lines"][0]["recipient_id"] == person.pk
    import_confirm(batch=batch)


def test_eligibility_warnings_show_in_the_preview_and_a_reason_is_needed_to_confirm():
    from registry.models import Authority, AwardType
    from registry.services.catalogue import catalogue_load
    from registry.services.decisions import decision_create

    catalogue_load()  # with the shipped eligibility rules
    decision = decision_create(
        authority=Authority.objects.get(code="hatinh-ubnd"),
        number="2468/QĐ-UBND",
        signed_date=date(2023, 11, 8),
        subject="Về việc tặng danh hiệu Chiến sĩ thi đua cấp tỉnh",
        signer_title="CHỦ TỊCH",
        signer_name="Người Ký Thử",
    )
    batch = import_preview(
        kind="danh-sach",
        data=messy_list([("Bà Phan Thị Mới", 1985, "Giáo viên", "Năm học 2022 - 2023")]),
        file_name="cstd.xlsx",
        decision=decision,
        award_type=AwardType.objects.get(code="cstd-tinh"),
    )
    [line] = batch.payload["lines"]
    assert any("chưa có quá trình khen thưởng" in w for w in line["warnings"]), line.get("warnings")
    assert not batch.payload["problems"]
    with pytest.raises(ValidationError) as refused:
        import_confirm(batch=batch)
    assert any(
        m.startswith("Trang “Danh sách”, dòng") and ELIGIBILITY_REASON_NEEDED in m
        for m in refused.value.messages
    ), refused.value.messages
    assert not Award.objects.filter(decision=decision).exists()
    assert not Individual.objects.filter(full_name="Phan Thị Mới").exists()
    batch.refresh_from_db()
    import_confirm(batch=batch, reasons={"0": "Hội đồng đề nghị: sáng kiến đang được công nhận"})
    award = Award.objects.get(decision=decision)
    assert award.eligibility_override == "Hội đồng đề nghị: sáng kiến đang được công nhận"
