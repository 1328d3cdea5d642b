"""The one write path for award lines: every caller adds lines to a draft decision here.

The admin form, the imports, the bloc ranking's draft, the demo loader and later callers all
come through `awards_add`, so the checks (the authority's power on the day, the recipient kind,
the same achievement twice, eligibility), the snapshot, the cash and the history rows are the
same whoever writes the line.
"""

import math
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

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
    RecipientKind,
)
from registry.models.awards import AwardFamily, DecisionStatus, LoaiHinh
from registry.models.law import CashRounding
from registry.selectors.eligibility import award_eligibility_warnings
from registry.selectors.law import authority_lapse, cash_principles
from registry.text import fold

Recipient = Collective | Individual | Household

ELIGIBILITY_REASON_NEEDED = (
    "Nếu Hội đồng vẫn đề nghị, hãy ghi lý do vào ô (cột) “Lý do vẫn đề nghị”."
)

# Foreign keys are set from objects the caller already holds; clean_fields() would check each
# one with a query per line.
_RELATED = [
    "decision",
    "authority",
    "award_type",
    "collective",
    "individual",
    "household",
    "campaign",
    "revoked_by",
]
# What an edit of a draft line may change (the rest is set on issue or by a revocation).
_EDITABLE = [
    "line_no",
    "award_type",
    "loai_hinh",
    "collective",
    "individual",
    "household",
    "recipient_name",
    "recipient_position",
    "recipient_unit",
    "achievement",
    "period_from",
    "period_to",
    "campaign",
    "cash_amount",
    "recipient_category",
    "eligibility_override",
]


class AwardLinesInvalid(ValidationError):
    """The lines break a rule: the messages ("Dòng 3 (…): …") and, for a form that shows each
    problem on its line, the problems by line (the order of the awards given) and field."""

    def __init__(self, messages: list[str], *, problems: list[dict[str, list[str]]]):
        super().__init__(messages)
        self.problems = problems


def history_user(user):
    """The user to name in history rows: None for scripts and anonymous requests."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def decision_ensure_draft(decision: Decision) -> None:
    if (
        decision.pk
        and Decision.objects.filter(pk=decision.pk, status=DecisionStatus.ISSUED).exists()
    ):
        raise ValidationError(
            f"Quyết định {decision.number} đã ban hành nên không sửa được. "
            "Muốn thay đổi, hãy ban hành quyết định hủy bỏ hoặc đính chính."
        )


def recipient_fields(recipient: Recipient) -> dict:
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


_UNSET = object()


def award_cash_amount(
    *,
    award_type: AwardType,
    recipient_kind: str,
    authority: Authority,
    day: date,
    principles: CashRounding | None | object = _UNSET,
) -> int | None:
    """Cash in đồng from the dated tables, or None when no row covers the day ('chưa xác định').

    A household with no row of its own gets the individual amount times the household factor
    of the decree in force (1.5 under Nghị định 152/2025)."""
    if principles is _UNSET:
        principles = cash_principles(day=day)
    kinds = [recipient_kind]
    factor = Decimal(1)
    if recipient_kind == RecipientKind.HOUSEHOLD and principles and principles.household_factor:
        kinds.append(RecipientKind.INDIVIDUAL)
    rows = CashMultiple.objects.filter(
        CashMultiple.valid_on_q(day),
        award_type=award_type,
        recipient_kind__in=kinds,
        chain=authority.chain,
        level__in=[authority.level, ""],
    ).values_list("recipient_kind", "level", "multiple")
    # The recipient's own row beats the derived one; a row for the authority's level beats a
    # row for every level.
    best = max(rows, key=lambda row: (row[0] == recipient_kind, row[1] != ""), default=None)
    base = (
        BaseSalary.objects.filter(valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("amount", flat=True)
        .first()
    )
    if best is None or base is None:
        return None
    if best[0] != recipient_kind:
        factor = principles.household_factor
    amount = Decimal(best[2]) * factor * base
    step = principles.step if principles else 0
    if step > 0:
        return int(math.ceil(amount / step) * step)
    return int(amount)


def _recipient_key(award: Award) -> tuple | None:
    ids = (award.collective_id, award.individual_id, award.household_id)
    return ids if sum(1 for i in ids if i) == 1 else None


def awards_price(*, decision: Decision, awards: list[Award]) -> None:
    """Set each line's cash from the tables in force on the decision's date (one lookup a type).

    Where the decree pays only the highest title of a period, a recipient's titles of one period
    are paid once: the highest line keeps its amount, the others get 0; a title already paid by
    an issued decision is never rewritten (the payout sheet shows what was paid before)."""
    day = decision.signed_date
    principles = cash_principles(day=day)
    cash: dict[tuple, int | None] = {}
    for award in awards:
        if not award.award_type_id or _recipient_key(award) is None:
            continue
        key = (award.award_type_id, award.recipient_kind)
        if key not in cash:
            cash[key] = award_cash_amount(
                award_type=award.award_type,
                recipient_kind=award.recipient_kind,
                authority=decision.authority,
                day=day,
                principles=principles,
            )
        award.cash_amount = cash[key]
    if principles and principles.highest_title_only:
        _highest_title_only(decision, awards)


def titles_paid_before(awards: list[Award], *, exclude_decision_id=None) -> dict[tuple, list]:
    """Issued, unrevoked titles with cash for the same recipients, by (recipient, period):
    [(amount, award)], one query."""
    keys = {_recipient_key(a) for a in awards} - {None}
    if not keys:
        return {}
    rows = (
        Award.objects.filter(
            award_type__family=AwardFamily.TITLE,
            decision__status=DecisionStatus.ISSUED,
            revoked_by__isnull=True,
            cash_amount__isnull=False,
        )
        .filter(
            Q(collective_id__in={k[0] for k in keys if k[0]})
            | Q(individual_id__in={k[1] for k in keys if k[1]})
            | Q(household_id__in={k[2] for k in keys if k[2]})
        )
        .exclude(decision_id=exclude_decision_id)
        .select_related("award_type", "decision")
    )
    paid: dict[tuple, list] = {}
    for other in rows:
        key = (_recipient_key(other), other.period_from, other.period_to)
        paid.setdefault(key, []).append((other.cash_amount, other))
    return paid


def awards_cash_notes(*, decision: Decision, awards: list[Award]) -> dict[int, tuple[str, int]]:
    """For the payout sheet: lines the one-title-a-period rule touches, as {pk: (note, to_pay)}.

    A line priced 0 names the higher title paid instead; a line whose recipient was already paid
    a lower title of the period by an earlier decision is paid only the difference."""
    principles = cash_principles(day=decision.signed_date)
    if not principles or not principles.highest_title_only:
        return {}
    titles = [
        a for a in awards if a.cash_amount is not None and a.award_type.family == AwardFamily.TITLE
    ]
    paid = titles_paid_before(titles, exclude_decision_id=decision.pk)
    notes: dict[int, tuple[str, int]] = {}
    for award in titles:
        key = (_recipient_key(award), award.period_from, award.period_to)
        earlier = [
            (amount, other)
            for amount, other in paid.get(key, [])
            if decision.issued_at is None or other.decision.issued_at < decision.issued_at
        ]
        siblings = [
            a
            for a in titles
            if a is not award
            and (_recipient_key(a), a.period_from, a.period_to) == key
            and a.cash_amount > award.cash_amount
        ]
        if award.cash_amount == 0 and (siblings or earlier):
            higher = siblings[0].award_type.name if siblings else earlier[0][1].award_type.name
            notes[award.pk] = (
                f"Không chi: cùng thời gian {award.period_label} đã hưởng mức thưởng cao hơn "
                f"({higher}); chỉ nhận tiền thưởng của danh hiệu cao nhất.",
                0,
            )
        elif earlier:
            before, other = max(earlier, key=lambda pair: pair[0])
            to_pay = max(award.cash_amount - before, 0)
            amount = f"{before:,}".replace(",", ".")
            notes[award.pk] = (
                f"Đã nhận {amount} đ cho {other.award_type.name} cùng thời gian "
                f"(quyết định {other.decision.number}): chỉ chi phần chênh lệch.",
                to_pay,
            )
    return notes


def _highest_title_only(decision: Decision, awards: list[Award]) -> None:
    titles = [
        a
        for a in awards
        if a.cash_amount is not None
        and a.award_type_id
        and a.award_type.family == AwardFamily.TITLE
        and _recipient_key(a) is not None
    ]
    groups: dict[tuple, list[Award]] = {}
    for award in titles:
        groups.setdefault((_recipient_key(award), award.period_from, award.period_to), []).append(
            award
        )
    paid = titles_paid_before(titles, exclude_decision_id=decision.pk) if titles else {}
    for key, lines in groups.items():
        before = max((amount for amount, _ in paid.get(key, [])), default=0)
        lines.sort(key=lambda a: a.cash_amount, reverse=True)
        top, rest = lines[0], lines[1:]
        if top.cash_amount <= before:
            rest = lines
        for award in rest:
            award.cash_amount = 0


_OWN_CONTENT = (LoaiHinh.ONE_OFF, LoaiHinh.THEMATIC)


def achievement_key(award: Award, loai_hinh: str = "") -> tuple:
    """What one achievement is: its loại hình, its period and, for a one-off feat or a theme,
    its own movement or content (two feats of one year are two achievements)."""
    kind = award.loai_hinh or loai_hinh
    content = ""
    if kind in _OWN_CONTENT:
        content = (
            f"phong-trao-{award.campaign_id}" if award.campaign_id else fold(award.achievement)
        )
    return (kind, award.period_from, award.period_to, content)


def awards_problems(
    *, decision: Decision, awards: list[Award], unclear: list[list[str]] | None = None
) -> list[dict[str, list[str]]]:
    """The rules award lines must meet, checked for a batch in a bounded number of queries.

    Returns, for each award in order, its problems by field ("__all__" for the line); Vietnamese.
    `unclear`, when given, receives for each line the one-off or thematic awards of the same
    type and period whose content does not tell the two feats apart: the law allows two feats,
    so the line goes on with the council's reason rather than being refused.
    """
    problems: list[dict[str, list[str]]] = [{} for _ in awards]
    day = decision.signed_date
    allowed: dict[int, bool] = {}
    # A lapsed authority is refused once, by the decision (Decision.clean, decision_authority_check),
    # not again on every line.
    lapsed = bool(day and authority_lapse(authority=decision.authority, day=day))
    if day and not lapsed:
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

    recipient_key = _recipient_key

    # Earlier awards to the same recipients of the same types (one query).
    keys = {recipient_key(a) for a in awards} - {None}
    earlier: dict[tuple, Award] = {}
    loose: dict[tuple, list[Award]] = {}  # one-off and thematic awards, content left out
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
            key = (recipient_key(other), other.award_type_id, *achievement_key(other))
            earlier.setdefault(key, other)
            if other.loai_hinh in _OWN_CONTENT:
                loose.setdefault(key[:5], []).append(other)

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
        for name in ("period_from", "period_to"):
            year = getattr(award, name)
            if year and not 1945 <= year <= 2100:
                add(index, name, "Năm thành tích phải trong khoảng 1945–2100.")
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
        if day and not lapsed and not allowed.get(award_type.pk, False):
            add(
                index,
                "award_type",
                f"{decision.authority.name} không có thẩm quyền tặng {award_type.name} vào ngày "
                f"{day:%d/%m/%Y}. Hãy chọn hình thức khác hoặc trình cấp có thẩm quyền.",
            )
        if key is None or not award.period_to:
            continue
        line_key = (key, award_type.pk, *achievement_key(award, decision.loai_hinh))
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
        elif unclear is not None and line_key[2] in _OWN_CONTENT:
            for other in loose.get(line_key[:5], []):
                if not line_key[5] or not achievement_key(other)[3]:
                    unclear[index].append(
                        f"{award.recipient} đã được tặng {award_type.name} "
                        f"{other.get_loai_hinh_display().lower()} năm {award.period_label} "
                        f"(quyết định {other.decision.number}) mà nội dung thành tích không ghi "
                        "rõ để phân biệt. Hãy ghi nội dung thành tích (hoặc phong trào) của "
                        "từng lần khen."
                    )
                    break
    return problems


def awards_check(
    *, decision: Decision, awards: list[Award], past: bool = False
) -> list[dict[str, list[str]]]:
    """awards_problems() plus the rule in force: a line whose recipient does not meet it needs
    the council's reason (eligibility_override). A past decision copied from a register was
    signed under the rules of its day: its lines are recorded, not judged again."""
    unclear: list[list[str]] = [[] for _ in awards]
    problems = awards_problems(decision=decision, awards=awards, unclear=unclear)
    if past:
        return problems
    clean = [index for index, found in enumerate(problems) if not found]
    warnings = award_eligibility_warnings(decision=decision, awards=[awards[i] for i in clean])
    for index, found in zip(clean, warnings, strict=True):
        found = [*unclear[index], *found]
        if found and not (awards[index].eligibility_override or "").strip():
            problems[index]["eligibility_override"] = [*found, ELIGIBILITY_REASON_NEEDED]
    return problems


def decision_authority_check(decision: Decision) -> None:
    """Refuse, once for the whole decision, an authority that cannot sign on its date."""
    if decision.signed_date and decision.authority_id:
        lapse = authority_lapse(authority=decision.authority, day=decision.signed_date)
        if lapse:
            raise ValidationError(lapse)


def _line_label(award: Award) -> str:
    name = award.recipient_name or (str(award.recipient) if award.recipient else "")
    return f"Dòng {award.line_no} ({name})" if name else f"Dòng {award.line_no}"


def problems_as_messages(
    awards: list[Award], problems: list[dict[str, list[str]]], labels: list[str] | None = None
) -> list[str]:
    """'Dòng 3 (Nguyễn Văn A): …', or the caller's own place names (sheet and row)."""
    labels = labels or [_line_label(award) for award in awards]
    return [
        f"{label}: {message}"
        for label, found in zip(labels, problems, strict=True)
        for messages in found.values()
        for message in messages
    ]


@transaction.atomic
def awards_add(
    *,
    decision: Decision,
    awards: list[Award],
    user=None,
    past: bool = False,
    labels: list[str] | None = None,
) -> list[Award]:
    """Check, snapshot, price and write award lines of a draft decision, with history rows.

    New lines (no pk) are inserted, existing lines of the draft updated; all or nothing. A line
    whose recipient does not meet the rule in force is refused unless it carries the council's
    reason; `past` records a decision copied from an old register as it was signed. `labels`
    names each line in error messages (default "Dòng N (tên)"). The number of queries does not
    grow with the number of lines.
    """
    decision = Decision.objects.select_for_update().select_related("authority").get(pk=decision.pk)
    if decision.status == DecisionStatus.ISSUED:
        raise ValidationError(
            f"Quyết định {decision.number} đã ban hành nên không sửa được. "
            "Muốn thay đổi, hãy ban hành quyết định hủy bỏ hoặc đính chính."
        )
    decision_authority_check(decision)
    foreign = [a for a in awards if a.pk and a.decision_id != decision.pk]
    if foreign:
        raise ValidationError("Dòng khen thưởng thuộc quyết định khác, không sửa ở đây được.")
    last = decision.awards.order_by("-line_no").values_list("line_no", flat=True).first() or 0
    for award in awards:
        award.decision = decision
        award.authority_id = decision.authority_id
        award.loai_hinh = award.loai_hinh or decision.loai_hinh
        if award.campaign_id is None and decision.campaign_id:
            award.campaign_id = decision.campaign_id
        if not award.line_no:
            last += 1
            award.line_no = last
        if award.recipient is not None:
            award_snapshot(award)
    problems = awards_check(decision=decision, awards=awards, past=past)
    messages = problems_as_messages(awards, problems, labels)
    if messages:
        raise AwardLinesInvalid(messages, problems=problems)
    awards_price(decision=decision, awards=awards)
    for award, label in zip(awards, labels or [_line_label(a) for a in awards], strict=True):
        try:
            award.clean_fields(exclude=_RELATED)
        except ValidationError as error:
            raise ValidationError(
                [f"{label}: {m}" for messages_ in error.message_dict.values() for m in messages_]
            ) from error
    user = history_user(user)
    new = [a for a in awards if a.pk is None]
    old = [a for a in awards if a.pk is not None]
    if new:
        bulk_create_with_history(new, Award, batch_size=500, default_user=user)
    if old:
        bulk_update_with_history(old, Award, _EDITABLE, batch_size=500, default_user=user)
    return awards


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
    eligibility_override: str = "",
    user=None,
) -> Award:
    """One line, for scripts and tests: the same path as a list."""
    award = Award(
        award_type=award_type,
        period_from=period_from,
        period_to=period_to,
        achievement=achievement,
        loai_hinh=loai_hinh or "",
        campaign=campaign,
        recipient_category=recipient_category,
        eligibility_override=eligibility_override,
        **recipient_fields(recipient),
    )
    return awards_add(decision=decision, awards=[award], user=user)[0]


@transaction.atomic
def awards_delete(*, decision: Decision, awards: list[Award], user=None) -> int:
    """Remove lines from a draft decision (with their history rows); all or nothing.

    An issued decision's lines are never removed: they are revoked by another decision."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    decision_ensure_draft(decision)
    if any(a.decision_id != decision.pk for a in awards):
        raise ValidationError("Dòng khen thưởng thuộc quyết định khác, không xóa ở đây được.")
    user = history_user(user)
    for award in awards:
        award._history_user = user
        award.delete()
    return len(awards)
