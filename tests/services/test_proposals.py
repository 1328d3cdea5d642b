"""Proposals from units: the checklist, the steps, the warnings, the round's merged lines and
the draft decision they become."""

import io
import zipfile
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from openpyxl import Workbook

from registry.models import (
    Attachment,
    Authority,
    AwardType,
    Decision,
    Individual,
    Proposal,
    ProposalLine,
    ProposalStatus,
    Rating,
    Round,
    Unit,
)
from registry.services.catalogue import catalogue_load
from registry.services.proposals import (
    proposal_answer,
    proposal_attach,
    proposal_checklist,
    proposal_create,
    proposal_line_add,
    proposal_line_update,
    proposal_lines_import,
    proposal_receive,
    proposal_return,
    proposal_submit,
    proposal_update,
    round_lines,
    round_lines_to_draft,
    unit_account_create,
    unit_account_move,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module", autouse=True)
def law(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        catalogue_load()
        yield
        transaction.set_rollback(True)


def pdf(name="to-trinh.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def setup():
    authority = Authority.objects.get(code="xa-na-sam-ubnd")
    school = Unit.objects.create(name="Trường THCS Na Sầm")
    other = Unit.objects.create(name="Trường Tiểu học Hoàng Văn Thụ")
    round = Round.objects.create(
        authority=authority,
        year=2026,
        title="Xét khen thưởng năm 2026",
        deadline=date(2026, 12, 15),
    )
    round.award_types.set(AwardType.objects.filter(code__in=["giay-khen", "ldtt", "cstd-co-so"]))
    users = {
        "school_user": unit_account_create(
            username="thcs.nasam", password="Mk-dai-du-12", unit=school
        ),
        "other_user": unit_account_create(username="th.hvt", password="Mk-dai-du-12", unit=other),
        "clerk": get_user_model().objects.create_user("canbo", password="x", is_staff=True),
    }
    return {"authority": authority, "school": school, "other": other, "round": round, **users}


def line(proposal, user, name="Nguyễn Thị Lan", code="giay-khen", **values):
    values = {
        "award_type": AwardType.objects.get(code=code),
        "recipient_kind": "ca-nhan",
        "name": name,
        "achievement": "Đã có thành tích xuất sắc năm học 2025–2026",
        "review_result": "25/27 phiếu (92,6%)",
        **values,
    }
    return proposal_line_add(proposal=proposal, user=user, **values)


def complete(proposal, user):
    proposal_attach(proposal=proposal, upload=pdf(), document_kind="to-trinh", user=user)
    proposal_attach(
        proposal=proposal, upload=pdf("bien-ban.pdf"), document_kind="bien-ban-binh-xet", user=user
    )
    for ln in proposal.lines.all():
        proposal_attach(
            proposal=proposal,
            line=ln,
            upload=pdf(f"bao-cao-{ln.pk}.pdf"),
            document_kind="bao-cao-thanh-tich",
            user=user,
        )


def sent(setup, **kw):
    proposal = proposal_create(
        round=setup["round"],
        unit=setup["school"],
        user=setup["school_user"],
        submission_number="12/TTr-THCS",
        submission_date=date(2026, 11, 20),
    )
    line(proposal, setup["school_user"], **kw)
    complete(proposal, setup["school_user"])
    return proposal_submit(proposal=proposal, user=setup["school_user"])


def test_checklist_per_award_type(setup):
    proposal = proposal_create(
        round=setup["round"], unit=setup["school"], user=setup["school_user"]
    )
    line(proposal, setup["school_user"], name="Nguyễn Thị Lan", code="giay-khen")
    line(proposal, setup["school_user"], name="Hoàng Văn Nam", code="cstd-co-so")
    checklist = proposal_checklist(proposal=proposal)
    assert [i.requirement.document_kind for i in checklist.proposal_items] == [
        "bien-ban-binh-xet",
        "to-trinh",
    ] or {i.requirement.document_kind for i in checklist.proposal_items} == {
        "bien-ban-binh-xet",
        "to-trinh",
    }
    by_name = {
        lc.line.name: {i.requirement.document_kind for i in lc.items} for lc in checklist.lines
    }
    # Giấy khen: a report of achievements; Chiến sĩ thi đua cơ sở also the proof of initiatives.
    assert by_name["Nguyễn Thị Lan"] == {"bao-cao-thanh-tich"}
    assert by_name["Hoàng Văn Nam"] == {"bao-cao-thanh-tich", "xac-nhan-sang-kien"}
    assert all("Điều 84" in i.requirement.legal_basis for i in checklist.proposal_items)


def test_submit_refused_with_missing_documents_line_by_line(setup):
    user = setup["school_user"]
    proposal = proposal_create(
        round=setup["round"], unit=setup["school"], user=user,
        submission_number="12/TTr-THCS", submission_date=date(2026, 11, 20),
    )  # fmt: skip
    line(proposal, user, name="Hoàng Văn Nam", code="cstd-co-so")
    complete(proposal, user)
    with pytest.raises(ValidationError) as refused:
        proposal_submit(proposal=proposal, user=user)
    text = " ".join(refused.value.messages)
    assert "Dòng 1 (Hoàng Văn Nam, Chiến sĩ thi đua cơ sở) còn thiếu" in text
    assert "sáng kiến" in text
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT
    ln = proposal.lines.get()
    proposal_attach(
        proposal=proposal, line=ln, upload=pdf("sk.pdf"), document_kind="xac-nhan-sang-kien",
        user=user,
    )  # fmt: skip
    proposal_submit(proposal=proposal, user=user)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED


def test_line_failing_the_rule_warns(setup):
    user = setup["school_user"]
    person = Individual.objects.create(
        full_name="Nguyễn Thị Lan", unit=setup["school"], registered_by=setup["authority"]
    )
    Rating.objects.create(individual=person, year=2026, grade="HTNV")
    proposal = proposal_create(round=setup["round"], unit=setup["school"], user=user)
    ln = line(proposal, user, code="ldtt")
    assert ln.individual == person  # found in the registry by name, within the unit
    assert "Chưa đủ tiêu chuẩn Lao động tiên tiến năm 2026" in ln.warnings
    new = line(proposal, user, name="Người Mới Hẳn", code="ldtt")
    assert new.individual is None
    assert "chưa có trong sổ" in new.warnings


def test_statuses_move_only_along_allowed_steps(setup):
    user, clerk = setup["school_user"], setup["clerk"]
    proposal = proposal_create(round=setup["round"], unit=setup["school"], user=user)
    with pytest.raises(ValidationError):
        proposal_receive(proposal=proposal, user=clerk)  # a draft is not received
    with pytest.raises(ValidationError):
        proposal_return(proposal=proposal, reason="Thiếu", user=clerk)
    with pytest.raises(ValidationError):
        proposal_answer(proposal=proposal, answer="Đã bổ sung", user=user)
    proposal = sent(setup)
    with pytest.raises(ValidationError):
        proposal_submit(proposal=proposal, user=user)  # already sent
    with pytest.raises(ValidationError, match="đơn vị không sửa được"):
        line(proposal, user, name="Thêm Sau Khi Gửi")
    proposal_receive(proposal=proposal, user=clerk)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.RECEIVED
    for attempt in (
        lambda: line(proposal, user, name="Thêm Nữa"),
        lambda: proposal_line_update(
            line=proposal.lines.first(),
            user=user,
            award_type=AwardType.objects.get(code="ldtt"),
            recipient_kind="ca-nhan",
            name="Đổi Tên",
        ),  # fmt: skip
        lambda: proposal_attach(proposal=proposal, upload=pdf(), document_kind="khac", user=user),
        lambda: proposal_update(
            proposal=proposal, user=user, submission_number="1", submission_date=None
        ),
        lambda: proposal_return(proposal=proposal, reason="Muộn", user=clerk),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert proposal.lines.get().name == "Nguyễn Thị Lan"


def test_every_step_in_history_with_the_user(setup):
    user, clerk = setup["school_user"], setup["clerk"]
    proposal = sent(setup)
    proposal_return(proposal=proposal, reason="Thiếu chữ ký trên biên bản", user=clerk)
    proposal_answer(proposal=proposal, answer="Đã ký lại biên bản", user=user)
    proposal_submit(proposal=proposal, user=user)
    proposal_receive(proposal=proposal, user=clerk)
    steps = [
        (h.status, h.history_user.username)
        for h in Proposal.history.filter(id=proposal.pk).order_by("history_date", "history_id")
    ]
    assert steps == [
        ("nhap", "thcs.nasam"),
        ("da-gui", "thcs.nasam"),
        ("bi-tra-lai", "canbo"),
        ("bi-tra-lai", "thcs.nasam"),
        ("da-gui", "thcs.nasam"),
        ("da-tiep-nhan", "canbo"),
    ]
    proposal.refresh_from_db()
    assert proposal.return_reason == "Thiếu chữ ký trên biên bản"
    assert proposal.answer == "Đã ký lại biên bản"
    assert ProposalLine.history.filter(history_user=user).exists()
    assert Attachment.history.filter(history_user=user).count() == 3


def test_bad_input_names_the_field_and_changes_nothing(setup):
    user, clerk = setup["school_user"], setup["clerk"]
    proposal = proposal_create(round=setup["round"], unit=setup["school"], user=user)
    with pytest.raises(ValidationError) as refused:
        line(proposal, user, name="")
    assert "name" in refused.value.message_dict
    assert "họ tên" in refused.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as refused:
        line(proposal, user, code="bang-khen-tinh")
    assert "không xét Bằng khen" in refused.value.message_dict["award_type"][0]
    with pytest.raises(ValidationError) as refused:
        line(proposal, user, period_to=2030)
    assert "period_to" in refused.value.message_dict
    stranger = Individual.objects.create(
        full_name="Người Đơn Vị Khác", unit=setup["other"], registered_by=setup["authority"]
    )
    with pytest.raises(ValidationError, match="không thuộc Trường THCS Na Sầm"):
        line(proposal, user, name="Người Đơn Vị Khác", recipient=stranger)
    assert proposal.lines.count() == 0
    # A file named .pdf that is not a PDF, and an HTML page: refused by content.
    for name, data in (("gia.pdf", b"<html>hi</html>"), ("trang.html", b"<html></html>")):
        with pytest.raises(ValidationError) as refused:
            proposal_attach(
                proposal=proposal, upload=SimpleUploadedFile(name, data), document_kind="to-trinh",
                user=user,
            )  # fmt: skip
        assert "PDF, ảnh" in refused.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as refused:
        proposal_submit(proposal=proposal, user=user)
    assert "submission_number" in refused.value.message_dict
    proposal = sent(setup)
    with pytest.raises(ValidationError) as refused:
        proposal_return(proposal=proposal, reason="  ", user=clerk)
    assert "lý do" in refused.value.message_dict["return_reason"][0]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert Attachment.objects.filter(proposal__unit=setup["school"]).count() == 3


def test_attachment_size_limit(setup, settings):
    settings.PROPOSAL_ATTACHMENT_MAX_BYTES = 100
    proposal = proposal_create(
        round=setup["round"], unit=setup["school"], user=setup["school_user"]
    )
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * 200)
    with pytest.raises(ValidationError, match="quá giới hạn"):
        proposal_attach(proposal=proposal, upload=big, document_kind="to-trinh")
    assert not proposal.attachments.exists()


def test_docx_and_xlsx_checked_by_content(setup):
    proposal = proposal_create(
        round=setup["round"], unit=setup["school"], user=setup["school_user"]
    )
    book = io.BytesIO()
    Workbook().save(book)
    proposal_attach(
        proposal=proposal, upload=SimpleUploadedFile("ds.xlsx", book.getvalue()),
        document_kind="khac",
    )  # fmt: skip
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    proposal_attach(
        proposal=proposal, upload=SimpleUploadedFile("bc.docx", docx.getvalue()),
        document_kind="khac",
    )  # fmt: skip
    with pytest.raises(ValidationError):  # a workbook renamed .docx
        proposal_attach(
            proposal=proposal, upload=SimpleUploadedFile("sai.docx", book.getvalue()),
            document_kind="khac",
        )  # fmt: skip
    assert proposal.attachments.count() == 2


def test_lines_imported_from_the_honorees_sheet(setup):
    proposal = proposal_create(
        round=setup["round"], unit=setup["school"], user=setup["school_user"]
    )
    book = Workbook()
    sheet = book.active
    sheet.append(["STT", "Họ và tên", "Chức vụ", "Hình thức khen thưởng", "Thành tích"])
    sheet.append([1, "Lê Văn Bình", "Giáo viên", "Giấy khen", "Năm học 2025–2026"])
    sheet.append([2, "Trần Thị Hoa", "Giáo viên", "Lao động tiên tiến", "Năm 2026"])
    data = io.BytesIO()
    book.save(data)
    lines = proposal_lines_import(
        proposal=proposal, data=data.getvalue(), file_name="ds.xlsx", user=setup["school_user"]
    )
    assert [(ln.name, ln.award_type.code, ln.period_to) for ln in lines] == [
        ("Lê Văn Bình", "giay-khen", 2026),
        ("Trần Thị Hoa", "ldtt", 2026),
    ]
    sheet.append([3, "Ngô Văn Tư", "Giáo viên", "Bằng khen của Chủ tịch UBND tỉnh", "Năm 2026"])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(ValidationError) as refused:
        proposal_lines_import(proposal=proposal, data=data.getvalue(), file_name="ds.xlsx")
    assert any("dòng 4" in m for m in refused.value.message_dict["file"])
    assert proposal.lines.count() == 2  # all or nothing


def test_round_merges_and_puts_lines_into_a_draft(setup):
    clerk = setup["clerk"]
    person = Individual.objects.create(
        full_name="Nguyễn Thị Lan", unit=setup["school"], registered_by=setup["authority"]
    )
    first = sent(setup)
    # The same teacher also proposed by the other school she teaches at.
    second = proposal_create(
        round=setup["round"], unit=setup["other"], user=setup["other_user"],
        submission_number="7/TTr-TH", submission_date=date(2026, 11, 21),
    )  # fmt: skip
    proposal_line_add(
        proposal=second, user=setup["other_user"], award_type=AwardType.objects.get(code="giay-khen"),
        recipient_kind="ca-nhan", name="Nguyễn Thị Lan",
    )  # fmt: skip
    ProposalLine.objects.filter(proposal=second).update(individual=person)
    complete(second, setup["other_user"])
    proposal_submit(proposal=second, user=setup["other_user"])
    for p in (first, second):
        proposal_receive(proposal=p, user=clerk)
    merged = round_lines(round=setup["round"])
    assert len(merged) == 1
    assert merged[0].proposers == [
        "Trường THCS Na Sầm (Tờ trình 12/TTr-THCS)",
        "Trường Tiểu học Hoàng Văn Thụ (Tờ trình 7/TTr-TH)",
    ]
    decision = round_lines_to_draft(
        round=setup["round"], line_ids=[merged[0].first.pk], signed_date=date(2026, 12, 20),
        signer_title="CHỦ TỊCH", signer_name="Hoàng Văn A", user=clerk,
    )  # fmt: skip
    assert decision.status == "draft"
    assert "12/TTr-THCS" in decision.proposal and "7/TTr-TH" in decision.proposal
    award = decision.awards.get()
    assert award.individual == person and award.award_type.code == "giay-khen"
    assert award.history.first().history_user == clerk
    first.refresh_from_db()
    assert first.decision == decision
    assert first.lines.get().award == award
    with pytest.raises(ValidationError, match="đã có trong quyết định"):
        round_lines_to_draft(
            round=setup["round"], line_ids=[merged[0].first.pk], signed_date=date(2026, 12, 20),
            signer_title="CHỦ TỊCH", signer_name="Hoàng Văn A", user=clerk,
        )  # fmt: skip
    assert Decision.objects.filter(authority=setup["authority"]).count() == 1


def test_draft_refuses_bad_input_and_writes_nothing(setup):
    proposal = sent(setup)
    proposal_receive(proposal=proposal, user=setup["clerk"])
    before = Decision.objects.count()
    with pytest.raises(ValidationError) as refused:
        round_lines_to_draft(round=setup["round"], line_ids=[], signed_date=date(2026, 12, 20))
    assert "lines" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        round_lines_to_draft(
            round=setup["round"], line_ids=[proposal.lines.get().pk],
            signed_date=date(2026, 12, 20),
        )  # fmt: skip
    assert "signer_name" in refused.value.message_dict
    assert Decision.objects.count() == before


def test_command_lists_the_rounds_proposals(setup):
    import json

    from django.core.management import call_command

    proposal = sent(setup)
    proposal_return(proposal=proposal, reason="Thiếu biên bản", user=setup["clerk"])
    out = io.StringIO()
    call_command("proposals", authority="xa-na-sam-ubnd", year=2026, json=True, stdout=out,
                 stderr=io.StringIO())  # fmt: skip
    rows = json.loads(out.getvalue())
    assert rows == [
        {
            "round": "Xét khen thưởng năm 2026",
            "deadline": "2026-12-15",
            "unit": "Trường THCS Na Sầm",
            "submission": "Tờ trình số 12/TTr-THCS ngày 20/11/2026 của Trường THCS Na Sầm",
            "status": "bi-tra-lai",
            "status_label": "Bị trả lại",
            "lines": 1,
            "lines_in_decision": 0,
            "return_reason": "Thiếu biên bản",
            "answer": "",
            "decision": None,
            "decision_issued": None,
            "council": [],
        }
    ]


def test_round_lines_queries_do_not_grow_with_lines(setup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = setup["school_user"]

    def received(count, number):
        proposal = proposal_create(
            round=setup["round"], unit=setup["school"], user=user,
            submission_number=number, submission_date=date(2026, 11, 20),
        )  # fmt: skip
        for i in range(count):
            person = Individual.objects.create(
                full_name=f"Người Thứ {number} {i}", unit=setup["school"],
                registered_by=setup["authority"],
            )  # fmt: skip
            Rating.objects.create(individual=person, year=2025, grade="HTXSNV")
            Rating.objects.create(individual=person, year=2026, grade="HTXSNV")
            line(proposal, user, name=person.full_name, code="ldtt")
        complete(proposal, user)
        proposal_submit(proposal=proposal, user=user)
        proposal_receive(proposal=proposal, user=setup["clerk"])

    def measure():
        with CaptureQueriesContext(connection) as captured:
            merged = round_lines(round=setup["round"])
        return len(captured), merged

    received(2, "1/TTr")
    few, merged = measure()
    assert "HTXSNV 2 năm liên tục (2025–2026)" in merged[0].streaks
    received(6, "2/TTr")
    many, merged = measure()
    assert len(merged) == 8
    assert many == few


def test_a_unit_account_moves_to_another_unit_with_history(setup, admin_client):
    s = setup
    membership = s["school_user"].unit_membership
    unit_account_move(membership=membership, unit=s["other"], user=s["clerk"])
    membership.refresh_from_db()
    assert membership.unit == s["other"]
    assert membership.history.latest().history_user == s["clerk"]
    with pytest.raises(ValidationError, match="Hãy chọn đơn vị"):
        unit_account_move(membership=membership, unit=None)
    # The admin's change page goes the same way.
    page = admin_client.post(
        f"/admin/registry/unitmembership/{membership.pk}/change/", {"unit": s["school"].pk}
    )
    assert page.status_code == 302
    membership.refresh_from_db()
    assert membership.unit == s["school"]
    assert membership.history.count() == 3
