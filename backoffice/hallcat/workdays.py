"""The working-day calendar: Chinese public holidays and the weekend days worked in their place.

One TOML file per year (``config/hall/calendar/<year>.toml``, docs/hall-exchange.md)::

    year = 2026
    holidays = ["2026-01-01", ...]   # days off that would be working days
    workdays = ["2026-01-04", ...]   # weekend days worked in their place (调休)

A day is a working day when it is a listed workday, or Monday-Friday and not a holiday. A date in a
year with no file is refused (:class:`CalendarMissing`), never guessed.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from backoffice.hallcat.errors import CalendarMissing, HallDataError

__all__ = ["WorkCalendar", "YearCalendar", "parse_year"]

MAX_DAYS = 366 * 2
"""No time limit is longer than this many working days."""


@dataclass(frozen=True)
class YearCalendar:
    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]


def _dates(data: Mapping[str, Any], key: str, year: int, source: str) -> frozenset[dt.date]:
    raw = data.get(key, [])
    if not isinstance(raw, list):
        raise HallDataError("must be a list of dates", "必须是日期列表", record=source, field=key)
    out: set[dt.date] = set()
    for i, item in enumerate(raw):
        try:
            day = item if isinstance(item, dt.date) else dt.date.fromisoformat(str(item))
        except ValueError:
            raise HallDataError(f"not a date: {item!r}", f"不是日期：{item!r}", record=source,
                                field=f"{key}[{i}]") from None
        if day.year != year:
            raise HallDataError(f"{day} is not in {year}", f"{day} 不在 {year} 年",
                                record=source, field=f"{key}[{i}]")
        out.add(day)
    return frozenset(out)


def parse_year(data: Mapping[str, Any], source: str = "calendar") -> YearCalendar:
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise HallDataError("year is a whole number (2000..2100)", "year 须为年份",
                            record=source, field="year")
    unknown = sorted(set(data) - {"year", "holidays", "workdays"})
    if unknown:
        raise HallDataError(f"unknown key {unknown[0]}", f"未知键 {unknown[0]}", record=source,
                            field=unknown[0])
    holidays = _dates(data, "holidays", year, source)
    workdays = _dates(data, "workdays", year, source)
    both = holidays & workdays
    if both:
        day = min(both)
        raise HallDataError(f"{day} is both a holiday and a workday", f"{day} 同时为假日和调休日",
                            record=source, field="workdays")
    return YearCalendar(year, holidays, workdays)


class WorkCalendar:
    """Working days over the years it has files for (immutable once built)."""

    def __init__(self, years: Iterable[YearCalendar]) -> None:
        self._years = MappingProxyType({y.year: y for y in years})

    @classmethod
    def load(cls, directory: Path) -> WorkCalendar:
        """Every ``<year>.toml`` in ``directory`` (none: an empty calendar refusing every date)."""
        years = []
        for path in sorted(directory.glob("*.toml")) if directory.is_dir() else []:
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise HallDataError(f"cannot read: {exc}", "无法读取日历文件",
                                    record=str(path)) from None
            cal = parse_year(data, str(path))
            if path.stem != str(cal.year):
                raise HallDataError(f"the file of year {cal.year} is named {path.name}",
                                    "日历文件名与年份不符", record=str(path), field="year")
            years.append(cal)
        return cls(years)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted(self._years))

    def _year(self, day: dt.date) -> YearCalendar:
        cal = self._years.get(day.year)
        if cal is None:
            raise CalendarMissing(f"no working-day calendar for {day.year}",
                                  f"没有 {day.year} 年的工作日历", record="calendar",
                                  field=str(day.year))
        return cal

    def is_working_day(self, day: dt.date) -> bool:
        cal = self._year(day)
        if day in cal.workdays:
            return True
        return day.weekday() < 5 and day not in cal.holidays

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (``start`` itself not counted); 0 days:
        ``start`` when it is a working day, else the next working day."""
        if not 0 <= days <= MAX_DAYS:
            raise ValueError(f"days must be 0..{MAX_DAYS}")
        day = start
        if days == 0:
            while not self.is_working_day(day):
                day += dt.timedelta(days=1)
            return day
        left = days
        while left:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
