"""The text of an award as last amended (đính chính).

The signed line is never rewritten: an amendment decision records the corrected name, position,
unit or achievement beside it. Whatever shows an award to a reader (verification page, reports,
lists) shows the latest amended value, falling back to the signed one.
"""

from django.db.models import Case, F, OuterRef, QuerySet, Subquery, TextField, When
from django.db.models.functions import Coalesce

from registry.models.trust import AmendableField, Amendment

AMENDED = {field: f"amended_{field}" for field in AmendableField.values}


def amended_value(field: str):
    """An expression over awards: the latest amendment of ``field``, else the signed value."""
    latest = (
        Amendment.objects.filter(award_id=OuterRef("pk"), field=field)
        .order_by("-recorded_at", "-pk")
        .values("new_value")[:1]
    )
    # Few awards are ever amended: an uncorrelated IN (read once, hashed) keeps the per-award
    # lookup off every other row of a year's report.
    amended = Amendment.objects.filter(field=field).values("award_id")
    return Case(
        When(pk__in=amended, then=Coalesce(Subquery(latest), F(field))),
        default=F(field),
        output_field=TextField(),
    )


def with_amended_text(awards: QuerySet, *fields: str) -> QuerySet:
    """Award queryset annotated with ``amended_<field>`` for ``fields`` (all four by default)."""
    return awards.annotate(**{AMENDED[f]: amended_value(f) for f in fields or AMENDED})


def award_show_amended(award) -> None:
    """Put the amended values on an award loaded through ``with_amended_text``, for display
    only: the instance must not be saved afterwards (the database refuses it anyway)."""
    for field, name in AMENDED.items():
        if hasattr(award, name):
            setattr(award, field, getattr(award, name))
