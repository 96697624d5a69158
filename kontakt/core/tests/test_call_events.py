"""Tests for kontakt.core.call_events: the rules of a call's summary and its order tolerance."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontakt.core.call_events import (
    CallEvent,
    CallState,
    CallSummary,
    EventType,
    ordered_events,
    summarize_call,
    summarize_calls,
)

E = EventType
S = CallState
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def ev(
    kind: EventType, seconds: float, *, call: str = "c1", event_id: str = "", **fields: str
) -> CallEvent:
    """An event `seconds` after T0; its id defaults to call, type and time."""
    return CallEvent(
        event_id=event_id or f"{call}:{kind}:{seconds}",
        call_id=call,
        type=kind,
        at=T0 + timedelta(seconds=seconds),
        **fields,
    )


def test_event_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CallEvent("e1", "c1", E.QUEUED, datetime(2026, 3, 2, 8, 0))


@pytest.mark.parametrize(("event_id", "call_id"), [("", "c1"), ("e1", "")])
def test_event_needs_ids(event_id: str, call_id: str) -> None:
    with pytest.raises(ValueError, match="id"):
        CallEvent(event_id, call_id, E.QUEUED, T0)


def test_event_type_may_be_given_as_its_value() -> None:
    event = CallEvent("e1", "c1", "answered", T0)  # type: ignore[arg-type]
    assert event.type is E.ANSWERED


# (case, events as (type, seconds, fields), state, wait, talk, queued at, answered at, ended at)
CASES: list[
    tuple[
        str,
        list[tuple[EventType, float, dict[str, str]]],
        CallState,
        float | None,
        float | None,
        float | None,
        float | None,
        float | None,
    ]
] = [
    (
        "answered and ended",
        [
            (E.OFFERED, 0, {}),
            (E.QUEUED, 2, {}),
            (E.RINGING, 10, {}),
            (E.ANSWERED, 14, {}),
            (E.ENDED, 74, {}),
        ],
        S.ANSWERED,
        12,
        60,
        2,
        14,
        74,
    ),
    ("offered only: in the IVR", [(E.OFFERED, 0, {})], S.IN_IVR, None, None, None, None, None),
    (
        "ended in the IVR, never queued",
        [(E.OFFERED, 0, {}), (E.ENDED, 30, {})],
        S.NOT_QUEUED,
        None,
        None,
        None,
        None,
        30,
    ),
    (
        "hung up in the IVR, never queued",
        [(E.OFFERED, 0, {}), (E.ABANDONED, 3, {})],
        S.NOT_QUEUED,
        None,
        None,
        None,
        None,
        3,
    ),
    ("still waiting", [(E.QUEUED, 0, {})], S.WAITING, None, None, 0, None, None),
    (
        "ringing without an answer",
        [(E.QUEUED, 0, {}), (E.RINGING, 5, {})],
        S.RINGING,
        None,
        None,
        0,
        None,
        None,
    ),
    (
        "answered without queued: never queued, no wait",
        [(E.OFFERED, 0, {}), (E.ANSWERED, 9, {})],
        S.TALKING,
        None,
        None,
        None,
        9,
        None,
    ),
    (
        "answered without queued and ended: answered, still never queued",
        [(E.OFFERED, 0, {}), (E.ANSWERED, 9, {}), (E.ENDED, 69, {})],
        S.ANSWERED,
        None,
        60,
        None,
        9,
        69,
    ),
    (
        "queued after the answer (a transfer into a queue): not queued for the figures",
        [(E.OFFERED, 0, {}), (E.ANSWERED, 9, {}), (E.QUEUED, 40, {}), (E.ENDED, 69, {})],
        S.ANSWERED,
        None,
        60,
        None,
        9,
        69,
    ),
    (
        "queued and answered at the same instant: a wait of 0 s",
        [(E.QUEUED, 9, {}), (E.ANSWERED, 9, {})],
        S.TALKING,
        0,
        None,
        9,
        9,
        None,
    ),
    (
        "abandoned after answered is an ordinary end",
        [(E.QUEUED, 0, {}), (E.ANSWERED, 15, {}), (E.ABANDONED, 95, {})],
        S.ANSWERED,
        15,
        80,
        0,
        15,
        95,
    ),
    (
        "hung up after 4.9 s: short abandon",
        [(E.QUEUED, 0, {}), (E.ABANDONED, 4.9, {})],
        S.SHORT_ABANDONED,
        4.9,
        None,
        0,
        None,
        4.9,
    ),
    (
        "hung up after exactly 5 s: abandoned",
        [(E.QUEUED, 0, {}), (E.ABANDONED, 5, {})],
        S.ABANDONED,
        5,
        None,
        0,
        None,
        5,
    ),
    (
        "ended while waiting: left the queue",
        [(E.QUEUED, 0, {}), (E.ENDED, 300, {})],
        S.LEFT_QUEUE,
        300,
        None,
        0,
        None,
        300,
    ),
    (
        "callback requested while waiting",
        [(E.QUEUED, 0, {}), (E.CALLBACK_REQUESTED, 90, {}), (E.ABANDONED, 91, {})],
        S.CALLBACK,
        90,
        None,
        0,
        None,
        90,
    ),
    (
        "overflow: timed out of q1, answered in q2, counted in q1",
        [
            (E.QUEUED, 0, {"answer_group": "q1"}),
            (E.ENDED, 60, {}),
            (E.QUEUED, 60, {"answer_group": "q2"}),
            (E.ANSWERED, 70, {}),
            (E.ENDED, 130, {}),
        ],
        S.ANSWERED,
        70,
        60,
        0,
        70,
        130,
    ),
    (
        "hung up after leaving the queue: the wait ended at the exit",
        [(E.QUEUED, 0, {}), (E.ENDED, 60, {}), (E.ABANDONED, 80, {}), (E.QUEUED, 90, {})],
        S.LEFT_QUEUE,
        60,
        None,
        0,
        None,
        60,
    ),
    (
        "a second end after leaving the queue changes nothing",
        [(E.QUEUED, 0, {}), (E.ENDED, 60, {}), (E.ENDED, 75, {})],
        S.LEFT_QUEUE,
        60,
        None,
        0,
        None,
        60,
    ),
    (
        "callback offered after a queue timeout",
        [(E.QUEUED, 0, {}), (E.ENDED, 60, {}), (E.CALLBACK_REQUESTED, 70, {})],
        S.CALLBACK,
        70,
        None,
        0,
        None,
        70,
    ),
    (
        "abandoned and ended in the same second: the abandon decides",
        [(E.QUEUED, 0, {}), (E.ENDED, 30, {}), (E.ABANDONED, 30, {})],
        S.ABANDONED,
        30,
        None,
        0,
        None,
        30,
    ),
    (
        "queued again after a queue timeout: waiting again",
        [(E.QUEUED, 0, {}), (E.ENDED, 60, {}), (E.QUEUED, 65, {})],
        S.WAITING,
        None,
        None,
        0,
        None,
        None,
    ),
    (
        "events after an abandon change nothing",
        [(E.QUEUED, 0, {}), (E.ABANDONED, 30, {}), (E.ANSWERED, 40, {}), (E.ENDED, 50, {})],
        S.ABANDONED,
        30,
        None,
        0,
        None,
        30,
    ),
    (
        "queued and answered in the same second: natural order breaks the tie",
        [(E.ANSWERED, 0, {}), (E.QUEUED, 0, {}), (E.ENDED, 20, {})],
        S.ANSWERED,
        0,
        20,
        0,
        0,
        20,
    ),
]


@pytest.mark.parametrize(
    ("events", "state", "wait", "talk", "queued", "answered", "ended"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_summary_rules(
    events: list[tuple[EventType, float, dict[str, str]]],
    state: CallState,
    wait: float | None,
    talk: float | None,
    queued: float | None,
    answered: float | None,
    ended: float | None,
) -> None:
    def at(seconds: float | None) -> datetime | None:
        return None if seconds is None else T0 + timedelta(seconds=seconds)

    summary = summarize_call(ev(kind, seconds, **fields) for kind, seconds, fields in events)
    assert summary.state is state
    assert summary.wait_seconds == pytest.approx(wait)
    assert summary.talk_seconds == pytest.approx(talk)
    assert (summary.queued_at, summary.answered_at, summary.ended_at) == (
        at(queued),
        at(answered),
        at(ended),
    )
    assert summary.is_open is (state in {S.IN_IVR, S.WAITING, S.RINGING, S.TALKING})


def test_overflow_counts_in_the_first_group() -> None:
    summary = summarize_call(
        [
            ev(E.QUEUED, 0, answer_group="q1"),
            ev(E.ENDED, 60),
            ev(E.QUEUED, 60, answer_group="q2"),
            ev(E.ANSWERED, 70, answer_group="q2", agent="anna"),
        ]
    )
    assert (summary.answer_group, summary.agent, summary.state) == ("q1", "anna", S.TALKING)


def test_transfer_that_returns_keeps_first_answer_and_last_agent() -> None:
    summary = summarize_call(
        [
            ev(E.QUEUED, 0, answer_group="q1", number="0771", caller="046123", digit="2"),
            ev(E.ANSWERED, 10, agent="anna"),
            ev(E.TRANSFERRED, 40, agent="anna"),
            ev(E.TRANSFER_RETURNED, 70),
            ev(E.ANSWERED, 75, agent="bo"),
            ev(E.ENDED, 100),
        ]
    )
    assert summary == CallSummary(
        call_id="c1",
        number="0771",
        caller="046123",
        answer_group="q1",
        agent="bo",
        state=S.ANSWERED,
        started_at=T0,
        queued_at=T0,
        answered_at=T0 + timedelta(seconds=10),
        ended_at=T0 + timedelta(seconds=100),
        wait_seconds=10.0,
        talk_seconds=90.0,
        digit="2",
        transfers=1,
        transfers_returned=1,
        callback_requested=False,
        last_event_at=T0 + timedelta(seconds=100),
    )


def test_callback_after_answer_only_sets_the_flag() -> None:
    summary = summarize_call(
        [ev(E.QUEUED, 0), ev(E.ANSWERED, 5), ev(E.CALLBACK_REQUESTED, 20), ev(E.ENDED, 30)]
    )
    assert (summary.state, summary.callback_requested) == (S.ANSWERED, True)


def test_short_abandon_limit_is_a_parameter() -> None:
    events = [ev(E.QUEUED, 0), ev(E.ABANDONED, 8)]
    assert summarize_call(events).state is S.ABANDONED
    assert summarize_call(events, short_abandon_seconds=10).state is S.SHORT_ABANDONED


def test_last_event_counts_events_after_the_end() -> None:
    summary = summarize_call([ev(E.QUEUED, 0), ev(E.ABANDONED, 30), ev(E.ENDED, 31)])
    assert summary.ended_at == T0 + timedelta(seconds=30)
    assert summary.last_event_at == T0 + timedelta(seconds=31)


def test_a_duplicate_id_keeps_its_earliest_version() -> None:
    late = ev(E.ANSWERED, 40, event_id="dup", agent="bo")
    early = replace(late, at=T0 + timedelta(seconds=20), agent="anna")
    for events in ([ev(E.QUEUED, 0), late, early], [early, ev(E.QUEUED, 0), late]):
        summary = summarize_call(events)
        assert (summary.wait_seconds, summary.agent) == (20.0, "anna")
    assert [e.event_id for e in ordered_events([late, early, late])] == ["dup"]


def test_summary_needs_events_of_one_call() -> None:
    with pytest.raises(ValueError, match="at least one"):
        summarize_call([])
    with pytest.raises(ValueError, match="several calls"):
        summarize_call([ev(E.QUEUED, 0, call="a"), ev(E.QUEUED, 0, call="b")])


def test_summarize_calls_groups_by_call_in_start_order() -> None:
    events = [ev(E.QUEUED, 10, call="b"), ev(E.QUEUED, 0, call="a"), ev(E.ENDED, 20, call="b")]
    summaries = summarize_calls(events)
    assert [(s.call_id, s.state) for s in summaries] == [("a", S.WAITING), ("b", S.LEFT_QUEUE)]


# --- order tolerance: any permutation, with duplicates, gives the same summary ----------------

events_of_a_call = st.lists(
    st.builds(
        lambda kind, seconds, agent, group, n: CallEvent(
            event_id=f"e{n}",
            call_id="c1",
            type=kind,
            at=T0 + timedelta(seconds=seconds),
            agent=agent,
            answer_group=group,
        ),
        st.sampled_from(EventType),
        st.integers(0, 120),
        st.sampled_from(["", "anna", "bo"]),
        st.sampled_from(["", "q1", "q2"]),
        st.integers(0, 15),  # Few ids, so some events share an id with different content.
    ),
    min_size=1,
    max_size=12,
)


@given(events=events_of_a_call, data=st.data())
def test_any_permutation_with_duplicates_gives_the_same_summary(
    events: list[CallEvent], data: st.DataObject
) -> None:
    duplicates = data.draw(st.lists(st.sampled_from(events), max_size=6))
    shuffled = data.draw(st.permutations(events + duplicates))
    expected = summarize_call(events)
    assert summarize_call(shuffled) == expected
    assert expected.wait_seconds is None or expected.wait_seconds >= 0
    assert expected.talk_seconds is None or expected.talk_seconds >= 0
    assert expected.started_at <= expected.last_event_at
