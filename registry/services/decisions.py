"""Write paths for decisions and their award lines: draft, add lines, issue."""

import math
import re
import secrets
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from registry.models import (
    Authority,
    Award,
    AwardPower,
    AwardType,
    BaseSalary,
    CashMultiple,
    Collective,
    Decision,
    Household,
    Individual,
    LoaiHinh,
    RecipientKind,
)
from registry.models.awards import DecisionKind, DecisionStatus

# 32 symbols without 0/O and 1/I, 16 of them: 80 random bits, read aloud without confusion.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 16

Recipient = Collective | Individual | Household


def verification_code_new() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


def decision_ensure_draft(decision: Decision) -> None:
    if (
        decision.pk
        and Decision.objects.filter(pk=decision.pk, status=DecisionStatus.ISSUED).exists()
    ):
        raise ValidationError(
            f"Quyết định {decision.number} đã ban hành nên không sửa được. "
            "Muốn thay đổi, hãy ban hành quyết định hủy bỏ hoặc đính chính."
        )


def award_type_allowed(*, authority: Authority, award_type: AwardType, day: date) -> bool:
    """Whether the authority's level (in its chain) may give this award type on that day."""
    return AwardPower.objects.filter(
        AwardPower.valid_on_q(day),
        chain=authority.chain,
        level=authority.level,
        award_type=award_type,
    ).exists() and award_type.is_valid_on(day)


def award_cash_amount(
    *, award_type: AwardType, recipient_kind: str, authority: Authority, day: date
) -> int | None:
    """Cash in đồng from the dated tables, or None when no row covers the day ('chưa xác định')."""
    multiples = CashMultiple.objects.filter(
        CashMultiple.valid_on_q(day),
        award_type=award_type,
        recipient_kind=recipient_kind,
        chain=authority.chain,
        level__in=[authority.level, ""],
    ).order_by("-level")  # a row for the authority's own level beats a row for every level
    multiple = multiples.values_list("multiple", flat=True).first()
    base = (
        BaseSalary.objects.filter(valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("amount", flat=True)
        .first()
    )
    if multiple is None or base is None:
        return None
    amount = Decimal(multiple) * base
    step = settings.CASH_ROUNDING_STEP
    if step > 0:
        return int(math.ceil(amount / step) * step)
    return int(amount)


def _recipient_fields(recipient: Recipient) -> dict:
    if isinstance(recipient, Collective):
        return {"collective": recipient, "individual": None, "household": None}
    if isinstance(recipient, Individual):
        return {"collective": None, "individual": recipient, "household": None}
    if isinstance(recipient, Household):
        return {"collective": None, "individual": None, "household": recipient}
    raise ValidationError("Đối tượng được khen phải là tập thể, cá nhân hoặc hộ gia đình.")


def award_snapshot(award: Award) -> None:
    """Copy the name, position and unit as they are printed on the day, where not typed in."""
    recipient = award.recipient
    if isinstance(recipient, Individual):
        award.recipient_name = award.recipient_name or recipient.full_name
        award.recipient_position = award.recipient_position or recipient.position
        award.recipient_unit = award.recipient_unit or recipient.unit_label
        award.recipient_category = award.recipient_category or recipient.category
    elif isinstance(recipient, Collective):
        award.recipient_name = award.recipient_name or recipient.name
        award.recipient_unit = award.recipient_unit or recipient.parent_name
        award.recipient_category = award.recipient_category or recipient.category
    elif isinstance(recipient, Household):
        award.recipient_name = award.recipient_name or f"Gia đình ông (bà) {recipient.head_name}"
        award.recipient_unit = award.recipient_unit or recipient.address


def awards_problems(*, decision: Decision, awards: list[Award]) -> list[dict[str, list[str]]]:
    """The rules award lines must meet, checked for a batch in a bounded number of queries.

    Returns, for each award in order, its problems by field ("__all__" for the line); Vietnamese.
    """
    problems: list[dict[str, list[str]]] = [{} for _ in awards]
    day = decision.signed_date
    allowed: dict[int, bool] = {}
    if day:
        type_ids = {a.award_type_id for a in awards if a.award_type_id}
        powered = set(
            AwardPower.objects.filter(
                AwardPower.valid_on_q(day),
                chain=decision.authority.chain,
                level=decision.authority.level,
                award_type_id__in=type_ids,
            ).values_list("award_type_id", flat=True)
        )
        for award_type in AwardType.objects.filter(pk__in=type_ids):
            allowed[award_type.pk] = award_type.pk in powered and award_type.is_valid_on(day)

    def add(index: int, field: str, message: str) -> None:
        problems[index].setdefault(field, []).append(message)

    def recipient_key(award: Award) -> tuple | None:
        ids = (award.collective_id, award.individual_id, award.household_id)
        return ids if sum(1 for i in ids if i) == 1 else None

    # Earlier awards to the same recipients for the same type and period (one query).
    keys = {recipient_key(a) for a in awards} - {None}
    earlier: dict[tuple, Award] = {}
    if keys:
        siblings = Award.objects.filter(
            award_type_id__in={a.award_type_id for a in awards},
            revoked_by__isnull=True,
        ).select_related("decision")
        siblings = siblings.filter(
            Q(collective_id__in={k[0] for k in keys if k[0]})
            | Q(individual_id__in={k[1] for k in keys if k[1]})
            | Q(household_id__in={k[2] for k in keys if k[2]})
        ).exclude(pk__in=[a.pk for a in awards if a.pk])
        for other in siblings:
            key = (recipient_key(other), other.award_type_id, other.period_from, other.period_to)
            earlier.setdefault(key, other)

    seen: dict[tuple, int] = {}
    for index, award in enumerate(awards):
        key = recipient_key(award)
        if key is None:
            add(
                index,
                "__all__",
                "Mỗi dòng khen thưởng chọn đúng một đối tượng: tập thể, cá nhân hoặc hộ gia đình.",
            )
        if award.period_from and award.period_to and award.period_from > award.period_to:
            add(index, "period_from", "Năm bắt đầu của thành tích không được sau năm kết thúc.")
        if award.period_to and day and award.period_to > day.year:
            add(
                index,
                "period_to",
                f"Thành tích đến năm {award.period_to} nhưng quyết định ký ngày {day:%d/%m/%Y}: "
                "không khen trước thành tích.",
            )
        award_type = award.award_type if award.award_type_id else None
        if award_type is None:
            continue
        if key is not None and not award_type.allows(award.recipient_kind):
            add(
                index,
                "award_type",
                f"{award_type.name} không tặng cho {RecipientKind(award.recipient_kind).label.lower()}.",
            )
        if day and not allowed.get(award_type.pk, False):
            add(
                index,
                "award_type",
                f"{decision.authority.name} không có thẩm quyền tặng {award_type.name} vào ngày "
                f"{day:%d/%m/%Y}. Hãy chọn hình thức khác hoặc trình cấp có thẩm quyền.",
            )
        if key is None or not award.period_to:
            continue
        line_key = (key, award_type.pk, award.period_from, award.period_to)
        if line_key in seen:
            add(
                index,
                "__all__",
                f"{award.recipient} có hai dòng {award_type.name} trong cùng quyết định (dòng {seen[line_key]}).",
            )
        seen.setdefault(line_key, award.line_no or index + 1)
        twin = earlier.get(line_key)
        if twin:
            add(
                index,
                "__all__",
                f"{award.recipient} đã được tặng {award_type.name} cho thành tích {award.period_label} "
                f"(quyết định {twin.decision.number}). Một thành tích không khen hai lần.",
            )
    return problems


def award_validate(*, award: Award) -> None:
    problems = awards_problems(decision=award.decision, awards=[award])[0]
    if problems:
        raise ValidationError(problems)


def decision_next_number(*, authority: Authority, day: date) -> str:
    """The next free number in the authority's numbering period, in its pattern ("16/QĐ-UBND")."""
    period = authority.numbering_period(day)
    used = Decision.objects.filter(authority=authority, numbering_period=period).values_list(
        "number", flat=True
    )
    highest = max((int(m.group()) for n in used if (m := re.match(r"\d+", n.strip()))), default=0)
    return authority.number_pattern.replace("{n}", str(highest + 1))


def decision_save(*, decision: Decision, user=None) -> Decision:
    """Create or update a draft decision (the admin form and the importers come through here)."""
    decision_ensure_draft(decision)
    if decision.authority_id:
        decision.numbering_period = decision.authority.numbering_period(decision.signed_date)
        decision.place = decision.place or decision.authority.place_name
    decision.full_clean()
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


def award_save(*, award: Award) -> Award:
    """Validate and save one award line of a draft decision, with its snapshot and cash."""
    decision = award.decision
    decision_ensure_draft(decision)
    award.authority_id = decision.authority_id
    if not award.loai_hinh:
        award.loai_hinh = decision.loai_hinh
    if award.campaign_id is None and decision.campaign_id:
        award.campaign_id = decision.campaign_id
    if not award.line_no:
        last = decision.awards.order_by("-line_no").values_list("line_no", flat=True).first()
        award.line_no = (last or 0) + 1
    award_validate(award=award)
    award_snapshot(award)
    award.cash_amount = award_cash_amount(
        award_type=award.award_type,
        recipient_kind=award.recipient_kind,
        authority=decision.authority,
        day=decision.signed_date,
    )
    award.full_clean(exclude=["authority"])
    award.save()
    return award


def award_add(
    *,
    decision: Decision,
    award_type: AwardType,
    recipient: Recipient,
    period_from: int,
    period_to: int,
    achievement: str = "",
    loai_hinh: str | None = None,
    campaign=None,
    recipient_category: str = "",
) -> Award:
    award = Award(
        decision=decision,
        award_type=award_type,
        period_from=period_from,
        period_to=period_to,
        achievement=achievement,
        loai_hinh=loai_hinh or "",
        campaign=campaign,
        recipient_category=recipient_category,
        **_recipient_fields(recipient),
    )
    return award_save(award=award)


@transaction.atomic
def decision_issue(*, decision: Decision, user=None) -> Decision:
    """The paper is signed: check every line, number it in the register, give it a code, lock."""
    # Locking the authority row serialises issuing per authority, so numbers stay gapless.
    authority = Authority.objects.select_for_update().get(pk=decision.authority_id)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    decision_ensure_draft(decision)
    if not decision.number.strip():
        raise ValidationError({"number": "Chưa có số quyết định."})
    awards = list(
        decision.awards.select_related("award_type", "decision__authority").order_by(
            "line_no", "id"
        )
    )
    if decision.kind == DecisionKind.AWARD and not awards:
        raise ValidationError("Quyết định chưa có dòng khen thưởng nào, chưa ban hành được.")
    if decision.kind != DecisionKind.AWARD and awards:
        raise ValidationError(
            f"Quyết định {decision.get_kind_display().lower()} không có dòng khen thưởng mới; "
            "hãy xóa các dòng hoặc đổi loại quyết định."
        )
    problems = [
        f"Dòng {award.line_no} ({award.recipient_name}): {message}"
        for award, found in zip(
            awards, awards_problems(decision=decision, awards=awards), strict=True
        )
        for messages in found.values()
        for message in messages
    ]
    if problems:
        raise ValidationError(problems)

    last = (
        Award.objects.filter(authority=authority, register_number__isnull=False)
        .order_by("-register_number")
        .values_list("register_number", flat=True)
        .first()
    ) or 0
    cash_cache: dict[tuple, int | None] = {}
    for offset, award in enumerate(awards, start=1):
        award.register_number = last + offset
        award.verification_code = verification_code_new()
        key = (award.award_type_id, award.recipient_kind)
        if key not in cash_cache:
            cash_cache[key] = award_cash_amount(
                award_type=award.award_type,
                recipient_kind=award.recipient_kind,
                authority=authority,
                day=decision.signed_date,
            )
        award.cash_amount = cash_cache[key]
    Award.objects.bulk_update(
        awards, ["register_number", "verification_code", "cash_amount"], batch_size=500
    )
    decision.status = DecisionStatus.ISSUED
    decision.issued_at = timezone.now()
    decision.issued_by = user if user is not None and user.is_authenticated else None
    decision.save(update_fields=["status", "issued_at", "issued_by"])
    return decision
