"""The dated law rows in force on a day: cash rounding, counted loại hình, bloc award types."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from registry.models import Authority, BlocAwardRule, CashRounding, CountedLoaiHinh


def cash_rounding_step(*, day: date) -> int:
    """The step in đồng that cash rewards are rounded up to on the day; 0 (no rounding) when no
    row is in force. Between overlapping rows the one in force since later wins. One query."""
    step = (
        CashRounding.objects.filter(CashRounding.valid_on_q(day))
        .order_by("-valid_from")
        .values_list("step", flat=True)
        .first()
    )
    return step or 0


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
