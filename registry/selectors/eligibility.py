"""Who meets the eligibility rules, and why: checked on entry and turned into nominee lists.

How history counts (the same for every path):
- Only awards of issued decisions count, of the loại hình the law in force on the day of the
  check counts (CountedLoaiHinh rows: thường xuyên); đột xuất, chuyên đề and the other kinds
  are ignored, and a revoked award never counts.
- An award counts in the last year of its achievement (period_to); "N lần liên tục" walks back
  from the year through awards whose achievement periods follow each other without a gap.
- A yearly rating counts in its year; a school-year rating is stored in its end year already.
- Discipline counts when it overlaps the years examined, or still runs on the day of the check.
  A member's discipline (a collective's rule) counts when it overlaps the year; its recorded
  form is read into a step of DisciplineForm, and a form the registry cannot place fails the
  check with the form quoted, for the council to judge.

Speed: the history of every candidate is read in a few queries (one per table), then each
recipient is judged in memory. Nothing is read per recipient.
"""

from __future__ import annotations

import io
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from registry.models import (
    Authority,
    Award,
    AwardType,
    BlocMembership,
    Collective,
    CountedLoaiHinh,
    Decision,
    Discipline,
    Household,
    Individual,
    Initiative,
    LoaiHinh,
    Rating,
    RecipientKind,
)
from registry.models.awards import DecisionStatus
from registry.models.eligibility import (
    MEMBER_KINDS,
    ConditionKind,
    EligibilityCondition,
    EligibilityRoute,
    EligibilityRule,
)
from registry.models.ratings import (
    DISCIPLINE_SEVERITY,
    DisciplineForm,
    InitiativeLevel,
    discipline_form_of,
)
from registry.selectors.law import authority_with_predecessors, counted_loai_hinh
from registry.text import person_sort_key

GRADE_RANK = {"HTXSNV": 4, "HTTNV": 3, "HTNV": 2, "KHTNV": 1}
LEVEL_RANK = {
    InitiativeLevel.GRASSROOTS: 1,
    InitiativeLevel.PROVINCE: 2,
    InitiativeLevel.NATIONAL: 3,
}
LEVEL_TEXT = {
    InitiativeLevel.GRASSROOTS: "cấp cơ sở",
    InitiativeLevel.PROVINCE: "cấp bộ, ngành, tỉnh",
    InitiativeLevel.NATIONAL: "toàn quốc",
}
JSON_KIND = {
    RecipientKind.INDIVIDUAL: "individual",
    RecipientKind.COLLECTIVE: "collective",
    RecipientKind.HOUSEHOLD: "household",
}
_FIELD = {
    RecipientKind.INDIVIDUAL: "individual",
    RecipientKind.COLLECTIVE: "collective",
    RecipientKind.HOUSEHOLD: "household",
}
_KIND_ORDER = [RecipientKind.COLLECTIVE, RecipientKind.INDIVIDUAL, RecipientKind.HOUSEHOLD]
_CHUNK = 500  # ids per IN (...) list: well under SQLite's limit on query parameters
_EMPTY: dict = {}


def grade_label(grade: str) -> str:
    """'HTXSNV' for the top grade, 'HTTNV trở lên' for the others."""
    return grade if grade == "HTXSNV" else f"{grade} trở lên"


def years_text(years: Iterable[int]) -> str:
    return ", ".join(str(y) for y in sorted(years))


def span(first: int, last: int) -> str:
    return str(last) if first == last else f"{first}–{last}"


# --------------------------------------------------------------------------- bloc ranking
def bloc_leaders(*, bloc, year: int) -> tuple[set[int], str]:
    """Units ranked first in the bloc's year, and a note; the one place that reads a ranking.

    Reads registry.selectors.targets.bloc_ranking (scores of the bloc's pledge). Returns an
    empty set and the reason when the bloc cannot be ranked yet.
    """
    from registry.selectors.targets import bloc_ranking

    try:
        ranking = bloc_ranking(bloc=bloc, year=year)
    except ValidationError as error:
        return set(), " ".join(error.messages)
    first = [row for row in ranking.rows if row.rank == 1]
    if any(row.missing_results for row in first):
        return set(), (
            f"kết quả chỉ tiêu của {bloc} năm {year} chưa đủ nên chưa xác định được đơn vị "
            "dẫn đầu. Hãy nhập đủ kết quả chỉ tiêu của giao ước."
        )
    return {row.unit.pk for row in first}, " (đồng hạng nhất)" if len(first) > 1 else ""


# --------------------------------------------------------------------------- answers
@dataclass
class Answer:
    """One recipient judged against one rule, explained in Vietnamese."""

    kind: str
    id: int
    name: str
    eligible: bool
    route: str = ""
    evidence: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    rule: EligibilityRule | None = None
    year: int | None = None

    def as_json(self) -> dict:
        return {
            "recipient_kind": JSON_KIND[self.kind],
            "id": self.id,
            "name": self.name,
            "eligible": self.eligible,
            "route": self.route,
            "evidence": list(self.evidence),
            "missing": list(self.missing),
        }


# --------------------------------------------------------------------------- rules
def _rules_queryset():
    conditions = EligibilityCondition.objects.select_related(
        "award_type", "award_type_alt", "other_award_type"
    )
    routes = EligibilityRoute.objects.prefetch_related(Prefetch("conditions", queryset=conditions))
    return EligibilityRule.objects.select_related("award_type").prefetch_related(
        Prefetch("routes", queryset=routes)
    )


# The rules change a few times a year; every person page and nominee list reads them, with their
# routes, conditions and award types: some four hundred rows made into objects, a fifth of a
# person page. Each process keeps them as last read, under a token in the shared cache. Saving or
# deleting a rule, route, condition or award type, and every migrate, removes the token
# (rules_changed, connected in RegistryConfig.ready); the next reader, in any process, sets a new
# one and reads the rules again. A token is never used twice, so a change rolled back is read
# again too. The removal is in the writer's transaction: other processes see it at its commit.
RULES_TOKEN = "registry:eligibility-rules"
_rules_read: tuple[str | None, list[EligibilityRule]] = (None, [])


_cache_usable: bool | None = None


def _rules_token() -> str | None:
    token = cache.get(RULES_TOKEN)
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(RULES_TOKEN, token, timeout=None):
            token = cache.get(RULES_TOKEN, token)
    return token


def all_rules() -> list[EligibilityRule]:
    """Every eligibility rule, its routes, conditions and award types: read once per change."""
    global _rules_read, _cache_usable
    if _cache_usable is False:
        return list(_rules_queryset())
    try:
        if _cache_usable is None:
            with transaction.atomic():  # the first time, a savepoint: the table may be missing
                token = _rules_token()
            _cache_usable = True
        else:
            token = _rules_token()
    except DatabaseError:
        # A database migrated without `createcachetable`: the rules are read every time.
        _cache_usable = False
        return list(_rules_queryset())
    if _rules_read[0] != token:
        _rules_read = (token, list(_rules_queryset()))
    return _rules_read[1]


def rules_changed(**kwargs) -> None:
    """Signal receiver: the rules (or the award types they name) changed."""
    global _rules_read
    _rules_read = (None, [])
    try:
        with transaction.atomic():
            cache.delete(RULES_TOKEN)
    except DatabaseError:
        return  # migrate before createcachetable: no table, so no token either
    # A cache outside the database (CACHE_BACKEND) drops the token before the commit; a reader
    # in between would keep the rules as they were. Dropping it again at the commit settles it.
    transaction.on_commit(lambda: cache.delete(RULES_TOKEN))


def _specificity(rule: EligibilityRule, chain: str | None, level: str | None) -> tuple:
    if chain is None:  # no authority given: prefer the state rule, then the general one
        return (rule.chain in ("", "nha-nuoc"), rule.chain == "", rule.valid_from or date.min)
    return (bool(rule.chain) + bool(rule.authority_level), rule.valid_from or date.min)


def rules_in_force(
    *,
    award_type_ids: Iterable[int],
    on: date,
    authority: Authority | None = None,
    loai_hinh: str | None = LoaiHinh.REGULAR,
) -> dict[tuple[int, str], EligibilityRule]:
    """The rule in force on a day per (award type, recipient kind), among all_rules().

    A rule bound to a chain or an authority level applies only to decisions of such authorities,
    and beats a general rule; between equals the one in force since later wins.
    """
    types = set(award_type_ids)
    rules = [rule for rule in all_rules() if rule.award_type_id in types]
    return _best_rules(rules, on=on, authority=authority, loai_hinh=loai_hinh)


def _best_rules(
    rules: Iterable[EligibilityRule],
    *,
    on: date,
    authority: Authority | None,
    loai_hinh: str | None,
) -> dict[tuple[int, str], EligibilityRule]:
    """rules_in_force() among rules already read (any day, any loại hình): no query."""
    chain = authority.chain if authority else None
    level = authority.level if authority else None
    best: dict[tuple[int, str], EligibilityRule] = {}
    for rule in rules:
        if not rule.is_valid_on(on) or (loai_hinh and rule.loai_hinh != loai_hinh):
            continue
        if authority is not None and (
            (rule.chain and rule.chain != chain)
            or (rule.authority_level and rule.authority_level != level)
        ):
            continue
        key = (rule.award_type_id, rule.recipient_kind)
        if key not in best or _specificity(rule, chain, level) > _specificity(
            best[key], chain, level
        ):
            best[key] = rule
    return best


# --------------------------------------------------------------------------- history
def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


class _Scope:
    """Which recipients of one kind: given ids, the records of an authority subtree, or all;
    `within`, when set, a subquery of recipient ids outside which nobody can pass (_anchor)."""

    def __init__(self, kind: str, *, ids=None, authority_ids=None, within=None):
        self.kind = kind
        self.field = _FIELD[kind]
        self.ids = None if ids is None else sorted(set(ids))
        self.authority_ids = authority_ids
        self.within = within


def _scope_q(scope: _Scope, fk: str) -> list[Q]:
    """Filters on a table with a foreign key `fk` to the recipient (`individual`, ...)."""
    if scope.ids is not None:
        found = [Q(**{f"{fk}_id__in": chunk}) for chunk in _chunks(scope.ids)]
    elif scope.authority_ids is not None:
        found = [Q(**{f"{fk}__registered_by_id__in": scope.authority_ids})]
    else:
        found = [Q(**{f"{fk}__isnull": False})]
    if scope.within is not None:
        found = [q & Q(**{f"{fk}_id__in": scope.within}) for q in found]
    return found


def _recipient_q(scope: _Scope) -> list[Q]:
    if scope.ids is not None:
        found = [Q(id__in=chunk) for chunk in _chunks(scope.ids)]
    elif scope.authority_ids is not None:
        found = [Q(registered_by_id__in=scope.authority_ids)]
    else:
        found = [Q()]
    if scope.within is not None:
        found = [q & Q(id__in=scope.within) for q in found]
    return found


def counted_awards(*, on: date | None = None):
    """Awards that count towards higher awards on a day (default today): of a loại hình counted
    by the law in force (a subquery, no extra query), issued, not revoked."""
    return Award.objects.filter(
        loai_hinh__in=counted_loai_hinh(day=on or timezone.localdate()),
        decision__status=DecisionStatus.ISSUED,
        revoked_by__isnull=True,
    )


@dataclass
class _Needs:
    """What a rule needs to read, for a year: the earliest year per table (None: no limit)."""

    award_from: dict[int, int | None] = field(default_factory=dict)
    rating_from: int | None = None
    initiative_from: int | None = None
    discipline_from: int | None = None
    member_types: set[int] = field(default_factory=set)
    members: bool = False
    member_discipline: bool = False
    bloc: bool = False

    def award(self, type_id: int | None, first: int | None) -> None:
        if type_id is None:
            return
        if type_id in self.award_from:
            current = self.award_from[type_id]
            first = None if current is None or first is None else min(current, first)
        self.award_from[type_id] = first

    @staticmethod
    def earliest(current: int | None, first: int) -> int:
        return first if current is None else min(current, first)


def _needs(rule: EligibilityRule, year: int) -> _Needs:
    needs = _Needs()
    for route in rule.routes.all():
        for c in route.conditions.all():
            n = c.years or 1
            first = year - n + 1
            if c.kind == ConditionKind.HOLDS:
                for t in (c.award_type_id, c.award_type_alt_id):
                    needs.award(t, first if c.years else None)
            elif c.kind == ConditionKind.AWARD_STREAK:
                # A streak of multi-year awards reaches further back; read them all.
                for t in (c.award_type_id, c.award_type_alt_id):
                    needs.award(t, None)
            elif c.kind == ConditionKind.RATING_STREAK:
                needs.rating_from = needs.earliest(needs.rating_from, first)
                needs.award(c.other_award_type_id, first)
            elif c.kind == ConditionKind.INITIATIVES:
                needs.initiative_from = needs.earliest(needs.initiative_from, first)
            elif c.kind == ConditionKind.NO_DISCIPLINE:
                needs.discipline_from = needs.earliest(needs.discipline_from, first)
            elif c.kind == ConditionKind.BLOC_LEADER:
                needs.bloc = True
            elif c.kind in MEMBER_KINDS:
                needs.members = True
                if c.kind == ConditionKind.MEMBERS_NO_DISCIPLINE:
                    needs.member_discipline = True
                needs.member_types.update(
                    t for t in (c.award_type_id, c.award_type_alt_id) if t is not None
                )
    return needs


def _anchor(rule: EligibilityRule, year: int, on: date):
    """Recipient ids (a subquery) outside which nobody passes the rule, or None.

    Every route of a merit rule asks for some award: held in the years examined (HOLDS), or
    given for `year` itself as the last of a streak (AWARD_STREAK). A recipient without such an
    award, counted as the history counts it, fails every route; a list of the eligible only
    need not read their history at all (most of the registry, for the higher awards).
    """
    field_name = _FIELD[rule.recipient_kind]
    wanted = Q()
    for route in rule.routes.all():
        found = None
        for c in route.conditions.all():
            types = [t for t in (c.award_type_id, c.award_type_alt_id) if t is not None]
            if not types:
                continue
            if c.kind == ConditionKind.AWARD_STREAK and c.years:
                found = Q(award_type_id__in=types, period_to=year)
                break
            if c.kind == ConditionKind.HOLDS:
                found = Q(award_type_id__in=types, period_to__lte=year)
                if c.years:
                    found &= Q(period_to__gte=year - c.years + 1)
                break
        if found is None:
            return None  # a route that asks for no award: everyone may pass it
        wanted |= found
    if not rule.routes.all():
        return None
    return (
        counted_awards(on=on)
        .filter(wanted, **{f"{field_name}__isnull": False})
        .values(f"{field_name}_id")
    )


@dataclass
class _OneHistory:
    """One recipient's whole record, read once, for judging several of their awards."""

    id: int
    # (award type, period from, period to, decision number, loại hình): issued, not revoked
    awards: list[tuple[int, int, int, str, str]]
    counted: list[CountedLoaiHinh]
    ratings: list[tuple[int, str]]
    initiatives: list[tuple[int, str, str]]
    disciplines: list[tuple[date, date | None, str]]

    @classmethod
    def read(
        cls, recipient, awards: list[Award] | None = None, judging: bool = True
    ) -> _OneHistory:
        """Five queries (two for a household), whatever the rules ask; one fewer when the
        recipient's issued, unrevoked awards are given (in Award's order), two fewer when
        nothing is judged (no initiatives, no disciplines)."""
        fk = {Collective: "collective", Individual: "individual", Household: "household"}[
            type(recipient)
        ]
        mine = {f"{fk}_id": recipient.pk}
        if awards is None:
            rows = list(
                Award.objects.filter(
                    **mine, decision__status=DecisionStatus.ISSUED, revoked_by__isnull=True
                ).values_list(
                    "award_type_id", "period_from", "period_to", "decision__number", "loai_hinh"
                )
            )
        else:
            rows = [
                (a.award_type_id, a.period_from, a.period_to, a.decision.number, a.loai_hinh)
                for a in awards
            ]
        ratings, initiatives, disciplines = [], [], []
        if fk != "household":
            ratings = list(Rating.objects.filter(**mine).values_list("year", "grade"))
            if judging:
                initiatives = list(
                    Initiative.objects.filter(**mine).values_list("year", "level", "title")
                )
                disciplines = list(
                    Discipline.objects.filter(**mine).values_list("start_date", "end_date", "form")
                )
        return cls(
            id=recipient.pk,
            awards=rows,
            counted=list(CountedLoaiHinh.objects.all()),
            ratings=ratings,
            initiatives=initiatives,
            disciplines=disciplines,
        )


class _History:
    """Everything a rule needs about a set of recipients of one kind, read in a few queries.

    `on` is the day whose law counts (which loại hình count); `checked_on`, the day of the check,
    on which a running discipline still bars a proposal (default `on`).
    """

    def __init__(
        self,
        *,
        rule: EligibilityRule,
        year: int,
        on: date,
        scope: _Scope,
        checked_on: date | None = None,
        preloaded: _OneHistory | None = None,
    ):
        self.rule, self.year, self.on, self.scope = rule, year, on, scope
        self.checked_on = checked_on or on
        self.needs = needs = _needs(rule, year)
        fk = scope.field
        # awards[(recipient, type)][period_to] = (period_from, decision number)
        self.awards: dict[tuple[int, int], dict[int, tuple[int, str]]] = {}
        self.ratings: dict[int, dict[int, str]] = {}
        self.initiatives: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        self.disciplines: dict[int, list[tuple[date, date | None, str]]] = defaultdict(list)
        self._members_init()
        if preloaded is not None:
            self._fill(preloaded)
            return
        if needs.award_from:
            window = Q()
            for type_id, first in needs.award_from.items():
                q = Q(award_type_id=type_id, period_to__lte=year)
                if first is not None:
                    q &= Q(period_to__gte=first)
                window |= q
            awards = self.awards
            for q in _scope_q(scope, fk):
                rows = (
                    counted_awards(on=self.on)
                    .filter(q, window)
                    .values_list(
                        f"{fk}_id", "award_type_id", "period_from", "period_to", "decision__number"
                    )
                )
                for rid, type_id, start, end, number in rows.iterator(chunk_size=10_000):
                    by_end = awards.get((rid, type_id))
                    if by_end is None:
                        awards[(rid, type_id)] = {end: (start, number)}
                    elif end not in by_end:
                        by_end[end] = (start, number)
        # ratings[recipient][year] = grade
        if needs.rating_from is not None and scope.kind != RecipientKind.HOUSEHOLD:
            ratings = self.ratings
            for q in _scope_q(scope, fk):
                rows = Rating.objects.filter(
                    q, year__gte=needs.rating_from, year__lte=year
                ).values_list(f"{fk}_id", "year", "grade")
                for rid, y, grade in rows.iterator(chunk_size=10_000):
                    by_year = ratings.get(rid)
                    if by_year is None:
                        by_year = ratings[rid] = {}
                    by_year[y] = grade
        if needs.initiative_from is not None and scope.kind != RecipientKind.HOUSEHOLD:
            for q in _scope_q(scope, fk):
                rows = Initiative.objects.filter(
                    q, year__gte=needs.initiative_from, year__lte=year
                ).values_list(f"{fk}_id", "year", "level", "title")
                for rid, y, level, title in rows.iterator(chunk_size=10_000):
                    self.initiatives[rid].append((y, level, title))
        if needs.discipline_from is not None and scope.kind != RecipientKind.HOUSEHOLD:
            start = date(needs.discipline_from, 1, 1)
            end = max(date(year, 12, 31), self.checked_on)
            for q in _scope_q(scope, fk):
                rows = (
                    Discipline.objects.filter(q, start_date__lte=end)
                    .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
                    .values_list(f"{fk}_id", "start_date", "end_date", "form")
                )
                for rid, begin, finish, form in rows:
                    self.disciplines[rid].append((begin, finish, form))

    def _members_init(self) -> None:
        self.units: dict[int, int | None] = {}
        self.members: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        self.member_awards: dict[int, set[int]] = defaultdict(set)
        # member_disciplines[person] = [(from, to, recorded form), ...] overlapping the year
        self.member_disciplines: dict[int, list[tuple[date, date | None, str]]] = defaultdict(list)
        self.unit_names: dict[int, str] = {}
        self.leaders: dict[int, list[tuple[str, bool, str]]] = defaultdict(list)

    def _fill(self, one: _OneHistory) -> None:
        """The same rows as the queries above read, picked from one recipient's whole history
        in memory (a person's page judges several awards on the same few rows)."""
        needs, year, rid = self.needs, self.year, one.id
        if needs.award_from:
            counted = {row.loai_hinh for row in one.counted if row.is_valid_on(self.on)}
            for type_id, start, end, number, loai_hinh in one.awards:
                if loai_hinh not in counted or type_id not in needs.award_from or end > year:
                    continue
                first = needs.award_from[type_id]
                if first is not None and end < first:
                    continue
                by_end = self.awards.setdefault((rid, type_id), {})
                if end not in by_end:
                    by_end[end] = (start, number)
        if self.scope.kind == RecipientKind.HOUSEHOLD:
            return
        if needs.rating_from is not None:
            found = {y: grade for y, grade in one.ratings if needs.rating_from <= y <= year}
            if found:
                self.ratings[rid] = found
        if needs.initiative_from is not None:
            for y, level, title in one.initiatives:
                if needs.initiative_from <= y <= year:
                    self.initiatives[rid].append((y, level, title))
        if needs.discipline_from is not None:
            start = date(needs.discipline_from, 1, 1)
            end = max(date(year, 12, 31), self.checked_on)
            for begin, finish, form in one.disciplines:
                if begin <= end and (finish is None or finish >= start):
                    self.disciplines[rid].append((begin, finish, form))

    def load_collective_units(self, units: dict[int, int | None]) -> None:
        """Collectives' units are known from the candidates query; members and blocs follow."""
        self.units = units
        unit_ids = sorted({u for u in units.values() if u})
        if not unit_ids:
            return
        if self.needs.members:
            for chunk in _chunks(unit_ids):
                rows = Rating.objects.filter(
                    unit_id__in=chunk, individual__isnull=False, year=self.year
                ).values_list("unit_id", "individual_id", "grade", "individual__full_name")
                for unit_id, person, grade, name in rows:
                    self.members[unit_id].append((person, grade, name))
                if self.needs.member_types:
                    member_ids = Rating.objects.filter(
                        unit_id__in=chunk, individual__isnull=False, year=self.year
                    ).values("individual_id")
                    rows = (
                        counted_awards(on=self.on)
                        .filter(
                            individual_id__in=member_ids,
                            award_type_id__in=self.needs.member_types,
                            period_to=self.year,
                        )
                        .values_list("individual_id", "award_type_id")
                    )
                    for person, type_id in rows:
                        self.member_awards[person].add(type_id)
                if self.needs.member_discipline:
                    member_ids = Rating.objects.filter(
                        unit_id__in=chunk, individual__isnull=False, year=self.year
                    ).values("individual_id")
                    rows = (
                        Discipline.objects.filter(
                            individual_id__in=member_ids, start_date__lte=date(self.year, 12, 31)
                        )
                        .filter(Q(end_date__isnull=True) | Q(end_date__gte=date(self.year, 1, 1)))
                        .values_list("individual_id", "start_date", "end_date", "form")
                    )
                    for person, begin, finish, form in rows:
                        self.member_disciplines[person].append((begin, finish, form))
        if self.needs.bloc:
            memberships = BlocMembership.objects.filter(
                unit_id__in=unit_ids, year=self.year
            ).select_related("bloc")
            by_bloc: dict[int, tuple] = {}
            for membership in memberships:
                by_bloc.setdefault(membership.bloc_id, (membership.bloc, []))[1].append(
                    membership.unit_id
                )
            for bloc, members in by_bloc.values():
                leaders, note = bloc_leaders(bloc=bloc, year=self.year)
                for unit_id in members:
                    self.leaders[unit_id].append((bloc.name, unit_id in leaders, note))


# --------------------------------------------------------------------------- conditions
def _type_names(c: EligibilityCondition) -> str:
    names = [c.award_type.name]
    if c.award_type_alt_id:
        names.append(c.award_type_alt.name)
    return " hoặc ".join(names)


def _holds(c, h: _History, rid, explain):
    year = h.year
    first = year - c.years + 1 if c.years else None
    need = c.count or 1
    found = []
    for t in (c.award_type_id, c.award_type_alt_id):
        for end, (start, number) in h.awards.get((rid, t), _EMPTY).items():
            if end <= year and (first is None or end >= first):
                found.append((end, start, number))
    ok = len(found) >= need
    if not explain:
        return ok, None, None
    where = f" trong {c.years} năm {first}–{year}" if first else f" đến năm {year}"
    if not found:
        return False, [], [f"chưa được tặng {_type_names(c)}{where}"]
    if not ok:
        return False, [], [f"mới được tặng {_type_names(c)} {len(found)}/{need} lần{where}"]
    if need == 1:
        end, start, number = max(found)
        text = f"Đã được tặng {_type_names(c)} (thành tích {span(start, end)}, QĐ {number})"
        return True, [text], []
    times = ", ".join(f"{span(start, end)}, QĐ {number}" for end, start, number in sorted(found))
    return True, [f"Đã được tặng {_type_names(c)} {len(found)} lần (thành tích {times})"], []


def _award_streak(c, h: _History, rid, explain):
    ends = h.awards.get((rid, c.award_type_id), _EMPTY)
    if c.award_type_alt_id:
        ends = {**h.awards.get((rid, c.award_type_alt_id), _EMPTY), **ends}
    y = h.year
    found, missing = [], []
    for _ in range(c.years):
        hit = ends.get(y)
        if hit is None:
            missing.append(y)
            y -= 1
        else:
            found.append((hit[0], y, hit[1]))
            y = hit[0] - 1
    ok = not missing
    if not explain:
        return ok, None, None
    names = _type_names(c)
    if not ok:
        return False, [], [f"thiếu năm {years_text(missing)}: chưa có {names}"]
    found.reverse()
    numbers = ", ".join(n for _, _, n in found)
    if all(start == end for start, end, _ in found):
        text = f"{names} {c.years} năm liên tục ({span(found[0][0], found[-1][1])})"
    else:
        periods = ", ".join(span(s, e) for s, e, _ in found)
        text = f"{names} {c.years} lần liên tục ({periods})"
    return True, [f"{text}, QĐ {numbers}"], []


def _rating_streak(c, h: _History, rid, explain):
    year, n = h.year, c.years
    first = year - n + 1
    ratings = h.ratings.get(rid, {})
    need = GRADE_RANK[c.grade]
    gaps, low = [], []
    for y in range(first, year + 1):
        grade = ratings.get(y)
        if grade is None:
            gaps.append(y)
        elif GRADE_RANK[grade] < need:
            low.append(y)
    counted = []
    if c.count:
        need2 = GRADE_RANK.get(c.other_grade, 99)
        other = (
            h.awards.get((rid, c.other_award_type_id), _EMPTY) if c.other_award_type_id else _EMPTY
        )
        for y in range(first, year + 1):
            grade = ratings.get(y)
            if (grade is not None and GRADE_RANK[grade] >= need2) or y in other:
                counted.append(y)
    ok = not gaps and not low and len(counted) >= (c.count or 0)
    if not explain:
        return ok, None, None
    label = " hoặc ".join(
        x for x in (c.other_grade, c.other_award_type.name if c.other_award_type_id else "") if x
    )
    evidence, missing = [], []
    if gaps:
        missing.append(f"thiếu năm {years_text(gaps)}: chưa có xếp loại")
    if low:
        grades = ", ".join(f"{y}: {ratings[y]}" for y in low)
        missing.append(f"xếp loại chưa đạt {grade_label(c.grade)} ({grades})")
    if not gaps and not low:
        if n == 1:
            evidence.append(f"Năm {year}: xếp loại {ratings[year]}")
        else:
            evidence.append(f"{grade_label(c.grade)} {n} năm liên tục ({first}–{year})")
    if c.count:
        if len(counted) >= c.count:
            evidence.append(f"trong đó {len(counted)} năm {label} ({years_text(counted)})")
        else:
            have = f" ({years_text(counted)})" if counted else ""
            missing.append(
                f"trong {n} năm {first}–{year} mới có {len(counted)}/{c.count} năm {label}{have}"
            )
    return ok, evidence, missing


def _initiatives(c, h: _History, rid, explain):
    year, n = h.year, c.years or 1
    first = year - n + 1
    need = LEVEL_RANK[c.initiative_level]
    rows = [r for r in h.initiatives.get(rid, ()) if first <= r[0] <= year]
    good = [r for r in rows if LEVEL_RANK[r[1]] >= need]
    ok = len(good) >= c.count
    if not explain:
        return ok, None, None
    level = LEVEL_TEXT[c.initiative_level]
    where = f"năm {year}" if n == 1 else f"{first}–{year}"
    if ok:
        titles = "; ".join(f"“{t}” ({LEVEL_TEXT[lv]}, {y})" for y, lv, t in sorted(good))
        return True, [f"{len(good)} sáng kiến từ {level} trở lên: {titles}"], []
    text = f"chưa đủ sáng kiến từ {level} trở lên trong {where}: có {len(good)}/{c.count}"
    lower = len(rows) - len(good)
    if lower:
        text += f" ({lower} sáng kiến ở cấp thấp hơn không được tính)"
    return False, [], [text]


def _no_discipline(c, h: _History, rid, explain):
    first = h.year - (c.years or 1) + 1
    rows = h.disciplines.get(rid, ())
    start, end = date(first, 1, 1), max(date(h.year, 12, 31), h.checked_on)
    hits = [r for r in rows if r[0] <= end and (r[1] is None or r[1] >= start)]
    if not explain:
        return not hits, None, None
    if not hits:
        return True, [f"Không bị kỷ luật trong thời gian xét ({span(first, h.year)})"], []
    texts = []
    for begin, finish, form in sorted(hits):
        until = f" đến {finish:%d/%m/%Y}" if finish else " (chưa hết thời hạn)"
        texts.append(f"bị kỷ luật {form.lower()} từ {begin:%d/%m/%Y}{until}")
    return False, [], texts


def _collective_unit(h: _History, rid):
    unit = h.units.get(rid)
    if unit is None:
        return None, "tập thể chưa gắn với đơn vị trong cây đơn vị nên chưa xét được"
    return unit, ""


def _bloc_leader(c, h: _History, rid, explain):
    if h.scope.kind != RecipientKind.COLLECTIVE:
        return False, [], ["chỉ xét cho tập thể"]
    unit, problem = _collective_unit(h, rid)
    blocs = h.leaders.get(unit, []) if unit else []
    led = [(name, note) for name, leader, note in blocs if leader]
    if not explain:
        return bool(led), None, None
    if led:
        return True, [f"Dẫn đầu {name} năm {h.year}{note}" for name, note in led], []
    if problem:
        return False, [], [problem]
    if not blocs:
        return False, [], [f"năm {h.year}: không là thành viên khối, cụm thi đua nào"]
    texts = []
    for name, _, note in blocs:
        if note and not note.startswith(" ("):
            texts.append(f"năm {h.year}: {note}")
        else:
            texts.append(f"năm {h.year}: không dẫn đầu {name}")
    return False, [], texts


def _members(c, h: _History, rid, explain):
    if h.scope.kind != RecipientKind.COLLECTIVE:
        return False, [], ["chỉ xét cho tập thể"]
    unit, problem = _collective_unit(h, rid)
    members = h.members.get(unit, []) if unit else []
    if not members:
        if not explain:
            return False, None, None
        return (
            False,
            [],
            [problem or f"năm {h.year}: chưa có thành viên nào được xếp loại tại đơn vị"],
        )
    total = len(members)
    if c.kind == ConditionKind.MEMBERS_RATED:
        need = GRADE_RANK[c.grade]
        below = [(name, grade) for _, grade, name in members if GRADE_RANK[grade] < need]
        if not explain:
            return not below, None, None
        if not below:
            return (
                True,
                [f"Năm {h.year}: cả {total} thành viên xếp loại {grade_label(c.grade)}"],
                [],
            )
        names = ", ".join(f"{name} ({grade})" for name, grade in sorted(below))
        return False, [], [f"năm {h.year}: thành viên xếp loại dưới {c.grade}: {names}"]
    types = {t for t in (c.award_type_id, c.award_type_alt_id) if t}
    holders = sum(1 for person, _, _ in members if h.member_awards.get(person, set()) & types)
    if c.kind == ConditionKind.MEMBER_HOLDS:
        ok = holders >= 1
        if not explain:
            return ok, None, None
        if ok:
            return True, [f"Năm {h.year}: {holders} thành viên đạt {_type_names(c)}"], []
        return False, [], [f"năm {h.year}: chưa có thành viên nào đạt {_type_names(c)}"]
    percent = Decimal(holders * 100) / total
    ok = percent > c.share if c.share_above else percent >= c.share
    if not explain:
        return ok, None, None
    text = f"{holders}/{total} thành viên ({percent:.0f}%) đạt {_type_names(c)}"
    if ok:
        return True, [f"Năm {h.year}: {text}"], []
    need = f"{'trên' if c.share_above else 'từ'} {c.share.normalize():f}%"
    return False, [], [f"năm {h.year}: mới có {text}, cần {need}"]


def _members_no_discipline(c, h: _History, rid, explain):
    """No member disciplined at form F or heavier in the year (Tập thể lao động tiên tiến)."""
    if h.scope.kind != RecipientKind.COLLECTIVE:
        return False, [], ["chỉ xét cho tập thể"]
    unit, problem = _collective_unit(h, rid)
    members = h.members.get(unit, []) if unit else []
    if not members:
        if not explain:
            return False, None, None
        return (
            False,
            [],
            [problem or f"năm {h.year}: chưa có thành viên nào được xếp loại tại đơn vị"],
        )
    line = DISCIPLINE_SEVERITY[c.discipline_form]
    disciplined = [m for m in members if m[0] in h.member_disciplines]
    if explain:  # names in the Vietnamese order
        disciplined.sort(key=lambda m: (person_sort_key(m[2]), m[0]))
    barred, unplaced, lighter = [], [], []
    for person, _, name in disciplined:
        for begin, finish, form in sorted(h.member_disciplines[person]):
            step = discipline_form_of(form)
            if step is None:
                unplaced.append((name, form))
            elif DISCIPLINE_SEVERITY[step] >= line:
                until = f" đến {finish:%d/%m/%Y}" if finish else ""
                barred.append(f"{name} ({form.strip()} từ {begin:%d/%m/%Y}{until})")
            else:
                lighter.append(f"{name} ({form.strip()})")
    ok = not barred and not unplaced
    if not explain:
        return ok, None, None
    label = DisciplineForm(c.discipline_form).label.lower()
    missing = []
    if barred:
        missing.append(
            f"năm {h.year}: thành viên bị kỷ luật từ {label} trở lên: {', '.join(barred)}"
        )
    for name, form in unplaced:
        missing.append(
            f"năm {h.year}: chưa xác định được hình thức kỷ luật “{form.strip()}” của {name} "
            f"có từ {label} trở lên hay không. Hãy ghi rõ hình thức (khiển trách, cảnh cáo, "
            "cách chức …) trong mục Kỷ luật, hoặc để Hội đồng xét"
        )
    if not ok:
        return False, [], missing
    text = f"Năm {h.year}: không thành viên nào bị kỷ luật từ {label} trở lên"
    if lighter:
        text += f" (kỷ luật nhẹ hơn, không tính: {', '.join(lighter)})"
    return True, [text], []


_CHECKS = {
    ConditionKind.HOLDS: _holds,
    ConditionKind.AWARD_STREAK: _award_streak,
    ConditionKind.RATING_STREAK: _rating_streak,
    ConditionKind.INITIATIVES: _initiatives,
    ConditionKind.NO_DISCIPLINE: _no_discipline,
    ConditionKind.BLOC_LEADER: _bloc_leader,
    ConditionKind.MEMBERS_SHARE: _members,
    ConditionKind.MEMBER_HOLDS: _members,
    ConditionKind.MEMBERS_RATED: _members,
    ConditionKind.MEMBERS_NO_DISCIPLINE: _members_no_discipline,
}


def _routes(rule: EligibilityRule) -> list[tuple[EligibilityRoute, list[tuple]]]:
    """The rule's routes with (check, condition) pairs, worked out once per rule."""
    return [
        (route, [(_CHECKS[c.kind], c) for c in route.conditions.all()])
        for route in rule.routes.all()
    ]


def _judge(rule, routes, h: _History, rid: int, name: str, explain_failures: bool) -> Answer:
    passed = None
    for route, conditions in routes:
        for check, c in conditions:
            if not check(c, h, rid, False)[0]:
                break
        else:
            passed = (route, conditions)
            break
    answer = Answer(
        kind=rule.recipient_kind, id=rid, name=name, eligible=passed is not None, rule=rule,
        year=h.year,
    )  # fmt: skip
    if passed is not None:
        route, conditions = passed
        answer.route = route.name
        for check, c in conditions:
            answer.evidence.extend(check(c, h, rid, True)[1])
        return answer
    if not explain_failures:
        return answer
    best = None
    for route, conditions in routes:
        evidence, missing = [], []
        for check, c in conditions:
            _, found, lacking = check(c, h, rid, True)
            evidence.extend(found)
            missing.extend(lacking)
        missing = list(dict.fromkeys(missing))
        if len(routes) > 1:
            missing = [f"Theo “{route.name}”: {text}" for text in missing]
        answer.missing.extend(missing)
        if best is None or len(missing) < best[0]:
            best = (len(missing), evidence)
    if best is not None:
        answer.evidence = best[1]
    return answer


def rule_check(
    *,
    rule: EligibilityRule,
    year: int,
    on: date | None = None,
    ids: Iterable[int] | None = None,
    authority_ids: list[int] | None = None,
    include_all: bool = True,
    checked_on: date | None = None,
) -> list[Answer]:
    """Judge the recipients of the rule's kind: given ids, an authority subtree's, or all.

    `on` is the day whose law counts (default today); `checked_on` the day of the check, on
    which a running discipline still bars (default `on`). Answers come in the Vietnamese order
    of names; without include_all only the eligible.
    """
    on = on or timezone.localdate()
    kind = rule.recipient_kind
    # Only the eligible are listed: whoever lacks the award every route asks for is left out
    # before any history is read (the same answers, fewer rows).
    within = None if include_all else _anchor(rule, year, on)
    scope = _Scope(kind, ids=ids, authority_ids=authority_ids, within=within)
    model, name_field = {
        RecipientKind.INDIVIDUAL: (Individual, "full_name"),
        RecipientKind.COLLECTIVE: (Collective, "name"),
        RecipientKind.HOUSEHOLD: (Household, "head_name"),
    }[kind]
    # A list of the eligible only reads the candidates' names once judged, for the few who
    # pass: a district's thousands of names, sorted, took longer to read than to judge.
    fields = ["id"] + (["unit_id"] if kind == RecipientKind.COLLECTIVE else [])
    if include_all:
        fields.insert(1, name_field)
    candidates = []
    for q in _recipient_q(scope):
        found = model.objects.filter(q).values_list(*fields)
        candidates.extend(found.order_by("sort_key", "id") if include_all else found.order_by())
    if scope.ids is not None and len(scope.ids) > _CHUNK:
        candidates.sort(key=lambda row: row[0])
    history = _History(rule=rule, year=year, on=on, scope=scope, checked_on=checked_on)
    if kind == RecipientKind.COLLECTIVE:
        history.load_collective_units({row[0]: row[-1] for row in candidates})
    answers = []
    routes = _routes(rule)
    for row in candidates:
        rid, name = row[0], row[1] if include_all else ""
        answer = _judge(rule, routes, history, rid, name, include_all)
        if include_all or answer.eligible:
            answers.append(answer)
    if not include_all and answers:
        by_id = {answer.id: answer for answer in answers}
        # Read in the order the candidates came: by name, or by id past one chunk of ids.
        queries = [Q(id__in=sorted(by_id))] if len(by_id) <= _CHUNK else _recipient_q(scope)
        answers = []
        for q in queries:
            for rid, name in (
                model.objects.filter(q).order_by("sort_key", "id").values_list("id", name_field)
            ):
                if rid in by_id:
                    by_id[rid].name = name
                    answers.append(by_id[rid])
        if scope.ids is not None and len(scope.ids) > _CHUNK:
            answers.sort(key=lambda answer: answer.id)
    if kind == RecipientKind.HOUSEHOLD:
        for answer in answers:
            answer.name = f"Hộ {answer.name}"
    return answers


# --------------------------------------------------------------------------- nominee lists
def authority_subtree_ids(authority: Authority) -> list[int]:
    """The authority, the authorities it succeeded (a commune's people were recorded by the
    district before 1/7/2025) and every authority below them; a query per step back, one more."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Authority.objects.values_list("id", "parent_id"):
        children[parent].append(pk)
    found, todo = set(), authority_with_predecessors(authority)
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return sorted(found)


@dataclass
class NomineeList:
    award_type: AwardType
    year: int
    on: date
    authority: Authority | None
    rules: list[EligibilityRule]
    answers: list[Answer]
    include_all: bool

    @property
    def eligible_count(self) -> int:
        return sum(1 for a in self.answers if a.eligible)


def nominee_list(
    *,
    award_type: AwardType,
    year: int,
    authority: Authority | None = None,
    on: date | None = None,
    include_all: bool = False,
) -> NomineeList:
    """Who qualifies for an award type in a year (the last year of the streaks), and why.

    The rule is the one in force on `on` for the authority's chain and level; candidates are the
    recipients recorded by the authority and the authorities below it. Raises ValidationError
    (Vietnamese) when no rule is in force.

    Without `on`, a year already over is judged by the rules in force on its last day, 31/12:
    the year's work was done, rated and titled under them, and a list drawn up in January for
    the year just ended must not switch to a decree that came into force on 1 January. A
    discipline still running today bars all the same (a person under discipline is not
    proposed). The current year, or a later one, is judged by today's rules.
    """
    today = timezone.localdate()
    checked_on = None
    if on is None:
        on = min(today, date(year, 12, 31))
        checked_on = today
    rules = rules_in_force(award_type_ids=[award_type.pk], on=on, authority=authority)
    if not rules:
        raise ValidationError(
            f"Chưa có tiêu chuẩn xét {award_type.name} có hiệu lực ngày {on:%d/%m/%Y}"
            + (f" cho {authority.name}" if authority else "")
            + ". Hãy thêm tiêu chuẩn trong mục Tiêu chuẩn xét khen thưởng hoặc chọn ngày khác."
        )
    subtree = authority_subtree_ids(authority) if authority else None
    ordered = sorted(rules.values(), key=lambda r: _KIND_ORDER.index(r.recipient_kind))
    answers = []
    for rule in ordered:
        answers.extend(
            rule_check(
                rule=rule,
                year=year,
                on=on,
                authority_ids=subtree,
                include_all=include_all,
                checked_on=checked_on,
            )
        )
    return NomineeList(
        award_type=award_type,
        year=year,
        on=on,
        authority=authority,
        rules=ordered,
        answers=answers,
        include_all=include_all,
    )


def nominee_list_xlsx(nominees: NomineeList) -> bytes:
    """The nominee list as an Excel workbook: one row per recipient, with route and reasons."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from registry.services.spreadsheets import row_append

    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách đề nghị"
    authority = f" – {nominees.authority.name}" if nominees.authority else ""
    row_append(
        sheet,
        [f"Danh sách đủ tiêu chuẩn {nominees.award_type.name} năm {nominees.year}{authority}"],
    )
    sheet["A1"].font = Font(bold=True, size=13)
    for rule in nominees.rules:
        row_append(sheet, [f"Tiêu chuẩn: {rule.name}. Căn cứ: {rule.legal_basis}."])
    row_append(sheet, [f"Xét theo tiêu chuẩn có hiệu lực ngày {nominees.on:%d/%m/%Y}."])
    row_append(sheet, [])
    header = [
        "STT",
        "Đối tượng",
        "Tên",
        "Đủ tiêu chuẩn",
        "Trường hợp đạt",
        "Căn cứ trong sổ",
        "Còn thiếu",
    ]
    row_append(sheet, header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    kinds = dict(RecipientKind.choices)
    for index, answer in enumerate(nominees.answers, start=1):
        row_append(
            sheet,
            [
                index,
                kinds[answer.kind],
                answer.name,
                "Đủ" if answer.eligible else "Chưa đủ",
                answer.route,
                "\n".join(answer.evidence),
                "\n".join(answer.missing),
            ],
        )
    for column, width in zip("ABCDEFG", (6, 10, 32, 12, 40, 60, 60), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- on entry
def award_eligibility_warnings(*, decision: Decision, awards: list[Award]) -> list[list[str]]:
    """For each award line, the rule conditions its recipient does not meet (Vietnamese).

    The rule is the one in force on the decision's date for the decision's authority and the
    line's loại hình; the year is the last year of the line's achievement. A bounded number of
    queries: three for the rules, then a few per (rule, year) met in the batch.
    """
    warnings: list[list[str]] = [[] for _ in awards]
    day = decision.signed_date
    if not day or not decision.authority_id:
        return warnings
    lines = []
    for index, award in enumerate(awards):
        ids = (award.collective_id, award.individual_id, award.household_id)
        if not award.award_type_id or not award.period_to or sum(1 for i in ids if i) != 1:
            continue
        loai_hinh = award.loai_hinh or decision.loai_hinh
        lines.append((index, award, loai_hinh))
    if not lines:
        return warnings
    rules: dict[tuple[int, str, str], EligibilityRule] = {}
    for loai_hinh in {line[2] for line in lines}:
        for (type_id, kind), rule in rules_in_force(
            award_type_ids={a.award_type_id for _, a, lh in lines if lh == loai_hinh},
            on=day,
            authority=decision.authority,
            loai_hinh=loai_hinh,
        ).items():
            rules[(type_id, kind, loai_hinh)] = rule
    groups: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    by_pk = {}
    for index, award, loai_hinh in lines:
        rule = rules.get((award.award_type_id, award.recipient_kind, loai_hinh))
        if rule is None:
            continue
        by_pk[rule.pk] = rule
        rid = award.collective_id or award.individual_id or award.household_id
        groups[(rule.pk, award.period_to)].append((index, rid))
    for (rule_pk, year), members in groups.items():
        rule = by_pk[rule_pk]
        answers = {
            a.id: a
            for a in rule_check(
                rule=rule, year=year, on=day, ids=[rid for _, rid in members], include_all=True
            )
        }
        for index, rid in members:
            answer = answers.get(rid)
            basis = f"{rule.name}; căn cứ {rule.legal_basis}"
            if answer is None:
                # Not in the registry yet (a new person from an import): nothing to check against.
                warnings[index] = [
                    f"Chưa đủ căn cứ xét {rule.award_type.name} năm {year} ({basis}): chưa có quá "
                    "trình khen thưởng, xếp loại trong sổ."
                ]
                continue
            if answer.eligible:
                continue
            warnings[index] = [
                f"Chưa đủ tiêu chuẩn {rule.award_type.name} năm {year} ({basis}): {text}"
                for text in answer.missing
            ] or [f"Chưa đủ tiêu chuẩn {rule.award_type.name} năm {year} ({basis})."]
    return warnings


# --------------------------------------------------------------------------- a person's page
def _runs(years: Iterable[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for y in sorted(set(years)):
        if runs and runs[-1][1] == y - 1:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    return runs


def recipient_streaks(*, recipient) -> list[str]:
    """Streaks of two years or more: 'HTXSNV 5 năm liên tục (2018–2022)'. Two queries."""
    return recipients_streaks(recipients=[recipient])[(type(recipient), recipient.pk)]


def _streak_lines(ratings: dict[int, str], awards: Iterable[tuple[str, int, int]]) -> list[str]:
    """The streaks of one recipient: ratings by year, and (award type name, period from, period
    to) of the awards that count; the latest streak first."""
    lines: list[tuple[int, str]] = []
    best = [y for y, g in ratings.items() if g == "HTXSNV"]
    good = [y for y, g in ratings.items() if GRADE_RANK[g] >= GRADE_RANK["HTTNV"]]
    best_runs = _runs(best)
    for first, last in best_runs:
        if last > first:
            lines.append((last, f"HTXSNV {last - first + 1} năm liên tục ({first}–{last})"))
    for first, last in _runs(good):
        if last > first and (first, last) not in best_runs:
            lines.append((last, f"HTTNV trở lên {last - first + 1} năm liên tục ({first}–{last})"))
    by_type: dict[str, list[int]] = defaultdict(list)
    for name, start, end in awards:
        if start == end:
            by_type[name].append(end)
    for name, years in by_type.items():
        for first, last in _runs(years):
            if last > first:
                lines.append((last, f"{name} {last - first + 1} năm liên tục ({first}–{last})"))
    return [text for _, text in sorted(lines, key=lambda item: (-item[0], item[1]))]


def recipients_streaks(*, recipients) -> dict[tuple[type, int], list[str]]:
    """recipient_streaks() for many recipients at once, by (model, pk); two queries a kind."""
    found: dict[tuple[type, int], list[str]] = {(type(r), r.pk): [] for r in recipients}
    for model, field_name in (
        (Collective, "collective"),
        (Individual, "individual"),
        (Household, "household"),
    ):
        ids = [pk for kind, pk in found if kind is model]
        if not ids:
            continue
        ratings: dict[int, dict[int, str]] = defaultdict(dict)
        if model is not Household:
            for rid, year, grade in Rating.objects.filter(
                **{f"{field_name}_id__in": ids}
            ).values_list(f"{field_name}_id", "year", "grade"):
                ratings[rid][year] = grade
        awards: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
        for rid, name, start, end in (
            counted_awards()
            .filter(**{f"{field_name}_id__in": ids})
            .values_list(f"{field_name}_id", "award_type__name", "period_from", "period_to")
        ):
            awards[rid].append((name, start, end))
        for rid in ids:
            found[(model, rid)] = _streak_lines(ratings.get(rid, {}), awards.get(rid, ()))
    return found


def _recipient_judge(rule, recipient, year: int, on: date, one: _OneHistory) -> Answer:
    """rule_check() of one recipient on their history read once: the same answer."""
    scope = _Scope(rule.recipient_kind, ids=[recipient.pk])
    history = _History(rule=rule, year=year, on=on, scope=scope, preloaded=one)
    if rule.recipient_kind == RecipientKind.COLLECTIVE:
        history.load_collective_units({recipient.pk: recipient.unit_id})
    name = {
        RecipientKind.INDIVIDUAL: lambda: recipient.full_name,
        RecipientKind.COLLECTIVE: lambda: recipient.name,
        RecipientKind.HOUSEHOLD: lambda: f"Hộ {recipient.head_name}",
    }[rule.recipient_kind]()
    return _judge(rule, _routes(rule), history, recipient.pk, name, True)


@dataclass
class HeldAward:
    award: Award
    answer: Answer | None


@dataclass
class RecipientEligibility:
    streaks: list[str]
    held: list[HeldAward]


def recipient_award_routes(*, recipient) -> list[HeldAward]:
    """Each merit award the recipient holds, judged by the rule in force when it was given."""
    return recipient_eligibility(recipient=recipient).held


def recipient_eligibility(*, recipient) -> RecipientEligibility:
    """A recipient's streaks (as recipient_streaks) and each merit award they hold, judged by
    the rule in force when it was given (the route passed, or what the records lack).

    The record is read once for both: four to six queries, whatever the number of awards and
    of the rules among them. An award judged like another (same rule, year and day) is judged
    once.
    """
    field_name = {Collective: "collective", Individual: "individual", Household: "household"}[
        type(recipient)
    ]
    # Issued and not revoked, in Award's order (the history picks the first decision of a year).
    issued = list(
        Award.objects.filter(
            **{field_name: recipient},
            decision__status=DecisionStatus.ISSUED,
            revoked_by__isnull=True,
        ).select_related("award_type", "decision__authority")
    )
    held_types = {a.award_type_id for a in issued}
    candidates = [rule for rule in all_rules() if rule.award_type_id in held_types]
    one = _OneHistory.read(recipient, awards=issued, judging=bool(candidates))
    # Those that count towards higher awards today, as counted_awards() reads them.
    today = timezone.localdate()
    counted_now = {row.loai_hinh for row in one.counted if row.is_valid_on(today)}
    counted = sorted(
        (a for a in issued if a.loai_hinh in counted_now),
        key=lambda a: (-a.period_to, -a.decision.signed_date.toordinal()),
    )
    streaks = _streak_lines(
        dict(one.ratings), ((a.award_type.name, a.period_from, a.period_to) for a in counted)
    )
    judged: dict[tuple[int, int, date], Answer | None] = {}
    held = []
    for award in counted:
        signed = award.decision.signed_date
        rules = _best_rules(
            candidates, on=signed, authority=award.decision.authority, loai_hinh=award.loai_hinh
        )
        rule = rules.get((award.award_type_id, award.recipient_kind))
        answer = None
        if rule is not None:
            key = (rule.pk, award.period_to, signed)
            if key not in judged:
                judged[key] = _recipient_judge(rule, recipient, award.period_to, signed, one)
            answer = judged[key]
        held.append(HeldAward(award=award, answer=answer))
    return RecipientEligibility(streaks=streaks, held=held)
