"""Forecast of contacts per interval from history: weekday pattern, trend and intraday profile.

The method is the classical one of contact-center planning, kept simple enough to explain to a
supervisor:

1. **Training days** are the open days (a day with opening periods in `hours`) within the last
   `weeks` weeks of history. Holidays and closed days are left out, so they never pull an
   average down. `hours` describes the history as well as the forecast days: list past public
   holidays in its closed dates too.
2. **Weekday index.** f_w = mean total of weekday w / mean total of all training days, 1.0 for a
   weekday without training days. A Monday with f = 1.3 gets 30 % more contacts than the
   average day.
3. **Level and trend.** Dividing a day's total by its weekday index gives its deseasonalised
   volume y_d = total_d / f_w. With `trend` and at least 14 training days a straight line
   y = a + b·t is fitted by least squares, t being the day number counted from the last
   training day (t = 0 there, so a is the level at the last training day); otherwise b = 0 and
   a is the mean of y. The daily forecast is::

       total(d) = clamp(a + b·t_d, 0.5·a, 1.5·a) · f_w(d)       (0 if a ≤ 0)

   The trend is extrapolated, but however far ahead the day is it moves the level at most
   50 % up or down from the level at the last training day: a trend seen over eight weeks is
   not trusted to continue for a year.
4. **Intraday profile.** share_w[s] = contacts in slot s on the training days of weekday w /
   their total, blended with the pooled profile of the training days of all weekdays with the
   same opening hours as w (of all training days if there are none)::

       share[s] = (n_w · share_w[s] + 2 · pooled[s]) / (n_w + 2)

   where n_w is the weekday's number of training days: a weekday with little data leans on
   the common shape. Pooling only alike weekdays keeps a short Friday from bending the
   Monday-to-Thursday afternoons.
5. **Per interval.** forecast(d, s) = total(d) · share[s] / Σ share[s'] over the slots s' open
   on day d, and 0 on closed slots: what the profile puts where the center is now closed
   (shortened hours) moves to the open slots in proportion, so a day's open slots add up to
   total(d). If the profile has nothing in any open slot the total is spread evenly over them.
   A closed day gets zeros, and a history without training days forecasts zeros.

Slots are local wall-clock intervals: slot i of a day runs from i × interval to (i + 1) ×
interval after local midnight, so 08:00 is slot 32 of 15-minute slots on every day of the
year. On the spring-forward day the slots skipped by the clock change are closed; on the
fall-back day the repeated hour's slots hold both occurrences, as the history does.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType

from kontakt.core.business_hours import OpeningHours, opening_periods

SECONDS_PER_DAY = 86_400
# Training days a backtest needs before its holdout.
MIN_TRAINING_DAYS = 7
# Training days needed before a trend is fitted; with fewer the level is flat.
MIN_TREND_DAYS = 14
# How far the trend may move the level from the last training day, as a share of it.
MAX_TREND_CHANGE = 0.5
# Weight of the pooled intraday profile in the blend, in days.
POOLED_PROFILE_DAYS = 2

_ONE_DAY = timedelta(days=1)
_ONE_MICROSECOND = timedelta(microseconds=1)


class ForecastError(ValueError):
    """A history or a question the forecast cannot work with, with the reason in its message."""


# --- history ------------------------------------------------------------------------------------


def slots_per_day(interval_seconds: int) -> int:
    """Return the number of intervals in a day; the interval must divide 86,400 seconds."""
    if (
        isinstance(interval_seconds, bool)
        or not isinstance(interval_seconds, int)
        or interval_seconds <= 0
        or SECONDS_PER_DAY % interval_seconds
    ):
        raise ForecastError(
            "The interval must be a whole number of seconds that divides a day, such as 900, "
            f"1800 or 3600, got {interval_seconds!r}."
        )
    return SECONDS_PER_DAY // interval_seconds


def _slot_label(slot: int, interval_seconds: int) -> str:
    seconds = slot * interval_seconds
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _check_date(value: object, name: str) -> None:
    # A datetime is a date too, but compares with neither dates nor the slots' wall clock.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ForecastError(f"{name} must be a date, got {value!r}.")


@dataclass(frozen=True, slots=True)
class History:
    """Contacts per interval of each local day from `first` to `last` inclusive.

    Slot i of a day holds the contacts that arrived from local wall-clock time i × interval to
    (i + 1) × interval. A date in range missing from `counts` had no contacts. The counts are
    checked and copied into a read-only mapping of tuples of floats.
    """

    first: date
    last: date
    interval_seconds: int
    counts: Mapping[date, Sequence[float]]

    def __post_init__(self) -> None:
        slots = slots_per_day(self.interval_seconds)
        _check_date(self.first, "The first day")
        _check_date(self.last, "The last day")
        if self.first > self.last:
            raise ForecastError(
                f"The history's first day {self.first} is after its last {self.last}."
            )
        checked: dict[date, tuple[float, ...]] = {}
        for day, values in self.counts.items():
            _check_date(day, "A day of counts")
            if not self.first <= day <= self.last:
                raise ForecastError(
                    f"Counts for {day} are outside the history {self.first} to {self.last}."
                )
            row = tuple(values)
            if len(row) != slots:
                raise ForecastError(
                    f"Counts for {day} have {len(row)} intervals; {self.interval_seconds}-second "
                    f"intervals make {slots} a day."
                )
            for slot, value in enumerate(row):
                if (
                    isinstance(value, bool)
                    or not isinstance(value, numbers.Real)
                    or not (math.isfinite(value) and value >= 0)
                ):
                    raise ForecastError(
                        f"The count of {day} at {_slot_label(slot, self.interval_seconds)} must "
                        f"be a finite number of at least 0, got {value!r}."
                    )
            checked[day] = tuple(float(value) for value in row)
        object.__setattr__(self, "counts", MappingProxyType(checked))


# --- open slots ---------------------------------------------------------------------------------


def _wall_time_exists(wall: datetime, hours: OpeningHours) -> bool:
    aware = wall.replace(tzinfo=hours.tz)
    return aware.astimezone(UTC).astimezone(hours.tz).replace(tzinfo=None) == wall


def _skipped_slots(day: date, hours: OpeningHours, interval_seconds: int) -> list[int]:
    """Return the slots of `day` whose whole wall-clock span is skipped by a clock change."""
    start_offset = datetime.combine(day, time(), tzinfo=hours.tz).utcoffset()
    end_offset = datetime.combine(day + _ONE_DAY, time(), tzinfo=hours.tz).utcoffset()
    if start_offset == end_offset:
        return []  # No clock change: every day but two a year.
    midnight = datetime.combine(day, time())
    step = timedelta(seconds=interval_seconds)
    return [
        slot
        for slot in range(slots_per_day(interval_seconds))
        if not _wall_time_exists(midnight + slot * step, hours)
        and not _wall_time_exists(midnight + (slot + 1) * step - _ONE_MICROSECOND, hours)
    ]


def open_slots(day: date, hours: OpeningHours, interval_seconds: int) -> list[bool]:
    """Return, per slot of `day`, whether it overlaps an opening period in local wall-clock time.

    A slot [start, end) is open when it overlaps any opening period of the day, so with a
    16:30 close the 16:15 quarter is open and the 16:30 one is not. All False on a closed day.
    """
    slots = slots_per_day(interval_seconds)
    flags = [False] * slots
    step = timedelta(seconds=interval_seconds)
    midnight = datetime.combine(day, time())
    for start, end in opening_periods(day, hours):
        # The periods are aware in hours.tz; dropping tzinfo gives their wall-clock times.
        begin = max(start.replace(tzinfo=None) - midnight, timedelta(0))
        finish = min(end.replace(tzinfo=None) - midnight, _ONE_DAY)
        if finish <= begin:
            continue
        for slot in range(begin // step, -(-finish // step)):
            flags[slot] = True
    if any(flags):
        for slot in _skipped_slots(day, hours, interval_seconds):
            flags[slot] = False
    return flags


# --- forecast -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayForecast:
    """Forecast contacts per slot of one local day, 0.0 on closed slots."""

    day: date
    calls: tuple[float, ...]
    open: tuple[bool, ...]

    @property
    def total(self) -> float:
        """Return the forecast contacts of the whole day."""
        return math.fsum(self.calls)


def _check_weeks(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ForecastError(f"{name} must be a whole number of at least 1, got {value!r}.")


@dataclass(frozen=True, slots=True)
class _Model:
    """What the forecast learnt from the training days (see the module docstring)."""

    interval_seconds: int
    origin: date  # the last training day, t = 0
    level: float  # a
    slope: float  # b, per day
    factors: tuple[float, ...]  # f_w, Monday to Sunday
    profiles: tuple[tuple[float, ...], ...]  # share[s], Monday to Sunday

    def daily_total(self, day: date) -> float:
        """Return total(d) = clamp(a + b·t, 0.5·a, 1.5·a) · f_w."""
        if self.level <= 0:
            return 0.0
        projected = self.level + self.slope * (day - self.origin).days
        low = self.level * (1.0 - MAX_TREND_CHANGE)
        high = self.level * (1.0 + MAX_TREND_CHANGE)
        return min(max(projected, low), high) * self.factors[day.weekday()]

    def day(self, day: date, hours: OpeningHours) -> DayForecast:
        """Return the forecast of one day under `hours`."""
        flags = open_slots(day, hours, self.interval_seconds)
        opened = [slot for slot, is_open in enumerate(flags) if is_open]
        calls = [0.0] * len(flags)
        if opened:
            total = self.daily_total(day)
            share = self.profiles[day.weekday()]
            mass = math.fsum(share[slot] for slot in opened)
            if mass > 0:
                for slot in opened:
                    calls[slot] = total * share[slot] / mass
            else:
                for slot in opened:
                    calls[slot] = total / len(opened)
        return DayForecast(day=day, calls=tuple(calls), open=tuple(flags))


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _level_and_slope(points: Sequence[tuple[int, float]], trend: bool) -> tuple[float, float]:
    """Return (a, b) of y = a + b·t: least squares with `trend` and enough points, else flat."""
    if not points:
        return 0.0, 0.0
    y_mean = _mean([y for _, y in points])
    if not trend or len(points) < MIN_TREND_DAYS:
        return y_mean, 0.0
    t_mean = _mean([float(t) for t, _ in points])
    sxx = math.fsum((t - t_mean) ** 2 for t, _ in points)
    sxy = math.fsum((t - t_mean) * (y - y_mean) for t, y in points)
    slope = sxy / sxx  # sxx > 0: the points are distinct days
    return y_mean - slope * t_mean, slope


def _shares(sums: Sequence[float]) -> tuple[float, ...] | None:
    total = math.fsum(sums)
    return tuple(value / total for value in sums) if total > 0 else None


def _train(history: History, hours: OpeningHours, weeks: int, trend: bool) -> _Model:
    _check_weeks(weeks, "weeks")
    slots = slots_per_day(history.interval_seconds)
    zeros = (0.0,) * slots
    window_first = max(history.first, history.last - timedelta(days=7 * weeks - 1))
    training: list[tuple[date, Sequence[float]]] = []
    day = window_first
    while day <= history.last:
        if opening_periods(day, hours):
            training.append((day, history.counts.get(day, zeros)))
        day += _ONE_DAY
    if not training:
        return _Model(history.interval_seconds, history.last, 0.0, 0.0, (1.0,) * 7, (zeros,) * 7)

    totals = [math.fsum(row) for _, row in training]
    by_weekday: list[list[int]] = [[] for _ in range(7)]
    for index, (day, _) in enumerate(training):
        by_weekday[day.weekday()].append(index)

    mean_total = _mean(totals)
    factors = tuple(
        _mean([totals[i] for i in indices]) / mean_total if indices and mean_total > 0 else 1.0
        for indices in by_weekday
    )

    origin = training[-1][0]
    points = [
        ((day - origin).days, total / factors[day.weekday()])
        for (day, _), total in zip(training, totals, strict=True)
        if factors[day.weekday()] > 0  # a weekday that never had contacts says nothing of level
    ]
    level, slope = _level_and_slope(points, trend)

    def column_sums(indices: Sequence[int]) -> list[float]:
        rows = [training[i][1] for i in indices]
        return [math.fsum(column) for column in zip(*rows, strict=True)]

    # Pooling across different opening hours would bend the shape: a Friday closing at 15:00
    # has nothing after 15:00 and would pull the Monday-to-Thursday afternoons down.
    def opening(weekday: int) -> tuple[tuple[time, time], ...]:
        return tuple(sorted(hours.weekly.get(weekday, ())))

    all_days = _shares(column_sums(range(len(training)))) or zeros
    profiles: list[tuple[float, ...]] = []
    for weekday, indices in enumerate(by_weekday):
        alike = [
            index
            for other, other_indices in enumerate(by_weekday)
            if opening(other) == opening(weekday)
            for index in other_indices
        ]
        pooled = (_shares(column_sums(alike)) if alike else None) or all_days
        own = (_shares(column_sums(indices)) if indices else None) or pooled
        n_w, weight = len(indices), POOLED_PROFILE_DAYS
        profiles.append(
            tuple(
                (n_w * mine + weight * common) / (n_w + weight)
                for mine, common in zip(own, pooled, strict=True)
            )
        )
    return _Model(history.interval_seconds, origin, level, slope, factors, tuple(profiles))


def forecast(
    history: History,
    days: Sequence[date],
    hours: OpeningHours,
    *,
    weeks: int = 8,
    trend: bool = True,
) -> list[DayForecast]:
    """Return the forecast of each of `days`, in order, learnt from the last `weeks` of history."""
    for day in days:
        _check_date(day, "A forecast day")
    model = _train(history, hours, weeks, trend)
    return [model.day(day, hours) for day in days]


# --- accuracy -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Accuracy:
    """How well the forecast did on held-out history, and the naive forecast for comparison.

    Errors are shares (0.25 = 25 %) over the slots open per the opening hours on open held-out
    days. ``mape`` and ``naive_mape`` average |forecast − actual| / actual over the
    ``intervals`` slots with actual > 0; ``wape`` is Σ|forecast − actual| / Σ actual over all
    open slots; ``daily_mape`` compares day totals (a day's whole count, since the forecast
    moves contacts logged outside opening hours into them) over open days with contacts.
    The naive forecast repeats the same weekday of the last week before the holdout. None
    where there was nothing to divide by.
    """

    holdout_first: date
    holdout_last: date
    interval_seconds: int
    mape: float | None
    wape: float | None
    daily_mape: float | None
    naive_mape: float | None
    intervals: int
    days: int


def backtest(
    history: History,
    hours: OpeningHours,
    *,
    holdout_weeks: int = 2,
    weeks: int = 8,
    trend: bool = True,
) -> Accuracy:
    """Forecast the last `holdout_weeks` weeks of history from the days before and compare."""
    _check_weeks(holdout_weeks, "holdout_weeks")
    _check_weeks(weeks, "weeks")
    holdout_first = history.last - timedelta(days=7 * holdout_weeks - 1)
    training_last = holdout_first - _ONE_DAY
    training_days = (training_last - history.first).days + 1
    if training_days < MIN_TRAINING_DAYS:
        raise ForecastError(
            f"A backtest holding out {holdout_weeks} week(s) needs at least "
            f"{7 * holdout_weeks + MIN_TRAINING_DAYS} days of history, {MIN_TRAINING_DAYS} of "
            f"them to train on; {history.first} to {history.last} leaves "
            f"{max(training_days, 0)}."
        )
    training = History(
        first=history.first,
        last=training_last,
        interval_seconds=history.interval_seconds,
        counts={day: row for day, row in history.counts.items() if day <= training_last},
    )
    holdout = [holdout_first + offset * _ONE_DAY for offset in range(7 * holdout_weeks)]
    forecasts = forecast(training, holdout, hours, weeks=weeks, trend=trend)

    zeros = (0.0,) * slots_per_day(history.interval_seconds)
    errors: list[float] = []
    actuals: list[float] = []
    ape: list[float] = []
    naive_ape: list[float] = []
    daily_ape: list[float] = []
    open_days = 0
    for day_forecast in forecasts:
        if not any(day_forecast.open):
            continue
        open_days += 1
        day = day_forecast.day
        actual = history.counts.get(day, zeros)
        # The naive forecaster plans when the model does: with last week's figures then.
        weeks_back = ((day - training_last).days + 6) // 7
        naive = history.counts.get(day - timedelta(days=7 * weeks_back), zeros)
        for slot, is_open in enumerate(day_forecast.open):
            if not is_open:
                continue
            value, predicted = actual[slot], day_forecast.calls[slot]
            errors.append(abs(predicted - value))
            actuals.append(value)
            if value > 0:
                ape.append(abs(predicted - value) / value)
                naive_ape.append(abs(naive[slot] - value) / value)
        actual_total = math.fsum(actual)
        if actual_total > 0:
            daily_ape.append(abs(day_forecast.total - actual_total) / actual_total)

    actual_sum = math.fsum(actuals)
    return Accuracy(
        holdout_first=holdout_first,
        holdout_last=history.last,
        interval_seconds=history.interval_seconds,
        mape=_mean(ape) if ape else None,
        wape=math.fsum(errors) / actual_sum if actual_sum > 0 else None,
        daily_mape=_mean(daily_ape) if daily_ape else None,
        naive_mape=_mean(naive_ape) if naive_ape else None,
        intervals=len(ape),
        days=open_days,
    )
