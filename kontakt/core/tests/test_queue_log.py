"""Tests for kontakt.core.queue_log: Asterisk queue_log lines to call events and figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kontakt.core.call_events import CallState, EventType, summarize_calls
from kontakt.core.call_stats import ServiceLevel, by_interval, service_level
from kontakt.core.queue_log import agent_id, parse_queue_log

E = EventType
S = CallState
SAMPLE = Path(__file__).parent / "data" / "queue_log.sample"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 1772438400 in the sample.


def sample_lines() -> list[str]:
    return SAMPLE.read_text().splitlines()


# The sample, by hand (seconds after 08:00 UTC; waits from the first ENTERQUEUE):
#
#  call  queue       what happens                                  outcome        wait
#  .11   kundtjanst  CONNECT anna at 12, COMPLETECALLER at 192     answered        12
#  .13   kundtjanst  ABANDON at 33                                 short abandon    3
#  .14   kundtjanst  RINGNOANSWER (skipped), ABANDON at 105        abandoned       45
#  .15   kundtjanst  EXITWITHTIMEOUT at 420                        left queue     300
#  .16   bygglov     CONNECT 1001 at 225, BLINDTRANSFER at 300     answered        25
#  .18   bygglov     CONNECT 1001 at 431, COMPLETEAGENT at 500     answered        31
#  .20   kundtjanst  CONNECT 1002 at 620, COMPLETECALLER at 700    answered        20
#  .23   bygglov     ENTERQUEUE at 900, nothing more               waiting: not counted
#  .24   kundtjanst  ENTERQUEUE 950.25, ABANDON 955.25             abandoned        5 (not < 5)
#  .26   kundtjanst  timeout at 1060, overflows to bygglov,        answered        70
#                    CONNECT 1001 at 1070, COMPLETECALLER at 1130  (counted in kundtjanst)
#
# offered = answered 5 (.11 .16 .18 .20 .26) + abandoned 2 (.14 .24) + left queue 1 (.15) = 8
# short abandoned 1 (.13); within 20 s: .11 (12), .20 (20) = 2; within 30 s: + .16 (25) = 3
# SL20 = 2/8 = 0.25, SL30 = 3/8 = 0.375; over answered 2/5 = 0.4, 3/5 = 0.6
# ASA = (12 + 25 + 31 + 20 + 70) / 5 = 158 / 5 = 31.6 s; answer rate 5/8 = 0.625
#
# Lines: 38 = 11 skipped (QUEUESTART, ADDMEMBER ×3, PAUSE, UNPAUSE, AGENTLOGIN, RINGNOANSWER,
# CONFIGRELOAD, REMOVEMEMBER, AGENTLOGOFF) + 1 malformed (line 27) + 26 lines of events:
# 11 ENTERQUEUE × 2 events + 5 CONNECT + 4 COMPLETE* + 3 ABANDON + 2 EXIT* + 1 transfer × 2 = 38.


def test_sample_lines_events_skips_and_problems() -> None:
    log = parse_queue_log(sample_lines(), number="0771-440000")
    assert (len(log.events), log.skipped) == (38, 11)
    assert [(p.line_number, p.line) for p in log.problems] == [
        (27, "1772439150|1772439148.22|kundtjanst")
    ]
    assert len({e.event_id for e in log.events}) == 38
    assert {e.number for e in log.events} == {"0771-440000"}


def test_sample_service_level_by_hand() -> None:
    figures = service_level(summarize_calls(parse_queue_log(sample_lines()).events))
    assert figures == ServiceLevel(
        offered=8,
        answered=5,
        abandoned=2,
        short_abandoned=1,
        left_queue=1,
        callbacks=0,
        answered_within={20: 2, 30: 3},
        wait_answered_seconds_total=158.0,
    )
    assert figures.service_level(20) == pytest.approx(0.25)
    assert figures.service_level(30) == pytest.approx(0.375)
    assert figures.service_level_of_answered(20) == pytest.approx(0.4)
    assert figures.service_level_of_answered(30) == pytest.approx(0.6)
    assert figures.asa_seconds == pytest.approx(31.6)
    assert figures.answer_rate == pytest.approx(0.625)


def test_sample_by_interval_and_group() -> None:
    calls = summarize_calls(parse_queue_log(sample_lines()).events)
    intervals = by_interval(calls)
    # 08:00: .11 .13 .14 .15 .16 .18 .20 → offered 6, answered 4, waits 12 25 31 20.
    # 08:15: .24 .26 (.23 waits) → offered 2, answered 1 (70 s), abandoned 1.
    assert list(intervals) == [T0, T0 + timedelta(minutes=15)]
    assert (intervals[T0].offered, intervals[T0].answered) == (6, 4)
    assert intervals[T0].wait_answered_seconds_total == 88.0
    late = intervals[T0 + timedelta(minutes=15)]
    assert (late.offered, late.answered, late.abandoned, late.answered_within[30]) == (2, 1, 1, 0)
    groups = {call.call_id: call.answer_group for call in calls}
    assert groups["1772439398.26"] == "kundtjanst"
    assert list(groups.values()).count("bygglov") == 3  # .16 .18 .23


def test_sample_calls_in_detail() -> None:
    calls = {c.call_id: c for c in summarize_calls(parse_queue_log(sample_lines()).events)}
    first = calls["1772438398.11"]
    assert (first.state, first.agent, first.caller, first.talk_seconds) == (
        S.ANSWERED,
        "anna",
        "046123456",
        180.0,
    )
    transferred = calls["1772438598.16"]
    assert (transferred.state, transferred.transfers, transferred.agent) == (S.ANSWERED, 1, "1001")
    assert calls["1772439298.23"].state is S.WAITING
    assert calls["1772439348.24"].wait_seconds == 5.0
    assert calls["1772439348.24"].queued_at == T0 + timedelta(seconds=950, milliseconds=250)
    overflow = calls["1772439398.26"]
    assert (overflow.state, overflow.wait_seconds, overflow.agent) == (S.ANSWERED, 70.0, "1001")


def test_reimport_gives_the_same_ids_and_order_does_not_matter() -> None:
    lines = sample_lines()
    first = parse_queue_log(lines)
    again = parse_queue_log(reversed(lines))
    assert {e.event_id for e in first.events} == {e.event_id for e in again.events}
    assert summarize_calls(first.events) == summarize_calls(again.events)
    assert summarize_calls(first.events + again.events) == summarize_calls(first.events)


@pytest.mark.parametrize(
    ("interface", "agent"),
    [
        ("PJSIP/anna", "anna"),
        ("PJSIP/1001", "1001"),
        ("SIP/1001-0000002a", "1001"),
        ("Local/1001@from-queue/n", "1001"),
        ("Agent/3001", "3001"),
        ("PJSIP/front-desk", "front-desk"),
        ("Anna Svensson", "Anna Svensson"),  # log_membername_as_agent
        ("NONE", ""),
        ("", ""),
    ],
)
def test_agent_id(interface: str, agent: str) -> None:
    assert agent_id(interface) == agent


@pytest.mark.parametrize(
    ("line", "types"),
    [
        ("1772438400|c1|q1|NONE|ENTERQUEUE||046123|1", [E.OFFERED, E.QUEUED]),
        ("1772438400|c1|q1|PJSIP/anna|CONNECT|12|1772438400.2|3", [E.ANSWERED]),
        ("1772438400|c1|q1|PJSIP/anna|COMPLETEAGENT|12|80|1", [E.ENDED]),
        ("1772438400|c1|q1|PJSIP/anna|COMPLETECALLER|12|80|1", [E.ENDED]),
        ("1772438400|c1|q1|NONE|ABANDON|1|1|40", [E.ABANDONED]),
        ("1772438400|c1|q1|NONE|EXITWITHTIMEOUT|1|1|300", [E.ENDED]),
        ("1772438400|c1|q1|NONE|EXITEMPTY|1|1|3", [E.ENDED]),
        ("1772438400|c1|q1|NONE|EXITWITHKEY|5|1|1|40", [E.ENDED]),
        ("1772438400|c1|q1|PJSIP/anna|TRANSFER|2000|default|12|80|1", [E.TRANSFERRED, E.ENDED]),
        (
            "1772438400|c1|q1|PJSIP/anna|ATTENDEDTRANSFER|BRIDGE|c9|12|80|1",
            [E.TRANSFERRED, E.ENDED],
        ),
        ("1772438400|c1|q1|PJSIP/anna|RINGNOANSWER|15000", []),
        ("1772438400|c1|q1|NONE|JOINEMPTY", []),
        ("1772438400|NONE|q1|PJSIP/anna|PAUSE|lunch", []),
        ("1772438400|REALTIME|q1|PJSIP/anna|UNPAUSE|", []),
        ("1772438400|c1|q1|NONE|MYCUSTOMEVENT|x", []),
    ],
)
def test_event_mapping(line: str, types: list[EventType]) -> None:
    log = parse_queue_log([line])
    assert [e.type for e in log.events] == types
    assert log.skipped == (0 if types else 1)
    assert not log.problems


def test_enterqueue_fields_and_exit_key() -> None:
    log = parse_queue_log(
        [
            "1772438400|c1|q1|NONE|ENTERQUEUE||046123|1|Anna",
            "1772438440|c1|q1|NONE|EXITWITHKEY|5|1|1|40",
        ]
    )
    offered, queued, ended = log.events
    assert (queued.caller, queued.answer_group, queued.at) == ("046123", "q1", T0)
    assert offered.event_id != queued.event_id
    assert ended.digit == "5"


def test_epoch_with_decimals() -> None:
    (offered, _queued) = parse_queue_log(["1772438400.123456|c1|q1|NONE|ENTERQUEUE||046|1"]).events
    assert offered.at == T0 + timedelta(microseconds=123456)
    assert offered.at.tzinfo is UTC


def test_table_dump_pipe_psql_and_csv() -> None:
    psql = [
        "            time            | callid | queuename | agent |    event   | data1 | data2  "
        "| data3 | data4 | data5",
        "----------------------------+--------+-----------+-------+------------+-------+--------"
        "+-------+-------+-------",
        " 2026-03-02 09:00:00.000000+01 | c1 | q1 | NONE | ENTERQUEUE |  | 046123 | 1 |  | ",
        " 2026-03-02 09:00:12+01 | c1 | q1 | PJSIP/anna | CONNECT | 12 | c1.2 | 3 |  | ",
    ]
    csv = [
        "time,callid,queuename,agent,event,data",
        '2026-03-02 08:00:00,c1,q1,NONE,ENTERQUEUE,"|046123|1"',
        "2026-03-02 08:00:12,c1,q1,PJSIP/anna,CONNECT,12,c1.2,3,,",
    ]
    for lines in (psql, csv):
        log = parse_queue_log(lines)
        assert not log.problems
        assert [(e.type, e.at, e.caller, e.agent) for e in log.events] == [
            (E.OFFERED, T0, "046123", ""),
            (E.QUEUED, T0, "046123", ""),
            (E.ANSWERED, T0 + timedelta(seconds=12), "", "anna"),
        ]


def test_table_dump_times_without_offset_read_in_tz() -> None:
    log = parse_queue_log(
        ["2026-03-02 09:00:00|c1|q1|NONE|ENTERQUEUE||046|1"], tz=ZoneInfo("Europe/Stockholm")
    )
    assert log.events[0].at == T0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("just some text", "separator"),
        ("1772438400|c1|q1|NONE", "at least 5 fields"),
        ("yesterday|c1|q1|NONE|ENTERQUEUE||046|1", "neither epoch"),
        ("2026-02-30 08:00:00|c1|q1|NONE|ENTERQUEUE||046|1", "not a valid date"),
        ("1772438400|c1|q1|NONE||x", "event name is empty"),
    ],
)
def test_malformed_lines_are_problems(line: str, message: str) -> None:
    log = parse_queue_log(["", line, "1772438400|c1|q1|NONE|ABANDON|1|1|3"])
    assert [(p.line_number, p.line) for p in log.problems] == [(2, line)]
    assert message in log.problems[0].message
    assert [e.type for e in log.events] == [E.ABANDONED]
