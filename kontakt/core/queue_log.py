"""Import of Asterisk's queue_log into call events.

Supported input, one record a line (blank lines, header rows whose first field is `time`, and
psql rule lines of dashes are passed over):

- the queue_log file: `epoch|callid|queuename|agent|event|data1|data2|...`; the epoch is
  whole seconds or has decimals;
- a dump of the realtime `queue_log` table (MySQL or PostgreSQL), pipe-separated as psql
  prints it or comma-separated CSV, with columns time, callid, queuename, agent, event and
  either data1…data5 or one `data` column holding the pipe-joined fields; `time` is the epoch
  or "YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]", read in `tz` (UTC by default) when it has no
  offset. Fields are stripped of surrounding blanks. The first separator on a line, `|` or
  `,`, decides which form it is in.

Events map to call events (data fields as in Asterisk's "Queue Logs" documentation):

- ENTERQUEUE(url|callerid|origposition[|calleridname]) → offered and queued, caller =
  callerid, answer group = queue name. A call that enters a second queue after a timeout
  (overflow) keeps its first queue; see `kontakt.core.call_events`.
- CONNECT(holdtime|bridgedchanneluniqueid|ringtime) → answered by the agent.
- COMPLETECALLER, COMPLETEAGENT(holdtime|calltime|origposition), AGENTDUMP, SYSCOMPAT → ended.
- ABANDON(position|origposition|waittime) → abandoned.
- EXITWITHTIMEOUT, EXITEMPTY(position|origposition|waittime) and
  EXITWITHKEY(key|position|origposition|waittime) → ended while waiting (LEFT_QUEUE); the key
  pressed becomes the event's digit.
- TRANSFER, BLINDTRANSFER, ATTENDEDTRANSFER → transferred, then ended, at the same time.

Waits are taken from the timestamps, not from holdtime or waittime, so a call that overflows
from one queue to another waits from the moment it entered the first.

Everything else is counted in `skipped`: agent- and queue-level events (AGENTLOGIN,
ADDMEMBER, PAUSE, QUEUESTART, CONFIGRELOAD, …), any line whose callid is NONE or REALTIME,
RINGNOANSWER and RINGCANCELED (an agent's missed ring, not a change in the caller's state),
JOINEMPTY and JOINUNAVAIL (the call never entered the queue) and events logged by the
dialplan's QueueLog() that Kontakt does not know.

An agent "PJSIP/anna", "SIP/1001-0000002a", "Local/1001@from-queue/n" or "Agent/3001" becomes
"anna", "1001", "1001", "3001": the technology prefix, the Local channel's context and a
channel's eight-hex-digit suffix are cut off. A member name logged with
`log_membername_as_agent` (no slash) is kept as it is; "NONE" becomes "".

Each event's id is "asterisk:" and the first 24 hex digits of the SHA-1 of the stripped line
(plus ":offered" for the first event of ENTERQUEUE and ":ended" for the second of a
transfer), so importing the same file twice gives
the same ids and changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from kontakt.core.call_events import CallEvent, EventType

_NO_CALL = frozenset({"", "NONE", "REALTIME"})
_ENDED = frozenset({"COMPLETECALLER", "COMPLETEAGENT", "AGENTDUMP", "SYSCOMPAT"})
_LEFT_QUEUE = frozenset({"EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY"})
_TRANSFERS = frozenset({"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"})
_EPOCH = re.compile(r"(\d+)(?:\.(\d{1,9}))?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")
_RULE = re.compile(r"[-+\s]+")
_CHANNEL_SUFFIX = re.compile(r"-[0-9a-fA-F]{8}$")


@dataclass(frozen=True)
class ParseProblem:
    """A line that could not be read, with its 1-based number."""

    line_number: int
    line: str
    message: str


@dataclass(frozen=True)
class QueueLog:
    """The call events read from a queue log, the count of lines skipped, and the problems;
    `line_of` gives each event's line number, for a report."""

    events: list[CallEvent]
    skipped: int
    problems: list[ParseProblem]
    line_of: dict[str, int] = field(default_factory=dict)


class _BadLine(ValueError):
    pass


def agent_id(interface: str) -> str:
    """A readable agent id from a queue member's interface or channel name."""
    agent = interface.strip()
    if agent.upper() == "NONE":
        return ""
    if "/" in agent:
        agent = agent.split("/", 1)[1].split("@", 1)[0]
        agent = _CHANNEL_SUFFIX.sub("", agent.split("/", 1)[0])
    return agent


def _parse_time(text: str, tz: tzinfo) -> datetime:
    epoch = _EPOCH.fullmatch(text)
    if epoch is not None:
        seconds, fraction = epoch.groups()
        microseconds = round(int((fraction or "0").ljust(9, "0")) / 1000)
        try:
            return datetime.fromtimestamp(int(seconds), UTC) + timedelta(microseconds=microseconds)
        except (OverflowError, OSError, ValueError):
            raise _BadLine(f"The time {text!r} is out of range.") from None
    if _DATE.match(text) is None:
        raise _BadLine(f"The time {text!r} is neither epoch seconds nor YYYY-MM-DD HH:MM:SS.")
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise _BadLine(f"The time {text!r} is not a valid date and time.") from None


def _split(line: str) -> list[str]:
    pipe, comma = line.find("|"), line.find(",")
    if pipe == -1 and comma == -1:
        raise _BadLine("No field separator (| or ,) on the line.")
    if comma == -1 or 0 <= pipe < comma:
        return [part.strip() for part in line.split("|")]
    fields = [part.strip() for part in next(csv.reader([line]))]
    if len(fields) == 6 and "|" in fields[5]:  # One `data` column holding the joined fields.
        fields = fields[:5] + [part.strip() for part in fields[5].split("|")]
    return fields


def _event_id(line: str, suffix: str = "") -> str:
    return "asterisk:" + hashlib.sha1(line.encode()).hexdigest()[:24] + suffix


def parse_queue_log(lines: Iterable[str], *, number: str = "", tz: tzinfo = UTC) -> QueueLog:
    """Read queue_log lines into call events; a malformed line becomes a problem, not an error.

    `number` is the dialled number to put on the events (the queue log does not name it);
    `tz` is the timezone of table-dump times written without an offset.
    """
    events: list[CallEvent] = []
    problems: list[ParseProblem] = []
    line_of: dict[str, int] = {}
    skipped = 0
    for line_number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or _RULE.fullmatch(line):
            continue
        try:
            fields = _split(line)
            if fields[0].lower() == "time":
                continue
            if len(fields) < 5:
                raise _BadLine(
                    f"A queue_log line has at least 5 fields (time, callid, queue, agent, "
                    f"event); this one has {len(fields)}."
                )
            line_events = _events(line, fields, number=number, tz=tz)
        except _BadLine as problem:
            problems.append(ParseProblem(line_number, line, str(problem)))
            continue
        if line_events:
            events.extend(line_events)
            line_of.update((e.event_id, line_number) for e in line_events)
        else:
            skipped += 1
    return QueueLog(events=events, skipped=skipped, problems=problems, line_of=line_of)


def _events(line: str, fields: list[str], *, number: str, tz: tzinfo) -> list[CallEvent]:
    at = _parse_time(fields[0], tz)
    call_id, queue, agent, name = fields[1], fields[2], agent_id(fields[3]), fields[4].upper()
    data = fields[5:]
    if not name:
        raise _BadLine("The event name is empty.")
    if call_id.upper() in _NO_CALL:
        return []

    def event(kind: EventType, suffix: str = "", **extra: str) -> CallEvent:
        return CallEvent(
            event_id=_event_id(line, suffix),
            call_id=call_id,
            type=kind,
            at=at,
            number=number,
            answer_group=queue if queue.upper() != "NONE" else "",
            **extra,
        )

    if name == "ENTERQUEUE":
        caller = data[1] if len(data) > 1 else ""
        return [
            event(EventType.OFFERED, ":offered", caller=caller),
            event(EventType.QUEUED, caller=caller),
        ]
    if name == "CONNECT":
        return [event(EventType.ANSWERED, agent=agent)]
    if name in _ENDED:
        return [event(EventType.ENDED, agent=agent)]
    if name == "ABANDON":
        return [event(EventType.ABANDONED)]
    if name in _LEFT_QUEUE:
        key = data[0] if name == "EXITWITHKEY" and data else ""
        return [event(EventType.ENDED, digit=key)]
    if name in _TRANSFERS:
        return [
            event(EventType.TRANSFERRED, agent=agent),
            event(EventType.ENDED, ":ended", agent=agent),
        ]
    return []
