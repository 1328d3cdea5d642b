"""The database itself refuses what the services would refuse first (both backends)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from registry.models import Award, Decision, Individual, Rating, TargetSet
from tests import factories

pytestmark = pytest.mark.django_db


def refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_award_needs_exactly_one_recipient():
    decision = factories.draft_decision()
    gk = factories.award_type()
    person = factories.individual()
    group = factories.collective()
    base = dict(
        decision=decision,
        authority=decision.authority,
        award_type=gk,
        period_from=2022,
        period_to=2022,
    )
    refused(lambda: Award.objects.create(**base))
    refused(lambda: Award.objects.create(**base, individual=person, collective=group))
    Award.objects.create(**base, individual=person)


def test_award_period_must_be_ordered():
    decision = factories.draft_decision()
    refused(
        lambda: Award.objects.create(
            decision=decision,
            authority=decision.authority,
            award_type=factories.award_type(),
            individual=factories.individual(),
            period_from=2023,
            period_to=2021,
        )
    )


def test_decision_number_unique_per_authority_and_period():
    factories.draft_decision(number="15/QĐ-UBND", signed_date=date(2023, 1, 10))
    # Same number the next year: a new numbering period for a state body.
    factories.draft_decision(number="15/QĐ-UBND", signed_date=date(2024, 1, 10))
    first = Decision.objects.first()
    refused(
        lambda: Decision.objects.create(
            authority=first.authority,
            number="15/QĐ-UBND",
            numbering_period=2023,
            signed_date=date(2023, 5, 1),
            subject="x",
            signer_title="x",
            signer_name="x",
        )
    )


def test_register_number_unique_per_authority():
    decision = factories.draft_decision()
    gk = factories.award_type()
    Award.objects.create(
        decision=decision, authority=decision.authority, award_type=gk, period_from=2022,
        period_to=2022, individual=factories.individual("A B"), register_number=7,
    )  # fmt: skip
    refused(
        lambda: Award.objects.create(
            decision=decision,
            authority=decision.authority,
            award_type=gk,
            period_from=2022,
            period_to=2022,
            individual=factories.individual("C D"),
            register_number=7,
        )  # fmt: skip
    )


def test_citizen_id_unique_and_twelve_digits():
    factories.individual("A B", citizen_id="001234567890")
    refused(lambda: factories.individual("C D", citizen_id="001234567890"))
    refused(lambda: factories.individual("E F", citizen_id="12345"))
    # Many people without an ID are fine.
    factories.individual("G H")
    factories.individual("I K")
    assert Individual.objects.filter(citizen_id__isnull=True).count() == 2


def test_one_rating_a_year_and_exactly_one_subject():
    person = factories.individual()
    Rating.objects.create(individual=person, year=2022, grade="HTXSNV")
    refused(lambda: Rating.objects.create(individual=person, year=2022, grade="HTTNV"))
    refused(lambda: Rating.objects.create(year=2021, grade="HTTNV"))
    refused(lambda: Rating.objects.create(individual=person, year=2021, grade="XYZ"))


def test_target_set_owner_matches_kind():
    refused(
        lambda: TargetSet.objects.create(
            kind="giao-uoc", title="x", year=2023, authority=factories.authority()
        )
    )
