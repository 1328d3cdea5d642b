"""Write paths for decisions: draft, number, issue. Award lines go through services.awards."""

import re
import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from registry.models import Authority, Award, AwardPower, AwardType, Decision, LoaiHinh
from registry.models.awards import DecisionKind, DecisionStatus
from registry.services.awards import (
    award_add,
    award_cash_amount,
    award_snapshot,
    awards_add,
    awards_check,
    awards_price,
    awards_problems,
    decision_authority_check,
    decision_ensure_draft,
    history_user,
    problems_as_messages,
)
from registry.services.received_papers import decision_signed_require

# Scripts written against this module's earlier face still find the award-line functions here;
# they are services.awards' own.
__all__ = [
    "award_add",
    "award_cash_amount",
    "award_save",
    "award_snapshot",
    "award_type_allowed",
    "award_types_allowed",
    "awards_problems",
    "decision_create",
    "decision_defaults",
    "decision_ensure_draft",
    "decision_issue",
    "decision_next_number",
    "decision_number_check",
    "decision_save",
    "verification_code_new",
]

# 32 symbols without 0/O and 1/I, 16 of them: 80 random bits, read aloud without confusion.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 16


def verification_code_new() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


def award_save(*, award: Award) -> Award:
    """One line of a draft, new or edited: the same path as a list (services.awards)."""
    return awards_add(decision=award.decision, awards=[award])[0]


def award_type_allowed(*, authority: Authority, award_type: AwardType, day: date) -> bool:
    """Whether the authority's level (in its chain) may give this award type on that day."""
    return AwardPower.objects.filter(
        AwardPower.valid_on_q(day),
        chain=authority.chain,
        level=authority.level,
        award_type=award_type,
    ).exists() and award_type.is_valid_on(day)


def decision_next_number(*, authority: Authority, day: date) -> str:
    """The next free number in the authority's numbering period, in its pattern ("16/QĐ-UBND")."""
    period = authority.numbering_period(day)
    used = Decision.objects.filter(authority=authority, numbering_period=period).values_list(
        "number", flat=True
    )
    highest = max((int(m.group()) for n in used if (m := re.match(r"\d+", n.strip()))), default=0)
    return authority.number_pattern.replace("{n}", str(highest + 1))


def award_types_allowed(*, authority: Authority, day: date):
    """The award types the authority's level (in its chain) may give on that day, in the
    catalogue's order: the choices a decision's lines offer."""
    powered = AwardPower.objects.filter(
        AwardPower.valid_on_q(day), chain=authority.chain, level=authority.level
    ).values("award_type_id")
    return AwardType.objects.filter(AwardType.valid_on_q(day), pk__in=powered)


def decision_defaults(*, authority: Authority, day: date) -> dict[str, str]:
    """What a new decision of the authority starts with: the next number, the place printed on
    the date line, and the signer of the authority's latest decision (who usually signs again)."""
    last = (
        Decision.objects.filter(authority=authority)
        .exclude(signer_name="")
        .order_by("-signed_date", "-id")
        .values("signer_prefix", "signer_title", "signer_name")
        .first()
    ) or {"signer_prefix": "", "signer_title": "", "signer_name": ""}
    return {
        "number": decision_next_number(authority=authority, day=day),
        "place": authority.place_name,
        **last,
    }


def decision_number_check(decision: Decision) -> None:
    """Refuse a number already used in the authority's numbering period, naming the decision
    that holds it and the next free number."""
    number = (decision.number or "").strip()
    if not (number and decision.authority_id and decision.signed_date):
        return
    period = decision.authority.numbering_period(decision.signed_date)
    other = (
        Decision.objects.filter(
            authority_id=decision.authority_id, numbering_period=period, number=number
        )
        .exclude(pk=decision.pk)
        .first()
    )
    if other is not None:
        free = decision_next_number(authority=decision.authority, day=decision.signed_date)
        raise ValidationError(
            {
                "number": f"Số quyết định {number} đã dùng cho quyết định ngày "
                f"{other.signed_date:%d/%m/%Y} của {decision.authority.name} (kỳ đánh số "
                f"{period}). Hãy ghi số khác, ví dụ {free}."
            }
        )


def decision_save(*, decision: Decision, user=None) -> Decision:
    """Create or update a draft decision (the admin form and the importers come through here)."""
    decision_ensure_draft(decision)
    if decision.authority_id:
        decision.numbering_period = decision.authority.numbering_period(decision.signed_date)
        decision.place = decision.place or decision.authority.place_name
        decision_number_check(decision)
    decision.full_clean()
    decision._history_user = history_user(user)
    decision.save()
    return decision


def decision_create(
    *,
    authority: Authority,
    number: str,
    signed_date: date,
    subject: str,
    signer_title: str,
    signer_name: str,
    signer_prefix: str = "",
    loai_hinh: str = LoaiHinh.REGULAR,
    campaign=None,
    legal_bases: str = "",
    proposal: str = "",
    proposing_unit=None,
    proposing_authority=None,
    place: str = "",
    kind: str = DecisionKind.AWARD,
    user=None,
) -> Decision:
    decision = Decision(
        authority=authority,
        kind=kind,
        number=number.strip(),
        signed_date=signed_date,
        subject=subject,
        signer_title=signer_title,
        signer_name=signer_name,
        signer_prefix=signer_prefix,
        loai_hinh=loai_hinh,
        campaign=campaign,
        legal_bases=legal_bases,
        proposal=proposal,
        proposing_unit=proposing_unit,
        proposing_authority=proposing_authority,
        place=place,
    )
    return decision_save(decision=decision, user=user)


@transaction.atomic
def decision_issue(*, decision: Decision, user=None, past: bool = False) -> Decision:
    """The paper is signed: check every line, number it in the register, give it a code, lock.

    Every line is checked again whatever wrote it: a line whose recipient does not meet the rule
    in force needs the council's reason. `past` records a decision copied from an old register.
    """
    # Locking the authority row serialises issuing per authority, so numbers stay gapless.
    authority = Authority.objects.select_for_update().get(pk=decision.authority_id)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    decision_ensure_draft(decision)
    if not decision.number.strip():
        raise ValidationError({"number": "Chưa có số quyết định."})
    decision_authority_check(decision)
    # The authority may require the paper signed on the signer's token before the register.
    decision_signed_require(decision)
    awards = list(
        decision.awards.select_related(
            "award_type", "decision__authority", "collective", "individual", "household"
        ).order_by("line_no", "id")
    )
    if decision.kind == DecisionKind.AWARD and not awards:
        raise ValidationError("Quyết định chưa có dòng khen thưởng nào, chưa ban hành được.")
    if decision.kind != DecisionKind.AWARD and awards:
        raise ValidationError(
            f"Quyết định {decision.get_kind_display().lower()} không có dòng khen thưởng mới; "
            "hãy xóa các dòng hoặc đổi loại quyết định."
        )
    problems = awards_check(decision=decision, awards=awards, past=past)
    messages = problems_as_messages(awards, problems)
    if messages:
        raise ValidationError(messages)

    last = (
        Award.objects.filter(authority=authority, register_number__isnull=False)
        .order_by("-register_number")
        .values_list("register_number", flat=True)
        .first()
    ) or 0
    for offset, award in enumerate(awards, start=1):
        award.register_number = last + offset
        award.verification_code = verification_code_new()
    # The signed date may have moved since the lines were added: price on the day of signing.
    awards_price(decision=decision, awards=awards)
    user = history_user(user)
    bulk_update_with_history(
        awards,
        Award,
        ["register_number", "verification_code", "cash_amount"],
        batch_size=500,
        default_user=user,
    )
    decision.status = DecisionStatus.ISSUED
    decision.issued_at = timezone.now()
    decision.issued_by = user
    decision._history_user = user
    decision.save(update_fields=["status", "issued_at", "issued_by"])
    return decision
