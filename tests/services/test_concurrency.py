"""Two clerks issuing decisions of one authority at the same moment (real PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from registry.models import Award
from registry.services.decisions import decision_issue
from tests import factories


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_keeps_register_numbers_unique_and_gapless():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the race is PostgreSQL's")
    decisions = [
        factories.decision_with_lines(f"{n}/QĐ-UBND", collectives=3, individuals=4)
        for n in range(1, 7)
    ]
    start = threading.Barrier(len(decisions))
    errors = []

    def issue(decision):
        try:
            start.wait()
            decision_issue(decision=decision)
        except Exception as error:  # reported below; a thread must not swallow it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(d,)) for d in decisions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(Award.objects.values_list("register_number", flat=True))
    assert numbers == list(range(1, 43))
    # Each decision got one unbroken run of numbers: issuing is serialised per authority.
    for decision in decisions:
        mine = sorted(
            Award.objects.filter(decision=decision).values_list("register_number", flat=True)
        )
        assert mine == list(range(mine[0], mine[0] + 7))
