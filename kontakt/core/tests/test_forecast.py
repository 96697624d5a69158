"""Tests for kontakt.core.forecast."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kontakt.core.business_hours import OpeningHours
from kontakt.core.forecast import (
    Accuracy,
    DayForecast,
    ForecastError,
    History,
    backtest,
    forecast,
    open_slots,
    slots_per_day,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SE_HOLIDAYS = frozenset(
    {
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 6),
    }
)
MON_THU_FRI = {
    **{weekday: [(time(8), time(16, 30))] for weekday in range(4)},
    4: [(time(8), time(15))],
}
OFFICE = OpeningHours(weekly=MON_THU_FRI, closed_dates=SE_HOLIDAYS, tz=STOCKHOLM)
OFFICE_NO_HOLIDAYS = OpeningHours(weekly=MON_THU_FRI, closed_dates=frozenset(), tz=STOCKHOLM)
# Every weekday closes at 15:00 from now on.
SHORTENED = OpeningHours(
    weekly={weekday: [(time(8), time(15))] for weekday in range(5)},
    closed_dates=SE_HOLIDAYS,
    tz=STOCKHOLM,
)
SUNDAY_NIGHT = OpeningHours(
    weekly={6: [(time(1), time(5))]}, closed_dates=frozenset(), tz=STOCKHOLM
)
SUNDAY_DAY = OpeningHours(
    weekly={6: [(time(8), time(16, 30))]}, closed_dates=frozenset(), tz=STOCKHOLM
)

QUARTER = 900
WEEKDAY_TOTALS = {0: 400.0, 1: 320.0, 2: 300.0, 3: 280.0, 4: 200.0}


def shape(slot: int) -> float:
    """A morning peak at 10:00 on top of a floor, per 15-minute slot."""
    return 1.0 + 4.0 * math.exp(-(((slot - 40) / 6.0) ** 2))


def pattern(day: date, total: float, hours: OpeningHours = OFFICE) -> list[float]:
    """Spread `total` over the slots open on `day` in proportion to `shape`."""
    flags = open_slots(day, hours, QUARTER)
    weights = [shape(slot) if is_open else 0.0 for slot, is_open in enumerate(flags)]
    mass = math.fsum(weights)
    return [total * weight / mass if mass else 0.0 for weight in weights]


def days_from(first: date, count: int) -> list[date]:
    return [first + timedelta(days=offset) for offset in range(count)]


def make_history(
    first: date,
    count: int,
    daily_total: Callable[[date], float],
    hours: OpeningHours = OFFICE,
) -> History:
    """A noiseless history: open days of `hours` get `daily_total` spread by `shape`."""
    counts: dict[date, list[float]] = {}
    for day in days_from(first, count):
        if any(open_slots(day, hours, QUARTER)):
            counts[day] = pattern(day, daily_total(day), hours)
    return History(first, first + timedelta(days=count - 1), QUARTER, counts)


def weekly(day: date) -> float:
    return WEEKDAY_TOTALS.get(day.weekday(), 0.0)


def assert_calls(actual: Sequence[float], expected: Sequence[float]) -> None:
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9)


# --- slots --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "expected"), [(900, 96), (1800, 48), (3600, 24), (300, 288), (86_400, 1)]
)
def test_slots_per_day(interval: int, expected: int) -> None:
    assert slots_per_day(interval) == expected


@pytest.mark.parametrize("interval", [0, -900, 1000, 7, 172_800, True, 900.0, "900"])
def test_unknown_interval_is_refused(interval: object) -> None:
    with pytest.raises(ForecastError, match="divides a day"):
        slots_per_day(interval)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("interval", "slot", "expected"),
    [
        (900, 31, False),  # 07:45
        (900, 32, True),  # 08:00 opening
        (900, 65, True),  # 16:15, the last quarter before the 16:30 close
        (900, 66, False),  # 16:30 closed
        (1800, 32, True),  # 16:00-16:30
        (1800, 33, False),  # 16:30-17:00
        (3600, 7, False),
        (3600, 8, True),
        (3600, 16, True),  # 16:00-17:00 overlaps 16:00-16:30
        (3600, 17, False),
    ],
)
def test_open_slots_at_boundaries(interval: int, slot: int, expected: bool) -> None:
    flags = open_slots(date(2026, 6, 9), OFFICE, interval)  # a Tuesday
    assert len(flags) == slots_per_day(interval)
    assert flags[slot] is expected


def test_open_slots_friday_and_closed_days() -> None:
    friday = open_slots(date(2026, 6, 12), OFFICE, QUARTER)
    assert [slot for slot, is_open in enumerate(friday) if is_open] == list(range(32, 60))
    assert not any(open_slots(date(2026, 6, 13), OFFICE, QUARTER))  # Saturday
    assert not any(open_slots(date(2026, 12, 24), OFFICE, QUARTER))  # Christmas Eve, a Thursday
    assert any(open_slots(date(2026, 12, 24), OFFICE_NO_HOLIDAYS, QUARTER))


@pytest.mark.parametrize("day", [date(2026, 3, 22), date(2026, 3, 29), date(2026, 10, 25)])
def test_open_slots_follow_the_wall_clock_on_clock_change_days(day: date) -> None:
    flags = open_slots(day, SUNDAY_DAY, QUARTER)
    assert [slot for slot, is_open in enumerate(flags) if is_open] == list(range(32, 66))


def test_open_slots_skipped_hour_in_spring_is_closed() -> None:
    spring = open_slots(date(2026, 3, 29), SUNDAY_NIGHT, QUARTER)
    # Open 01:00-05:00 wall clock; 02:00-03:00 does not exist that night.
    assert [slot for slot, is_open in enumerate(spring) if is_open] == [
        *range(4, 8),
        *range(12, 20),
    ]
    hourly = open_slots(date(2026, 3, 29), SUNDAY_NIGHT, 3600)
    assert [slot for slot, is_open in enumerate(hourly) if is_open] == [1, 3, 4]
    autumn = open_slots(date(2026, 10, 25), SUNDAY_NIGHT, QUARTER)
    assert [slot for slot, is_open in enumerate(autumn) if is_open] == list(range(4, 20))


# --- history validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "interval", "counts", "message"),
    [
        (date(2026, 6, 2), date(2026, 6, 1), 3600, {}, "is after its last"),
        (date(2026, 6, 1), date(2026, 6, 7), 1000, {}, "divides a day"),
        (date(2026, 6, 1), date(2026, 6, 7), 3600, {date(2026, 6, 1): [1.0] * 23}, "23 interv"),
        (date(2026, 6, 1), date(2026, 6, 7), 3600, {date(2026, 6, 8): [1.0] * 24}, "outside"),
        (date(2026, 6, 1), date(2026, 6, 7), 3600, {date(2026, 5, 31): [1.0] * 24}, "outside"),
        (
            date(2026, 6, 1),
            date(2026, 6, 7),
            3600,
            {date(2026, 6, 2): [0.0] * 10 + [-1.0] + [0.0] * 13},
            "2026-06-02 at 10:00 must be a finite number",
        ),
        (date(2026, 6, 1), date(2026, 6, 7), 3600, {date(2026, 6, 2): [math.nan] * 24}, "nan"),
        (date(2026, 6, 1), date(2026, 6, 7), 3600, {date(2026, 6, 2): [math.inf] * 24}, "inf"),
        (date(2026, 6, 1), date(2026, 6, 7), 3600, {date(2026, 6, 2): ["1"] * 24}, "'1'"),
    ],
)
def test_history_validation(
    first: date, last: date, interval: int, counts: Mapping[date, Sequence[float]], message: str
) -> None:
    with pytest.raises(ForecastError, match=message):
        History(first, last, interval, counts)


def test_history_copies_counts() -> None:
    row = [1.0] * 24
    history = History(date(2026, 6, 1), date(2026, 6, 7), 3600, {date(2026, 6, 2): row})
    row[0] = -5.0
    assert history.counts[date(2026, 6, 2)][0] == 1.0
    assert History(date(2026, 6, 1), date(2026, 6, 1), 3600, {}).counts == {}
    whole = History(date(2026, 6, 1), date(2026, 6, 1), 3600, {date(2026, 6, 1): [2] * 24})
    assert whole.counts[date(2026, 6, 1)] == (2.0,) * 24
    assert all(type(value) is float for value in whole.counts[date(2026, 6, 1)])


# --- forecast -----------------------------------------------------------------------------------

# Eight whole weeks, Monday 2026-09-07 to Sunday 2026-11-01, then the forecast week.
FIRST = date(2026, 9, 7)
NEXT_WEEK = days_from(date(2026, 11, 2), 7)


def test_noiseless_weekly_pattern_is_reproduced() -> None:
    # Exact also in the Monday-to-Thursday afternoons: Friday closes at 15:00, and its profile
    # is not pooled with theirs.
    history = make_history(FIRST, 56, weekly)
    for trend in (True, False):
        result = forecast(history, NEXT_WEEK, OFFICE, trend=trend)
        assert [item.day for item in result] == NEXT_WEEK
        for item in result:
            assert_calls(item.calls, pattern(item.day, weekly(item.day)))
            assert item.open == tuple(open_slots(item.day, OFFICE, QUARTER))
            assert item.total == pytest.approx(weekly(item.day), rel=1e-12)
    saturday, sunday = result[5], result[6]
    assert saturday.total == sunday.total == 0.0
    assert not any(saturday.open)


def test_trend_is_extrapolated_and_not_without_trend() -> None:
    def growing(day: date) -> float:
        return 200.0 + 1.0 * (day - FIRST).days if day.weekday() < 5 else 0.0

    history = make_history(FIRST, 56, growing)
    monday = NEXT_WEEK[0]
    mondays = [growing(day) for day in days_from(FIRST, 56) if day.weekday() == 0]
    with_trend = forecast(history, [monday], OFFICE)[0]
    flat = forecast(history, [monday], OFFICE, trend=False)[0]
    # Without a trend a weekday is forecast at its mean over the training weeks.
    assert flat.total == pytest.approx(math.fsum(mondays) / len(mondays), rel=1e-12)
    assert flat.total < mondays[-1]
    # With it the line goes on to 200 + 56 = 256. Under a trend the weekday index is a little
    # off (Mondays come earlier in the week than Fridays), hence the 1 % tolerance.
    assert with_trend.total > mondays[-1] + 4
    assert with_trend.total == pytest.approx(growing(monday), rel=0.01)
    assert_calls(with_trend.calls, pattern(monday, with_trend.total))


@pytest.mark.parametrize(("slope", "bound"), [(1.0, 1.5), (-1.0, 0.5)])
def test_trend_moves_the_level_at_most_half(slope: float, bound: float) -> None:
    def linear(day: date) -> float:
        return 300.0 + slope * (day - FIRST).days if day.weekday() < 5 else 0.0

    history = make_history(FIRST, 56, linear)
    last_week = forecast(history, [date(2026, 10, 26)], OFFICE)[0]  # Monday inside the history
    far = forecast(history, [date(2027, 11, 1), date(2028, 11, 6)], OFFICE)
    assert far[0].total == pytest.approx(far[1].total, rel=1e-12)
    # A year ahead the line would be at 300 ± 420; the level stops at half its last value
    # (that of Friday 2026-10-30) up or down.
    level = linear(date(2026, 10, 30))
    assert far[0].total == pytest.approx(bound * level, rel=0.01)
    assert last_week.total == pytest.approx(linear(date(2026, 10, 26)), rel=0.01)


def test_holidays_are_zero_and_do_not_lower_their_weekday() -> None:
    # Eight weeks from Monday 2026-11-09 to Sunday 2027-01-03, with Christmas and New Year.
    first = date(2026, 11, 9)
    history = make_history(first, 56, weekly)
    assert date(2026, 12, 24) not in history.counts
    assert date(2027, 1, 1) not in history.counts
    week = days_from(date(2027, 1, 4), 7)  # Epiphany, 6 January, is a Wednesday
    result = forecast(history, week, OFFICE)
    for item in result:
        if item.day == date(2027, 1, 6):
            assert item.calls == (0.0,) * 96
            assert not any(item.open)
        else:
            assert_calls(item.calls, pattern(item.day, weekly(item.day)))
    # Counted as open days with no contacts, the holidays would pull Thursday and Friday down.
    naive = forecast(history, week, OFFICE_NO_HOLIDAYS)
    assert naive[3].total < weekly(week[3]) - 10
    assert naive[4].total < weekly(week[4]) - 10


def test_forecast_of_holiday_is_zero() -> None:
    history = make_history(date(2026, 10, 26), 56, weekly)  # up to Sunday 2026-12-20
    christmas = forecast(history, days_from(date(2026, 12, 21), 7), OFFICE)
    assert [item.total for item in christmas][:5] == pytest.approx([400.0, 320.0, 300.0, 0, 0])
    assert christmas[3].calls == christmas[4].calls == (0.0,) * 96


def test_shortened_hours_move_the_mass_to_open_slots() -> None:
    history = make_history(FIRST, 56, weekly)  # recorded under the old hours
    monday = NEXT_WEEK[0]
    before = forecast(history, [monday], OFFICE)[0]
    after = forecast(history, [monday], SHORTENED)[0]
    assert after.total == pytest.approx(before.total, rel=1e-12)
    assert after.total == pytest.approx(400.0, rel=1e-12)
    assert before.calls[61] > 0  # 15:15 was open
    assert all(value == 0.0 for value in after.calls[60:])
    # The 15:00-16:30 mass is spread over 08:00-15:00 in proportion to the profile.
    ratios = {round(after.calls[slot] / before.calls[slot], 12) for slot in range(32, 60)}
    assert len(ratios) == 1
    assert ratios.pop() > 1.0


def test_profile_without_mass_on_open_slots_is_spread_evenly() -> None:
    evening = OpeningHours(
        weekly={weekday: [(time(18), time(20))] for weekday in range(5)},
        closed_dates=frozenset(),
        tz=STOCKHOLM,
    )
    history = make_history(FIRST, 56, weekly)  # contacts only in 08:00-16:30
    monday = forecast(history, [NEXT_WEEK[0]], evening)[0]
    assert monday.calls[72:80] == pytest.approx([400.0 / 8] * 8)
    assert monday.total == pytest.approx(400.0)


def test_empty_history_forecasts_zeros() -> None:
    empty = History(FIRST, FIRST + timedelta(days=55), QUARTER, {})
    for item in forecast(empty, NEXT_WEEK, OFFICE):
        assert item.calls == (0.0,) * 96
        assert item.open == tuple(open_slots(item.day, OFFICE, QUARTER))
    closed = OpeningHours(weekly={}, closed_dates=frozenset(), tz=STOCKHOLM)
    history = make_history(FIRST, 56, weekly)
    assert all(item.total == 0.0 for item in forecast(history, NEXT_WEEK, closed))
    assert forecast(history, [], OFFICE) == []


def test_new_weekday_gets_index_one_and_the_pooled_profile() -> None:
    # A history of Monday to Friday only: no Saturday to learn from.
    history = make_history(date(2026, 11, 2), 5, weekly)
    with_saturday = OpeningHours(
        weekly={**MON_THU_FRI, 5: [(time(8), time(16, 30))]},
        closed_dates=frozenset(),
        tz=STOCKHOLM,
    )
    saturday = forecast(history, [date(2026, 11, 14)], with_saturday)[0]
    assert saturday.total == pytest.approx(math.fsum(WEEKDAY_TOTALS.values()) / 5)


def test_forecast_arguments_are_checked() -> None:
    history = make_history(FIRST, 56, weekly)
    with pytest.raises(ForecastError, match="weeks must be"):
        forecast(history, NEXT_WEEK, OFFICE, weeks=0)
    with pytest.raises(ForecastError, match="must be a date"):
        forecast(history, ["2026-11-02"], OFFICE)  # type: ignore[list-item]


def test_weeks_limits_the_training_window() -> None:
    # Eight weeks at 100 a day, then four at 300: a four-week window only sees the latter.
    def step(day: date) -> float:
        return (100.0 if day < date(2026, 11, 2) else 300.0) if day.weekday() < 5 else 0.0

    history = make_history(FIRST, 84, step)
    monday = date(2026, 11, 30)
    assert forecast(history, [monday], OFFICE, weeks=4)[0].total == pytest.approx(300.0)
    assert forecast(history, [monday], OFFICE, weeks=12, trend=False)[0].total == pytest.approx(
        (8 * 100.0 + 4 * 300.0) / 12
    )


def test_a_year_of_days_is_forecast() -> None:
    history = make_history(FIRST, 56, weekly)
    year = days_from(NEXT_WEEK[0], 365)
    result = forecast(history, year, OFFICE)
    assert len(result) == 365
    # 52 weeks and a Monday, less the five holidays on weekdays.
    assert sum(1 for item in result if item.total > 0) == 52 * 5 + 1 - 5


# --- backtest -----------------------------------------------------------------------------------


def poisson(rng: random.Random, mean: float) -> int:
    """Draw a Poisson number by Knuth's product of uniforms (fine for small means)."""
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


def test_backtest_of_noiseless_data_is_exact() -> None:
    history = make_history(FIRST, 70, weekly)
    accuracy = backtest(history, OFFICE)
    assert isinstance(accuracy, Accuracy)
    assert accuracy.holdout_first == date(2026, 11, 2)
    assert accuracy.holdout_last == date(2026, 11, 15)
    assert accuracy.interval_seconds == QUARTER
    assert accuracy.mape == pytest.approx(0.0, abs=1e-12)
    assert accuracy.wape == pytest.approx(0.0, abs=1e-12)
    assert accuracy.daily_mape == pytest.approx(0.0, abs=1e-12)
    assert accuracy.naive_mape == 0.0
    assert accuracy.days == 10
    assert accuracy.intervals == 2 * (4 * 34 + 28)


def test_backtest_of_poisson_data() -> None:
    rng = random.Random(20260611)
    means = make_history(FIRST, 70, weekly)
    noisy = History(
        means.first,
        means.last,
        QUARTER,
        {day: [float(poisson(rng, mean)) for mean in row] for day, row in means.counts.items()},
    )
    accuracy = backtest(noisy, OFFICE)
    assert accuracy.mape is not None and math.isfinite(accuracy.mape)
    assert accuracy.mape > 0
    assert accuracy.wape is not None and 0 < accuracy.wape < 0.5
    assert accuracy.daily_mape is not None and 0 < accuracy.daily_mape < 0.15
    # Eight weeks of averages beat one week of noise.
    assert accuracy.naive_mape is not None and accuracy.naive_mape > accuracy.mape
    assert 0 < accuracy.intervals <= 2 * (4 * 34 + 28)


def test_backtest_over_a_holiday_skips_it() -> None:
    history = make_history(date(2026, 11, 2), 63, weekly)  # to Sunday 2027-01-03
    accuracy = backtest(history, OFFICE)
    assert accuracy.days == 10 - 4  # 24, 25 and 31 December, 1 January fall on weekdays
    assert accuracy.mape == pytest.approx(0.0, abs=1e-12)
    # The naive forecaster repeats the week before the holdout, 14-18 December.
    assert accuracy.naive_mape == 0.0


def test_backtest_needs_a_week_of_training() -> None:
    with pytest.raises(ForecastError, match="needs at least 21 days"):
        backtest(make_history(FIRST, 20, weekly), OFFICE)
    with pytest.raises(ForecastError, match="leaves 6"):
        backtest(make_history(FIRST, 13, weekly), OFFICE, holdout_weeks=1)
    assert backtest(make_history(FIRST, 14, weekly), OFFICE, holdout_weeks=1).days == 5
    with pytest.raises(ForecastError, match="holdout_weeks"):
        backtest(make_history(FIRST, 70, weekly), OFFICE, holdout_weeks=0)


def test_backtest_of_empty_history_has_no_figures() -> None:
    empty = History(FIRST, FIRST + timedelta(days=27), QUARTER, {})
    accuracy = backtest(empty, OFFICE)
    assert (accuracy.mape, accuracy.wape, accuracy.daily_mape, accuracy.naive_mape) == (
        None,
        None,
        None,
        None,
    )
    assert accuracy.intervals == 0
    assert accuracy.days == 10


# --- properties ---------------------------------------------------------------------------------


@st.composite
def opening_hours(draw: st.DrawFn) -> OpeningHours:
    weekly: dict[int, list[tuple[time, time]]] = {}
    for weekday in draw(st.sets(st.integers(0, 6), max_size=7)):
        start = draw(st.integers(0, 23 * 4 - 1))
        end = draw(st.integers(start + 1, 24 * 4 - 1))
        weekly[weekday] = [(time(start // 4, start % 4 * 15), time(end // 4, end % 4 * 15))]
    closed = draw(st.frozensets(st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=20))
    return OpeningHours(weekly=weekly, closed_dates=closed, tz=STOCKHOLM)


@st.composite
def histories(draw: st.DrawFn) -> History:
    first = draw(st.dates(date(2026, 1, 1), date(2026, 9, 1)))
    length = draw(st.integers(1, 70))
    days = days_from(first, length)
    counts = {
        day: draw(
            st.lists(st.floats(0, 1e6, allow_nan=False) | st.just(0.0), min_size=48, max_size=48)
        )
        for day in draw(st.sets(st.sampled_from(days), max_size=length))
    }
    return History(first, days[-1], 1800, counts)


def hourly(history: History) -> History:
    return History(
        history.first,
        history.last,
        3600,
        {
            day: [row[i] + row[i + 1] for i in range(0, 48, 2)]
            for day, row in history.counts.items()
        },
    )


@settings(max_examples=150, deadline=None)
@given(
    history=histories(),
    hours=opening_hours(),
    offsets=st.lists(st.integers(-30, 400), max_size=10),
    weeks=st.integers(1, 10),
    trend=st.booleans(),
)
def test_forecast_properties(
    history: History, hours: OpeningHours, offsets: list[int], weeks: int, trend: bool
) -> None:
    days = [history.last + timedelta(days=offset) for offset in offsets]
    result = forecast(history, days, hours, weeks=weeks, trend=trend)
    coarse = forecast(hourly(history), days, hours, weeks=weeks, trend=trend)
    for item, other in zip(result, coarse, strict=True):
        assert isinstance(item, DayForecast)
        assert item.open == tuple(open_slots(item.day, hours, 1800))
        assert all(math.isfinite(value) and value >= 0 for value in item.calls)
        assert all(
            value == 0.0
            for value, is_open in zip(item.calls, item.open, strict=True)
            if not is_open
        )
        open_total = math.fsum(
            value for value, is_open in zip(item.calls, item.open, strict=True) if is_open
        )
        assert open_total == pytest.approx(item.total, rel=1e-9, abs=1e-9)
        # The day's total does not depend on how finely the day is cut.
        assert item.total == pytest.approx(other.total, rel=1e-9, abs=1e-6)
        if not any(item.open):
            assert item.total == 0.0
