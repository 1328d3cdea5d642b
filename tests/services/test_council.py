"""The council: posting and its clock, quorum and thresholds per award type, recusals, ballots,
results, the draft decision of the passed lines, and the mails to the units."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from registry.models import (
    AwardType,
    Council,
    CouncilMember,
    Decision,
    VoteThreshold,
)
from registry.services.catalogue import catalogue_load
from registry.services.council import (
    attendance_record,
    ballot_record,
    council_session_open,
    line_outcomes,
    posting_comment_add,
    posting_open,
    recusal_add,
    recusals_required,
    session_close,
    session_results,
    session_to_draft,
    threshold_for,
    threshold_text,
)
from registry.services.proposals import (
    proposal_create,
    proposal_receive,
    proposal_return,
    proposal_submit,
    round_save,
)
from tests.services.test_proposals import complete, line
from tests.services.test_proposals import setup as proposals_setup  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def law(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        catalogue_load()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def setup(proposals_setup):  # noqa: F811
    s = proposals_setup
    s["round"].award_types.add(*AwardType.objects.filter(code__in=["hcld-3", "cstd-tinh"]))
    for key in ("school_user", "other_user"):
        s[key].email = f"{s[key].username}@example.vn"
        s[key].save()
    council = Council.objects.create(
        authority=s["authority"], name="Hội đồng Thi đua – Khen thưởng xã Na Sầm",
        valid_from=date(2026, 1, 1),
    )  # fmt: skip
    members = {}
    for order, (name, role) in enumerate(
        [
            ("Hoàng Văn A", "chu-tich"),
            ("Lục Thị B", "pho-chu-tich"),
            ("Hoàng Văn Nam", "uy-vien"),
            ("Nông Văn C", "uy-vien"),
            ("Lý Thị D", "uy-vien"),
            ("Vi Thị E", "thu-ky"),
        ]
    ):
        members[name] = CouncilMember.objects.create(
            council=council, name=name, role=role, order=order
        )
    s.update(council=council, members=members)
    return s


def received(s, lines=(("Nguyễn Thị Lan", "giay-khen"), ("Hoàng Văn Nam", "giay-khen"))):
    proposal = proposal_create(
        round=s["round"], unit=s["school"], user=s["school_user"],
        submission_number="12/TTr-THCS", submission_date=date(2026, 11, 20),
    )  # fmt: skip
    for name, code in lines:
        line(proposal, s["school_user"], name=name, code=code)
    complete(proposal, s["school_user"])
    proposal_submit(proposal=proposal, user=s["school_user"])
    return proposal_receive(proposal=proposal, user=s["clerk"])


def present(s, session, *names):
    attendance_record(session=session, present=[s["members"][n].pk for n in names])


def test_thresholds_per_award_type():
    day = date(2026, 12, 1)
    general = threshold_for(award_type=AwardType.objects.get(code="giay-khen"), day=day)
    assert general.pass_base == "co-mat" and general.strictly_more
    assert threshold_text(general) == (
        "có mặt từ 66,7% tổng số thành viên; đồng ý trên 50% số thành viên có mặt (chưa đối chiếu)"
    )
    national = threshold_for(award_type=AwardType.objects.get(code="cstd-toan-quoc"), day=day)
    assert national.pass_base == "tong-so" and float(national.pass_fraction) == 0.9
    assert "Điều 45 khoản 8" in national.legal_basis
    hero = threshold_for(award_type=AwardType.objects.get(code="anh-hung-lao-dong"), day=day)
    assert float(hero.quorum) == 0.9
    assert "chưa đối chiếu" in str(hero)
    assert AwardType.objects.get(code="hcld-3").requires_posting
    assert not AwardType.objects.get(code="giay-khen").requires_posting


def test_session_quorum_recusal_ballots_and_draft(setup):
    s = setup
    proposal = received(s)
    lan, nam = proposal.lines.order_by("line_no", "id")
    session = council_session_open(
        council=s["council"], round=s["round"], date=date(2026, 12, 10),
        place="Hội trường UBND xã", minutes_number="05/BB-HĐTĐKT", user=s["clerk"],
    )  # fmt: skip
    # Three of five voting members: below two thirds, the vote is refused.
    present(s, session, "Hoàng Văn A", "Lục Thị B", "Nông Văn C", "Vi Thị E")
    with pytest.raises(ValidationError, match="Chưa đủ số thành viên dự họp.*3/5"):
        ballot_record(session=session, line=lan, agree=3, disagree=0, user=s["clerk"])
    present(s, session, "Hoàng Văn A", "Lục Thị B", "Nông Văn C", "Hoàng Văn Nam", "Vi Thị E")
    # The member proposed must step aside before his line is voted.
    required = recusals_required(session=session)
    assert [(m.name, ln.name) for m, ln, _ in required] == [("Hoàng Văn Nam", "Hoàng Văn Nam")]
    with pytest.raises(ValidationError, match="không tham gia biểu quyết"):
        ballot_record(session=session, line=nam, agree=2, disagree=1, user=s["clerk"])
    recusal_add(
        session=session, member=s["members"]["Hoàng Văn Nam"], line=nam,
        reason="Là người được đề nghị khen thưởng", user=s["clerk"],
    )  # fmt: skip
    # Four voters on his line but only three count: four ballots are too many.
    with pytest.raises(ValidationError, match="nhiều hơn số thành viên"):
        ballot_record(session=session, line=nam, agree=2, disagree=1, blank=1)
    passed = ballot_record(session=session, line=lan, agree=3, disagree=1, user=s["clerk"])
    failed = ballot_record(session=session, line=nam, agree=1, disagree=2, user=s["clerk"])
    assert (passed.result, passed.base) == ("thong-qua", 4)
    assert (failed.result, failed.base, failed.eligible) == ("khong-thong-qua", 3, 3)
    with transaction.atomic(), pytest.raises(ValidationError, match="kết thúc phiên họp"):
        session_to_draft(session=session, signed_date=date(2026, 12, 15))
    results = session_close(session=session, user=s["clerk"])
    assert [r.label for r in results] == ["Thông qua", "Không thông qua"]
    assert [r.recusals[0].member.name for r in results if r.recusals] == ["Hoàng Văn Nam"]
    decision = session_to_draft(
        session=session, signed_date=date(2026, 12, 15), signer_title="CHỦ TỊCH",
        signer_name="Hoàng Văn A", user=s["clerk"],
    )  # fmt: skip
    assert decision.status == "draft"
    assert [a.recipient_name for a in decision.awards.all()] == ["Nguyễn Thị Lan"]
    assert "Biên bản họp" in decision.proposal and "05/BB-HĐTĐKT" in decision.proposal
    assert "12/TTr-THCS" in decision.proposal
    outcomes = line_outcomes(proposal=proposal)
    assert outcomes[lan.pk].startswith("Hội đồng: thông qua (3 đồng ý")
    assert outcomes[nam.pk].startswith("Hội đồng: không thông qua")
    with pytest.raises(ValidationError, match="đã có dự thảo"):
        session.refresh_from_db()
        session_to_draft(session=session, signed_date=date(2026, 12, 15))
    assert Decision.objects.filter(council_sessions=session).count() == 1
    assert len(session_results(session=session)) == 2


def test_of_all_members_counts_the_absent(setup):
    s = setup
    VoteThreshold.objects.filter(award_type__isnull=True).update(
        pass_base="tong-so", pass_fraction="0.6", strictly_more=False
    )
    proposal = received(s, lines=(("Nguyễn Thị Lan", "giay-khen"),))
    session = council_session_open(council=s["council"], round=s["round"], date=date(2026, 12, 10))
    present(s, session, "Hoàng Văn A", "Lục Thị B", "Nông Văn C", "Lý Thị D")
    # Three of four present agree (75%) but only 60% of the five members: three of five passes.
    ballot = ballot_record(session=session, line=proposal.lines.get(), agree=3, disagree=1)
    assert (ballot.base, ballot.result) == (5, "thong-qua")
    ballot = ballot_record(session=session, line=proposal.lines.get(), agree=2, disagree=2)
    assert ballot.result == "khong-thong-qua"


def test_posting_clock_holds_the_vote_and_comments_are_limited(setup):
    s = setup
    proposal = received(s, lines=(("Nguyễn Thị Lan", "giay-khen"), ("Hoàng Văn Mạnh", "hcld-3")))
    medal = proposal.lines.get(award_type__code="hcld-3")
    session = council_session_open(council=s["council"], round=s["round"], date=date(2026, 12, 10))
    present(s, session, *list(s["members"]))
    with pytest.raises(ValidationError, match="Điều 46 khoản 2"):
        ballot_record(session=session, line=medal, agree=5, disagree=0)
    posting = posting_open(round=s["round"], public_from=date(2026, 12, 1), user=s["clerk"])
    assert list(posting.lines.all()) == [medal]
    assert posting.ready_on == date(2026, 12, 15)
    with pytest.raises(ValidationError, match="từ ngày 15/12/2026"):
        ballot_record(session=session, line=medal, agree=5, disagree=0)
    # Comments are taken once the list is public (the test runs on any day: move it back).
    with pytest.raises(ValidationError, match="không còn nhận ý kiến"):
        posting.public_from = date(2100, 1, 1)
        posting_comment_add(posting=posting, name="Trần Văn Dân", text="Sớm quá")
    posting.public_from = date(2026, 1, 5)
    posting.save()
    comment = posting_comment_add(
        posting=posting, name="Trần Văn Dân", text="Đồng ý với đề nghị.", ip="10.0.0.9"
    )
    assert comment.pk
    with pytest.raises(ValidationError) as refused:
        posting_comment_add(posting=posting, name="", text="x" * 3001, ip="10.0.0.9")
    assert set(refused.value.message_dict) == {"name", "text"}
    for _ in range(4):
        posting_comment_add(posting=posting, name="Trần Văn Dân", text="Thêm ý kiến", ip="10.0.0.9")
    with pytest.raises(ValidationError, match="nhiều ý kiến"):
        posting_comment_add(posting=posting, name="Trần Văn Dân", text="Nữa", ip="10.0.0.9")
    assert posting.comments.count() == 5


def test_mail_at_submit_return_receive_and_outcome(setup, django_capture_on_commit_callbacks):
    s = setup
    mail.outbox.clear()
    proposal = proposal_create(
        round=s["round"], unit=s["school"], user=s["school_user"],
        submission_number="12/TTr-THCS", submission_date=date(2026, 11, 20),
    )  # fmt: skip
    line(proposal, s["school_user"], name="Nguyễn Thị Lan")
    complete(proposal, s["school_user"])
    with django_capture_on_commit_callbacks(execute=True):
        proposal_submit(proposal=proposal, user=s["school_user"])
    with django_capture_on_commit_callbacks(execute=True):
        proposal_return(proposal=proposal, reason="Thiếu chữ ký", user=s["clerk"])
    with django_capture_on_commit_callbacks(execute=True):
        proposal_submit(proposal=proposal, user=s["school_user"])
    with django_capture_on_commit_callbacks(execute=True):
        proposal_receive(proposal=proposal, user=s["clerk"])
    session = council_session_open(council=s["council"], round=s["round"], date=date(2026, 12, 10))
    present(s, session, *list(s["members"]))
    ballot_record(session=session, line=proposal.lines.get(), agree=5, disagree=0)
    with django_capture_on_commit_callbacks(execute=True):
        session_close(session=session)
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        "[Thi đua, khen thưởng] Đã gửi hồ sơ 12/TTr-THCS",
        "[Thi đua, khen thưởng] Hồ sơ 12/TTr-THCS bị trả lại",
        "[Thi đua, khen thưởng] Đã gửi hồ sơ 12/TTr-THCS",
        "[Thi đua, khen thưởng] Đã tiếp nhận hồ sơ 12/TTr-THCS",
        "[Thi đua, khen thưởng] Kết quả xét hồ sơ 12/TTr-THCS",
    ]
    assert all(m.to == ["thcs.nasam@example.vn"] for m in mail.outbox)
    assert "Lý do: Thiếu chữ ký" in mail.outbox[1].body
    assert "Nguyễn Thị Lan (Giấy khen): Thông qua (5 đồng ý" in mail.outbox[4].body


def closed_session(s):
    proposal = received(s)
    lan, nam = proposal.lines.order_by("line_no", "id")
    session = council_session_open(
        council=s["council"], round=s["round"], date=date(2026, 12, 10),
        place="Hội trường UBND xã", minutes_number="05/BB-HĐTĐKT",
    )  # fmt: skip
    present(s, session, "Hoàng Văn A", "Lục Thị B", "Nông Văn C", "Hoàng Văn Nam", "Vi Thị E")
    recusal_add(
        session=session, member=s["members"]["Hoàng Văn Nam"], line=nam,
        reason="Là người được đề nghị khen thưởng",
    )  # fmt: skip
    ballot_record(session=session, line=lan, agree=3, disagree=1)
    ballot_record(session=session, line=nam, agree=1, disagree=2)
    session_close(session=session)
    return session


def pdf_text(data: bytes) -> str:
    import subprocess

    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    import unicodedata

    return " ".join(unicodedata.normalize("NFC", out.stdout.decode()).split())


def test_minutes_show_attendance_tallies_and_recusal(setup):
    from registry.services.council_papers import minutes_docx, minutes_pdf

    session = closed_session(setup)
    text = pdf_text(minutes_pdf(session=session))
    assert "BIÊN BẢN" in text and "05/BB-HĐTĐKT" in text
    assert "Có mặt 5 thành viên" in text and "Vắng 1 thành viên" in text
    for name in ("Hoàng Văn A", "Lục Thị B", "Nông Văn C", "Vi Thị E", "Lý Thị D"):
        assert name in text
    assert "3 đồng ý, 1 không đồng ý, 0 phiếu trắng" in text
    assert "1 đồng ý, 2 không đồng ý, 0 phiếu trắng" in text
    assert "Không biểu quyết: Hoàng Văn Nam (Là người được đề nghị khen thưởng)" in text
    assert "Hội đồng thông qua 1/2 trường hợp" in text
    import docx

    document = docx.Document(__import__("io").BytesIO(minutes_docx(session=session)))
    cells = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "3 đồng ý, 1 không đồng ý" in cells and "Hoàng Văn Nam (Là người" in cells


def test_upward_zip_holds_the_named_files_and_the_list_reads_back(setup):
    import io
    import zipfile

    from registry.services.council_papers import list_xlsx_rows, upward_dossier_zip

    session = closed_session(setup)
    data, names = upward_dossier_zip(session=session)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        inside = zf.namelist()
        rows = list_xlsx_rows(zf.read("02-danh-sach.xlsx"))
        minutes = pdf_text(zf.read("03-bien-ban-hop-hoi-dong.pdf"))
        submission = pdf_text(zf.read("01-to-trinh.pdf"))
    assert inside == names
    assert {
        "01-to-trinh.pdf",
        "02-danh-sach.xlsx",
        "02-danh-sach.pdf",
        "03-bien-ban-hop-hoi-dong.pdf",
        "03-bien-ban-hop-hoi-dong.docx",
    } <= set(inside)
    # The passed line's proposal documents: the tờ trình, the minutes, Lan's report, not Nam's.
    attached = [n for n in inside if n.startswith("04-tai-lieu/")]
    assert len(attached) == 3
    assert rows[0][0] == "STT" and rows[1][1] == "Nguyễn Thị Lan" and len(rows) == 2
    assert rows[1][4] == "Giấy khen"
    assert "3 đồng ý" in minutes and "TỜ TRÌNH" in submission


def test_command_json_shows_council_results(setup):
    import json
    from io import StringIO

    from django.core.management import call_command

    closed_session(setup)
    out = StringIO()
    call_command("proposals", authority="xa-na-sam-ubnd", year=2026, json=True, stdout=out)
    (row,) = json.loads(out.getvalue())
    council = {c["line"]: c for c in row["council"]}
    assert council["Nguyễn Thị Lan"]["result_label"] == "Thông qua"
    assert (council["Nguyễn Thị Lan"]["agree"], council["Nguyễn Thị Lan"]["base"]) == (3, 4)
    assert council["Hoàng Văn Nam"]["result"] == "khong-thong-qua"
    assert council["Hoàng Văn Nam"]["recused"] == ["Hoàng Văn Nam"]


def test_public_posting_page_takes_comments(setup, client):
    s = setup
    received(s, lines=(("Hoàng Văn Mạnh", "hcld-3"),))
    posting = posting_open(round=s["round"], public_from=date(2026, 1, 5))
    url = f"/cong-khai/{posting.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hoàng Văn Mạnh" in text and "Huân chương Lao động hạng Ba" in text
    refused = client.post(url, {"name": "", "text": "Ý kiến"})
    assert refused.status_code == 400 and "Hãy nhập họ tên." in refused.content.decode()
    sent = client.post(url, {"name": "Trần Văn Dân", "contact": "0912", "text": "Đồng ý."})
    assert sent.status_code == 302
    assert posting.comments.get().name == "Trần Văn Dân"
    posting.closed = True
    posting.save()
    assert client.get(url).status_code == 404


def test_a_lapsed_authority_runs_no_round_posting_or_session(setup, admin_client):
    """Like a decision, a round, a posting and a session are refused once the authority has ended
    on their date, on the service and on the admin's forms."""
    s = setup
    received(s, lines=(("Hoàng Văn Mạnh", "hcld-3"),))
    s["authority"].valid_to = date(2026, 12, 5)
    s["authority"].save()
    with pytest.raises(ValidationError, match="hội đồng họp ngày 10/12/2026"):
        council_session_open(council=s["council"], round=s["round"], date=date(2026, 12, 10))
    with pytest.raises(ValidationError, match="ngày công khai ngày 08/12/2026"):
        posting_open(round=s["round"], public_from=date(2026, 12, 8), user=s["clerk"])
    with pytest.raises(ValidationError, match="hạn nộp hồ sơ của đợt ngày 15/12/2026"):
        round_save(round=s["round"])
    # The session and the posting on days the authority still stood are taken.
    assert posting_open(round=s["round"], public_from=date(2026, 11, 23), user=s["clerk"]).pk
    assert council_session_open(council=s["council"], round=s["round"], date=date(2026, 12, 4)).pk

    # The admin's forms say it on the field, with a page, not an error.
    page = admin_client.post(
        f"/admin/registry/round/{s['round'].pk}/change/",
        {
            "authority": s["authority"].pk,
            "year": 2026,
            "kind": s["round"].kind,
            "title": s["round"].title,
            "deadline": "15/12/2026",
            "award_types": list(s["round"].award_types.values_list("pk", flat=True)),
            "status": s["round"].status,
        },
    )
    assert page.status_code == 200
    assert "đã chấm dứt thẩm quyền khen thưởng" in page.content.decode()
    page = admin_client.post(
        "/admin/registry/councilsession/add/",
        {"council": s["council"].pk, "round": s["round"].pk, "date": "10/12/2026"},
    )
    assert page.status_code == 200
    assert "hội đồng họp ngày 10/12/2026" in page.content.decode()
    page = admin_client.post(
        "/admin/registry/posting/add/",
        {"round": s["round"].pk, "public_from": "08/12/2026", "working_days": 10, "title": ""},
    )
    assert page.status_code == 200
    assert "ngày công khai ngày 08/12/2026" in page.content.decode()
