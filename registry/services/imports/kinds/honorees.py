"""A list of honorees, imported into one draft decision."""

from __future__ import annotations

from registry.models import Decision, ImportKind
from registry.models.awards import DecisionStatus
from registry.services.awards import awards_add, decision_ensure_draft

from ..awardtypes import resolve_award_types
from ..matching import (
    create_recipients,
    load_matched,
    match_recipients,
    new_refs,
    same_person_twice,
)
from ..workbook import FileProblem
from .base import (
    Kind,
    achievement_notices,
    achievement_period,
    build_awards,
    check_awards,
    default_year,
    line_award_types,
    recipient_ids,
    summary,
)


class Honorees(Kind):
    kind = ImportKind.HONOREES

    def check(self, batch) -> None:
        decision = batch.decision
        if decision is None:
            raise FileProblem("Chưa chọn quyết định để nhập danh sách.")
        if decision.status != DecisionStatus.DRAFT:
            raise FileProblem(
                f"Quyết định {decision.number} đã ban hành: không thêm được dòng khen thưởng. "
                "Hãy nhập vào một quyết định dự thảo."
            )

    def preview(self, batch, lines, problems, award_type) -> None:
        decision = batch.decision
        has_column = any("award_type" in line.cols for line in lines)
        types = resolve_award_types(lines, problems, award_type, has_column, decision.authority)
        year = default_year(decision.signed_date)
        for line in lines:
            line.period_from, line.period_to = achievement_period(line, year)
        objects = match_recipients(lines=lines, authority=decision.authority)
        new_refs(lines)
        existing = set(
            decision.awards.values_list(
                "collective_id", "individual_id", "household_id", "award_type_id", "period_from",
                "period_to",
            )
        )  # fmt: skip
        for line in lines:
            if line.match == "matched" and line.award_type_id:
                key = (
                    *recipient_ids(line),
                    line.award_type_id,
                    line.period_from,
                    line.period_to,
                )
                line.unchanged = key in existing
        same_person_twice(lines, problems)
        check_awards(decision, lines, objects, types, problems)
        achievement_notices(lines)

    def confirm(self, batch, lines, reasons, user) -> dict:
        decision = (
            Decision.objects.select_for_update()
            .select_related("authority")
            .get(pk=batch.decision_id)
        )
        decision_ensure_draft(decision)
        types = line_award_types(lines)
        matched = load_matched(lines)
        created = create_recipients(lines, decision.authority, user)
        awards, labels = build_awards(lines, matched, created, types, reasons)
        awards_add(decision=decision, awards=awards, user=user, labels=labels)
        return summary(lines, created)
