"""Proposals from units: the write paths of the portal and of the office, and the checklist.

A unit's proposal moves along fixed steps: nháp → đã gửi → (bị trả lại → đã gửi …) → đã tiếp
nhận. The unit edits its lines and documents only while the proposal is nháp or bị trả lại;
the office returns (with a reason) or receives a proposal it was sent. Received lines of a
round are merged per recipient and the clerk's choice goes into a draft decision through the
one award-line service (services.awards.awards_add). Every step is a history row naming the
user. Bad input raises a ValidationError in Vietnamese, naming the field, and writes nothing.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from registry.models import (
    Attachment,
    Award,
    AwardType,
    Collective,
    Decision,
    DocumentKind,
    DossierRequirement,
    Household,
    ImportKind,
    Individual,
    LoaiHinh,
    Proposal,
    ProposalLine,
    ProposalStatus,
    RecipientKind,
    RequirementScope,
    Round,
    RoundKind,
    RoundStatus,
    Unit,
    UnitMembership,
)
from registry.selectors.eligibility import (
    award_eligibility_warnings,
    counted_awards,
    recipients_streaks,
    rules_in_force,
)
from registry.selectors.law import authority_lapse
from registry.services.awards import awards_add, history_user, recipient_fields
from registry.services.decisions import decision_create, decision_next_number
from registry.text import fold

KIND_MODELS = {
    RecipientKind.COLLECTIVE.value: Collective,
    RecipientKind.INDIVIDUAL.value: Individual,
    RecipientKind.HOUSEHOLD.value: Household,
}
KIND_FIELD = {
    RecipientKind.COLLECTIVE.value: "collective",
    RecipientKind.INDIVIDUAL.value: "individual",
    RecipientKind.HOUSEHOLD.value: "household",
}

# ----------------------------------------------------------------------------- accounts


def user_unit(user) -> Unit | None:
    """The unit a proposing unit's account proposes for, or None for every other account."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    membership = UnitMembership.objects.select_related("unit").filter(user_id=user.pk).first()
    return membership.unit if membership else None


def unit_account_check(*, username: str, password: str):
    """The unsaved account, or a ValidationError naming the field (username, password)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password

    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": "Hãy nhập tên đăng nhập."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"Tên đăng nhập “{username}” đã có người dùng."})
    account = User(username=username, is_staff=False, is_superuser=False)
    try:
        validate_password(password, account)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    account.set_password(password)
    account.full_clean()
    return account


@transaction.atomic
def unit_account_create(*, username: str, password: str, unit: Unit, user=None):
    """An account for a proposing unit: not staff, in the group “Đơn vị đề nghị”, one unit."""
    from django.contrib.auth.models import Group

    from registry.services.accounts import PROPOSER_GROUP

    if unit is None:
        raise ValidationError({"unit": "Hãy chọn đơn vị."})
    account = unit_account_check(username=username, password=password)
    account.save()
    group, _ = Group.objects.get_or_create(name=PROPOSER_GROUP)
    account.groups.add(group)
    membership = UnitMembership(user=account, unit=unit)
    membership.full_clean()
    membership._history_user = history_user(user)
    membership.save()
    return account


@transaction.atomic
def unit_account_move(*, membership: UnitMembership, unit: Unit, user=None) -> UnitMembership:
    """Move a unit's account to another unit (a unit merged or renamed); its proposals stay with
    the unit that sent them."""
    if unit is None:
        raise ValidationError({"unit": "Hãy chọn đơn vị."})
    membership.unit = unit
    _save(membership, user)
    return membership


# ----------------------------------------------------------------------------- helpers


def _save(obj, user, **kwargs) -> None:
    obj.full_clean()
    obj._history_user = history_user(user)
    obj.save(**kwargs)


def proposal_notify(*, proposal: Proposal, subject: str, body: str) -> int:
    """Mail the unit's accounts about a step of its proposal; a failed mail never undoes the
    step (it is logged by the mail backend). Returns the number of addresses written to."""
    emails = sorted(
        {
            m.user.email
            for m in UnitMembership.objects.filter(unit_id=proposal.unit_id).select_related("user")
            if m.user.email and m.user.is_active
        }
    )
    if not emails:
        return 0
    round = proposal.round
    text = (
        f"Kính gửi {proposal.unit.name},\n\n{body}\n\n"
        f"Đợt xét: {round.title} ({round.authority.name}).\n"
        "Thư này được gửi tự động từ Sổ thi đua, khen thưởng; vui lòng không trả lời thư."
    )
    send_mail(
        f"[Thi đua, khen thưởng] {subject}",
        text,
        settings.DEFAULT_FROM_EMAIL,
        emails,
        fail_silently=True,
    )
    return len(emails)


def _notify_on_commit(proposal: Proposal, subject: str, body: str) -> None:
    transaction.on_commit(lambda: proposal_notify(proposal=proposal, subject=subject, body=body))


def _locked(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("round__authority", "round__campaign", "unit")
        .get(pk=proposal.pk)
    )


def _ensure_unit_may_edit(proposal: Proposal) -> None:
    if not proposal.unit_may_edit:
        raise ValidationError(
            f"Hồ sơ đang ở trạng thái “{proposal.get_status_display()}”: đơn vị không sửa được. "
            "Chỉ sửa được hồ sơ nháp hoặc hồ sơ bị trả lại."
        )


def unit_subtree_ids(unit: Unit) -> set[int]:
    """The unit and the units under it (a school's collectives, a commune's villages)."""
    rows = list(Unit.objects.values_list("pk", "parent_id"))
    children: dict[int | None, list[int]] = {}
    for pk, parent in rows:
        children.setdefault(parent, []).append(pk)
    found, todo = {unit.pk}, [unit.pk]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def unit_recipients(*, unit: Unit, kind: str):
    """The registry's records of a unit's own people, collectives or households."""
    return KIND_MODELS[kind].objects.filter(unit_id__in=unit_subtree_ids(unit))


# ----------------------------------------------------------------------------- rounds


def round_check(*, round: Round) -> None:
    """Refuse a round the office could not run: every path that saves a round calls this."""
    if round.kind == RoundKind.THEMATIC and not round.campaign_id:
        raise ValidationError({"campaign": "Đợt chuyên đề phải chọn phong trào thi đua."})
    # A round is for an authority that still gives awards by its deadline, as a decision is.
    if round.authority_id and round.deadline:
        lapse = authority_lapse(
            authority=round.authority, day=round.deadline, event="hạn nộp hồ sơ của đợt"
        )
        if lapse:
            raise ValidationError({"authority": lapse})


@transaction.atomic
def round_save(*, round: Round, user=None) -> Round:
    """Open or edit a round (its award types are set by the caller once it is saved)."""
    round_check(round=round)
    _save(round, user)
    return round


# ----------------------------------------------------------------------------- proposals


@transaction.atomic
def proposal_create(
    *,
    round: Round,
    unit: Unit,
    user=None,
    submission_number: str = "",
    submission_date: date | None = None,
) -> Proposal:
    if round is None or not round.pk:
        raise ValidationError({"round": "Hãy chọn đợt xét khen thưởng."})
    if round.status != RoundStatus.OPEN:
        raise ValidationError({"round": f"Đợt “{round.title}” đã đóng, không nhận hồ sơ mới."})
    proposal = Proposal(
        round=round,
        unit=unit,
        submission_number=(submission_number or "").strip(),
        submission_date=submission_date,
        created_by=history_user(user),
    )
    _save(proposal, user)
    return proposal


@transaction.atomic
def proposal_update(
    *, proposal: Proposal, user=None, submission_number: str, submission_date: date | None
) -> Proposal:
    proposal = _locked(proposal)
    _ensure_unit_may_edit(proposal)
    proposal.submission_number = (submission_number or "").strip()
    proposal.submission_date = submission_date
    _save(proposal, user)
    return proposal


def _decision_stand_in(round: Round) -> Decision:
    """An unsaved decision of the round's authority on its deadline: what the rules judge."""
    return Decision(
        authority=round.authority,
        signed_date=round.deadline,
        loai_hinh=round.kind,
        campaign=round.campaign,
    )


def lines_warnings(*, round: Round, lines: list[ProposalLine]) -> list[list[str]]:
    """The eligibility rules' warnings for each line, as the clerk gets them on a draft."""
    stand_in = _decision_stand_in(round)
    awards = []
    for line in lines:
        award = Award(
            award_type_id=line.award_type_id,
            period_from=line.period_from,
            period_to=line.period_to,
            loai_hinh=round.kind,
            collective_id=line.collective_id,
            individual_id=line.individual_id,
            household_id=line.household_id,
        )
        award.award_type = line.award_type
        awards.append(award)
    warnings = award_eligibility_warnings(decision=stand_in, awards=awards)
    new = [line for line in lines if line.recipient is None]
    if new:
        rules = rules_in_force(
            award_type_ids={line.award_type_id for line in new},
            on=round.deadline,
            authority=round.authority,
            loai_hinh=round.kind,
        )
        for index, line in enumerate(lines):
            rule = rules.get((line.award_type_id, line.recipient_kind))
            if line.recipient is None and rule is not None:
                warnings[index] = [
                    f"Chưa đủ căn cứ xét {line.award_type.name} năm {line.period_to} "
                    f"({rule.name}; căn cứ {rule.legal_basis}): {line.name} chưa có trong sổ, "
                    "chưa có quá trình khen thưởng, xếp loại để đối chiếu."
                ]
    return warnings


def _match_recipient(proposal: Proposal, kind: str, name: str, birth_year: int | None):
    """The unit's own record of that name (and birth year), when exactly one fits."""
    name_field = {"tap-the": "name", "ca-nhan": "full_name", "ho-gia-dinh": "head_name"}[kind]
    found = [
        obj
        for obj in unit_recipients(unit=proposal.unit, kind=kind).filter(
            search_key__contains=fold(name)
        )
        if fold(getattr(obj, name_field)) == fold(name)
        and (kind != "ca-nhan" or not birth_year or obj.birth_year in (None, birth_year))
    ]
    return found[0] if len(found) == 1 else None


def _line_check(proposal: Proposal, line: ProposalLine) -> None:
    round = proposal.round
    errors: dict[str, list[str]] = {}
    if not (line.name or "").strip():
        errors.setdefault("name", []).append("Hãy nhập họ tên (tên tập thể, chủ hộ).")
    award_type = line.award_type if line.award_type_id else None
    if award_type is None:
        errors.setdefault("award_type", []).append("Hãy chọn danh hiệu, hình thức khen thưởng.")
    else:
        if not round.award_types.filter(pk=award_type.pk).exists():
            errors.setdefault("award_type", []).append(
                f"Đợt “{round.title}” không xét {award_type.name}."
            )
        if not award_type.allows(line.recipient_kind):
            errors.setdefault("award_type", []).append(
                f"{award_type.name} không tặng cho "
                f"{RecipientKind(line.recipient_kind).label.lower()}."
            )
    recipient = line.recipient
    if recipient is not None:
        if not isinstance(recipient, KIND_MODELS[line.recipient_kind]):
            errors.setdefault("recipient_kind", []).append(
                "Đối tượng chọn trong sổ không đúng loại đối tượng của dòng."
            )
        elif recipient.unit_id not in unit_subtree_ids(proposal.unit):
            errors.setdefault("name", []).append(
                f"{recipient} không thuộc {proposal.unit.name}: chỉ đề nghị người, tập thể của "
                "đơn vị mình."
            )
    if line.period_from and line.period_to and line.period_to > round.year:
        errors.setdefault("period_to", []).append(
            f"Đợt xét năm {round.year}: thành tích không được sau năm {round.year}."
        )
    if errors:
        raise ValidationError(errors)


def _line_fill(
    line: ProposalLine,
    *,
    proposal: Proposal,
    award_type: AwardType | None,
    recipient_kind: str,
    name: str,
    recipient=None,
    birth_year: int | None = None,
    position: str = "",
    unit_name: str = "",
    achievement: str = "",
    period_from: int | None = None,
    period_to: int | None = None,
    review_result: str = "",
) -> None:
    if recipient_kind not in KIND_MODELS:
        raise ValidationError({"recipient_kind": "Hãy chọn đối tượng: tập thể, cá nhân hoặc hộ."})
    name = " ".join((name or "").split())
    line.recipient_kind = recipient_kind
    line.name = name
    line.birth_year = birth_year
    line.position = (position or "").strip()
    line.unit_name = (unit_name or "").strip()
    line.award_type = award_type
    line.achievement = (achievement or "").strip()
    line.period_to = period_to or proposal.round.year
    line.period_from = period_from or line.period_to
    line.review_result = (review_result or "").strip()
    if recipient is None and name:
        recipient = _match_recipient(proposal, recipient_kind, name, birth_year)
    line.collective = line.individual = line.household = None
    if recipient is not None:
        if isinstance(recipient, KIND_MODELS[recipient_kind]):
            setattr(line, KIND_FIELD[recipient_kind], recipient)
        else:
            raise ValidationError(
                {"recipient_kind": "Đối tượng chọn trong sổ không đúng loại đối tượng của dòng."}
            )


def _line_save(proposal: Proposal, line: ProposalLine, user) -> ProposalLine:
    _line_check(proposal, line)
    line.proposal = proposal
    if not line.line_no:
        last = proposal.lines.order_by("-line_no").values_list("line_no", flat=True).first()
        line.line_no = (last or 0) + 1
    line.full_clean(exclude=["award_type", "collective", "individual", "household", "award"])
    line.warnings = "\n".join(lines_warnings(round=proposal.round, lines=[line])[0])
    line._history_user = history_user(user)
    line.save()
    return line


@transaction.atomic
def proposal_line_add(*, proposal: Proposal, user=None, **values) -> ProposalLine:
    """One line: a recipient of the unit (found in the registry by name, or new), an award type,
    the achievement and the unit's own bình xét result; warned by the rules in force."""
    proposal = _locked(proposal)
    _ensure_unit_may_edit(proposal)
    line = ProposalLine(proposal=proposal)
    _line_fill(line, proposal=proposal, **values)
    return _line_save(proposal, line, user)


@transaction.atomic
def proposal_line_update(*, line: ProposalLine, user=None, **values) -> ProposalLine:
    proposal = _locked(line.proposal)
    _ensure_unit_may_edit(proposal)
    line = ProposalLine.objects.get(pk=line.pk, proposal=proposal)
    _line_fill(line, proposal=proposal, **values)
    return _line_save(proposal, line, user)


@transaction.atomic
def proposal_line_delete(*, line: ProposalLine, user=None) -> None:
    proposal = _locked(line.proposal)
    _ensure_unit_may_edit(proposal)
    line = ProposalLine.objects.get(pk=line.pk, proposal=proposal)
    for attachment in line.attachments.all():
        attachment._history_user = history_user(user)
        attachment.file.delete(save=False)
        attachment.delete()
    line._history_user = history_user(user)
    line.delete()


@transaction.atomic
def proposal_lines_import(
    *, proposal: Proposal, data: bytes, file_name: str, user=None
) -> list[ProposalLine]:
    """Lines from a spreadsheet the registry already reads (the honorees list): all or nothing."""
    from registry.resources import RESOURCES
    from registry.services.imports import (
        FileProblem,
        check_upload_size,
        parse_sheets,
        problems_as_text,
        workbook_rows,
    )
    from registry.services.imports.awardtypes import kinds_from_award_types, resolve_award_types
    from registry.services.imports.kinds.base import achievement_period
    from registry.services.imports.rows import clean_person

    proposal = _locked(proposal)
    _ensure_unit_may_edit(proposal)
    round = proposal.round
    problems: list[dict] = []
    try:
        check_upload_size(len(data))
        sheets, _encoding, problems = workbook_rows(data)
        lines, read_problems = parse_sheets(
            sheets=sheets,
            resource=RESOURCES[ImportKind.HONOREES](),
            default_kind=RecipientKind.INDIVIDUAL.value,
        )
        read = {(line.sheet, line.row) for line in lines}
        problems = [p for p in problems if p["row"] is None or (p["sheet"], p["row"]) in read]
        problems += read_problems
        kinds_from_award_types(lines, None, round.authority)
        today = timezone.localdate()
        for line in lines:
            clean_person(line, problems, today)
        has_column = any("award_type" in line.cols for line in lines)
        types = resolve_award_types(lines, problems, None, has_column, round.authority)
    except FileProblem as refused:
        raise ValidationError({"file": [f"{file_name}: {refused}"]}) from refused
    if problems:
        raise ValidationError({"file": problems_as_text(problems)})
    written = []
    messages = []
    for line in lines:
        period_from, period_to = achievement_period(line, round.year)
        row = ProposalLine(proposal=proposal)
        try:
            _line_fill(
                row,
                proposal=proposal,
                award_type=types.get(line.award_type_id),
                recipient_kind=line.kind,
                name=line.name,
                birth_year=line.birth_year,
                position=line.position,
                unit_name=line.unit,
                achievement=line.achievement,
                period_from=period_from,
                period_to=period_to,
                review_result=line.note,
            )
            written.append(_line_save(proposal, row, user))
        except ValidationError as error:
            messages += [
                f"Trang “{line.sheet}”, dòng {line.row}: {m}"
                for ms in error.message_dict.values()
                for m in ms
            ]
    if messages:
        transaction.set_rollback(True)
        raise ValidationError({"file": messages})
    return written


# ----------------------------------------------------------------------------- attachments

_ALLOWED = {
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".docx": "docx",
    ".xlsx": "xlsx",
}
ALLOWED_LABEL = "PDF, ảnh (PNG, JPEG), Word (.docx) hoặc Excel (.xlsx)"


def _sniff(head: bytes, data_file) -> str | None:
    """What the bytes are, whatever the name says."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            data_file.seek(0)
            names = set(zipfile.ZipFile(data_file).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def attachment_check(*, upload) -> str:
    """The file's checked type, or a ValidationError on “file” saying what is accepted."""
    limit = settings.PROPOSAL_ATTACHMENT_MAX_BYTES
    name = PurePath(getattr(upload, "name", "") or "").name
    if not name:
        raise ValidationError({"file": "Hãy chọn tệp cần đính kèm."})
    if upload.size > limit:
        raise ValidationError(
            {
                "file": f"Tệp “{name}” nặng {upload.size / 1048576:.1f} MB, quá giới hạn "
                f"{limit / 1048576:.0f} MB. Hãy nén hoặc chia nhỏ tệp."
            }
        )
    wanted = _ALLOWED.get(PurePath(name).suffix.lower())
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    found = _sniff(content[:16], io.BytesIO(content))
    if wanted is None or found != wanted:
        raise ValidationError(
            {
                "file": f"Tệp “{name}” không phải {ALLOWED_LABEL} (hệ thống kiểm tra nội dung "
                "tệp, không chỉ phần đuôi tên). Hãy lưu lại đúng định dạng rồi tải lên."
            }
        )
    return found


@transaction.atomic
def proposal_attach(
    *, proposal: Proposal, upload, document_kind: str, line: ProposalLine | None = None, user=None
) -> Attachment:
    proposal = _locked(proposal)
    _ensure_unit_may_edit(proposal)
    if document_kind not in DocumentKind.values:
        raise ValidationError({"document_kind": "Hãy chọn thành phần hồ sơ."})
    if line is not None and line.proposal_id != proposal.pk:
        raise ValidationError({"line": "Dòng đề nghị không thuộc hồ sơ này."})
    attachment_check(upload=upload)
    name = PurePath(upload.name).name[:200]
    attachment = Attachment(
        proposal=proposal,
        line=line,
        document_kind=document_kind,
        file_name=name,
        size=upload.size,
        uploaded_by=history_user(user),
    )
    attachment.file.save(name, upload, save=False)
    try:
        _save(attachment, user)
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, user=None) -> None:
    proposal = _locked(attachment.proposal)
    _ensure_unit_may_edit(proposal)
    attachment._history_user = history_user(user)
    stored = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(stored))


# ----------------------------------------------------------------------------- checklist


@dataclass
class ChecklistItem:
    requirement: DossierRequirement
    attachments: list[Attachment]

    @property
    def done(self) -> bool:
        return bool(self.attachments)


@dataclass
class LineChecklist:
    line: ProposalLine
    items: list[ChecklistItem] = field(default_factory=list)

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.done]


@dataclass
class Checklist:
    proposal_items: list[ChecklistItem]
    lines: list[LineChecklist]

    @property
    def complete(self) -> bool:
        return all(i.done for i in self.proposal_items) and not any(lc.missing for lc in self.lines)

    def missing_messages(self) -> list[str]:
        messages = [
            f"Hồ sơ còn thiếu: {item.requirement.get_document_kind_display()} "
            f"(căn cứ {item.requirement.legal_basis})."
            for item in self.proposal_items
            if not item.done
        ]
        for lc in self.lines:
            for item in lc.missing:
                messages.append(
                    f"Dòng {lc.line.line_no} ({lc.line.name}, {lc.line.award_type.name}) còn "
                    f"thiếu: {item.requirement.get_document_kind_display()}."
                )
        return messages


def _applies(req: DossierRequirement, award_type: AwardType, kind: str, loai_hinh: str) -> bool:
    return (
        (req.award_type_id is None or req.award_type_id == award_type.pk)
        and (not req.award_family or req.award_family == award_type.family)
        and (not req.recipient_kind or req.recipient_kind == kind)
        and (not req.loai_hinh or req.loai_hinh == loai_hinh)
    )


def requirements_in_force(*, day: date | None = None) -> list[DossierRequirement]:
    day = day or timezone.localdate()
    return list(
        DossierRequirement.objects.filter(DossierRequirement.valid_on_q(day)).select_related(
            "award_type"
        )
    )


def proposal_checklist(*, proposal: Proposal, day: date | None = None) -> Checklist:
    """What the law asks of this dossier today, and which documents answer it; four queries."""
    lines = list(proposal.lines.select_related("award_type").order_by("line_no", "id"))
    attachments = list(proposal.attachments.all())
    loai_hinh = proposal.round.kind
    requirements = requirements_in_force(day=day)
    proposal_items = []
    seen = set()
    for req in requirements:
        if req.scope != RequirementScope.PROPOSAL or req.document_kind in seen:
            continue
        if any(_applies(req, ln.award_type, ln.recipient_kind, loai_hinh) for ln in lines):
            seen.add(req.document_kind)
            proposal_items.append(
                ChecklistItem(req, [a for a in attachments if a.document_kind == req.document_kind])
            )
    line_lists = []
    for ln in lines:
        lc = LineChecklist(ln)
        kinds = set()
        for req in requirements:
            if req.scope != RequirementScope.LINE or req.document_kind in kinds:
                continue
            if _applies(req, ln.award_type, ln.recipient_kind, loai_hinh):
                kinds.add(req.document_kind)
                lc.items.append(
                    ChecklistItem(
                        req,
                        [
                            a
                            for a in attachments
                            if a.line_id == ln.pk and a.document_kind == req.document_kind
                        ],
                    )
                )
        line_lists.append(lc)
    return Checklist(proposal_items, line_lists)


# ----------------------------------------------------------------------------- steps


@transaction.atomic
def proposal_submit(*, proposal: Proposal, user=None) -> Proposal:
    """The unit sends its dossier: refused while a line or a required document is missing."""
    proposal = _locked(proposal)
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.RETURNED):
        raise ValidationError(
            f"Hồ sơ đang ở trạng thái “{proposal.get_status_display()}”, không gửi lại được."
        )
    if proposal.round.status != RoundStatus.OPEN:
        raise ValidationError({"round": f"Đợt “{proposal.round.title}” đã đóng."})
    errors: dict[str, list[str]] = {}
    if not proposal.submission_number:
        errors["submission_number"] = ["Hãy nhập số tờ trình trước khi gửi."]
    if not proposal.submission_date:
        errors["submission_date"] = ["Hãy nhập ngày tờ trình trước khi gửi."]
    if not proposal.lines.exists():
        errors["__all__"] = ["Hồ sơ chưa có dòng đề nghị nào."]
    if errors:
        raise ValidationError(errors)
    missing = proposal_checklist(proposal=proposal).missing_messages()
    if missing:
        raise ValidationError(["Chưa gửi được: hồ sơ còn thiếu tài liệu theo quy định.", *missing])
    proposal.status = ProposalStatus.SUBMITTED
    proposal.submitted_at = timezone.now()
    _save(proposal, user)
    _notify_on_commit(
        proposal,
        f"Đã gửi hồ sơ {proposal.submission_number}",
        f"Hồ sơ đề nghị khen thưởng ({proposal.submission_label}) đã được gửi đến "
        f"{proposal.round.authority.name}, đang chờ tiếp nhận.",
    )
    return proposal


@transaction.atomic
def proposal_return(*, proposal: Proposal, reason: str, user=None) -> Proposal:
    """The office sends a dossier back, saying why (the unit sees the reason)."""
    proposal = _locked(proposal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"return_reason": "Hãy ghi lý do trả lại hồ sơ."})
    if proposal.status != ProposalStatus.SUBMITTED:
        raise ValidationError(
            f"Chỉ trả lại được hồ sơ đã gửi; hồ sơ này đang “{proposal.get_status_display()}”."
        )
    proposal.status = ProposalStatus.RETURNED
    proposal.return_reason = reason
    proposal.returned_at = timezone.now()
    _save(proposal, user)
    _notify_on_commit(
        proposal,
        f"Hồ sơ {proposal.submission_number} bị trả lại",
        f"Hồ sơ đề nghị khen thưởng ({proposal.submission_label}) bị trả lại.\n"
        f"Lý do: {reason}\nĐơn vị bổ sung, giải trình rồi gửi lại trên cổng đơn vị.",
    )
    return proposal


@transaction.atomic
def proposal_answer(*, proposal: Proposal, answer: str, user=None) -> Proposal:
    """The unit answers a return (what it completed or why); it then sends the dossier again."""
    proposal = _locked(proposal)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "Hãy ghi nội dung giải trình, bổ sung."})
    if proposal.status != ProposalStatus.RETURNED:
        raise ValidationError("Chỉ giải trình được hồ sơ bị trả lại.")
    proposal.answer = answer
    _save(proposal, user)
    return proposal


@transaction.atomic
def proposal_receive(*, proposal: Proposal, user=None) -> Proposal:
    """The office accepts a complete dossier; refused while a required document is missing."""
    proposal = _locked(proposal)
    if proposal.status != ProposalStatus.SUBMITTED:
        raise ValidationError(
            f"Chỉ tiếp nhận được hồ sơ đã gửi; hồ sơ này đang “{proposal.get_status_display()}”."
        )
    missing = proposal_checklist(proposal=proposal).missing_messages()
    if missing:
        raise ValidationError(["Chưa tiếp nhận được: hồ sơ còn thiếu tài liệu.", *missing])
    proposal.status = ProposalStatus.RECEIVED
    proposal.received_at = timezone.now()
    _save(proposal, user)
    _notify_on_commit(
        proposal,
        f"Đã tiếp nhận hồ sơ {proposal.submission_number}",
        f"Hồ sơ đề nghị khen thưởng ({proposal.submission_label}) đã được tiếp nhận, "
        "sẽ trình hội đồng thi đua – khen thưởng xét.",
    )
    return proposal


# ----------------------------------------------------------------------------- the round


@dataclass
class MergedLine:
    """One recipient and award type of a round, however many units proposed it."""

    key: tuple
    lines: list[ProposalLine]
    warnings: list[str] = field(default_factory=list)
    streaks: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)

    @property
    def first(self) -> ProposalLine:
        return self.lines[0]

    @property
    def proposers(self) -> list[str]:
        return [
            f"{ln.proposal.unit.name}"
            + (
                f" (Tờ trình {ln.proposal.submission_number})"
                if ln.proposal.submission_number
                else ""
            )
            for ln in self.lines
        ]

    @property
    def in_registry(self) -> bool:
        return self.first.recipient is not None

    @property
    def award(self):
        return next((ln.award for ln in self.lines if ln.award_id), None)


def _merge_key(line: ProposalLine) -> tuple:
    if line.recipient is not None:
        who = (line.recipient_kind, line.recipient.pk)
    else:
        who = (line.recipient_kind, fold(line.name), line.birth_year or 0, fold(line.unit_name))
    return (*who, line.award_type_id, line.period_from, line.period_to)


def round_lines(*, round: Round, explain: bool = True) -> list[MergedLine]:
    """Lines of the round's received proposals, one per recipient and award type, each with the
    proposers, the rules' warnings, the streaks and the awards already held."""
    lines = list(
        ProposalLine.objects.filter(proposal__round=round, proposal__status=ProposalStatus.RECEIVED)
        .select_related(
            "proposal__unit", "award_type", "collective", "individual", "household", "award"
        )
        .order_by("award_type__display_order", "name", "proposal_id", "line_no")
    )
    merged: dict[tuple, MergedLine] = {}
    for line in lines:
        key = _merge_key(line)
        merged.setdefault(key, MergedLine(key=key, lines=[])).lines.append(line)
    result = list(merged.values())
    if not explain or not result:
        return result
    firsts = [m.first for m in result]
    for m, found in zip(result, lines_warnings(round=round, lines=firsts), strict=True):
        m.warnings = found
    ids: dict[str, set[int]] = {k: set() for k in KIND_FIELD}
    for m in result:
        if m.in_registry:
            ids[m.first.recipient_kind].add(m.first.recipient.pk)
    held: dict[tuple, list[str]] = {}
    q = Q()
    for kind, wanted in ids.items():
        if wanted:
            q |= Q(**{f"{KIND_FIELD[kind]}_id__in": wanted})
    if q:
        for award in (
            counted_awards()
            .filter(q)
            .select_related("award_type", "decision")
            .order_by("-period_to")
        ):
            kind = award.recipient_kind
            pk = award.collective_id or award.individual_id or award.household_id
            held.setdefault((kind, pk), []).append(
                f"{award.award_type.name} {award.period_label} (QĐ {award.decision.number})"
            )
    streaks = recipients_streaks(recipients=[m.first.recipient for m in result if m.in_registry])
    for m in result:
        if m.in_registry:
            recipient = m.first.recipient
            m.streaks = streaks[(type(recipient), recipient.pk)]
            m.history = held.get((m.first.recipient_kind, m.first.recipient.pk), [])
    return result


def _new_recipient(line: ProposalLine, authority):
    kind = line.recipient_kind
    if kind == RecipientKind.INDIVIDUAL:
        obj = Individual(
            full_name=line.name,
            birth_year=line.birth_year,
            position=line.position,
            unit=line.proposal.unit,
            workplace=line.unit_name[:255],
            registered_by=authority,
        )
    elif kind == RecipientKind.COLLECTIVE:
        obj = Collective(name=line.name, parent_name=line.unit_name[:255], registered_by=authority)
    else:
        obj = Household(
            head_name=line.name,
            address=line.unit_name[:255],
            unit=line.proposal.unit,
            registered_by=authority,
        )
    return obj


@transaction.atomic
def round_lines_to_draft(
    *,
    round: Round,
    keys: list[tuple] | None = None,
    line_ids: list[int] | None = None,
    signed_date: date,
    signer_title: str = "",
    signer_name: str = "",
    signer_prefix: str = "",
    number: str = "",
    subject: str = "",
    reasons: dict[int, str] | None = None,
    cited_extra: str = "",
    user=None,
) -> Decision:
    """The clerk's choice of merged lines into a new draft decision of the round's authority,
    through the one award-line service; the decision cites the proposals' tờ trình."""
    reasons = reasons or {}
    chosen_ids = set(line_ids or [])
    merged = [
        m
        for m in round_lines(round=round, explain=False)
        if any(ln.pk in chosen_ids for ln in m.lines) or (keys and m.key in keys)
    ]
    if not merged:
        raise ValidationError({"lines": "Hãy chọn ít nhất một dòng đề nghị đã tiếp nhận."})
    done = [m for m in merged if m.award is not None]
    if done:
        raise ValidationError(
            {
                "lines": [
                    f"{m.first.name} ({m.first.award_type.name}) đã có trong quyết định "
                    f"{m.award.decision.number}."
                    for m in done
                ]
            }
        )
    authority = round.authority
    last = (
        Decision.objects.filter(authority=authority)
        .exclude(signer_name="")
        .order_by("-signed_date", "-id")
        .first()
    )
    signer_title = signer_title.strip() or (last.signer_title if last else "")
    signer_name = signer_name.strip() or (last.signer_name if last else "")
    signer_prefix = signer_prefix or (last.signer_prefix if last else "")
    errors = {}
    if not signer_title:
        errors["signer_title"] = "Hãy nhập chức vụ người ký."
    if not signer_name:
        errors["signer_name"] = "Hãy nhập họ tên người ký."
    if errors:
        raise ValidationError(errors)
    proposals = {}
    for m in merged:
        for ln in m.lines:
            proposals[ln.proposal_id] = ln.proposal
    cited = "; ".join(
        ([cited_extra] if cited_extra else [])
        + [p.submission_label for p in proposals.values() if p.submission_label]
    )
    units = {p.unit_id for p in proposals.values()}
    types = sorted({m.first.award_type.name for m in merged})
    decision = decision_create(
        authority=authority,
        number=number.strip() or decision_next_number(authority=authority, day=signed_date),
        signed_date=signed_date,
        subject=subject.strip()
        or f"Về việc tặng {', '.join(types)} cho các tập thể, cá nhân ({round.title})",
        signer_title=signer_title,
        signer_name=signer_name,
        signer_prefix=signer_prefix,
        loai_hinh=round.kind if round.kind in LoaiHinh.values else LoaiHinh.REGULAR,
        campaign=round.campaign,
        proposal=cited[:255],
        proposing_unit=next(iter(proposals.values())).unit if len(units) == 1 else None,
        user=user,
    )
    awards = []
    labels = []
    for m in merged:
        first = m.first
        recipient = first.recipient
        if recipient is None:
            recipient = _new_recipient(first, authority)
            _save(recipient, user)
            for ln in m.lines:
                setattr(ln, KIND_FIELD[ln.recipient_kind], recipient)
        reason = (reasons.get(first.pk) or "").strip()
        awards.append(
            Award(
                award_type=first.award_type,
                period_from=first.period_from,
                period_to=first.period_to,
                achievement=first.achievement,
                recipient_position=first.position,
                eligibility_override=reason,
                **recipient_fields(recipient),
            )
        )
        labels.append(f"{first.name} ({first.award_type.name}, {', '.join(m.proposers)})")
    awards_add(decision=decision, awards=awards, user=user, labels=labels)
    for m, award in zip(merged, awards, strict=True):
        for ln in m.lines:
            ln.award = award
            ln._history_user = history_user(user)
            ln.save()
    for proposal in proposals.values():
        proposal = Proposal.objects.get(pk=proposal.pk)
        proposal.decision = decision
        _save(proposal, user)
    return decision


def proposal_outcome(*, proposal: Proposal) -> dict | None:
    """What became of a received dossier: the decision and the lines it took."""
    if proposal.decision_id is None:
        return None
    decision = proposal.decision
    return {
        "decision": decision,
        "issued": decision.is_issued,
        "awarded": [ln for ln in proposal.lines.all() if ln.award_id],
    }


@transaction.atomic
def proposal_outcome_link(*, proposal: Proposal, decision: Decision, user=None) -> int:
    """Record a decision made outside the round's draft (typed or imported) as the outcome of a
    received proposal: each line is tied to the decision's award of the same name and award
    type. No award is written here. Returns the number of lines tied."""
    proposal = _locked(proposal)
    if proposal.status != ProposalStatus.RECEIVED:
        raise ValidationError("Chỉ ghi kết quả cho hồ sơ đã tiếp nhận.")
    if decision.authority_id != proposal.round.authority_id:
        raise ValidationError({"decision": "Quyết định không phải của cấp khen của đợt xét."})
    awards = {}
    for award in decision.awards.select_related("collective", "individual", "household"):
        awards.setdefault((fold(award.recipient_name), award.award_type_id), award)
    tied = 0
    for line in proposal.lines.all():
        award = awards.get((fold(line.name), line.award_type_id))
        if award is None:
            continue
        line.award = award
        kind = award.recipient_kind
        line.recipient_kind = kind
        line.collective, line.individual, line.household = (
            award.collective,
            award.individual,
            award.household,
        )
        line._history_user = history_user(user)
        line.save()
        tied += 1
    proposal.decision = decision
    _save(proposal, user)
    return tied
