"""The working-day clock: weekends off, Vietnamese public holidays (lunar Tết included) from the
`holidays` library, and the DayOff table the clerk keeps from the government's yearly
announcement (extra days off, and weekend days worked in exchange)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from registry.models import DayOff


@lru_cache(maxsize=16)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Vietnam(years=year).keys())


def _table(start: date, end: date) -> dict[date, bool]:
    """The DayOff rows between two days: date → True when it is a working day."""
    return {d.date: d.is_workday for d in DayOff.objects.filter(date__range=(start, end))}


def is_workday(day: date, *, table: dict[date, bool] | None = None) -> bool:
    if table is None:
        table = _table(day, day)
    if day in table:
        return table[day]
    if day.weekday() >= 5:
        return False
    return day not in _public_holidays(day.year)


def workdays_between(start: date, end: date) -> int:
    """Working days from start to end, both included."""
    if end < start:
        return 0
    table = _table(start, end)
    count = 0
    day = start
    while day <= end:
        count += is_workday(day, table=table)
        day += timedelta(days=1)
    return count


def workday_add(start: date, days: int) -> date:
    """The day on which `days` working days, counted from start (included when it is a working
    day), are complete."""
    if days < 1:
        raise ValueError("days must be positive")
    table = _table(start, start + timedelta(days=days * 3 + 30))
    day = start
    count = 0
    while True:
        if is_workday(day, table=table):
            count += 1
            if count == days:
                return day
        day += timedelta(days=1)


def next_workday(day: date) -> date:
    day += timedelta(days=1)
    table = _table(day, day + timedelta(days=40))
    while not is_workday(day, table=table):
        day += timedelta(days=1)
    return day
