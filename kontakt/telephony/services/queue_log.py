"""Imports of an Asterisk queue_log: its calls count in the statistics from their dates.

An import reports per line: every line is read and checked (its time within the window the
API takes, its texts storable and within their columns, its event ids not stored before
with other data) before anything is stored; the lines that pass are stored in one
transaction, the others are named in the report with the reason. A failure while storing
stores nothing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from pydantic_core import PydanticCustomError

from kontakt.core.call_events import CallEvent as CoreEvent
from kontakt.core.queue_log import parse_queue_log
from kontakt.directory.models import AnswerGroup
from kontakt.web.schemas import storable_datetime, storable_text

from ..models import CallEvent, EventSource, looks_scoped
from .events import EVENT_FIELDS, call_events_record


@dataclass
class QueueLogImport:
    """What an import of a queue_log did; `problems` names each line not imported."""

    accepted: int = 0
    duplicates: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    unknown_queues: list[str] = field(default_factory=list)


def _event_problem(event: CoreEvent) -> str:
    """Why the database would refuse the event, or ""."""
    try:
        storable_datetime(event.at)
        for name in EVENT_FIELDS:
            storable_text(getattr(event, name))
    except PydanticCustomError as error:
        return str(error)
    for name in EVENT_FIELDS:
        limit = getattr(CallEvent._meta.get_field(name), "max_length", None)
        if limit is not None and len(getattr(event, name)) > limit:
            return _("The %(field)s is longer than %(n)s characters.") % {
                "field": name,
                "n": limit,
            }
    if looks_scoped(event.call_id):
        return _("A call id “N|…” belongs to exchange N.")
    return ""


def queue_log_import(
    *,
    lines: Iterable[str],
    number: str = "",
    batch_size: int = 2000,
    progress: Callable[[int], object] | None = None,
) -> QueueLogImport:
    """Import an Asterisk queue_log: its calls count in the statistics from their dates.

    Importing the same file again changes nothing (event ids come from the lines). Calls
    in a queue without an answer group of the same code are imported under the queue's name.
    A line that cannot be imported is reported with its number; a call with such a line is
    left out whole, so no call is rebuilt from part of its events.
    """
    lines = list(lines)
    parsed = parse_queue_log(lines, number=number)
    report = QueueLogImport(skipped=parsed.skipped)
    problems: dict[int, str] = {p.line_number: p.message for p in parsed.problems}
    refused_calls: set[str] = set()
    for event in parsed.events:
        problem = _event_problem(event)
        if problem:
            problems.setdefault(parsed.line_of[event.event_id], problem)
            refused_calls.add(event.call_id)
    events = [e for e in parsed.events if e.call_id not in refused_calls]
    known = set(AnswerGroup.objects.values_list("code", flat=True))
    report.unknown_queues = sorted(
        {e.answer_group for e in events if e.answer_group and e.answer_group not in known}
    )
    # A call's events stay in one batch, so no call is rebuilt from half of them.
    by_call: dict[str, list[CoreEvent]] = {}
    for event in events:
        by_call.setdefault(event.call_id, []).append(event)
    batches: list[list[CoreEvent]] = [[]]
    for call_events in by_call.values():
        if len(batches[-1]) >= batch_size:
            batches.append([])
        batches[-1].extend(call_events)
    done = 0
    with transaction.atomic():
        for batch in batches:
            if batch:
                _queue_log_batch(batch, report, problems, parsed.line_of)
                if progress is not None:
                    step = len({parsed.line_of[e.event_id] for e in batch})
                    progress(step)
                    done += step
    if progress is not None and len(lines) > done:
        progress(len(lines) - done)  # the lines skipped, refused or blank
    report.problems = [
        _("line %(line)s: %(problem)s") % {"line": line, "problem": message}
        for line, message in sorted(problems.items())
    ]
    return report


def _queue_log_batch(
    batch: list[CoreEvent],
    report: QueueLogImport,
    problems: dict[int, str],
    line_of: dict[str, int],
) -> None:
    recorded = call_events_record(events=batch, source=EventSource.QUEUE_LOG, follow=False)
    if recorded.conflicts:
        # Stored before with other data (the same file imported with another number):
        # those calls are left out and named; the rest of the batch goes in.
        conflicting = set(recorded.conflicts)
        calls = {e.call_id for e in batch if e.event_id in conflicting}
        for event_id in recorded.conflicts:
            problems.setdefault(
                line_of[event_id], _("Imported before with other data (another number?).")
            )
        batch = [e for e in batch if e.call_id not in calls]
        recorded = call_events_record(events=batch, source=EventSource.QUEUE_LOG, follow=False)
    report.accepted += recorded.accepted
    report.duplicates += recorded.duplicates
