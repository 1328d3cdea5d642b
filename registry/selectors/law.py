"""The dated law rows in force on a day: cash principles, counted loại hình, bloc award types,
an authority's end and successors."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet

from registry.models import (
    Authority,
    AuthoritySuccession,
    BlocAwardRule,
    CashRounding,
    CountedLoaiHinh,
)


def cash_principles(*, day: date) -> CashRounding | None:
    """The cash principles in force on the day (rounding, households, one title a period), or
    None. Between overlapping rows the one in force since later wins. One query."""
    return CashRounding.objects.filter(CashRounding.valid_on_q(day)).order_by("-valid_from").first()


def cash_rounding_step(*, day: date) -> int:
    """The step in đồng that cash rewards are rounded up to on the day; 0 (no rounding) when no
    row is in force. One query."""
    principles = cash_principles(day=day)
    return principles.step if principles else 0


def counted_loai_hinh(*, day: date) -> QuerySet:
    """The loại hình whose awards count towards higher awards on the day, as a values queryset:
    used inside another filter it is a subquery, so it adds no query of its own."""
    return CountedLoaiHinh.objects.filter(CountedLoaiHinh.valid_on_q(day)).values("loai_hinh")


def _specificity(rule: BlocAwardRule) -> tuple:
    return (bool(rule.chain) + bool(rule.authority_level), rule.valid_from or date.min)


def bloc_award_rule(*, authority: Authority, day: date) -> BlocAwardRule | None:
    """The rule in force on the day for a bloc run by the authority: a row bound to its chain
    or level beats a general row, then the one in force since later. One query."""
    candidates = BlocAwardRule.objects.filter(BlocAwardRule.valid_on_q(day)).select_related(
        "leader_award_type", "runner_up_award_type"
    )
    best = None
    for rule in candidates:
        if (rule.chain and rule.chain != authority.chain) or (
            rule.authority_level and rule.authority_level != authority.level
        ):
            continue
        if best is None or _specificity(rule) > _specificity(best):
            best = rule
    return best


def authority_lapse(*, authority: Authority, day: date, event: str = "quyết định ký") -> str:
    """Why the authority cannot act on the day, naming its end and successors; "" if it can.
    `event` names what falls on the day ("quyết định ký", "hội đồng họp", ...)."""
    if authority.is_valid_on(day):
        return ""
    if authority.valid_from and day < authority.valid_from:
        return (
            f"{authority.name} chỉ có thẩm quyền khen thưởng từ ngày "
            f"{authority.valid_from:%d/%m/%Y}, {event} ngày {day:%d/%m/%Y}."
        )
    successors = [
        s.successor.name
        for s in authority.succeeded_by.select_related("successor").order_by("successor__name")
    ]
    text = (
        f"{authority.name} đã chấm dứt thẩm quyền khen thưởng từ ngày "
        f"{authority.valid_to + timedelta(days=1):%d/%m/%Y} (hết hiệu lực ngày "
        f"{authority.valid_to:%d/%m/%Y}), {event} ngày {day:%d/%m/%Y}."
    )
    if successors:
        return f"{text} Cấp kế thừa: {'; '.join(successors)}. Hãy lập quyết định của cấp kế thừa."
    return f"{text} Chưa ghi cấp kế thừa trong danh mục."


def authority_with_predecessors(authority: Authority) -> list[int]:
    """The authority and every authority it succeeded, however many steps back (two queries at
    most a step): an abolished district's register belongs to each commune that took it over."""
    found, todo = {authority.pk}, [authority.pk]
    while todo:
        older = (
            set(
                AuthoritySuccession.objects.filter(successor_id__in=todo).values_list(
                    "predecessor_id", flat=True
                )
            )
            - found
        )
        found |= older
        todo = list(older)
    return sorted(found)
