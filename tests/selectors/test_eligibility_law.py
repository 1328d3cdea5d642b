"""The law in force as the shipped rules say it, one legal text at a time: who just passes, who
just fails, and the reason given in Vietnamese."""

from datetime import date

import pytest
from django.db import transaction

from registry.models import AwardType, Discipline, Unit
from registry.models.ratings import DisciplineForm, discipline_form_of
from registry.selectors.eligibility import (
    nominee_list,
)
from registry.services.catalogue import catalogue_load
from registry.services.rules import rules_load
from tests.selectors.test_eligibility import give, group, person, rate

pytestmark = pytest.mark.django_db

OLD_LAW = date(2023, 6, 1)  # the Nghị định 91/2017 versions
NEW_LAW = date(2024, 3, 1)  # the Nghị định 98/2023 versions


@pytest.fixture(scope="module", autouse=True)
def rules(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        catalogue_load()
        rules_load()
        yield
        transaction.set_rollback(True)


def judge(code, year, on):
    found = nominee_list(
        award_type=AwardType.objects.get(code=code), year=year, on=on, include_all=True
    )
    return {answer.name: answer for answer in found.answers}


def school(name, code, *, members=4, holders=4, year=2023, grade="HTTNV"):
    """A collective rated `grade` with `members` rated members, `holders` of them LĐTT."""
    unit = Unit.objects.create(code=code, name=name)
    collective = group(name, unit=unit)
    rate(collective, {year: grade})
    people = [person(f"Giáo Viên {code.upper()} {i}") for i in range(members)]
    for p in people:
        rate(p, {year: "HTTNV"}, unit=unit)
    if holders:
        give("ldtt", people[:holders], year)
    return collective, people


def discipline(who, form, start, end=None):
    return Discipline.objects.create(individual=who, form=form, start_date=start, end_date=end)


# ------------------------------------------------------------- discipline forms, by severity
@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Khiển trách", DisciplineForm.REPRIMAND),
        ("kỷ luật CẢNH CÁO", DisciplineForm.WARNING),
        ("Kéo dài thời hạn nâng lương không quá 06 tháng", DisciplineForm.WARNING),
        ("Cách chức", DisciplineForm.REMOVAL),
        ("Khai trừ ra khỏi Đảng", DisciplineForm.DISMISSAL),
        ("Kỷ luật", None),
    ],
)
def test_a_recorded_form_is_read_into_its_step(text, form):
    assert discipline_form_of(text) == form


def test_forms_are_ordered_lightest_first():
    assert DisciplineForm.values[:2] == ["khien-trach", "canh-cao"]
    assert DisciplineForm.values[-1] == "buoc-thoi-viec"
