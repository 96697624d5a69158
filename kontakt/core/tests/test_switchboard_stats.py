"""The switchboard's figures from a known event stream, computed by hand; the same figures
for any order of arrival and with duplicates."""

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kontakt.core.call_events import CallEvent, EventType
from kontakt.core.switchboard_stats import (
    MessageFact,
    SwitchboardFigures,
    switchboard_figures,
    transfers_of,
)

T0 = datetime.fromisoformat("2026-03-02T09:00:00+01:00")
A, B, C = "+46406281001", "+46406281002", "+46406282001"


def ev(event_id: str, call_id: str, kind: str, second: int, **extra: str) -> CallEvent:
    return CallEvent(
        event_id=event_id,
        call_id=call_id,
        type=EventType(kind),
        at=T0 + timedelta(seconds=second),
        **extra,
    )


def known_stream() -> list[CallEvent]:
    """32 events, in the order an exchange might send them (some late, some twice).

    Transfers, by (call, target, n):
      c1 A#1  started 10, answered 15, returned (no answer) 40 after   answered (once)
      c2 A#1  started 100, returned no answer 120                      returned no answer
      c2 B#1  started 130, returned busy 131                           returned busy
      c2 A#2  started 200 (the same person again), answered 205        answered
      c3 C#1  started 300, returned absent 300 (the same instant)      to someone absent
      c4 B#1  only its return (no answer) 400: the start was lost      returned no answer
      c5 A#1  `transferred` (the older type) 500, no outcome yet       counted, ringing
      c6 B#1  answered 620 sent before its start 600                   answered
    transfers 8; answered 3 (c1, c2 A#2, c6); returned no answer 2 (c2 A#1, c4);
    busy 1 (c2 B#1); to someone absent 1 (c3).

    Direct calls, by (call, target, n):
      d1 A  offered 700, answered 705                  reached
      d2 B  offered 800, fallback no answer 820, then queued in the switchboard's group
      d3 C  offered 900, fallback busy 901
      d4 A  offered 1000, fallback absent 1000
      d5 C  offered 1100 (sent twice), answered 1110   reached
    direct calls 5; reached 2 (d1, d5); fallback no answer 1, busy 1, absent 1.

    Per target: A (transfers c1, c2#1, c2#2, c5 = 4; answered 2; back no answer 1; direct
    d1, d4 = 2, reached 1, fallback absent 1); B (c2, c4, c6 = 3; answered 1; no answer 1;
    busy 1; direct d2 = 1, fallback no answer 1); C (c3 = 1, absent 1; direct d3, d5 = 2,
    reached 1, fallback busy 1).
    """
    c1_answered = ev("e03", "c1", "transfer_answered", 15, target=A)
    d5_offered = ev("e31", "d5", "direct_offered", 1100, target=C)
    return [
        ev("e00", "c1", "offered", 0, number="+46406280400"),
        ev("e01", "c1", "queued", 2, answer_group="vaxel"),
        ev("e02", "c1", "answered", 5, agent="switch1"),
        ev("e04", "c1", "transfer_started", 10, target=A),
        c1_answered,
        c1_answered,  # sent twice
        ev("e05", "c1", "transfer_returned", 40, target=A, reason="no_answer"),
        ev("e06", "c1", "ended", 60),
        # c2: arrives out of order.
        ev("e11", "c2", "transfer_returned", 120, target=A, reason="no_answer"),
        ev("e10", "c2", "transfer_started", 100, target=A),
        ev("e13", "c2", "transfer_returned", 131, target=B, reason="busy"),
        ev("e12", "c2", "transfer_started", 130, target=B),
        ev("e15", "c2", "transfer_answered", 205, target=A),
        ev("e14", "c2", "transfer_started", 200, target=A),
        ev("e21", "c3", "transfer_returned", 300, target=C, reason="absent"),
        ev("e20", "c3", "transfer_started", 300, target=C),
        ev("e40", "c4", "transfer_returned", 400, target=B, reason="no_answer"),
        ev("e50", "c5", "transferred", 500, target=A),
        ev("e61", "c6", "transfer_answered", 620, target=B),
        ev("e60", "c6", "transfer_started", 600, target=B),
        ev("e70", "d1", "direct_offered", 700, target=A),
        ev("e71", "d1", "direct_answered", 705, target=A),
        ev("e82", "d2", "queued", 821, answer_group="vaxel"),
        ev("e81", "d2", "direct_fallback", 820, target=B, reason="no_answer"),
        ev("e80", "d2", "direct_offered", 800, target=B),
        ev("e90", "d3", "direct_offered", 900, target=C),
        ev("e91", "d3", "direct_fallback", 901, target=C, reason="busy"),
        ev("e95", "d4", "direct_fallback", 1000, target=A, reason="absent"),
        ev("e94", "d4", "direct_offered", 1000, target=A),
        d5_offered,
        ev("e32", "d5", "direct_answered", 1110, target=C),
        d5_offered,  # sent twice
    ]


EXPECTED = SwitchboardFigures(
    transfers=8,
    transfers_answered=3,
    returned_no_answer=2,
    returned_busy=1,
    transferred_to_absent=1,
    direct_calls=5,
    direct_reached=2,
    direct_fallback_no_answer=1,
    direct_fallback_busy=1,
    direct_fallback_absent=1,
)


def test_the_stream_has_the_figures_computed_by_hand() -> None:
    assert len(known_stream()) == 32
    assert switchboard_figures(known_stream()) == EXPECTED


def test_per_target_the_figures_computed_by_hand() -> None:
    def of(target: str) -> SwitchboardFigures:
        return switchboard_figures(e for e in known_stream() if e.target == target)

    assert of(A) == SwitchboardFigures(
        transfers=4,
        transfers_answered=2,
        returned_no_answer=1,
        direct_calls=2,
        direct_reached=1,
        direct_fallback_absent=1,
    )
    assert of(B) == SwitchboardFigures(
        transfers=3,
        transfers_answered=1,
        returned_no_answer=1,
        returned_busy=1,
        direct_calls=1,
        direct_fallback_no_answer=1,
    )
    assert of(C) == SwitchboardFigures(
        transfers=1,
        transferred_to_absent=1,
        direct_calls=2,
        direct_reached=1,
        direct_fallback_busy=1,
    )
    assert of(A) + of(B) + of(C) == EXPECTED


def test_a_transfer_is_the_nth_start_of_a_call_to_a_target() -> None:
    c2 = [
        (t.target, t.n, t.answered, t.reason)
        for t in transfers_of(known_stream())
        if t.call_id == "c2"
    ]
    assert c2 == [(A, 1, False, "no_answer"), (B, 1, False, "busy"), (A, 2, True, "")]


def test_transfers_started_while_marked_absent_count_once() -> None:
    flagged = {("c5", A), ("c3", C)}  # c3 also came back absent: still one
    figures = switchboard_figures(known_stream(), absent_transfers=frozenset(flagged))
    assert figures.transferred_to_absent == 2


def test_the_period_takes_what_began_in_it() -> None:
    period = (T0 + timedelta(seconds=100), T0 + timedelta(seconds=1100))
    figures = switchboard_figures(known_stream(), period=period)
    # c1 began before; d5 at the end, which is left out.
    assert (figures.transfers, figures.transfers_answered) == (7, 2)
    assert (figures.direct_calls, figures.direct_reached) == (4, 1)


def test_messages_done_within_24_hours_and_wrong_transfers() -> None:
    taken = T0
    messages = [
        MessageFact(taken_at=taken, state="done", done_at=taken + timedelta(hours=1)),
        MessageFact(taken_at=taken, state="done", done_at=taken + timedelta(hours=24)),
        MessageFact(taken_at=taken, state="done", done_at=taken + timedelta(hours=24, seconds=1)),
        MessageFact(taken_at=taken, state="open"),
        MessageFact(taken_at=taken, state="not_mine"),
    ]
    figures = switchboard_figures([], messages, transfers_not_mine=2)
    assert figures == SwitchboardFigures(
        messages_taken=5, messages_done_within_day=2, wrong_transfers=3
    )


def test_a_return_without_a_reason_counts_as_a_transfer_only() -> None:
    events = [
        ev("x1", "c9", "transfer_started", 0, target=A),
        ev("x2", "c9", "transfer_returned", 20, target=A),
    ]
    assert switchboard_figures(events) == SwitchboardFigures(transfers=1)


@given(
    order=st.permutations(known_stream()),
    again=st.lists(st.sampled_from(known_stream()), max_size=20),
)
def test_any_order_and_any_duplicates_give_the_same_figures(
    order: list[CallEvent], again: list[CallEvent]
) -> None:
    assert switchboard_figures([*order, *again]) == EXPECTED


@given(st.permutations(known_stream()))
def test_the_same_transfers_in_any_order(order: list[CallEvent]) -> None:
    assert transfers_of(order) == transfers_of(known_stream())


def test_the_figures_add_up() -> None:
    one = replace(EXPECTED, messages_taken=1)
    assert (one + one).transfers == 16
    assert (one + one).messages_taken == 2
