"""What one row of a list becomes: the recipient kinds a line can name."""

from __future__ import annotations

from registry.models import Collective, Household, Individual, RecipientKind

COLLECTIVE = RecipientKind.COLLECTIVE.value
INDIVIDUAL = RecipientKind.INDIVIDUAL.value
HOUSEHOLD = RecipientKind.HOUSEHOLD.value
KIND_MODELS = {COLLECTIVE: Collective, INDIVIDUAL: Individual, HOUSEHOLD: Household}
KIND_FIELD = {COLLECTIVE: "collective", INDIVIDUAL: "individual", HOUSEHOLD: "household"}
