"""Tests for kontakt.core.generic_cti: Zammad's generic CTI webhook to call events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from kontakt.core.call_events import CallEvent, CallState, EventType, summarize_call
from kontakt.core.generic_cti import CtiError, cti_events

E = EventType
S = CallState
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
Fields = Mapping[str, str | Sequence[str]]


def post(event: str, **fields: str | Sequence[str]) -> dict[str, str | Sequence[str]]:
    """An inbound request as Zammad documents it."""
    return {
        "event": event,
        "from": "4646123456",
        "to": "46771440000",
        "direction": "in",
        "callId": "f4ebd2be",
        **fields,
    }


def test_new_call_is_offered_and_queued_in_the_given_group() -> None:
    result = cti_events(
        post("newCall", **{"user[]": ["Anna", "Bo"]}), at=T0, answer_group="kundtjanst"
    )
    assert result.ignored_reason == ""
    assert [(e.event_id, e.type) for e in result.events] == [
        ("cti:f4ebd2be:newCall", E.OFFERED),
        ("cti:f4ebd2be:newCall:queued", E.QUEUED),
    ]
    queued = result.events[1]
    assert (queued.caller, queued.number, queued.answer_group, queued.at) == (
        "4646123456",
        "46771440000",
        "kundtjanst",
        T0,
    )


def test_new_call_falls_back_to_the_payload_queue_and_hides_anonymous() -> None:
    (_, queued) = cti_events(
        post("newCall", queue="helpdesk", **{"from": "anonymous"}), at=T0
    ).events
    assert (queued.answer_group, queued.caller) == ("helpdesk", "")


@pytest.mark.parametrize(
    ("fields", "agent"),
    [
        ({"answeringNumber": "anna@example.org", "user": "Anna Svensson"}, "anna@example.org"),
        ({"user": "Anna Svensson"}, "Anna Svensson"),
        ({"user[]": ["Bo", "Anna Svensson"]}, "Anna Svensson"),
        ({}, ""),
    ],
)
def test_answer_names_the_agent(fields: dict[str, str | Sequence[str]], agent: str) -> None:
    (answered,) = cti_events(post("answer", **fields), at=T0).events
    assert (answered.type, answered.agent, answered.event_id) == (
        E.ANSWERED,
        agent,
        "cti:f4ebd2be:answer",
    )


@pytest.mark.parametrize(
    ("cause", "types"),
    [
        ("normalClearing", [E.ENDED]),
        ("cancel", [E.ABANDONED]),
        ("busy", [E.ENDED]),
        ("noAnswer", [E.ENDED]),
        ("congestion", [E.ENDED]),
        ("notFound", [E.ENDED]),
        ("forwarded", [E.TRANSFERRED, E.ENDED]),
    ],
)
def test_hangup_by_cause(cause: str, types: list[EventType]) -> None:
    events = cti_events(post("hangup", cause=cause), at=T0).events
    assert [e.type for e in events] == types
    assert events[0].event_id == "cti:f4ebd2be:hangup"


def test_field_given_as_a_list_counts_by_its_last_value() -> None:
    (answered,) = cti_events(post("answer", callId=["old", "f4ebd2be"]), at=T0).events
    assert answered.call_id == "f4ebd2be"


def test_outbound_calls_are_ignored() -> None:
    result = cti_events(post("newCall", direction="out"), at=T0)
    assert result.events == []
    assert "Outbound" in result.ignored_reason


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"event": "ring"}, {"event": "Must be one of newCall, answer, hangup."}),
        ({"event": ""}, {"event": "Required."}),
        ({"direction": "sideways"}, {"direction": "Must be in or out."}),
        ({"callId": ""}, {"callId": "Required."}),
        ({"callId": "x" * 251}, {"callId": "At most 250 characters."}),
        ({"event": "hangup"}, {"cause": "Required."}),
        ({"event": "hangup", "cause": "teleported"}, {"cause": "Must be one of "}),
        (
            {"event": "", "direction": "", "callId": ""},
            {"event": "", "direction": "", "callId": ""},
        ),
    ],
)
def test_invalid_requests_name_their_fields(fields: Fields, errors: dict[str, str]) -> None:
    request = {**post("answer"), **fields}
    with pytest.raises(CtiError) as caught:
        cti_events(request, at=T0)
    assert set(caught.value.errors) == set(errors)
    for name, start in errors.items():
        assert caught.value.errors[name].startswith(start)
    assert isinstance(caught.value, ValueError)


def test_missing_fields_are_errors() -> None:
    with pytest.raises(CtiError) as caught:
        cti_events({}, at=T0)
    assert set(caught.value.errors) == {"event", "direction", "callId"}


def test_receipt_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cti_events(post("newCall"), at=datetime(2026, 3, 2, 8, 0))


def call(*steps: tuple[str, float, dict[str, str]]) -> list[CallEvent]:
    """The events of requests (event, seconds after T0, extra fields) in the order posted."""
    events: list[CallEvent] = []
    for event, seconds, fields in steps:
        at = T0 + timedelta(seconds=seconds)
        events += cti_events(post(event, **fields), at=at, answer_group="kundtjanst").events
    return events


@pytest.mark.parametrize(
    ("steps", "state", "wait", "transfers"),
    [
        (
            [
                ("newCall", 0, {}),
                ("answer", 15, {"user": "Anna"}),
                ("hangup", 75, {"cause": "normalClearing"}),
            ],
            S.ANSWERED,
            15.0,
            0,
        ),
        # The exchange said cancel after the answer: an ordinary end.
        (
            [("newCall", 0, {}), ("answer", 15, {}), ("hangup", 75, {"cause": "cancel"})],
            S.ANSWERED,
            15.0,
            0,
        ),
        ([("newCall", 0, {}), ("hangup", 3, {"cause": "cancel"})], S.SHORT_ABANDONED, 3.0, 0),
        ([("newCall", 0, {}), ("hangup", 40, {"cause": "cancel"})], S.ABANDONED, 40.0, 0),
        ([("newCall", 0, {}), ("hangup", 60, {"cause": "noAnswer"})], S.LEFT_QUEUE, 60.0, 0),
        (
            [("newCall", 0, {}), ("answer", 10, {}), ("hangup", 50, {"cause": "forwarded"})],
            S.ANSWERED,
            10.0,
            1,
        ),
        # Posted out of order and resent: the same summary.
        (
            [
                ("hangup", 75, {"cause": "normalClearing"}),
                ("newCall", 0, {}),
                ("answer", 15, {}),
                ("newCall", 0, {}),
                ("answer", 15, {}),
            ],
            S.ANSWERED,
            15.0,
            0,
        ),
    ],
)
def test_requests_summarize_into_a_call(
    steps: list[tuple[str, float, dict[str, str]]],
    state: CallState,
    wait: float,
    transfers: int,
) -> None:
    summary = summarize_call(call(*steps))
    assert (summary.state, summary.wait_seconds, summary.transfers) == (state, wait, transfers)
    assert summary.answer_group == "kundtjanst"
