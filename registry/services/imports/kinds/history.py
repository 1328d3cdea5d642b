"""An old register: each line names its decision, found in the register or created, issued."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from registry.models import Award, Decision, ImportKind
from registry.services.awards import awards_add
from registry.services.decisions import decision_create, decision_issue

from ..awardtypes import resolve_award_types
from ..lines import ImportLine
from ..matching import (
    create_recipients,
    load_matched,
    match_recipients,
    new_refs,
    same_person_twice,
)
from ..workbook import problem
from .base import (
    Kind,
    achievement_period,
    build_awards,
    check_awards,
    default_year,
    line_award_types,
    recipient_ids,
    summary,
)


class History(Kind):
    kind = ImportKind.HISTORY

    def preview(self, batch, lines, problems, award_type) -> None:
        authority = batch.authority
        has_column = any("award_type" in line.cols for line in lines)
        types = resolve_award_types(lines, problems, award_type, has_column, authority)
        numbers = set()
        for line in lines:
            where = (line.sheet, line.row)
            number = " ".join(str(line.decision_number or "").split())
            line.decision_number = number
            signed = line.read.pop("decision_date", None)
            line.decision_date = None
            if "decision_date" in line.bad or (signed and signed[0] is None):
                problems.append(
                    problem(
                        "Không đọc được ngày quyết định: hãy ghi ngày dd/mm/yyyy.",
                        *where,
                        line.cols.get("decision_date"),
                    )
                )
            elif signed:
                line.decision_date = signed[0].isoformat()
            elif number:
                problems.append(
                    problem("Thiếu ngày quyết định.", *where, line.cols.get("decision_date"))
                )
            if not number:
                problems.append(
                    problem(
                        "Thiếu số quyết định (ví dụ 15/QĐ-UBND).",
                        *where,
                        line.cols.get("decision_number"),
                    )
                )
            numbers.add(number)
            period = line.read.pop("period", None)
            day = date.fromisoformat(line.decision_date) if line.decision_date else None
            if period:
                line.period_from = line.period_to = period[0]
            else:
                line.period_from, line.period_to = achievement_period(
                    line, default_year(day or date.today())
                )
        existing = {
            (d.number, d.signed_date.isoformat()): d
            for d in Decision.objects.filter(authority=authority, number__in=numbers - {""})
        }
        by_number = {d.number: d for d in existing.values()}
        objects = match_recipients(lines=lines, authority=authority)
        new_refs(lines)
        known = set()
        if existing:
            known = set(
                Award.objects.filter(decision__in=existing.values()).values_list(
                    "decision_id", "collective_id", "individual_id", "household_id", "award_type_id",
                    "period_from", "period_to",
                )
            )  # fmt: skip
        groups: dict[tuple, list[ImportLine]] = defaultdict(list)
        for line in lines:
            if not (line.decision_number and line.decision_date):
                continue
            key = (line.decision_number, line.decision_date)
            decision = existing.get(key)
            other = by_number.get(line.decision_number)
            if decision is None and other is not None:
                problems.append(
                    problem(
                        f"Quyết định {other.number} đã có trong sổ với ngày {other.signed_date:%d/%m/%Y}, "
                        "khác ngày ghi trong tệp. Hãy kiểm tra lại.",
                        line.sheet,
                        line.row,
                        line.cols.get("decision_date"),
                    )
                )
                continue
            line.decision_id = decision.pk if decision else None
            if decision and line.match == "matched" and line.award_type_id:
                line.unchanged = (
                    decision.pk,
                    *recipient_ids(line),
                    line.award_type_id,
                    line.period_from,
                    line.period_to,
                ) in known
            if decision and not line.unchanged:
                problems.append(
                    problem(
                        f"Quyết định {decision.number} đã có trong sổ nhưng chưa có dòng này; "
                        "quyết định đã ban hành không thêm dòng được. Hãy nhập dòng này vào đúng "
                        "quyết định trong trang quản trị.",
                        line.sheet,
                        line.row,
                        line.cols.get("decision_number"),
                    )
                )
                continue
            groups[key].append(line)
        for (number, signed), group in groups.items():
            if not group or all(line.unchanged for line in group):
                continue
            day = date.fromisoformat(signed)
            decision = Decision(
                authority=authority,
                number=number,
                signed_date=day,
                numbering_period=authority.numbering_period(day),
            )
            same_person_twice(group, problems)
            check_awards(decision, group, objects, types, problems)

    def confirm(self, batch, lines, reasons, user) -> dict:
        authority = batch.authority
        types = line_award_types(lines)
        matched = load_matched(lines)
        created = create_recipients(lines, authority, user)
        groups: dict[tuple, list[ImportLine]] = defaultdict(list)
        for line in lines:
            if not line.unchanged:
                groups[(line.decision_number, line.decision_date)].append(line)
        decisions = 0
        for (number, signed), group in groups.items():
            names = sorted({types[line.award_type_id].name for line in group})
            decision = decision_create(
                authority=authority,
                number=number,
                signed_date=date.fromisoformat(signed),
                subject=f"Về việc tặng {', '.join(names)} (nhập từ sổ theo dõi: {batch.file_name})"[
                    :500
                ],
                signer_title="(theo sổ theo dõi)",
                signer_name="(chưa ghi)",
                user=user,
            )
            # Signed under the rules of its day: recorded as it was, the rule in force only warns.
            awards, labels = build_awards(group, matched, created, types, {})
            awards_add(decision=decision, awards=awards, user=user, past=True, labels=labels)
            decision_issue(decision=decision, user=user, past=True)
            decisions += 1
        return {**summary(lines, created), "decisions": decisions}
