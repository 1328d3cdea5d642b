"""Annual award reports: the summary a clerk takes to the year-end conference and the state's
statistical forms 0601.N, 0602.N and 0603.N.

Everything is counted in SQL (conditional Count/Sum over values()/annotate()), never by looping
over award rows in Python: one grouped query per breakdown, each with this year's and last
year's figures side by side, so the number of queries does not grow with the registry.

Rules that hold for every part:
- only awards of issued decisions count; revoked awards (revoked_by set) are left out of every
  figure and counted apart ("revoked");
- cash is the sum of the known amounts; lines whose amount could not be computed from the dated
  tables (cash_amount NULL) are counted apart as "chưa xác định", never as 0;
- the summary's year is the achievement year (Award.period_to, the default) or the decision
  year (Decision.signed_date), and says which; the statistical forms always count by decision
  date, as the forms do.

Layout of the forms. The text of Thông tư 02/2023/TT-BNV could not be found, so the forms follow
the deployed systems' layout that ../shared/DOMAIN.md describes (the README says so, once; the
forms themselves carry no such note, since a clerk sends them upward):
- 0601.N: movements (campaigns) launched in the year (launch date, else start date) by the
  authorities covered, counted by scope (Campaign.scope as written), by duration in five bands
  (DURATION_BANDS) and by form.
- 0602.N: state-level awards (award type level nha-nuoc or chinh-phu), one column pair
  (tập thể / cá nhân) per award type, rows by proposing body, by recipient category and by loại
  hình; an award type has a tập thể or cá nhân column only if it may be given to them. For an
  authority, an award counts when that authority (or one below it, with subtree)
  gave it or proposed it (Decision.proposing_authority): state awards are signed above and
  reported by the body that proposed them.
- 0603.N: the same for ministry/province-level awards (level bo-tinh).
Households are not a column of the forms; state and province awards are not given to them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractYear

from registry.models import (
    Authority,
    Award,
    AwardType,
    Campaign,
    Decision,
    LoaiHinh,
    RecipientCategory,
    RecipientKind,
    Unit,
)
from registry.models.awards import AwardLevel, DecisionStatus
from registry.models.campaigns import CampaignForm
from registry.selectors.amendments import AMENDED, with_amended_text
from registry.selectors.law import authority_with_predecessors
from registry.text import name_sort_key

ACHIEVEMENT = "achievement"
DECISION = "decision"
BASES = (ACHIEVEMENT, DECISION)
BASIS_LABELS = {
    ACHIEVEMENT: "Năm thành tích: mỗi khen thưởng được tính vào năm cuối của thời gian thành tích",
    DECISION: "Năm quyết định: mỗi khen thưởng được tính theo ngày ký quyết định trong năm",
}
BASIS_SHORT = {ACHIEVEMENT: "năm thành tích", DECISION: "năm quyết định"}
FORMS_BASIS = "Các biểu thống kê tính theo ngày ký quyết định trong năm, như biểu mẫu quy định."
FORMS_DUE = (15, 12)  # day, month: the forms are sent up by 15/12
# 0601.N by duration, in five bands as deployed systems have them. The bounds are days between
# the start and the end date: a movement launched in mid-January for the year counts as "1 năm".
DURATION_BANDS = (
    "Dưới 1 năm",
    "1 năm",
    "Từ trên 1 năm đến dưới 3 năm",
    "Từ 3 năm đến dưới 5 năm",
    "Từ 5 năm trở lên",
)
DURATION_BOUNDS = (330, 396, 1065, 1795)


def forms_period(year: int) -> dict[str, str]:
    """The reporting period and the due date printed with the forms."""
    day, month = FORMS_DUE
    return {
        "period": f"Kỳ báo cáo: năm {year} (từ ngày 01/01/{year} đến ngày 31/12/{year})",
        "due": f"Thời hạn gửi báo cáo: ngày {day:02d}/{month:02d}/{year}",
    }


STATE_LEVELS = (AwardLevel.STATE, AwardLevel.GOVERNMENT)
PROVINCE_LEVELS = (AwardLevel.PROVINCE,)
NO_CAMPAIGN = "Không gắn với phong trào thi đua"
NO_UNIT = "(không ghi đơn vị)"
NO_PROPOSER = "(không ghi cơ quan đề nghị)"
NO_CATEGORY = "Chưa phân loại"
LOAI_HINH_LABELS = dict(LoaiHinh.choices)
KIND_LABELS = dict(RecipientKind.choices)

COUNT_KEYS = ("collectives", "individuals", "households", "revoked", "cash", "cash_unknown")


@dataclass
class Counts:
    """Award lines of one group: live lines by recipient kind, revoked lines and cash."""

    collectives: int = 0
    individuals: int = 0
    households: int = 0
    revoked: int = 0
    cash: int = 0
    cash_unknown: int = 0

    @property
    def total(self) -> int:
        return self.collectives + self.individuals + self.households

    def add(self, other: Counts) -> None:
        for key in COUNT_KEYS:
            setattr(self, key, getattr(self, key) + getattr(other, key))

    def as_dict(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in COUNT_KEYS}


@dataclass
class Line:
    """One row of a breakdown: this year's figures and last year's beside them."""

    key: str
    label: str
    current: Counts = field(default_factory=Counts)
    previous: Counts = field(default_factory=Counts)
    loai_hinh: str = ""  # only for the award type × loại hình rows


@dataclass
class FormRow:
    label: str
    # award type code -> [collectives, individuals]
    cells: dict[str, list[int]] = field(default_factory=dict)

    def cell(self, code: str) -> list[int]:
        return self.cells.setdefault(code, [0, 0])

    @property
    def collectives(self) -> int:
        return sum(c for c, _ in self.cells.values())

    @property
    def individuals(self) -> int:
        return sum(i for _, i in self.cells.values())


@dataclass
class FormSection:
    title: str
    rows: list[FormRow] = field(default_factory=list)


@dataclass
class AwardForm:
    """0602.N / 0603.N: award types as columns, rows in sections.

    Each award type has a cell for collectives and one for individuals only where it may be
    given to them (AwardType.for_collectives / for_individuals): no impossible cell.
    """

    code: str
    title: str
    columns: list[tuple[str, str]]  # (award type code, name)
    total: FormRow
    sections: list[FormSection]
    # award type code -> (may go to collectives, may go to individuals)
    kinds: dict[str, tuple[bool, bool]] = field(default_factory=dict)

    def cells_of(self, code: str) -> list[str]:
        """The kinds of cell this award type has: 'collectives', 'individuals' or both."""
        collectives, individuals = self.kinds.get(code, (True, True))
        return [k for k, ok in (("collectives", collectives), ("individuals", individuals)) if ok]


@dataclass
class CampaignForm0601:
    code: str
    title: str
    total: int
    sections: list[tuple[str, list[tuple[str, int]]]]  # (section title, [(label, count)])
    open_ended: int = 0  # movements with no end date: in no duration band


@dataclass
class Summary:
    year: int
    basis: str
    authority: Authority | None
    subtree: bool
    authority_ids: list[int] | None
    with_predecessors: bool
    totals: Counts
    previous: Counts
    by_award_type: list[Line]
    by_type_loai_hinh: list[Line]
    by_loai_hinh: list[Line]
    by_campaign: list[Line]
    by_unit: list[Line]
    form_0601: CampaignForm0601
    form_0602: AwardForm
    form_0603: AwardForm

    @property
    def previous_year(self) -> int:
        return self.year - 1

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS[self.basis]

    @property
    def scope_label(self) -> str:
        if self.authority is None:
            return "Toàn bộ sổ khen thưởng"
        label = self.authority.name
        if self.subtree:
            label = f"{label} và các cấp trực thuộc"
        if self.with_predecessors:
            label = f"{label} (gồm cả cấp tiền nhiệm)"
        return label

    def awards(self) -> QuerySet:
        """The year's award lines for the archive list (revoked ones included, marked)."""
        return annual_awards_rows(
            year=self.year, basis=self.basis, authority_ids=self.authority_ids
        )

    def as_json(self) -> dict:
        def lines(items):
            return [
                {
                    "key": line.key,
                    "label": line.label,
                    **line.current.as_dict(),
                    "previous": line.previous.as_dict(),
                }
                for line in items
            ]

        def award_form(form: AwardForm) -> dict:
            def row(r: FormRow) -> dict:
                return {
                    "label": r.label,
                    "collectives": r.collectives,
                    "individuals": r.individuals,
                    "cells": {
                        code: {
                            kind: value
                            for kind, value in zip(
                                ("collectives", "individuals"), pair, strict=True
                            )
                            if kind in form.cells_of(code)
                        }
                        for code, pair in r.cells.items()
                    },
                }

            return {
                "title": form.title,
                "columns": [code for code, _ in form.columns],
                "total": row(form.total),
                "sections": [
                    {"title": s.title, "rows": [row(r) for r in s.rows]} for s in form.sections
                ],
            }

        return {
            "year": self.year,
            "basis": self.basis,
            "basis_label": self.basis_label,
            "authority": self.authority.code if self.authority else None,
            "subtree": self.subtree,
            "with_predecessors": self.with_predecessors,
            "totals": self.totals.as_dict(),
            "previous": self.previous.as_dict(),
            "rows": [
                {
                    "award_type": line.key,
                    "loai_hinh": line.loai_hinh,
                    "collectives": line.current.collectives,
                    "individuals": line.current.individuals,
                    "households": line.current.households,
                    "revoked": line.current.revoked,
                    "cash": line.current.cash,
                    "cash_unknown": line.current.cash_unknown,
                }
                for line in self.by_type_loai_hinh
                if line.current.total or line.current.revoked
            ],
            "by_award_type": lines(self.by_award_type),
            "by_loai_hinh": lines(self.by_loai_hinh),
            "by_campaign": lines(self.by_campaign),
            "by_unit": lines(self.by_unit),
            "forms": {
                "forms_basis": FORMS_BASIS,
                **forms_period(self.year),
                "0601.N": {
                    "title": self.form_0601.title,
                    "total": self.form_0601.total,
                    "open_ended": self.form_0601.open_ended,
                    "sections": [
                        {"title": title, "rows": [{"label": k, "count": n} for k, n in rows]}
                        for title, rows in self.form_0601.sections
                    ],
                },
                "0602.N": award_form(self.form_0602),
                "0603.N": award_form(self.form_0603),
            },
        }


# ----------------------------------------------------------------------------------- scope
def authority_subtree_ids(authority: Authority) -> list[int]:
    """The authority and every authority below it through Authority.parent (one query)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Authority.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found, todo = [], [authority.pk]
    seen = set()
    while todo:
        pk = todo.pop()
        if pk in seen:  # a bad parent cycle must not hang the report
            continue
        seen.add(pk)
        found.append(pk)
        todo.extend(children.get(pk, ()))
    return sorted(found)


def _authority_ids(
    authority: Authority | None, subtree: bool, with_predecessors: bool = False
) -> list[int] | None:
    if authority is None:
        return None
    roots = authority_with_predecessors(authority) if with_predecessors else [authority.pk]
    if not subtree:
        return roots
    found: set[int] = set()
    for pk in roots:
        found.update(authority_subtree_ids(Authority(pk=pk)))
    return sorted(found)


def _issued(authority_ids: list[int] | None) -> QuerySet:
    if authority_ids is None:
        return Award.objects.filter(decision__status=DecisionStatus.ISSUED)
    # Leave out the lines of the office's few unissued decisions (a line's authority is copied
    # from its decision), one hashed subquery: a join instead hashed every issued decision of
    # the registry for each count, or looped over the office's decisions.
    unissued = Decision.objects.filter(authority_id__in=authority_ids).exclude(
        status=DecisionStatus.ISSUED
    )
    return Award.objects.filter(authority_id__in=authority_ids).exclude(decision__in=unissued)


def _year_q(basis: str, year: int) -> Q:
    if basis == ACHIEVEMENT:
        return Q(period_to=year)
    if basis == DECISION:
        return Q(
            decision__signed_date__gte=date(year, 1, 1),
            decision__signed_date__lt=date(year + 1, 1, 1),
        )
    raise ValueError(f"Cách tính năm không hợp lệ: {basis!r} (chọn achievement hoặc decision).")


def _year_filter(basis: str, years: tuple[int, ...]) -> Q:
    if basis == ACHIEVEMENT:
        return Q(period_to__in=years)
    first, last = min(years), max(years)
    return Q(
        decision__signed_date__gte=date(first, 1, 1), decision__signed_date__lt=date(last + 1, 1, 1)
    )


def _aggregates() -> dict:
    """The figures of one group and year: six counts whose filters name only columns of the
    award line (the year is grouped on, not filtered in each count: half as many expressions,
    which Django took longer to compile than PostgreSQL to count a commune's lines)."""
    live = Q(revoked_by__isnull=True)
    return {
        "collectives": Count("id", filter=live & Q(collective__isnull=False)),
        "individuals": Count("id", filter=live & Q(individual__isnull=False)),
        "households": Count("id", filter=live & Q(household__isnull=False)),
        "revoked": Count("id", filter=Q(revoked_by__isnull=False)),
        "cash": Sum("cash_amount", filter=live),
        "cash_unknown": Count("id", filter=live & Q(cash_amount__isnull=True)),
    }


def _grouped(
    awards: QuerySet, basis: str, year: int, *fields: str
) -> list[tuple[tuple, Counts, Counts]]:
    """(group, this year's counts, last year's) for each group with lines in either year."""
    year_field = "period_to"
    if basis != ACHIEVEMENT:
        awards, year_field = (
            awards.annotate(signed_year=ExtractYear("decision__signed_date")),
            "signed_year",
        )
    rows = (
        awards.filter(_year_filter(basis, (year - 1, year)))
        .values(*fields, year_field)
        .annotate(**_aggregates())
        .order_by()
    )
    found: dict[tuple, tuple[Counts, Counts]] = {}
    for row in rows:
        key = tuple(row[f] for f in fields)
        pair = found.get(key)
        if pair is None:
            pair = found[key] = (Counts(), Counts())
        pair[0 if row[year_field] == year else 1].add(_counts(row))
    return [(key, current, last) for key, (current, last) in found.items()]


def _counts(row: dict) -> Counts:
    return Counts(**{key: int(row[key] or 0) for key in COUNT_KEYS})


def _line_order(line: Line) -> tuple:
    # The label and key last: names a clerk typed in two ways ("Trường A", "trường A.") share
    # a sort key, and the database returns their groups in no fixed order.
    return (
        -line.current.total,
        -line.previous.total,
        name_sort_key(line.label),
        line.label,
        line.key,
    )


# ----------------------------------------------------------------------------------- forms
def _form_0601(authority_ids: list[int] | None, year: int) -> CampaignForm0601:
    campaigns = Campaign.objects.annotate(launched=Coalesce("launched_on", "start_date")).filter(
        launched__gte=date(year, 1, 1), launched__lt=date(year + 1, 1, 1)
    )
    if authority_ids is not None:
        campaigns = campaigns.filter(authority_id__in=authority_ids)
    # A year's movements are few: counted here from one plain read, which is quicker than
    # compiling ten filtered counts.
    rows = list(campaigns.values_list("form", "scope", "start_date", "end_date"))
    bounds = [timedelta(days=days) for days in DURATION_BOUNDS]
    row = {
        "total": len(rows),
        "regular": sum(form == CampaignForm.REGULAR for form, *_ in rows),
        "thematic": sum(form == CampaignForm.THEMATIC for form, *_ in rows),
        "open_ended": sum(end is None for *_, end in rows),
    }
    bands = [0] * len(DURATION_BANDS)
    for *_, start, end in rows:
        if end is not None:
            bands[bisect_right(bounds, end - start)] += 1
    scopes = Counter(scope for _, scope, _, _ in rows)
    scope_rows = sorted(
        (
            (scope or "(không ghi phạm vi)", n)
            for scope, n in sorted(scopes.items(), key=lambda item: (item[0] is None, item[0]))
        ),
        key=lambda item: (name_sort_key(item[0]), item[0]),
    )
    return CampaignForm0601(
        code="0601.N",
        title="Biểu 0601.N – Phong trào thi đua phát động trong năm",
        total=row["total"],
        open_ended=row["open_ended"],
        sections=[
            ("Chia theo phạm vi", scope_rows),
            (
                "Chia theo thời gian",
                list(zip(DURATION_BANDS, bands, strict=True)),
            ),
            (
                "Chia theo hình thức",
                [
                    (CampaignForm.REGULAR.label, row["regular"]),
                    (CampaignForm.THEMATIC.label, row["thematic"]),
                ],
            ),
        ],
    )


def _award_forms(
    authority_ids: list[int] | None,
    year: int,
    award_types: dict[int, AwardType],
    authority_names: dict[int, str],
) -> tuple[AwardForm, AwardForm]:
    levels = {*STATE_LEVELS, *PROVINCE_LEVELS}
    # The year's decisions that gave or proposed (a line's authority is its decision's): chosen
    # first by their own indexes, so that only their lines are read, not every line's decision.
    decisions = Decision.objects.filter(
        status=DecisionStatus.ISSUED,
        signed_date__gte=date(year, 1, 1),
        signed_date__lt=date(year + 1, 1, 1),
    )
    if authority_ids is not None:
        decisions = decisions.filter(
            Q(authority_id__in=authority_ids) | Q(proposing_authority_id__in=authority_ids)
        )
    awards = Award.objects.filter(
        decision__in=decisions.values("pk"),
        revoked_by__isnull=True,
        award_type__level__in=levels,
    )
    grouped = list(
        awards.values(
            "award_type_id",
            "decision__proposing_authority_id",
            "decision__proposing_unit_id",
            "recipient_category",
            "loai_hinh",
        )
        .annotate(
            collectives=Count("id", filter=Q(collective__isnull=False)),
            individuals=Count("id", filter=Q(individual__isnull=False)),
        )
        .order_by()
    )
    unit_ids = {
        r["decision__proposing_unit_id"]
        for r in grouped
        if r["decision__proposing_unit_id"] and not r["decision__proposing_authority_id"]
    }
    unit_names = (
        dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    )
    categories = dict(RecipientCategory.choices)
    award_types_by_code = {t.code: t for t in award_types.values()}

    def build(code: str, title: str, type_levels: tuple[str, ...]) -> AwardForm:
        year_start, year_end = date(year, 1, 1), date(year, 12, 31)
        used = {r["award_type_id"] for r in grouped}
        columns = [
            (t.code, t.name)
            for t in sorted(award_types.values(), key=lambda t: (t.display_order, t.code))
            if t.level in type_levels
            and (
                t.pk in used
                or (
                    (t.valid_from is None or t.valid_from <= year_end)
                    and (t.valid_to is None or t.valid_to >= year_start)
                )
            )
        ]
        total = FormRow("Tổng số")
        by_proposer: dict[str, FormRow] = {}
        by_category: dict[str, FormRow] = {
            label: FormRow(label) for value, label in RecipientCategory.choices
        }
        by_category[NO_CATEGORY] = FormRow(NO_CATEGORY)
        by_loai_hinh = {label: FormRow(label) for _, label in LoaiHinh.choices}
        for r in grouped:
            award_type = award_types[r["award_type_id"]]
            if award_type.level not in type_levels:
                continue
            if r["decision__proposing_authority_id"]:
                proposer = authority_names[r["decision__proposing_authority_id"]]
            elif r["decision__proposing_unit_id"]:
                proposer = unit_names[r["decision__proposing_unit_id"]]
            else:
                proposer = NO_PROPOSER
            category = categories.get(r["recipient_category"], NO_CATEGORY)
            for row in (
                total,
                by_proposer.setdefault(proposer, FormRow(proposer)),
                by_category[category],
                by_loai_hinh[LOAI_HINH_LABELS.get(r["loai_hinh"], r["loai_hinh"])],
            ):
                cell = row.cell(award_type.code)
                cell[0] += r["collectives"]
                cell[1] += r["individuals"]
        proposers = sorted(
            by_proposer.values(), key=lambda row: (name_sort_key(row.label), row.label)
        )
        kinds = {
            award_types_by_code[c].code: (
                award_types_by_code[c].for_collectives,
                award_types_by_code[c].for_individuals,
            )
            for c, _ in columns
        }
        return AwardForm(
            code=code,
            title=title,
            columns=columns,
            kinds=kinds,
            total=total,
            sections=[
                FormSection("I. Chia theo cơ quan đề nghị", proposers),
                FormSection("II. Chia theo đối tượng", list(by_category.values())),
                FormSection("III. Chia theo loại hình khen thưởng", list(by_loai_hinh.values())),
            ],
        )

    return (
        build("0602.N", "Biểu 0602.N – Khen thưởng cấp Nhà nước", STATE_LEVELS),
        build("0603.N", "Biểu 0603.N – Khen thưởng cấp bộ, ngành, tỉnh", PROVINCE_LEVELS),
    )


# ----------------------------------------------------------------------------------- summary
def annual_summary(
    *,
    year: int,
    authority: Authority | None = None,
    subtree: bool = False,
    basis: str = ACHIEVEMENT,
    with_predecessors: bool = False,
) -> Summary:
    """The year's report for one authority (with those below it, if subtree) or the registry.

    with_predecessors adds the awards of the authorities it succeeded (an abolished district's
    whole register: it is not split among the communes that took it over).

    A fixed number of queries whatever the size of the registry.
    """
    if basis not in BASES:
        raise ValueError(f"Cách tính năm không hợp lệ: {basis!r} (chọn achievement hoặc decision).")
    year = int(year)
    authority_ids = _authority_ids(authority, subtree, with_predecessors)
    awards = _issued(authority_ids)
    award_types = {t.pk: t for t in AwardType.objects.all()}
    authority_names = dict(Authority.objects.values_list("pk", "name"))

    # 1. award type × loại hình: gives the totals, the award types and the loại hình too.
    totals, previous = Counts(), Counts()
    by_type: dict[int, Line] = {}
    by_loai_hinh = {code: Line(code, label) for code, label in LoaiHinh.choices}
    type_loai_hinh = []
    for (type_id, loai_hinh), current, last in _grouped(
        awards, basis, year, "award_type_id", "loai_hinh"
    ):
        award_type = award_types[type_id]
        totals.add(current)
        previous.add(last)
        line = by_type.setdefault(type_id, Line(award_type.code, award_type.name))
        line.current.add(current)
        line.previous.add(last)
        lh = by_loai_hinh.setdefault(
            loai_hinh, Line(loai_hinh, LOAI_HINH_LABELS.get(loai_hinh, loai_hinh))
        )
        lh.current.add(current)
        lh.previous.add(last)
        type_loai_hinh.append(
            Line(award_type.code, award_type.name, current, last, loai_hinh=loai_hinh)
        )
    type_order = {t.pk: (t.display_order, t.code) for t in award_types.values()}
    by_award_type = [by_type[pk] for pk in sorted(by_type, key=type_order.__getitem__)]
    code_order = {t.code: (t.display_order, t.code) for t in award_types.values()}
    loai_hinh_order = {code: i for i, code in enumerate(LoaiHinh.values)}
    type_loai_hinh.sort(
        key=lambda line: (code_order[line.key], loai_hinh_order.get(line.loai_hinh, 99))
    )

    # 2. campaigns.
    campaign_rows = _grouped(awards, basis, year, "campaign_id")
    campaign_ids = [key[0] for key, _, _ in campaign_rows if key[0]]
    campaign_names = (
        dict(Campaign.objects.filter(pk__in=campaign_ids).values_list("pk", "name"))
        if campaign_ids
        else {}
    )
    by_campaign = sorted(
        (
            Line(str(key[0] or ""), campaign_names.get(key[0], NO_CAMPAIGN), current, last)
            for key, current, last in campaign_rows
        ),
        key=_line_order,
    )

    # 3. recipient units, as printed on the award (the snapshot) or as last amended.
    unit = AMENDED["recipient_unit"]
    by_unit = sorted(
        (
            Line(key[0] or "", key[0] or NO_UNIT, current, last)
            for key, current, last in _grouped(
                with_amended_text(awards, "recipient_unit"), basis, year, unit
            )
        ),
        key=_line_order,
    )

    form_0602, form_0603 = _award_forms(authority_ids, year, award_types, authority_names)
    return Summary(
        year=year,
        basis=basis,
        authority=authority,
        subtree=subtree,
        authority_ids=authority_ids,
        with_predecessors=with_predecessors,
        totals=totals,
        previous=previous,
        by_award_type=by_award_type,
        by_type_loai_hinh=type_loai_hinh,
        by_loai_hinh=list(by_loai_hinh.values()),
        by_campaign=by_campaign,
        by_unit=by_unit,
        form_0601=_form_0601(authority_ids, year),
        form_0602=form_0602,
        form_0603=form_0603,
    )


LIST_FIELDS = (
    "decision__number",
    "decision__signed_date",
    "authority__name",
    "award_type__name",
    "loai_hinh",
    "collective_id",
    "individual_id",
    "recipient_name",
    "recipient_position",
    "recipient_unit",
    "period_from",
    "period_to",
    "campaign__name",
    "register_number",
    "cash_amount",
    "revoked_by__number",
    "revoked_on",
)

_AMENDED_LIST_FIELDS = [f for f in LIST_FIELDS if f in AMENDED]


def annual_awards_rows(
    *, year: int, basis: str = ACHIEVEMENT, authority_ids: list[int] | None = None
) -> QuerySet:
    """The year's award lines as tuples of LIST_FIELDS, in decision order (one query, lazy).

    Revoked lines are included: the archive keeps them, marked with the revoking decision.
    Name, position and unit are as last amended (đính chính), else as signed.
    """
    return (
        with_amended_text(
            _issued(authority_ids).filter(_year_q(basis, int(year))), *_AMENDED_LIST_FIELDS
        )
        .order_by("decision__signed_date", "decision_id", "line_no", "id")
        .values_list(*(AMENDED.get(f, f) for f in LIST_FIELDS))
    )


def recipient_kind_label(collective_id, individual_id) -> str:
    if collective_id:
        return KIND_LABELS[RecipientKind.COLLECTIVE]
    if individual_id:
        return KIND_LABELS[RecipientKind.INDIVIDUAL]
    return KIND_LABELS[RecipientKind.HOUSEHOLD]
