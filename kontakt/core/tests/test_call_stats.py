"""Tests for kontakt.core.call_stats: DESIGN.md's service-level figures on a hand-counted stream."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontakt.core.call_events import CallEvent, EventType, summarize_calls
from kontakt.core.call_stats import ServiceLevel, by_interval, interval_start, service_level

E = EventType
STOCKHOLM = ZoneInfo("Europe/Stockholm")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=STOCKHOLM)

# Twelve calls; times are seconds after 09:00 Stockholm time.
#
#  call  events                                   outcome            wait   ≤20  ≤30
#  c1    queued 0, answered 8, ended 128          answered             8     ✓    ✓
#  c2    queued 60, answered 80 (still talking)   answered            20     ✓    ✓
#  c3    queued 120, answered 150, ended 400      answered            30          ✓
#  c4    queued 200, answered 245, ended 500      answered            45
#  c5    queued 300, abandoned 302                short abandon        2
#  c6    queued 400, abandoned 460                abandoned           60
#  c7    queued 500, ended 800                    left queue         300
#  c8    queued 600, callback 690, abandoned 691  callback            90
#  c9    queued 950, answered 960, ended 1000     answered            10     ✓    ✓
#  c10   queued 1000 (still waiting)              not counted yet
#  c11   offered 1100, ended 1130                 never queued: not counted
#  c12   queued 1200, ringing 1210, abandoned 1225  abandoned         25
#
# offered  = answered 5 (c1 c2 c3 c4 c9) + abandoned 2 (c6 c12) + left queue 1 (c7) = 8;
#            short abandons (c5) and callbacks (c8) are apart.
# SL20 = 3/8 = 0.375   SL30 = 4/8 = 0.5   over answered: 3/5 = 0.6, 4/5 = 0.8
# answer rate = 5/8 = 0.625   ASA = (8 + 20 + 30 + 45 + 10) / 5 = 113 / 5 = 22.6 s
#
# 15-minute intervals of queued_at:
#   09:00 (0–899 s): c1–c8 → offered 6 (c1 c2 c3 c4 c6 c7), answered 4, abandoned 1, short 1,
#                    left 1, callbacks 1, ≤20: 2 (c1 c2), ≤30: 3, ASA = 103 / 4 = 25.75
#   09:15 (900– s):  c9, c12 (c10 waits) → offered 2, answered 1, abandoned 1, ≤20: 1, ≤30: 1,
#                    ASA = 10
STREAM: dict[str, list[tuple[EventType, int]]] = {
    "c1": [(E.QUEUED, 0), (E.ANSWERED, 8), (E.ENDED, 128)],
    "c2": [(E.QUEUED, 60), (E.ANSWERED, 80)],
    "c3": [(E.QUEUED, 120), (E.ANSWERED, 150), (E.ENDED, 400)],
    "c4": [(E.QUEUED, 200), (E.ANSWERED, 245), (E.ENDED, 500)],
    "c5": [(E.QUEUED, 300), (E.ABANDONED, 302)],
    "c6": [(E.QUEUED, 400), (E.ABANDONED, 460)],
    "c7": [(E.QUEUED, 500), (E.ENDED, 800)],
    "c8": [(E.QUEUED, 600), (E.CALLBACK_REQUESTED, 690), (E.ABANDONED, 691)],
    "c9": [(E.QUEUED, 950), (E.ANSWERED, 960), (E.ENDED, 1000)],
    "c10": [(E.QUEUED, 1000)],
    "c11": [(E.OFFERED, 1100), (E.ENDED, 1130)],
    "c12": [(E.QUEUED, 1200), (E.RINGING, 1210), (E.ABANDONED, 1225)],
}


def stream_events() -> list[CallEvent]:
    return [
        CallEvent(f"{call}-{n}", call, kind, T0 + timedelta(seconds=seconds), answer_group="q1")
        for call, events in STREAM.items()
        for n, (kind, seconds) in enumerate(events)
    ]


TOTAL = service_level(summarize_calls(stream_events()))


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        ("offered", 8),
        ("answered", 5),
        ("abandoned", 2),
        ("short_abandoned", 1),
        ("left_queue", 1),
        ("callbacks", 1),
        ("answer_rate", 0.625),
        ("asa_seconds", 22.6),
        ("wait_answered_seconds_total", 113.0),
    ],
)
def test_hand_counted_stream(figure: str, expected: float) -> None:
    assert getattr(TOTAL, figure) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("threshold", "within", "over_offered", "over_answered"),
    [(20, 3, 0.375, 0.6), (30, 4, 0.5, 0.8)],
)
def test_hand_counted_service_levels(
    threshold: int, within: int, over_offered: float, over_answered: float
) -> None:
    assert TOTAL.answered_within[threshold] == within
    assert TOTAL.service_level(threshold) == pytest.approx(over_offered)
    assert TOTAL.service_level_of_answered(threshold) == pytest.approx(over_answered)


def test_hand_counted_intervals_keep_the_input_timezone() -> None:
    intervals = by_interval(summarize_calls(stream_events()))
    first, second = T0, T0 + timedelta(minutes=15)
    assert list(intervals) == [first, second]
    assert all(start.tzinfo is STOCKHOLM for start in intervals)
    assert intervals[first] == ServiceLevel(
        offered=6,
        answered=4,
        abandoned=1,
        short_abandoned=1,
        left_queue=1,
        callbacks=1,
        answered_within={20: 2, 30: 3},
        wait_answered_seconds_total=103.0,
    )
    assert intervals[first].asa_seconds == pytest.approx(25.75)
    assert intervals[second] == ServiceLevel(
        offered=2,
        answered=1,
        abandoned=1,
        short_abandoned=0,
        left_queue=0,
        callbacks=0,
        answered_within={20: 1, 30: 1},
        wait_answered_seconds_total=10.0,
    )
    assert intervals[first].merge(intervals[second]) == TOTAL


def test_hourly_intervals_and_other_thresholds() -> None:
    intervals = by_interval(summarize_calls(stream_events()), minutes=60, thresholds=(10, 60))
    assert list(intervals) == [T0]
    # Waits of answered calls: 8, 20, 30, 45, 10 → ≤10: 2 (8, 10); ≤60: all 5.
    assert dict(intervals[T0].answered_within) == {10: 2, 60: 5}


@pytest.mark.parametrize(
    ("moment", "minutes", "start"),
    [
        (datetime(2026, 3, 2, 9, 14, 59, 999999, tzinfo=UTC), 15, datetime(2026, 3, 2, 9, 0)),
        (datetime(2026, 3, 2, 9, 15, tzinfo=UTC), 15, datetime(2026, 3, 2, 9, 15)),
        (datetime(2026, 3, 2, 23, 59, tzinfo=UTC), 30, datetime(2026, 3, 2, 23, 30)),
        (datetime(2026, 3, 2, 13, 10, tzinfo=UTC), 120, datetime(2026, 3, 2, 12, 0)),
        # The spring-forward day in Stockholm: 02:00–03:00 does not exist.
        (datetime(2026, 3, 29, 3, 7, tzinfo=STOCKHOLM), 15, datetime(2026, 3, 29, 3, 0)),
    ],
)
def test_interval_start(moment: datetime, minutes: int, start: datetime) -> None:
    result = interval_start(moment, minutes)
    assert result.replace(tzinfo=None) == start
    assert result.tzinfo is moment.tzinfo


@pytest.mark.parametrize("minutes", [0, -15, 7, 50])
def test_interval_must_divide_a_day(minutes: int) -> None:
    with pytest.raises(ValueError, match="divides a day"):
        by_interval([], minutes=minutes)


def test_nothing_offered_gives_no_ratios() -> None:
    empty = service_level([])
    assert (empty.offered, empty.answer_rate, empty.asa_seconds) == (0, None, None)
    assert empty.service_level(20) is None
    assert empty.service_level_of_answered(30) is None


def test_a_threshold_not_counted_is_an_error() -> None:
    with pytest.raises(ValueError, match="within 45 s"):
        TOTAL.service_level(45)


def test_merge_needs_the_same_thresholds() -> None:
    with pytest.raises(ValueError, match="same thresholds"):
        TOTAL.merge(service_level([], thresholds=(20,)))


def test_negative_threshold_is_an_error() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        service_level([], thresholds=(-1,))


# --- order tolerance of the figures -------------------------------------------------------------

call_events = st.lists(
    st.tuples(st.sampled_from(EventType), st.integers(0, 90)), min_size=1, max_size=6
)


@given(calls=st.lists(call_events, min_size=1, max_size=8), data=st.data())
def test_figures_do_not_depend_on_event_order_or_duplicates(
    calls: list[list[tuple[EventType, int]]], data: st.DataObject
) -> None:
    events = [
        CallEvent(f"c{c}-{n}", f"c{c}", kind, T0 + timedelta(seconds=seconds * 7 + c * 300))
        for c, call in enumerate(calls)
        for n, (kind, seconds) in enumerate(call)
    ]
    duplicates = data.draw(st.lists(st.sampled_from(events), max_size=10))
    shuffled = data.draw(st.permutations(events + duplicates))
    expected = service_level(summarize_calls(events))
    assert service_level(summarize_calls(shuffled)) == expected
    assert by_interval(summarize_calls(shuffled)) == by_interval(summarize_calls(events))
    assert expected.offered == expected.answered + expected.abandoned + expected.left_queue
    assert expected.answered_within[20] <= expected.answered_within[30] <= expected.answered
