"""What every kind of list shares: the Kind interface, achievement periods, award lines checked
and built for awards_add, and the counts a preview and a summary show.
"""

from __future__ import annotations

import re
from datetime import date

from registry.models import Award, AwardType
from registry.selectors.eligibility import award_eligibility_warnings
from registry.services.awards import awards_problems

from ..lines import COLLECTIVE, HOUSEHOLD, INDIVIDUAL, KIND_FIELD, ImportLine
from ..matching import recipient_of, stub
from ..workbook import problem

_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_SCHOOL_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-–—/]\s*((?:19|20)\d{2})(?!\d)")


class Kind:
    """One kind of list: how its lines are checked in the preview and written on confirm."""

    kind = ""

    def check(self, batch) -> None:
        """Refuse a batch (FileProblem) before its file is read."""

    def preview(self, batch, lines: list[ImportLine], problems: list[dict], award_type) -> None:
        """Resolve, match and check the lines in place; problems placed on cells."""
        raise NotImplementedError

    def confirm(self, batch, lines: list[ImportLine], reasons: dict, user) -> dict:
        """Write the previewed lines (inside import_confirm's transaction); the summary."""
        raise NotImplementedError


def achievement_period(line: ImportLine, default_year: int) -> tuple[int, int]:
    """From the achievement text ('năm 2022', 'năm học 2021–2022', '2019–2023'), else default.

    A school year counts in its end year.
    """
    text = str(line.achievement or "")
    years: list[int] = []
    for match in _SCHOOL_YEAR.finditer(text):
        start, end = int(match.group(1)), int(match.group(2))
        years += [end] if end == start + 1 else [start, end]
    years += [int(y) for y in _YEAR.findall(_SCHOOL_YEAR.sub(" ", text))]
    if years:
        return min(years), max(years)
    return default_year, default_year


def achievement_notices(lines: list[ImportLine]) -> None:
    """A line with no achievement is imported (the certificate then says "thành tích xuất sắc
    năm …"), but the clerk is told on the line: the council usually meant to write one."""
    for line in lines:
        if line.unchanged or str(line.achievement or "").strip():
            continue
        column = line.cols.get("achievement")
        where = "Ô thành tích để trống" if column else "Tệp không có cột Thành tích"
        line.notices.append(
            {
                "column": column,
                "message": f"{where}: giấy khen sẽ ghi “Đã có thành tích xuất sắc năm "
                f"{line.year_shown}”. Nếu cần ghi thành tích riêng, điền vào tệp rồi tải lên lại.",
            }
        )


def default_year(day: date) -> int:
    """Year-end reviews are signed in the first half of the next year."""
    return day.year - 1 if day.month <= 6 else day.year


def line_counts(lines: list[ImportLine]) -> dict:
    counts = {
        "collectives": 0,
        "individuals": 0,
        "households": 0,
        "new_recipients": 0,
        "matched_recipients": 0,
        "ambiguous": 0,
        "unchanged": 0,
        "lines": len(lines),
    }
    for line in lines:
        key = {COLLECTIVE: "collectives", INDIVIDUAL: "individuals", HOUSEHOLD: "households"}
        counts[key[line.kind]] += 1
        if line.unchanged:
            counts["unchanged"] += 1
        elif line.match == "new":
            counts["new_recipients"] += 1
        elif line.match == "matched":
            counts["matched_recipients"] += 1
        elif line.match == "ambiguous":
            counts["ambiguous"] += 1
    return counts


def summary(lines, created) -> dict:
    counts = line_counts(lines)
    counts["created_recipients"] = len(created)
    counts["created_lines"] = counts["lines"] - counts["unchanged"]
    return counts


_FIELD_COLUMN = {
    "award_type": "award_type",
    "period_from": "achievement",
    "period_to": "achievement",
    "__all__": "name",
}


def check_awards(decision, lines, objects, types, problems) -> None:
    """awards_problems() for the lines to be created, with their errors placed on cells."""
    # A line already reported as a repeat would only be reported again as a second award.
    todo = [line for line in lines if line.award_type_id and not line.unchanged and not line.twice]
    awards = []
    for line in todo:
        kind = line.kind
        award = Award(
            decision=decision,
            authority_id=decision.authority_id,
            award_type=types[line.award_type_id],
            period_from=line.period_from,
            period_to=line.period_to,
            line_no=line.row,
        )
        if line.recipient_id:
            recipient = objects[(kind, line.recipient_id)]
        else:
            recipient = stub(kind, line, decision.authority)
            recipient.pk = -line.new_ref
        setattr(award, KIND_FIELD[kind], recipient)
        awards.append(award)
    found_problems = awards_problems(decision=decision, awards=awards)
    for line, found in zip(todo, found_problems, strict=True):
        for field, messages in found.items():
            column = line.cols.get(_FIELD_COLUMN.get(field, "name"))
            for message in messages:
                problems.append(problem(message, line.sheet, line.row, column))
    # Eligibility informs, the council decides: warnings are shown, not errors.
    clean = [
        (line, award) for line, award, f in zip(todo, awards, found_problems, strict=True) if not f
    ]
    warnings = award_eligibility_warnings(decision=decision, awards=[a for _, a in clean])
    for (line, _), found in zip(clean, warnings, strict=True):
        if found:
            line.warnings = found


def build_awards(lines, matched, created, types, reasons) -> tuple[list[Award], list[str]]:
    """Unsaved lines for awards_add, and where each came from (sheet and row) for its errors."""
    awards, labels = [], []
    for index, line in enumerate(lines):
        if line.unchanged:
            continue
        kind = line.kind
        award = Award(
            award_type=types[line.award_type_id],
            achievement=line.achievement or "",
            period_from=line.period_from,
            period_to=line.period_to,
            # The council's reason for a warned line: typed in the preview, or the file's column;
            # a line that meets the rule carries none, whatever the column says.
            eligibility_override=(
                (reasons.get(str(index)) or line.reason or "").strip() if line.warnings else ""
            ),
        )
        setattr(award, KIND_FIELD[kind], recipient_of(line, matched, created))
        if kind == INDIVIDUAL:
            award.recipient_position = line.position or ""
            award.recipient_unit = line.unit or ""
        awards.append(award)
        labels.append(f"Trang “{line.sheet}”, dòng {line.row}")
    return awards, labels


def recipient_ids(line: ImportLine) -> list:
    """(collective_id, individual_id, household_id) of a matched line, as award rows hold them."""
    ids = [None, None, None]
    ids[[COLLECTIVE, INDIVIDUAL, HOUSEHOLD].index(line.kind)] = line.recipient_id
    return ids


def line_award_types(lines) -> dict[int, AwardType]:
    wanted = {line.award_type_id for line in lines}
    return {t.pk: t for t in AwardType.objects.filter(pk__in=wanted)}
