"""The working-day calendars (config/hall/calendar/<year>.toml, docs/hall-exchange.md)."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

CALENDAR_DIR = Path(__file__).resolve().parents[2] / "config" / "hall" / "calendar"
YEARS = (2025, 2026, 2027)
# Working days per year: 2025 and 2026 counted from the State Council's notices (365 days, 104
# weekend days, 13 statutory holidays); 2027 as the provisional file gives it.
WORKING_DAYS = {2025: 248, 2026: 248, 2027: 248}


def _load(year: int) -> tuple[set[dt.date], set[dt.date]]:
    doc = tomllib.loads((CALENDAR_DIR / f"{year}.toml").read_text(encoding="utf-8"))
    assert set(doc) == {"year", "holidays", "workdays"}
    assert doc["year"] == year
    holidays = [dt.date.fromisoformat(d) for d in doc["holidays"]]
    workdays = [dt.date.fromisoformat(d) for d in doc["workdays"]]
    assert len(holidays) == len(set(holidays)) and len(workdays) == len(set(workdays))
    return set(holidays), set(workdays)


def _working(day: dt.date, holidays: set[dt.date], workdays: set[dt.date]) -> bool:
    return day in workdays or (day.weekday() < 5 and day not in holidays)


@pytest.mark.parametrize("year", YEARS)
def test_calendar_is_consistent(year):
    holidays, workdays = _load(year)
    assert all(d.year == year for d in holidays | workdays)
    assert not holidays & workdays
    assert all(d.weekday() < 5 for d in holidays), "holidays: only days off that were working days"
    assert all(d.weekday() >= 5 for d in workdays), "workdays lists only weekend days worked"
    days = [dt.date(year, 1, 1) + dt.timedelta(n) for n in range(366)]
    count = sum(_working(d, holidays, workdays) for d in days if d.year == year)
    assert count == WORKING_DAYS[year]


@pytest.mark.parametrize("year", YEARS)
def test_fixed_holidays_are_there(year):
    holidays, _ = _load(year)
    for month, day in ((1, 1), (5, 1), (10, 1)):
        d = dt.date(year, month, day)
        assert d.weekday() >= 5 or d in holidays


def test_2026_spring_festival_and_national_day():
    holidays, workdays = _load(2026)
    assert {dt.date(2026, 2, 16), dt.date(2026, 2, 17), dt.date(2026, 2, 23)} <= holidays
    assert {dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28),
            dt.date(2026, 5, 9), dt.date(2026, 9, 20), dt.date(2026, 10, 10)} == workdays
    assert sum(1 for d in holidays if d.month == 10) == 5


def test_2027_is_marked_provisional():
    text = (CALENDAR_DIR / "2027.toml").read_text(encoding="utf-8")
    assert "PROVISIONAL" in text and "CHECK THIS FILE AGAINST THE" in text
