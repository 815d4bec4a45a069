"""Date arithmetic edge cases (contract §2): month ends, leap years, week 8 of sickness, ages."""

from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from engine.core.dates import Offset, add_months, add_offset, age_on, covers, day_number, last_start_reaching, offset_steps


@pytest.mark.parametrize("start, months, expected", [
    (date(2024, 1, 31), 1, date(2024, 2, 29)),   # the contract's own example: clipped, leap year
    (date(2023, 1, 31), 1, date(2023, 2, 28)),   # common year
    (date(2024, 8, 31), 6, date(2025, 2, 28)),
    (date(2021, 3, 31), 6, date(2021, 9, 30)),   # contract example EX-1001
    (date(2021, 1, 11), 16, date(2022, 5, 11)),  # dagpenge third joint conversation
    (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day + 1 year
    (date(2024, 2, 29), 48, date(2028, 2, 29)),  # leap day + 4 years
    (date(2020, 2, 29), 6, date(2020, 8, 29)),
    (date(2023, 12, 15), 1, date(2024, 1, 15)),  # year boundary
    (date(2023, 11, 30), 3, date(2024, 2, 29)),
    (date(2024, 3, 31), -1, date(2024, 2, 29)),  # backwards, clipped
    (date(2024, 5, 10), 0, date(2024, 5, 10)),
])
def test_add_months_clips_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_offsets_read_well():
    assert Offset(weeks=8, days=-1).describe("en") == "55 days"
    assert Offset(months=6).describe("da") == "6 måneder"
    assert Offset(months=1, days=7).describe("en") == "1 month + 7 days"


def test_weeks_are_seven_days_and_offsets_apply_months_first():
    assert add_offset(date(2024, 1, 31), Offset(weeks=1)) == date(2024, 2, 7)
    assert add_offset(date(2024, 1, 31), Offset(months=1, days=1)) == date(2024, 3, 1)


@pytest.mark.parametrize("first_sick_day, due", [
    (date(2021, 9, 20), date(2021, 11, 14)),  # contract example EX-1004
    (date(2020, 1, 6), date(2020, 3, 1)),     # catalogue T-05 (leap year February)
    (date(2021, 1, 4), date(2021, 2, 28)),
])
def test_end_of_sickness_week_8_is_first_sick_day_plus_55(first_sick_day, due):
    # The rule file writes it as 8 weeks less a day: week 1 starts on the first sick day.
    assert add_offset(first_sick_day, Offset(weeks=8, days=-1)) == due
    assert (due - first_sick_day).days == 55


@pytest.mark.parametrize("birth, on, age", [
    (date(1995, 6, 1), date(2025, 5, 31), 29),
    (date(1995, 6, 1), date(2025, 6, 1), 30),   # the birthday itself
    (date(2000, 2, 29), date(2030, 2, 28), 29),  # leap-day birthday, common year: not yet
    (date(2000, 2, 29), date(2030, 3, 1), 30),
    (date(2000, 2, 29), date(2028, 2, 29), 28),
])
def test_age_on(birth, on, age):
    assert age_on(birth, on) == age


def test_covers_is_inclusive_and_open_ended():
    assert covers(date(2024, 1, 1), date(2024, 1, 31), date(2024, 1, 31))
    assert covers(date(2024, 1, 1), date(2024, 1, 31), date(2024, 1, 1))
    assert not covers(date(2024, 1, 1), date(2024, 1, 31), date(2024, 2, 1))
    assert covers(date(2024, 1, 1), None, date(2099, 1, 1))


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(-240, 240))
def test_add_months_properties(d, n):
    result = add_months(d, n)
    # lands in the right month, never past its end, on the same day where that day exists
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == n
    assert result.day == d.day or (result.day < d.day and (result + (date(2000, 1, 2) - date(2000, 1, 1))).day == 1)
    assert (result >= d) == (n >= 0)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_day_numbers_round_trip_and_order(d):
    assert date.fromordinal(day_number(d)) == d
    assert day_number(d) < day_number(add_months(d, 1))


@given(st.dates(date(1900, 1, 1), date(2199, 1, 1)), st.integers(0, 24), st.integers(0, 60), st.integers(-7, 60))
def test_offset_steps_taken_inline_give_add_offset(d, months, weeks, days):
    """A compiled rule adds an offset as ``add_months`` then a timedelta (offset_steps); that is
    add_offset, clipping included."""
    offset = Offset(months, weeks, days)
    steps_months, steps_days = offset_steps(offset)
    inline = add_months(d, steps_months) if steps_months else d
    if steps_days:
        inline += steps_days
    assert inline == add_offset(d, offset)


@pytest.mark.parametrize("on, months, last", [
    (date(2021, 12, 31), 6, date(2021, 6, 30)),  # no clipping past the 30th: June has no 31st
    (date(2021, 2, 28), 6, date(2020, 8, 31)),   # 28, 29, 30 and 31 August all reach 28 February
    (date(2024, 2, 29), 6, date(2023, 8, 31)),   # leap year: 29 to 31 August reach 29 February
    (date(2024, 2, 28), 6, date(2023, 8, 28)),   # 29 August reaches 29 February, a day too late
    (date(2021, 9, 30), 12, date(2020, 9, 30)),
])
def test_last_start_reaching(on, months, last):
    assert last_start_reaching(months, on) == last


@given(st.dates(date(1990, 1, 1), date(2090, 12, 31)), st.sampled_from([1, 6, 12, 18]), st.integers(-40, 40))
def test_a_start_reaches_n_months_exactly_up_to_last_start_reaching(on, months, shift):
    """The audit's seniority test (start on or before ``last_start_reaching``) is the contract's
    start + N months on or before the day, for starts on either side of the boundary."""
    start = add_months(on, -months) + timedelta(days=shift)
    assert (start <= last_start_reaching(months, on)) == (add_months(start, months) <= on)
