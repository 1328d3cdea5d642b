"""Roles per office on the command line: with --user a command works only on that user's
offices and with their permissions; without it the operator has full rights and is told so.

``two_offices()`` builds one row of every office-owned kind for two offices (Văn Lãng = A,
Hồng Lĩnh = B) and the users of the four groups; tests/admin/test_scope.py uses it too.
"""

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from registry.management.scoped import FULL_RIGHTS_NOTICE
from registry.models import (
    Attachment,
    Award,
    Bloc,
    BlocMembership,
    Campaign,
    Collective,
    Discipline,
    Household,
    ImportBatch,
    Individual,
    Initiative,
    Proposal,
    Rating,
    RecipientMerge,
    Round,
    SignedPaper,
    TargetResult,
    TargetSet,
    Unit,
)
from registry.models.council import Council, CouncilSession, Posting, PostingComment
from registry.models.printing import CertificateLayout, PrintJob, PrintLog
from registry.models.trust import Amendment, AuthorityMembership, Revocation
from registry.selectors.scope import (
    citizen_id_display,
    mask_citizen_id,
    user_authority_ids,
)
from registry.services.accounts import (
    ADMINISTRATOR_GROUP,
    CLERK_GROUP,
    LEADER_GROUP,
    PROPOSER_GROUP,
    VIEWER_GROUP,
    groups_ensure,
)
from registry.services.awards import award_add
from registry.services.decisions import decision_issue
from registry.services.pledges import TargetSpec, pledge_create
from tests import factories
from tests.data.books import messy_list, xlsx

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-thu-nghiem"
CITIZEN_IDS = {"A": "001089012390", "B": "042090123456"}


def office_rows(authority, tag: str) -> dict:
    """One row of every kind the office owns, named after ``tag``."""
    gk = factories.award_type()
    person = Individual.objects.create(
        full_name=f"Người Thử {tag}",
        gender="nam",
        citizen_id=CITIZEN_IDS[tag],
        registered_by=authority,
    )
    group = Collective.objects.create(name=f"Tập thể {tag}", registered_by=authority)
    household = Household.objects.create(head_name=f"Chủ hộ {tag}", registered_by=authority)
    draft = factories.draft_decision(
        number=f"1/QĐ-{tag}", authority=authority, subject=f"Dự thảo của {tag}"
    )
    award_add(decision=draft, award_type=gk, recipient=group, period_from=2023, period_to=2023)
    issued = factories.draft_decision(
        number=f"2/QĐ-{tag}", authority=authority, subject=f"Đã ban hành của {tag}"
    )
    award_add(decision=issued, award_type=gk, recipient=person, period_from=2022, period_to=2022)
    award_add(decision=issued, award_type=gk, recipient=group, period_from=2022, period_to=2022)
    decision_issue(decision=issued)
    revocation_by = factories.draft_decision(
        number=f"3/QĐ-{tag}",
        authority=authority,
        kind="huy-bo",
        signed_date=date(2023, 3, 1),
        subject=f"Hủy bỏ của {tag}",
    )
    decision_issue(decision=revocation_by)
    award = issued.awards.get(individual=person)
    other_award = issued.awards.get(collective=group)
    unit = Unit.objects.create(name=f"Xã {tag}", code=f"xa-{tag.lower()}")
    campaign = Campaign.objects.create(
        authority=authority, name=f"Phong trào {tag}", start_date=date(2023, 1, 1)
    )
    bloc = Bloc.objects.create(authority=authority, name=f"Khối {tag}")
    BlocMembership.objects.create(bloc=bloc, year=2023, unit=unit, role="truong")
    pledge = pledge_create(
        bloc=bloc,
        year=2023,
        title=f"Giao ước {tag}",
        ceremony_date=date(2023, 1, 17),
        targets=[TargetSpec("Thu ngân sách", 100, "%")],
    )
    target_set = TargetSet.objects.get(pledge=pledge)
    result = TargetResult.objects.create(
        target=target_set.targets.get(), unit=unit, as_of=date(2023, 12, 31), achieved_value=100
    )
    job = PrintJob.objects.create(decision=issued, award_ids=[award.pk], total=1)
    round = Round.objects.create(
        authority=authority, year=2023, title=f"Đợt xét {tag}", deadline=date(2023, 12, 15)
    )
    proposal = Proposal.objects.create(round=round, unit=unit, submission_number=f"1/TTr-{tag}")
    council = Council.objects.create(authority=authority, name=f"Hội đồng {tag}")
    posting = Posting.objects.create(
        round=round, title=f"Công khai {tag}", public_from=date(2023, 12, 1),
        ready_on=date(2023, 12, 15),
    )  # fmt: skip
    return {
        "council": council,
        "councilsession": CouncilSession.objects.create(
            council=council, round=round, date=date(2023, 12, 20)
        ),
        "posting": posting,
        "postingcomment": PostingComment.objects.create(
            posting=posting, name=f"Người góp ý {tag}", text="Đồng ý."
        ),
        "round": round,
        "proposal": proposal,
        "attachment": Attachment.objects.create(
            proposal=proposal,
            document_kind="to-trinh",
            file=f"proposals/{tag}/to-trinh.pdf",
            file_name="to-trinh.pdf",
        ),  # fmt: skip
        "authority": authority,
        "individual": person,
        "collective": group,
        "household": household,
        "draft": draft,
        "issued": issued,
        "revocation_by": revocation_by,
        "award": award,
        "campaign": campaign,
        "bloc": bloc,
        "pledge": pledge,
        "targetset": target_set,
        "targetresult": result,
        "rating": Rating.objects.create(individual=person, year=2022, grade="HTXSNV"),
        "initiative": Initiative.objects.create(
            individual=person, title=f"Sáng kiến {tag}", level="co-so", year=2022
        ),
        "discipline": Discipline.objects.create(
            collective=group, form="Khiển trách", start_date=date(2022, 5, 1)
        ),
        "importbatch": ImportBatch.objects.create(
            kind="danh-sach",
            decision=draft,
            authority=authority,
            file_name=f"danh-sach-{tag}.xlsx",
            file_sha256="0" * 64,
            payload={"lines": [], "problems": [], "notes": [], "counts": {}},
        ),
        "recipientmerge": RecipientMerge.objects.create(
            recipient_kind="ca-nhan", kept_id=person.pk, removed_id=10**9, removed_snapshot={}
        ),
        "certificatelayout": CertificateLayout.objects.create(authority=authority, award_type=gk),
        "signedpaper": SignedPaper.objects.create(
            authority=authority,
            decision=issued,
            file=f"received/{tag}/qd.pdf",
            filename="qd.pdf",
            sha256="0" * 64,
            size=1,
            status="valid",
            number_read=issued.number,
            date_read=issued.signed_date,
        ),
        "printjob": job,
        "printlog": PrintLog.objects.create(award=award, kind="in", mode="full", job=job),
        "revocation": Revocation.objects.create(
            award=other_award, decision=revocation_by, reason="gia-mao"
        ),
        "amendment": Amendment.objects.create(
            award=award,
            decision=revocation_by,
            field="achievement",
            old_value="",
            new_value="Thành tích đã đính chính",
            reason="Ghi thiếu",
        ),
    }


def user_in(group: str, name: str, *authorities, **fields):
    user = get_user_model().objects.create_user(name, password=PASSWORD, is_staff=True, **fields)
    user.groups.add(groups_ensure()[group])
    for authority in authorities:
        AuthorityMembership.objects.create(user=user, authority=authority)
    return user


def two_offices() -> dict:
    cat = factories.catalogue()
    a = cat["authority"]
    b = factories.authority(
        "honglinh-ubnd",
        name="Chủ tịch UBND thị xã Hồng Lĩnh",
        place_name="Hồng Lĩnh",
        header="CHỦ TỊCH ỦY BAN NHÂN DÂN THỊ XÃ HỒNG LĨNH",
    )
    groups_ensure()
    rows_a, rows_b = office_rows(a, "A"), office_rows(b, "B")
    users = {
        "clerk": user_in(CLERK_GROUP, "canbo.a", a),
        "clerk_b": user_in(CLERK_GROUP, "canbo.b", b),
        "leader": user_in(LEADER_GROUP, "lanhdao.a", a),
        "viewer": user_in(VIEWER_GROUP, "xem.a", a),
        "administrator": user_in(ADMINISTRATOR_GROUP, "quantri.he-thong"),
    }
    rows_a["authoritymembership"] = AuthorityMembership.objects.get(user=users["clerk"])
    rows_b["authoritymembership"] = AuthorityMembership.objects.get(user=users["clerk_b"])
    return {**cat, "A": rows_a, "B": rows_b, **users}


@pytest.fixture
def offices():
    return two_offices()


def run(command, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------------------ the selectors


def test_scope_is_the_offices_and_below_and_admins_have_none(offices):
    a, b = offices["A"]["authority"], offices["B"]["authority"]
    commune = factories.authority("hoangviet-ubnd", name="Chủ tịch UBND xã Hoàng Việt", parent=a)
    assert user_authority_ids(offices["clerk"]) == {a.pk, commune.pk}
    assert b.pk not in user_authority_ids(offices["clerk"])
    assert user_authority_ids(offices["administrator"]) is None
    assert user_authority_ids(None) is None
    nobody = get_user_model().objects.create_user("khach", password=PASSWORD, is_staff=True)
    assert user_authority_ids(nobody) == frozenset()


def test_citizen_id_is_masked_without_the_permission(offices):
    assert mask_citizen_id("001089012390") == "0010******90"
    assert citizen_id_display("001089012390", offices["clerk"]) == "0010******90"
    assert citizen_id_display("001089012390", offices["leader"]) == "001089012390"
    assert citizen_id_display("001089012390", None) == "001089012390"  # the operator
    assert citizen_id_display(None, offices["clerk"]) == ""


def test_groups_ensure_is_idempotent_and_ships_four_office_groups_and_the_units_group():
    first = groups_ensure()
    counts = {name: group.permissions.count() for name, group in first.items()}
    second = groups_ensure()
    assert {name: group.permissions.count() for name, group in second.items()} == counts
    assert set(first) == {
        CLERK_GROUP, LEADER_GROUP, VIEWER_GROUP, ADMINISTRATOR_GROUP, PROPOSER_GROUP
    }  # fmt: skip
    # Proposing units' accounts hold no permission: the portal checks their unit.
    assert not first[PROPOSER_GROUP].permissions.exists()
    leader = {p.codename for p in first[LEADER_GROUP].permissions.all()}
    clerk = {p.codename for p in first[CLERK_GROUP].permissions.all()}
    viewer = {p.codename for p in first[VIEWER_GROUP].permissions.all()}
    assert clerk < leader and {"revoke_award", "view_citizen_id"} <= leader - clerk
    assert viewer and all(c.startswith("view_") for c in viewer) and "view_citizen_id" not in viewer
    assert "change_authority" not in clerk and "view_authority" in clerk
    assert "change_user" in {p.codename for p in first[ADMINISTRATOR_GROUP].permissions.all()}


def test_the_migration_made_the_groups():
    # The test database is built by the migrations: 0008 created the groups with permissions.
    from django.contrib.auth.models import Group

    assert Group.objects.get(name=LEADER_GROUP).permissions.filter(codename="revoke_award")


# ------------------------------------------------------------------------------- the commands


def test_without_user_a_command_says_it_has_full_rights(offices, tmp_path):
    out = tmp_path / "bc.json"
    code, _, err = run("annual_report", "--year", "2022", "--format", "json", "-o", str(out))
    assert code == 0 and FULL_RIGHTS_NOTICE in err
    assert json.loads(out.read_text())  # the whole registry


def test_annual_report_with_user(offices, tmp_path):
    out = str(tmp_path / "bc.json")
    args = ["annual_report", "--year", "2022", "--format", "json", "-o", out]
    with pytest.raises(CommandError, match="ngoài phạm vi"):
        run(*args, "--authority", "honglinh-ubnd", "--user", "canbo.a")
    with pytest.raises(CommandError, match="--authority"):
        run(*args, "--user", "canbo.a")  # never the whole registry
    with pytest.raises(CommandError, match="Không có người dùng"):
        run(*args, "--authority", "vanlang-ubnd", "--user", "ai-do")
    code, _, err = run(*args, "--authority", "vanlang-ubnd", "--user", "canbo.a")
    assert code == 0 and FULL_RIGHTS_NOTICE not in err
    assert json.loads(Path(out).read_text(encoding="utf-8"))["authority"] == "vanlang-ubnd"


def test_eligible_with_user(offices):
    args = ["eligible", "--award-type", "giay-khen", "--year", "2022"]
    with pytest.raises(CommandError, match="ngoài phạm vi"):
        run(*args, "--authority", "honglinh-ubnd", "--user", "canbo.a")
    with pytest.raises(CommandError, match="--authority"):
        run(*args, "--user", "canbo.a")
    # Past the scope check for the clerk's own office (no rule for Giấy khen in this catalogue).
    with pytest.raises(CommandError, match="Chưa có tiêu chuẩn"):
        run(*args, "--authority", "vanlang-ubnd", "--user", "canbo.a")


def test_bloc_ranking_with_user(offices):
    bloc_b, bloc_a = offices["B"]["bloc"], offices["A"]["bloc"]
    with pytest.raises(CommandError, match="ngoài phạm vi"):
        run("bloc_ranking", "--bloc", str(bloc_b.pk), "--year", "2023", "--user", "canbo.a")
    code, out, _ = run(
        "bloc_ranking", "--bloc", str(bloc_a.pk), "--year", "2023", "--user", "canbo.a"
    )
    assert code == 0 and "Khối A" in out


def test_print_certificates_with_user(offices, tmp_path):
    out = tmp_path / "gk.pdf"
    issued_b, issued_a = offices["B"]["issued"], offices["A"]["issued"]
    with pytest.raises(CommandError, match="ngoài phạm vi"):
        run(
            "print_certificates",
            "--decision",
            str(issued_b.pk),
            "-o",
            str(out),
            "--user",
            "canbo.a",
        )
    assert not out.exists()
    code, text, _ = run(
        "print_certificates", "--decision", str(issued_a.pk), "-o", str(out), "--user", "canbo.a"
    )
    assert code == 0 and out.read_bytes().startswith(b"%PDF")
    assert PrintLog.objects.filter(award__decision=issued_a, printed_by=offices["clerk"]).exists()


def test_print_papers_with_user(offices, tmp_path):
    out = str(tmp_path / "giay.pdf")
    b, a = offices["B"], offices["A"]
    refused = [
        ["decision", "--decision", str(b["issued"].pk)],
        ["payout", "--decision", str(b["issued"].pk)],
        ["register", "--authority", "honglinh-ubnd", "--year", "2023"],
        ["record", "--individual", str(b["individual"].pk)],
        ["record", "--collective", str(b["collective"].pk)],
    ]
    for args in refused:
        with pytest.raises(CommandError, match="ngoài phạm vi"):
            run("print_papers", *args, "-o", out, "--user", "canbo.a")
    for args in (
        ["decision", "--decision", str(a["issued"].pk)],
        ["register", "--authority", "vanlang-ubnd", "--year", "2023"],
        ["record", "--individual", str(a["individual"].pk)],
    ):
        code, _, _ = run("print_papers", *args, "-o", out, "--user", "canbo.a")
        assert code == 0 and Path(out).read_bytes().startswith(b"%PDF")


def test_revoke_with_user_needs_a_leader_of_the_office(offices):
    a, b = offices["A"], offices["B"]
    args_b = ["--decision", str(b["issued"].pk), "--by", str(b["revocation_by"].pk)]
    args_a = ["--decision", str(a["issued"].pk), "--by", str(a["revocation_by"].pk)]
    args_a += ["--award", str(a["award"].pk)]
    reason = ["--reason", "gia-mao"]
    with pytest.raises(CommandError, match="không có quyền"):
        run("revoke", *args_a, *reason, "--user", "canbo.a")  # a clerk does not revoke
    with pytest.raises(CommandError, match="ngoài phạm vi"):
        run("revoke", *args_b, *reason, "--user", "lanhdao.a")
    assert not Award.objects.filter(decision=b["issued"], revoked_by__isnull=False).exists()
    code, out, _ = run("revoke", *args_a, *reason, "--user", "lanhdao.a")
    assert code == 0 and "Đã hủy bỏ" in out
    assert Award.objects.filter(decision=a["issued"], revoked_by=a["revocation_by"]).exists()


def test_import_honorees_with_user(offices, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(messy_list([("Ông Nguyễn Văn Mới", 1980, "", None)]))
    draft_b, draft_a = offices["B"]["draft"], offices["A"]["draft"]
    before = Award.objects.filter(decision=draft_b).count()
    common = [str(path), "--award-type", "giay-khen", "--user"]
    with pytest.raises(CommandError, match="ngoài phạm vi"):
        run("import_honorees", *common, "canbo.a", "--decision", str(draft_b.pk))
    assert Award.objects.filter(decision=draft_b).count() == before
    with pytest.raises(CommandError, match="không có quyền"):
        run("import_honorees", *common, "xem.a", "--decision", str(draft_a.pk))  # a viewer
    code, out, err = run("import_honorees", *common, "canbo.a", "--decision", str(draft_a.pk))
    assert code == 0, err
    person = Individual.objects.get(full_name="Nguyễn Văn Mới")
    assert person.registered_by == offices["A"]["authority"]
    assert ImportBatch.objects.filter(decision=draft_a, created_by=offices["clerk"]).exists()


def test_import_history_and_ratings_with_user(offices, tmp_path):
    path = tmp_path / "so.xlsx"
    path.write_bytes(
        xlsx(
            [
                ["STT", "Họ và tên", "Năm sinh", "Hình thức khen thưởng", "Số quyết định"]
                + ["Ngày quyết định", "Năm thành tích"],
                [1, "Ông Triệu Văn Cũ", 1970, "Giấy khen", "12/QĐ-UBND", "15/01/2021", 2020],
            ]
        )
    )
    with pytest.raises(CommandError, match="ngoài phạm vi"):
        run("import_history", str(path), "--authority", "honglinh-ubnd", "--user", "canbo.a")
    code, _, err = run(
        "import_history", str(path), "--authority", "vanlang-ubnd", "--user", "canbo.a"
    )
    assert code == 0, err
    ratings = tmp_path / "xl.xlsx"
    ratings.write_bytes(
        xlsx(
            [
                ["STT", "Họ và tên", "Số CCCD", "Năm", "Xếp loại"],
                [1, "Người Thử A", CITIZEN_IDS["A"], 2023, "HTTNV"],
            ]
        )
    )
    with pytest.raises(CommandError, match="ngoài phạm vi"):
        run("import_ratings", str(ratings), "--authority", "honglinh-ubnd", "--user", "canbo.a")
    code, _, err = run(
        "import_ratings", str(ratings), "--authority", "vanlang-ubnd", "--user", "canbo.a"
    )
    assert code == 0, err
    assert Rating.objects.filter(individual=offices["A"]["individual"], year=2023).exists()
