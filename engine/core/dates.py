"""Calendar arithmetic for deadlines: the one place where months, weeks and ages are computed.

The contract (case-format.md §2) fixes the semantics:
- ``D + N months`` is the same day number N months later, clipped to the month's last day
  (2024-01-31 + 1 month = 2024-02-29);
- ``D + N weeks`` is ``D + 7N`` days;
- due dates are inclusive.
durable_rules has no date type, so dates cross into it as day numbers (``day_number``).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import NamedTuple

from engine.texts import OFFSET_UNITS, name, text


class Offset(NamedTuple):
    """A period added to an anchor date: months first (with end-of-month clipping), then days.
    A named tuple, not a dataclass: built for every cadence window, and a tuple is cheap to build."""

    months: int = 0
    weeks: int = 0
    days: int = 0

    def describe(self, lang: str = "en") -> str:
        weeks, days = self.weeks, self.days
        if weeks and days < 0:  # "8 weeks - 1 day" reads best as days: 55 days
            weeks, days = 0, 7 * weeks + days
        parts = []
        for value, unit in zip((self.months, weeks, days), ("month", "week", "day")):
            if value:
                parts.append(f"{value} {name(OFFSET_UNITS, unit if abs(value) == 1 else unit + 's', lang)}")
        return " + ".join(parts) if parts else text("zero_days", lang)


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
ONE_DAY = timedelta(days=1)


def add_months(d: date, months: int) -> date:
    """Same day number ``months`` later (or earlier), clipped to the last day of that month."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    day = d.day
    if day > 28:  # only the 29th to the 31st can fall off the end of a month
        last = 29 if month0 == 1 and calendar.isleap(year) else _MONTH_DAYS[month0]
        day = min(day, last)
    return date(year, month0 + 1, day)


def last_start_reaching(months: int, on: date) -> date:
    """The last start day from which ``months`` months have passed by ``on`` (start + N months,
    clipped as above, on or before ``on``): a start reaches N months' seniority on ``on`` exactly
    when it is on or before this day. ``add_months`` never decreases as its day grows, so the days
    that reach are one run up to this one; with clipping, up to three days after ``on`` − N months
    (2021-02-28 − 6 months is 2020-08-28, yet a start on 2020-08-31 is six months old that day)."""
    day = add_months(on, -months)
    while add_months(day + ONE_DAY, months) <= on:
        day += ONE_DAY
    return day


def add_offset(d: date, offset: Offset) -> date:
    """``d`` plus ``offset``: months first (clipped), then weeks and days. Not cached: nearly every
    anchor is a different day, and the arithmetic is cheaper than a cache that keeps missing."""
    if offset.months:
        d = add_months(d, offset.months)
    days = 7 * offset.weeks + offset.days
    return d + timedelta(days=days) if days else d


def offset_steps(offset: Offset) -> tuple[int, timedelta]:
    """(months, the weeks and days as one timedelta): the two steps ``add_offset`` takes, in that
    order, for a caller that adds one offset to many dates (a compiled rule): ``add_months`` first,
    then the timedelta where it is not zero."""
    return offset.months, timedelta(days=7 * offset.weeks + offset.days)


def age_on(birth_date: date, on: date) -> int:
    """Completed years on ``on``. A 29 February birthday is reached on 1 March in common years."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def day_number(d: date) -> int:
    """Integer day number used for dates inside durable_rules (which cannot compare dates)."""
    return d.toordinal()


def covers(start: date, end: date | None, day: date) -> bool:
    """Whether the inclusive period [start, end] contains ``day``; ``end=None`` is open-ended."""
    return start <= day and (end is None or day <= end)
