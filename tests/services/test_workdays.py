"""The working-day clock across Tết 2026 and Tết 2027, with the DayOff table.

Tết Bính Ngọ 2026: officials are off from Saturday 14/02/2026 to Sunday 22/02/2026, nine days in
a row, so Monday 16 to Friday 20 February are days off (the Prime Minister's approval of the Bộ
Nội vụ proposal, reported by Công an TP.HCM, "Chính thức chốt phương án Tết Nguyên đán Bính Ngọ
2026 nghỉ 9 ngày", congan.com.vn, catid=702&id=388656). The `holidays` library gives the same
five days.

Tết Đinh Mùi 2027: no announcement confirmed yet. The `holidays` library (0.109) gives Thursday
04/02/2027 (29 Tết) to Wednesday 10/02/2027 (mùng 5) as days off; the tests pin what the library
gives and the DayOff table can change it when the government announces the year's days.
"""

from datetime import date

import pytest

from registry.models import DayOff
from registry.services.council import posting_ready_on
from registry.services.workdays import is_workday, next_workday, workday_add, workdays_between

pytestmark = pytest.mark.django_db


def test_tet_2026_five_working_days_off():
    for day in range(16, 21):
        assert not is_workday(date(2026, 2, day)), f"{day}/02/2026 là ngày nghỉ Tết"
    assert is_workday(date(2026, 2, 13)) and is_workday(date(2026, 2, 23))
    # Friday 13 and Monday 23: the only working days from 13 to 23 February.
    assert workdays_between(date(2026, 2, 13), date(2026, 2, 23)) == 2
    assert next_workday(date(2026, 2, 13)) == date(2026, 2, 23)


def test_posting_ten_working_days_across_tet_2026():
    # Posted Monday 02/02/2026: 2–6 and 9–13 February are the ten working days; Tết follows,
    # so the council may vote from Monday 23/02/2026, not on 16/02.
    assert workday_add(date(2026, 2, 2), 10) == date(2026, 2, 13)
    assert posting_ready_on(public_from=date(2026, 2, 2), working_days=10) == date(2026, 2, 23)
    # Posted Monday 09/02/2026: five days before Tết, five after it.
    assert workday_add(date(2026, 2, 9), 10) == date(2026, 2, 27)


def test_tet_2027_as_the_library_gives_it():
    for day in (4, 5, 8, 9, 10):
        assert not is_workday(date(2027, 2, day)), f"{day}/02/2027 là ngày nghỉ Tết (thư viện)"
    assert is_workday(date(2027, 2, 3)) and is_workday(date(2027, 2, 11))
    # Posted Monday 01/02/2027: 1–3, 11–12 and 15–19 February are the ten working days.
    assert workday_add(date(2027, 2, 1), 10) == date(2027, 2, 19)
    assert posting_ready_on(public_from=date(2027, 2, 1), working_days=10) == date(2027, 2, 22)


def test_day_off_table_adds_days_off_and_swapped_saturdays():
    # An announced extra day off, and a Saturday worked in exchange.
    DayOff.objects.create(date=date(2027, 2, 11), name="Nghỉ bù Tết Đinh Mùi", kind="hoan-doi")
    DayOff.objects.create(date=date(2027, 2, 20), name="Làm bù cho ngày 11/02", kind="lam-bu")
    assert not is_workday(date(2027, 2, 11))
    assert is_workday(date(2027, 2, 20))
    # 1–3, 12, 15–19 and the worked Saturday 20: the tenth working day is that Saturday.
    assert workday_add(date(2027, 2, 1), 10) == date(2027, 2, 20)
    assert workdays_between(date(2027, 2, 1), date(2027, 2, 21)) == 10
    assert workdays_between(date(2027, 2, 15), date(2027, 2, 21)) == 6


def test_public_holidays_of_the_year_are_off():
    assert not is_workday(date(2026, 9, 2))  # Quốc khánh
    assert not is_workday(date(2026, 4, 30)) and not is_workday(date(2026, 5, 1))
    assert not is_workday(date(2026, 2, 21))  # a Saturday
    assert is_workday(date(2026, 3, 2))
