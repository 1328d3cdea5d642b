"""What one row of a list becomes: an ImportLine, kept in ImportBatch.payload["lines"]."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from registry.models import Collective, Household, Individual, RecipientKind
from registry.text import fold

COLLECTIVE = RecipientKind.COLLECTIVE.value
INDIVIDUAL = RecipientKind.INDIVIDUAL.value
HOUSEHOLD = RecipientKind.HOUSEHOLD.value
KIND_MODELS = {COLLECTIVE: Collective, INDIVIDUAL: Individual, HOUSEHOLD: Household}
KIND_FIELD = {COLLECTIVE: "collective", INDIVIDUAL: "individual", HOUSEHOLD: "household"}


@dataclass(eq=False, slots=True)
class ImportLine:
    """One data row of a list: what the file says, cleaned, then what the preview resolved.

    to_dict() writes the payload's JSON under the keys it has always had, and only those a line
    of its kind has (see _SHAPE below); from_dict() reads it back.
    """

    sheet: str
    row: int
    kind: str = INDIVIDUAL
    # Stated by a column, a section row or the name column's header; else guessed.
    kind_known: bool = False
    # Column letter of every field the header names, for problems placed on cells.
    cols: dict[str, str] = field(default_factory=dict)

    # From the file, cleaned (gender ends as "nam", "nu" or "").
    name: str = ""
    title: str = ""
    gender: str = ""
    birth_date: str | None = None  # ISO date
    birth_year: int | None = None
    citizen_id: str = ""
    position: str = ""
    unit: str = ""
    achievement: str = ""
    note: str = ""
    award_type: str = ""  # as written
    reason: str = ""  # the council's reason for a line the rule in force warns about
    decision_number: str | None = None  # old registers
    decision_date: str | None = None  # old registers, ISO date
    year: int | None = None  # ratings
    school_year: bool | None = None  # ratings
    grade: str | None = None  # ratings: as written, then the RatingGrade value
    # Fields whose cell could not be read, and the cell's text.
    bad: list[str] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)

    # Resolved by the preview.
    award_type_id: int | None = None
    award_type_name: str | None = None
    period_from: int | None = None
    period_to: int | None = None
    decision_id: int | None = None  # an old register's decision already in the registry
    match: str | None = None  # "new", "matched" or "ambiguous"
    recipient_id: int | None = None
    label: str | None = None
    candidates: list[dict] = field(default_factory=list)  # {"id", "label"} when ambiguous
    new_ref: int | None = None  # shared by the lines naming the same new recipient
    unchanged: bool | None = None  # already in the registry, as the file has it
    twice: bool = False
    warnings: list[str] = field(default_factory=list)  # eligibility, shown and not errors
    # What the file itself leaves in doubt (Bà with gender Nam, no achievement): shown with the
    # line, placed on its cell, never an error.
    notices: list[dict] = field(default_factory=list)  # {"column", "message"}

    # Cells read through a typed widget (birth, decision_date, period, year) that the kind still
    # interprets; never stored.
    read: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: dict) -> ImportLine:
        return cls(**{key: value for key, value in data.items() if key in STORED_FIELDS})

    def to_dict(self) -> dict:
        data = {name: getattr(self, name) for name in _ALWAYS}
        for name in _FROM_COLUMN:
            if name in self.cols:
                data[name] = getattr(self, name)
        for name, anchor in _WITH.items():
            if getattr(self, anchor) is not None:
                data[name] = getattr(self, name)
        for name, default in _WHEN_SET:
            value = getattr(self, name)
            if value != default:
                data[name] = value
        return data

    def person_key(self) -> tuple:
        """Who a new line names, within one file: the name as typed (Hương and Hưởng differ)."""
        name = " ".join(self.name.lower().split())
        if self.kind == INDIVIDUAL:
            if self.citizen_id:
                return (INDIVIDUAL, "cccd", self.citizen_id)
            return (INDIVIDUAL, name, self.birth_year, fold(self.unit))
        return (self.kind, name, fold(self.unit))

    def identity(self) -> tuple:
        """The recipient a line names: a record's id, or the new person's key."""
        if self.recipient_id:
            return ("id", self.kind, self.recipient_id)
        return ("new", *self.person_key())

    # What the admin's preview shows.

    @property
    def kind_label(self) -> str:
        return RecipientKind(self.kind).label

    @property
    def honorific(self) -> str:
        return {"nam": "Ông ", "nu": "Bà "}.get(self.gender, "")

    @property
    def birth_shown(self) -> str:
        """12/03/1986 for a full date, 1986 for a year alone."""
        if self.birth_date:
            year, month, day = self.birth_date.split("-")
            return f"{day}/{month}/{year}"
        return str(self.birth_year or "")

    @property
    def notices_shown(self) -> list[str]:
        """'Dòng 5, cột D: …' for each notice, as the preview lists them."""
        shown = []
        for notice in self.notices:
            where = f"Dòng {self.row}" + (
                f", cột {notice['column']}" if notice.get("column") else ""
            )
            shown.append(f"{where}: {notice['message']}")
        return shown

    @property
    def award_shown(self) -> str:
        award = self.award_type_name or self.grade or ""
        return f"{award} ({self.decision_number})" if self.decision_number else award

    @property
    def year_shown(self):
        if self.year:
            return f"{self.year - 1}–{self.year}" if self.school_year else self.year
        if self.period_from and self.period_from != self.period_to:
            return f"{self.period_from}–{self.period_to}"
        return self.period_to or ""


# The payload's shape, as it always was: some keys every line has; a field read from an
# optional column only where that column was; a kind's own fields on the lines of that kind
# (given with the field its preview always sets); the rest only when they hold something.
_ALWAYS = (
    "sheet", "row", "kind", "kind_known", "cols", "name", "gender", "birth_date", "birth_year",
    "citizen_id", "position", "unit", "achievement", "note",
)  # fmt: skip
_FROM_COLUMN = ("title", "award_type", "reason")
_WITH = {
    "award_type_id": "period_from",
    "decision_date": "decision_number",
    "decision_id": "decision_number",
    "year": "school_year",
    "grade": "school_year",
    "recipient_id": "match",
}
STORED_FIELDS = frozenset(f.name for f in fields(ImportLine)) - {"read"}
_WHEN_SET = [
    (f.name, f.default if f.default is not MISSING else f.default_factory())
    for f in fields(ImportLine)
    if f.name in STORED_FIELDS - set(_ALWAYS) - set(_FROM_COLUMN) - set(_WITH)
]
