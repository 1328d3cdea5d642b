"""Read paths for targets: "đạt N/M chỉ tiêu, vượt K", and the ranking of a bloc's year.

How a result is judged (the same rule for the admin, the command line and the tests):

- A result with an achieved value is compared with the planned value: met when achieved ≥
  planned (≤ when lower is better), exceeded when strictly better than planned. Exceeded
  targets are also met targets.
- A result with only a grade (the "20 nhiệm vụ trọng tâm" kind of target, judged by the
  council): HTXSNV counts as exceeded (and met), HTTNV and HTNV as met ("hoàn thành nhiệm
  vụ" is completing the task), KHTNV as missed. When both a value and a grade are entered,
  the value decides.
- No result on or before the cut-off is a gap ("chưa có kết quả"): never counted as missed,
  never as zero, and always shown.
- Cut-off (sơ kết): the latest result dated on or before ``as_of``; without ``as_of``, the
  latest result there is.

Ranking a bloc's year (bloc_ranking):
- score = points_met × targets met + points_exceeded × targets exceeded
  − points_missed × targets missed (the bloc's own scale);
- order (RANKING_RULE): units with every result entered before units with gaps; then higher
  score; on equal score more targets exceeded, then more targets met; still equal: the same
  rank (đồng hạng), listed in Vietnamese name order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from registry.models import (
    Bloc,
    BlocMembership,
    Pledge,
    PledgeSignatory,
    Target,
    TargetResult,
    TargetSet,
    Unit,
)
from registry.models.campaigns import RatingGrade, TargetSetKind

EXCEEDED = "vuot"
MET = "dat"
MISSED = "khong-dat"
MISSING = "chua-co"

STATUS_LABELS = {
    EXCEEDED: "Vượt",
    MET: "Đạt",
    MISSED: "Không đạt",
    MISSING: "Chưa có kết quả",
}

GRADE_STATUS = {
    RatingGrade.HTXSNV: EXCEEDED,
    RatingGrade.HTTNV: MET,
    RatingGrade.HTNV: MET,
    RatingGrade.KHTNV: MISSED,
}

RANKING_RULE = (
    "Thứ tự xếp hạng: đơn vị có đủ kết quả xếp trước đơn vị còn thiếu kết quả; điểm cao hơn "
    "xếp trên; bằng điểm thì đơn vị có nhiều chỉ tiêu vượt hơn xếp trên, rồi đến nhiều chỉ "
    "tiêu đạt hơn; vẫn bằng nhau thì đồng hạng (ghi theo thứ tự tên)."
)


def number_vi(value: Decimal | int | None) -> str:
    """107.140 -> '107,14'; 27910 -> '27.910'; None -> '–'."""
    if value is None:
        return "–"
    value = Decimal(value)
    integral = value == value.to_integral_value()
    value = value.quantize(Decimal(1)) if integral else value.normalize()
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = ".".join(groups)
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def result_status(target: Target, result: TargetResult | None) -> str:
    if result is None:
        return MISSING
    if result.achieved_value is not None:
        achieved, planned = result.achieved_value, target.planned_value
        better = achieved > planned if target.higher_is_better else achieved < planned
        if better:
            return EXCEEDED
        return MET if achieved == planned else MISSED
    return GRADE_STATUS.get(result.grade, MISSING)


@dataclass(frozen=True)
class TargetLine:
    target: Target
    result: TargetResult | None
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def progress(self) -> str:
        """'8/17 xã', or the grade, or '–' when no result."""
        if self.result is None:
            return "–"
        if self.result.achieved_value is None:
            return self.result.grade
        measure = f" {self.target.measure}" if self.target.measure else ""
        return (
            f"{number_vi(self.result.achieved_value)}/"
            f"{number_vi(self.target.planned_value)}{measure}"
        )


@dataclass
class UnitTally:
    """One unit's results against a target set."""

    unit: Unit | None
    lines: list[TargetLine]

    def _count(self, *statuses: str) -> int:
        return sum(1 for line in self.lines if line.status in statuses)

    @property
    def total(self) -> int:
        return len(self.lines)

    @property
    def met(self) -> int:
        return self._count(MET, EXCEEDED)

    @property
    def exceeded(self) -> int:
        return self._count(EXCEEDED)

    @property
    def missed(self) -> int:
        return self._count(MISSED)

    @property
    def missing(self) -> int:
        return self._count(MISSING)

    @property
    def label(self) -> str:
        text = f"đạt {self.met}/{self.total} chỉ tiêu"
        if self.exceeded:
            text += f", vượt {self.exceeded}"
        if self.missing:
            text += f" (chưa có kết quả {self.missing} chỉ tiêu)"
        return text


@dataclass
class TargetSetResults:
    target_set: TargetSet
    as_of: date | None
    targets: list[Target]
    tallies: list[UnitTally]

    @property
    def label(self) -> str:
        """The set's one line: the owner's tally, or one tally per signing unit."""
        if not self.tallies:
            return "chưa có đơn vị nào ký" if self.is_pledge else "chưa có kết quả"
        if len(self.tallies) == 1:
            return self.tallies[0].label
        return "; ".join(f"{t.unit}: {t.label}" for t in self.tallies)

    @property
    def is_pledge(self) -> bool:
        return self.target_set.kind == TargetSetKind.PLEDGE

    def __str__(self) -> str:
        return self.label


def _latest_results(
    *, target_ids: Iterable[int], unit_ids: Iterable[int], as_of: date | None
) -> dict[tuple[int, int], TargetResult]:
    """(target id, unit id) -> the latest result on or before as_of, in one query."""
    results = TargetResult.objects.filter(target_id__in=list(target_ids), unit_id__in=unit_ids)
    if as_of is not None:
        results = results.filter(as_of__lte=as_of)
    latest: dict[tuple[int, int], TargetResult] = {}
    for result in results.order_by("target_id", "unit_id", "-as_of"):
        latest.setdefault((result.target_id, result.unit_id), result)
    return latest


def result_units(*, target_set: TargetSet) -> list[Unit]:
    """Whose results count: the units that signed a pledge, or the set's own unit."""
    if target_set.kind == TargetSetKind.PLEDGE:
        return [
            s.unit
            for s in PledgeSignatory.objects.filter(
                pledge_id=target_set.pledge_id, signed=True
            ).select_related("unit")
        ]
    return [target_set.unit] if target_set.unit_id else []


def target_set_results(
    *, target_set: TargetSet, as_of: date | None = None, units: list[Unit] | None = None
) -> TargetSetResults:
    """'đạt N/M chỉ tiêu, vượt K' per unit, at a cut-off date. Three queries."""
    targets = list(target_set.targets.all())
    if units is None:
        units = result_units(target_set=target_set)
    latest = _latest_results(
        target_ids=[t.pk for t in targets], unit_ids=[u.pk for u in units], as_of=as_of
    )
    tallies = []
    for unit in units:
        lines = []
        for target in targets:
            result = latest.get((target.pk, unit.pk))
            lines.append(TargetLine(target, result, result_status(target, result)))
        tallies.append(UnitTally(unit, lines))
    return TargetSetResults(target_set, as_of, targets, tallies)


def target_sets_labels(
    *, target_sets: list[TargetSet], as_of: date | None = None
) -> dict[int, str]:
    """The one-line result of many sets (a changelist page) in a fixed number of queries."""
    ids = [ts.pk for ts in target_sets]
    targets: dict[int, list[Target]] = {pk: [] for pk in ids}
    for target in Target.objects.filter(target_set_id__in=ids):
        targets[target.target_set_id].append(target)
    signed: dict[int, list[int]] = {}
    for pledge_id, unit_id in PledgeSignatory.objects.filter(
        pledge_id__in=[ts.pledge_id for ts in target_sets if ts.pledge_id], signed=True
    ).values_list("pledge_id", "unit_id"):
        signed.setdefault(pledge_id, []).append(unit_id)
    unit_ids = {u for units in signed.values() for u in units}
    unit_ids |= {ts.unit_id for ts in target_sets if ts.unit_id}
    latest = _latest_results(
        target_ids=[t.pk for group in targets.values() for t in group],
        unit_ids=list(unit_ids),
        as_of=as_of,
    )
    labels = {}
    for ts in target_sets:
        own = targets[ts.pk]

        def tally(unit_id, own=own):
            return UnitTally(
                None,
                [
                    TargetLine(t, r, result_status(t, r))
                    for t in own
                    for r in [latest.get((t.pk, unit_id))]
                ],
            )

        if ts.kind == TargetSetKind.PLEDGE:
            units = signed.get(ts.pledge_id, [])
            complete = sum(1 for u in units if tally(u).missing == 0)
            labels[ts.pk] = (
                f"{len(own)} chỉ tiêu; {complete}/{len(units)} đơn vị ký đã đủ kết quả"
                if units
                else f"{len(own)} chỉ tiêu; chưa có đơn vị nào ký"
            )
        else:
            labels[ts.pk] = tally(ts.unit_id).label
    return labels


# ---------------------------------------------------------------------------------- ranking


@dataclass
class RankingRow:
    rank: int
    unit: Unit
    score: Decimal
    tally: UnitTally
    role: str = ""
    tie_note: str = ""

    @property
    def targets_met(self) -> int:
        return self.tally.met

    @property
    def targets_total(self) -> int:
        return self.tally.total

    @property
    def targets_exceeded(self) -> int:
        return self.tally.exceeded

    @property
    def targets_missed(self) -> int:
        return self.tally.missed

    @property
    def missing_results(self) -> int:
        return self.tally.missing

    @property
    def score_label(self) -> str:
        return number_vi(self.score)

    def sort_key(self) -> tuple:
        return (self.missing_results > 0, -self.score, -self.targets_exceeded, -self.targets_met)

    def as_json(self) -> dict:
        score = (
            int(self.score) if self.score == self.score.to_integral_value() else float(self.score)
        )
        return {
            "rank": self.rank,
            "unit": self.unit.name,
            "unit_id": self.unit.pk,
            "score": score,
            "targets_met": self.targets_met,
            "targets_total": self.targets_total,
            "targets_exceeded": self.targets_exceeded,
            "missing_results": self.missing_results,
        }


@dataclass
class BlocRanking:
    bloc: Bloc
    year: int
    pledge: Pledge
    rows: list[RankingRow]
    not_signed: list[Unit] = field(default_factory=list)
    rule: str = RANKING_RULE

    @property
    def complete(self) -> bool:
        return all(row.missing_results == 0 for row in self.rows)

    @property
    def missing_total(self) -> int:
        return sum(row.missing_results for row in self.rows)

    @property
    def gaps(self) -> list[str]:
        """'Xã A: chưa có kết quả chỉ tiêu 2, 5' for each unit with gaps."""
        found = []
        for row in self.rows:
            numbers = [
                str(line.target.order or index)
                for index, line in enumerate(row.tally.lines, start=1)
                if line.status == MISSING
            ]
            if numbers:
                found.append(f"{row.unit}: chưa có kết quả chỉ tiêu số {', '.join(numbers)}")
        return found

    def as_json(self) -> dict:
        return {
            "bloc": self.bloc.pk,
            "year": self.year,
            "ranking": [row.as_json() for row in self.rows],
        }


def _score(bloc: Bloc, tally: UnitTally) -> Decimal:
    return (
        bloc.points_met * tally.met
        + bloc.points_exceeded * tally.exceeded
        - bloc.points_missed * tally.missed
    )


def _tie_note(row: RankingRow, other: RankingRow, above: bool) -> str:
    if row.sort_key() == other.sort_key():
        return f"Đồng hạng với {other.unit} (bằng điểm, bằng số chỉ tiêu vượt và đạt)."
    if row.score != other.score or (row.missing_results > 0) != (other.missing_results > 0):
        return ""
    word = "trên" if above else "dưới"
    if row.targets_exceeded != other.targets_exceeded:
        return (
            f"Bằng điểm với {other.unit}; xếp {word} vì vượt {row.targets_exceeded} chỉ tiêu "
            f"({other.unit} vượt {other.targets_exceeded})."
        )
    return (
        f"Bằng điểm với {other.unit}; xếp {word} vì đạt {row.targets_met} chỉ tiêu "
        f"({other.unit} đạt {other.targets_met})."
    )


def bloc_ranking(*, bloc: Bloc, year: int, as_of: date | None = None) -> BlocRanking:
    """Score and rank the units that signed the bloc's pledge for the year. Five queries.

    Raises ValidationError (Vietnamese) when there is no pledge or no targets to rank on.
    """
    pledge = Pledge.objects.filter(bloc=bloc, year=year).select_related("target_set").first()
    if pledge is None:
        raise ValidationError(
            f"{bloc} chưa có giao ước thi đua năm {year}, nên chưa xếp hạng được. "
            "Hãy lập giao ước (kèm chỉ tiêu) và cho các đơn vị ký trước."
        )
    target_set = getattr(pledge, "target_set", None)
    results = target_set_results(target_set=target_set, as_of=as_of) if target_set else None
    if results is None or not results.targets:
        raise ValidationError(
            f"Giao ước «{pledge}» chưa có chỉ tiêu nào, nên chưa xếp hạng được. "
            "Hãy nhập các chỉ tiêu của giao ước."
        )
    memberships = list(BlocMembership.objects.filter(bloc=bloc, year=year).select_related("unit"))
    roles = {m.unit_id: m.role for m in memberships}
    rows = [
        RankingRow(rank=0, unit=t.unit, score=_score(bloc, t), tally=t) for t in results.tallies
    ]
    role_labels = dict(BlocMembership._meta.get_field("role").choices)
    for row in rows:
        role = roles.get(row.unit.pk, "")
        row.role = role_labels.get(role, "") if role and role != "thanh-vien" else ""
    rows.sort(key=lambda r: (*r.sort_key(), r.unit.sort_key, r.unit.pk))
    for index, row in enumerate(rows):
        if index and row.sort_key() == rows[index - 1].sort_key():
            row.rank = rows[index - 1].rank
        else:
            row.rank = index + 1
    for index, row in enumerate(rows):
        notes = []
        if index:
            notes.append(_tie_note(row, rows[index - 1], above=False))
        if index + 1 < len(rows):
            notes.append(_tie_note(row, rows[index + 1], above=True))
        row.tie_note = " ".join(n for n in notes if n)
    signed_ids = {row.unit.pk for row in rows}
    not_signed = [m.unit for m in memberships if m.unit_id not in signed_ids]
    return BlocRanking(bloc=bloc, year=year, pledge=pledge, rows=rows, not_signed=not_signed)
