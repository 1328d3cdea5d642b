"""The council and the public posting: the write paths from received lines to a voted, minuted
draft decision.

A Posting puts a round's received lines of the award types that must be posted
(AwardType.requires_posting) on the public page; its clock (services.workdays) says from which
day the council may vote on them (Nghị định 98/2023/NĐ-CP Điều 46 khoản 2: at least 10 working
days). A CouncilSession records attendance; a ballot on a line is refused while the quorum of
that line's award type is not met, while its posting's clock runs, or while a member who must
step aside (a nominee, or the head of the nominee's unit) has no recusal recorded. Ballots are
counts; a recused member leaves that line's count. The closed session's passed lines become one
draft decision through round_lines_to_draft (decision_create + awards_add), citing the tờ trình
and the minutes. Bad input raises a Vietnamese ValidationError naming the field; nothing is
written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from registry.models import (
    Attendance,
    Ballot,
    BallotResult,
    Council,
    CouncilMember,
    CouncilSession,
    Decision,
    Posting,
    PostingComment,
    Proposal,
    ProposalLine,
    ProposalStatus,
    RecipientKind,
    Recusal,
    Round,
    SessionStatus,
    ThresholdBase,
    VoteThreshold,
)
from registry.selectors.law import authority_lapse
from registry.services.awards import history_user
from registry.services.proposals import proposal_notify, round_lines_to_draft
from registry.services.workdays import next_workday, workday_add
from registry.text import fold

COMMENT_MAX_CHARS = 3000
COMMENTS_PER_IP_PER_HOUR = 5


def _save(obj, user, **kwargs) -> None:
    obj.full_clean()
    obj._history_user = history_user(user)
    obj.save(**kwargs)


def received_lines(round: Round):
    return (
        ProposalLine.objects.filter(proposal__round=round, proposal__status=ProposalStatus.RECEIVED)
        .select_related("proposal__unit", "award_type", "individual", "collective")
        .order_by("proposal__unit__name", "proposal_id", "line_no", "id")
    )


# ----------------------------------------------------------------------------- posting


def posting_ready_on(*, public_from: date, working_days: int) -> date:
    """The first day the council may meet: the working day after the posting's last one."""
    return next_workday(workday_add(public_from, working_days))


def posting_check(
    *, round: Round, working_days: int, public_from: date | None = None
) -> list[ProposalLine]:
    """The lines a posting of the round would hold; refuses when there are none, or when the
    round's authority no longer gives awards on the first day of posting."""
    if working_days < 1:
        raise ValidationError({"working_days": "Số ngày làm việc công khai phải từ 1 trở lên."})
    if public_from:
        lapse = authority_lapse(authority=round.authority, day=public_from, event="ngày công khai")
        if lapse:
            raise ValidationError({"public_from": lapse})
    candidates = [ln for ln in received_lines(round) if ln.award_type.requires_posting]
    if not candidates:
        raise ValidationError(
            {
                "round": "Đợt này không có dòng đã tiếp nhận nào thuộc danh hiệu, hình thức phải công khai."
            }
        )
    return candidates


@transaction.atomic
def posting_open(
    *,
    round: Round,
    public_from: date,
    working_days: int = 10,
    title: str = "",
    lines: list[ProposalLine] | None = None,
    user=None,
) -> Posting:
    """Post the round's received lines whose award type must be posted."""
    candidates = posting_check(round=round, working_days=working_days, public_from=public_from)
    if lines is not None:
        wanted = {ln.pk for ln in lines}
        candidates = [ln for ln in candidates if ln.pk in wanted]
        if len(candidates) != len(wanted):
            raise ValidationError(
                {
                    "lines": "Chỉ công khai dòng đã tiếp nhận của danh hiệu, hình thức phải công khai."
                }
            )
    if not candidates:
        raise ValidationError(
            {
                "lines": "Đợt này không có dòng đã tiếp nhận nào thuộc danh hiệu, hình thức phải công khai."
            }
        )
    posting = Posting(
        round=round,
        title=(title or "").strip() or f"Công khai danh sách đề nghị khen thưởng – {round.title}",
        public_from=public_from,
        working_days=working_days,
        ready_on=posting_ready_on(public_from=public_from, working_days=working_days),
        created_by=user if user is not None and user.pk else None,
    )
    _save(posting, user)
    posting.lines.set(candidates)
    return posting


def posting_ready(*, posting: Posting, day: date) -> bool:
    """The clock has run out: the council may vote on the posted lines from `day`."""
    ready_on = posting.ready_on or posting_ready_on(
        public_from=posting.public_from, working_days=posting.working_days
    )
    return day >= ready_on


def posting_is_public(posting: Posting, *, day: date | None = None) -> bool:
    day = day or timezone.localdate()
    return not posting.closed and posting.public_from <= day


@transaction.atomic
def posting_comment_add(
    *, posting: Posting, name: str, text: str, contact: str = "", ip: str | None = None
) -> PostingComment:
    """A comment from the public page: size-limited, and a few per address per hour."""
    name = (name or "").strip()
    text = (text or "").strip()
    contact = (contact or "").strip()
    errors = {}
    if not posting_is_public(posting):
        raise ValidationError("Danh sách này không còn nhận ý kiến.")
    if not name:
        errors["name"] = "Hãy nhập họ tên."
    elif len(name) > 120:
        errors["name"] = "Họ tên dài quá 120 ký tự."
    if len(contact) > 120:
        errors["contact"] = "Thông tin liên hệ dài quá 120 ký tự."
    if not text:
        errors["text"] = "Hãy nhập nội dung ý kiến."
    elif len(text) > COMMENT_MAX_CHARS:
        errors["text"] = f"Ý kiến dài quá {COMMENT_MAX_CHARS} ký tự."
    if errors:
        raise ValidationError(errors)
    if ip:
        since = timezone.now() - timedelta(hours=1)
        recent = PostingComment.objects.filter(ip=ip, created__gte=since).count()
        if recent >= COMMENTS_PER_IP_PER_HOUR:
            raise ValidationError(
                "Bạn đã gửi nhiều ý kiến trong một giờ qua; vui lòng gửi lại sau."
            )
    comment = PostingComment(posting=posting, name=name, contact=contact, text=text, ip=ip or None)
    comment.full_clean()
    comment.save()
    return comment


# ----------------------------------------------------------------------------- thresholds


def threshold_for(*, award_type, day: date) -> VoteThreshold:
    """The row in force for an award type: its own, else its family's, else the general one."""
    rows = list(
        VoteThreshold.objects.filter(VoteThreshold.valid_on_q(day)).filter(
            Q(award_type=award_type)
            | Q(award_type__isnull=True, award_family=award_type.family)
            | Q(award_type__isnull=True, award_family="")
        )
    )

    def rank(row):
        return (0 if row.award_type_id else 1 if row.award_family else 2, -row.pk)

    if not rows:
        raise ValidationError(
            f"Chưa có tỷ lệ biểu quyết cho “{award_type.name}”: hãy thêm trong danh mục "
            "Tỷ lệ biểu quyết."
        )
    return sorted(rows, key=rank)[0]


def threshold_text(row: VoteThreshold) -> str:
    more = "trên" if row.strictly_more else "từ"
    mark = "" if row.confirmed else " (chưa đối chiếu)"
    return (
        f"có mặt từ {_percent(row.quorum)} tổng số thành viên; đồng ý {more} "
        f"{_percent(row.pass_fraction)} {row.get_pass_base_display().lower()}{mark}"
    )


def _percent(fraction: Decimal) -> str:
    value = (Decimal(fraction) * 100).quantize(Decimal("0.1"))
    text = f"{value:f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


# ----------------------------------------------------------------------------- sessions


def voting_members(council: Council) -> list[CouncilMember]:
    return [m for m in council.members.all() if m.votes]


@transaction.atomic
def council_session_open(
    *,
    council: Council,
    round: Round,
    date: date,
    place: str = "",
    chaired_by: str = "",
    minutes_number: str = "",
    user=None,
) -> CouncilSession:
    council_session_check(council=council, round=round, date=date)
    chair = next((m for m in council.members.all() if m.role == "chu-tich"), None)
    session = CouncilSession(
        council=council,
        round=round,
        date=date,
        place=place.strip(),
        chaired_by=chaired_by.strip() or (chair.name if chair else ""),
        minutes_number=minutes_number.strip(),
    )
    _save(session, user)
    Attendance.objects.bulk_create(
        Attendance(session=session, member=m, present=False) for m in council.members.all()
    )
    return session


def council_session_check(*, council: Council, round: Round, date: date) -> None:
    if council.authority_id != round.authority_id:
        raise ValidationError({"council": "Hội đồng không thuộc cấp khen của đợt xét."})
    if not council.is_valid_on(date):
        raise ValidationError({"date": "Ngày họp ngoài nhiệm kỳ của hội đồng."})
    lapse = authority_lapse(authority=council.authority, day=date, event="hội đồng họp")
    if lapse:
        raise ValidationError({"date": lapse})
    if not voting_members(council):
        raise ValidationError({"council": "Hội đồng chưa có thành viên biểu quyết."})
    if not received_lines(round).exists():
        raise ValidationError({"round": "Đợt xét chưa có hồ sơ nào đã tiếp nhận."})


def _ensure_open(session: CouncilSession) -> None:
    if session.status != SessionStatus.OPEN:
        raise ValidationError("Phiên họp đã kết thúc, không sửa được.")


@transaction.atomic
def attendance_record(*, session: CouncilSession, present: list[int], user=None) -> int:
    """Mark who is present (member ids); everyone else absent. Returns the number present."""
    _ensure_open(session)
    ids = set(present)
    members = {m.pk for m in session.council.members.all()}
    if ids - members:
        raise ValidationError({"present": "Có người không phải thành viên của hội đồng."})
    if session.ballots.exists():
        raise ValidationError(
            {"present": "Đã bỏ phiếu: không sửa điểm danh nữa (mở phiên họp khác nếu cần)."}
        )
    for row in session.attendance.all():
        row.present = row.member_id in ids
        row.save(update_fields=["present"])
    return len(ids)


def present_voters(session: CouncilSession) -> list[CouncilMember]:
    return [
        a.member
        for a in session.attendance.select_related("member")
        if a.present and a.member.votes
    ]


def quorum_check(*, session: CouncilSession, award_type) -> str | None:
    """None when the quorum of that award type is met, else the reason in Vietnamese."""
    row = threshold_for(award_type=award_type, day=session.date)
    total = len(voting_members(session.council))
    present = len(present_voters(session))
    if total == 0 or Decimal(present) < row.quorum * total:
        return (
            f"Chưa đủ số thành viên dự họp để biểu quyết “{award_type.name}”: có mặt "
            f"{present}/{total}, cần từ {_percent(row.quorum)} tổng số thành viên "
            f"({row.legal_basis})."
        )
    return None


def recusals_required(*, session: CouncilSession) -> list[tuple[CouncilMember, ProposalLine, str]]:
    """Members who must step aside: a nominee themselves, or the head of the nominee's unit."""
    out = []
    members = list(session.council.members.all())
    for line in received_lines(session.round):
        for m in members:
            if not m.votes:
                continue
            reason = ""
            if line.recipient_kind == RecipientKind.INDIVIDUAL and (
                (m.individual_id and m.individual_id == line.individual_id)
                or fold(m.name) == fold(line.name)
            ):
                reason = "Là người được đề nghị khen thưởng"
            elif m.heads_unit_id and m.heads_unit_id == line.proposal.unit_id:
                reason = f"Là người đứng đầu đơn vị đề nghị ({line.proposal.unit.name})"
            elif (
                m.heads_unit_id
                and line.collective_id
                and getattr(line.collective, "unit_id", None) == m.heads_unit_id
            ):
                reason = "Là người đứng đầu tập thể được đề nghị"
            if reason:
                out.append((m, line, reason))
    return out


@transaction.atomic
def recusal_add(
    *, session: CouncilSession, member: CouncilMember, line: ProposalLine, reason: str, user=None
) -> Recusal:
    _ensure_open(session)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do không tham gia biểu quyết."})
    if member.council_id != session.council_id:
        raise ValidationError({"member": "Người này không phải thành viên của hội đồng."})
    if not received_lines(session.round).filter(pk=line.pk).exists():
        raise ValidationError({"line": "Dòng đề nghị không thuộc hồ sơ đã tiếp nhận của đợt."})
    if session.ballots.filter(line=line).exists():
        raise ValidationError(
            {"line": "Dòng này đã bỏ phiếu; không ghi thêm người không biểu quyết."}
        )
    recusal, _ = Recusal.objects.get_or_create(
        session=session, member=member, line=line, defaults={"reason": reason}
    )
    return recusal


def _posting_wait(session: CouncilSession, line: ProposalLine) -> str | None:
    if not line.award_type.requires_posting:
        return None
    postings = list(Posting.objects.filter(lines=line))
    if not postings:
        return (
            f"“{line.name}” ({line.award_type.name}) phải được công khai ít nhất 10 ngày làm việc "
            "trước khi hội đồng họp (Nghị định 98/2023/NĐ-CP, Điều 46 khoản 2); chưa công khai."
        )
    if not any(posting_ready(posting=p, day=session.date) for p in postings):
        first = min(p.ready_on for p in postings if p.ready_on)
        return (
            f"“{line.name}” ({line.award_type.name}) đang công khai; hội đồng chỉ biểu quyết từ "
            f"ngày {first:%d/%m/%Y} (đủ {postings[0].working_days} ngày làm việc)."
        )
    return None


def ballot_record(
    *,
    session: CouncilSession,
    line: ProposalLine,
    agree: int,
    disagree: int,
    blank: int = 0,
    user=None,
) -> Ballot:
    """Record one line's counts and its result; refused without quorum, before the posting's
    clock runs out, or while a member who must step aside has no recusal."""
    with transaction.atomic():
        session = CouncilSession.objects.select_for_update().get(pk=session.pk)
        _ensure_open(session)
        if not received_lines(session.round).filter(pk=line.pk).exists():
            raise ValidationError({"line": "Dòng đề nghị không thuộc hồ sơ đã tiếp nhận của đợt."})
        reason = quorum_check(session=session, award_type=line.award_type)
        if reason:
            raise ValidationError({"__all__": reason})
        reason = _posting_wait(session, line)
        if reason:
            raise ValidationError({"__all__": reason})
        recused = set(session.recusals.filter(line=line).values_list("member_id", flat=True))
        missing = [
            f"{m.name}: {why}"
            for m, ln, why in recusals_required(session=session)
            if ln.pk == line.pk and m.pk not in recused
        ]
        if missing:
            raise ValidationError(
                {"__all__": ["Phải ghi người không tham gia biểu quyết dòng này trước:", *missing]}
            )
        for value, field in ((agree, "agree"), (disagree, "disagree"), (blank, "blank")):
            if value is None or int(value) < 0:
                raise ValidationError({field: "Số phiếu phải là số không âm."})
        agree, disagree, blank = int(agree), int(disagree), int(blank)
        row = threshold_for(award_type=line.award_type, day=session.date)
        voters = [m for m in present_voters(session) if m.pk not in recused]
        total = [m for m in voting_members(session.council) if m.pk not in recused]
        if agree + disagree + blank > len(voters):
            raise ValidationError(
                {
                    "agree": f"Tổng số phiếu ({agree + disagree + blank}) nhiều hơn số thành viên "
                    f"được biểu quyết có mặt ({len(voters)})."
                }
            )
        base = len(total) if row.pass_base == ThresholdBase.ALL else len(voters)
        share = Decimal(agree) / base if base else Decimal(0)
        passed = share > row.pass_fraction if row.strictly_more else share >= row.pass_fraction
        ballot = Ballot.objects.filter(session=session, line=line).first() or Ballot(
            session=session, line=line
        )
        ballot.agree, ballot.disagree, ballot.blank = agree, disagree, blank
        ballot.eligible = len(voters)
        ballot.base = base
        ballot.result = BallotResult.PASSED if passed else BallotResult.FAILED
        ballot.threshold_text = threshold_text(row)[:255]
        _save(ballot, user)
        return ballot


@dataclass
class LineResult:
    line: ProposalLine
    ballot: Ballot | None
    recusals: list[Recusal]

    @property
    def passed(self) -> bool:
        return self.ballot is not None and self.ballot.result == BallotResult.PASSED

    @property
    def label(self) -> str:
        if self.ballot is None:
            return "Chưa biểu quyết"
        return self.ballot.get_result_display()


def session_results(*, session: CouncilSession) -> list[LineResult]:
    ballots = {b.line_id: b for b in session.ballots.all()}
    recusals: dict[int, list[Recusal]] = {}
    for r in session.recusals.select_related("member"):
        recusals.setdefault(r.line_id, []).append(r)
    return [
        LineResult(line=ln, ballot=ballots.get(ln.pk), recusals=recusals.get(ln.pk, []))
        for ln in received_lines(session.round)
    ]


@transaction.atomic
def session_close(*, session: CouncilSession, user=None) -> list[LineResult]:
    """End the session: its results stand; each unit is told its lines' outcome."""
    session = CouncilSession.objects.select_for_update().get(pk=session.pk)
    _ensure_open(session)
    if not session.ballots.exists():
        raise ValidationError("Chưa biểu quyết dòng nào; chưa kết thúc phiên họp được.")
    session.status = SessionStatus.CLOSED
    session.closed_at = timezone.now()
    _save(session, user)
    results = session_results(session=session)
    by_proposal: dict[int, list[LineResult]] = {}
    for r in results:
        if r.ballot is not None:
            by_proposal.setdefault(r.line.proposal_id, []).append(r)
    for proposal_id, rows in by_proposal.items():
        proposal = Proposal.objects.select_related("unit", "round__authority").get(pk=proposal_id)
        body = "\n".join(
            f"- {r.line.name} ({r.line.award_type.name}): {r.label} ({r.ballot.tally})"
            for r in rows
        )
        transaction.on_commit(
            lambda p=proposal, b=body: proposal_notify(
                proposal=p,
                subject=f"Kết quả xét hồ sơ {p.submission_number}",
                body=f"{session.minutes_label}: kết quả biểu quyết các dòng đề nghị của đơn vị:\n{b}",
            )
        )
    return results


def session_to_draft(
    *,
    session: CouncilSession,
    signed_date: date,
    signer_title: str = "",
    signer_name: str = "",
    number: str = "",
    user=None,
) -> Decision:
    """The passed lines into one draft decision, citing the tờ trình and the minutes."""
    session = CouncilSession.objects.select_related("council", "round").get(pk=session.pk)
    if session.status != SessionStatus.CLOSED:
        raise ValidationError("Hãy kết thúc phiên họp trước khi lập dự thảo quyết định.")
    if session.decision_id:
        raise ValidationError(f"Phiên họp đã có dự thảo quyết định {session.decision.number}.")
    passed = [r.line.pk for r in session_results(session=session) if r.passed]
    if not passed:
        raise ValidationError("Không có dòng nào được hội đồng thông qua.")
    with transaction.atomic():
        decision = round_lines_to_draft(
            round=session.round,
            line_ids=passed,
            signed_date=signed_date,
            signer_title=signer_title,
            signer_name=signer_name,
            number=number,
            cited_extra=session.minutes_label,
            user=user,
        )
        session.decision = decision
        _save(session, user)
    return decision


def session_link_decision(*, session: CouncilSession, decision: Decision, user=None) -> None:
    """Tie a closed session to a decision made outside it (the demo's seed decision)."""
    if decision.authority_id != session.round.authority_id:
        raise ValidationError({"decision": "Quyết định không phải của cấp khen của đợt xét."})
    session.decision = decision
    _save(session, user)


def line_outcomes(*, proposal: Proposal) -> dict[int, str]:
    """Each line's council result for the unit's portal: line id → label."""
    out = {}
    for b in Ballot.objects.filter(line__proposal=proposal, session__status=SessionStatus.CLOSED):
        out[b.line_id] = f"Hội đồng: {b.get_result_display().lower()} ({b.tally})"
    return out
