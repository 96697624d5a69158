"""Imports of an Asterisk queue_log: its calls count in the statistics from their dates."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kontakt.core.call_events import CallEvent as CoreEvent
from kontakt.core.queue_log import parse_queue_log
from kontakt.directory.models import AnswerGroup

from ..models import EventSource
from .events import call_events_record


@dataclass
class QueueLogImport:
    """What an import of a queue_log did."""

    accepted: int = 0
    duplicates: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    unknown_queues: list[str] = field(default_factory=list)


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
    """
    parsed = parse_queue_log(lines, number=number)
    report = QueueLogImport(
        skipped=parsed.skipped,
        problems=[f"line {p.line_number}: {p.message}" for p in parsed.problems],
    )
    known = set(AnswerGroup.objects.values_list("code", flat=True))
    report.unknown_queues = sorted(
        {e.answer_group for e in parsed.events if e.answer_group and e.answer_group not in known}
    )
    # A call's events stay in one batch, so no call is rebuilt from half of them.
    by_call: dict[str, list[CoreEvent]] = {}
    for event in parsed.events:
        by_call.setdefault(event.call_id, []).append(event)
    batch: list[CoreEvent] = []
    for call_events in by_call.values():
        batch.extend(call_events)
        if len(batch) >= batch_size:
            _queue_log_batch(batch, report, progress)
            batch = []
    if batch:
        _queue_log_batch(batch, report, progress)
    return report


def _queue_log_batch(
    batch: list[CoreEvent], report: QueueLogImport, progress: Callable[[int], object] | None
) -> None:
    recorded = call_events_record(events=batch, source=EventSource.QUEUE_LOG, follow=False)
    report.accepted += recorded.accepted
    report.duplicates += recorded.duplicates
    if progress is not None:
        progress(len(batch))
