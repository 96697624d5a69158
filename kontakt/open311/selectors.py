"""What Open311 reads: the published case types with their questions, the service requests
(cases of those types) and, for a client, the updates on the requests it filed.

Nothing personal leaves here: no resident, and a request's own text and place only when it
was filed through Open311, whose clients publish them anyway (see docs/open311.md)."""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from kontakt.cases.models import (
    STATUS_LABELS,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseType,
    CaseTypeAttribute,
)
from kontakt.core.case_status import CaseStatus

from .models import Open311Client, Open311Request


def client_by_key(key: str, *, now: datetime | None = None) -> Open311Client | None:
    """The active client whose API key this is (its hash is looked up), or None."""
    if not key or len(key) > 200:
        return None
    client = Open311Client.objects.filter(key_hash=Open311Client.hash_key(key), active=True).first()
    if client is not None:
        client.last_used_at = now or timezone.now()
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=client.last_used_at)
    return client


def services_published() -> QuerySet[CaseType]:
    """The case types residents may file, in use, with whether each asks questions."""
    return (
        CaseType.objects.filter(published=True, active=True)
        .only("code", "name", "public_description", "keywords", "group")
        .prefetch_related("attributes")
        .order_by("group", "name")
    )


def service_published(code: str) -> CaseType | None:
    return (
        CaseType.objects.filter(published=True, active=True, code=code)
        .prefetch_related("attributes")
        .first()
    )


def open311_status(status: str) -> str:
    return "closed" if status == CaseStatus.CLOSED else "open"


@dataclass(frozen=True)
class RequestFilter:
    """GET requests' filters, checked: references override everything else."""

    references: Sequence[str] = ()
    service_codes: Sequence[str] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: Sequence[str] = ()  # "open" | "closed"


# The columns a request is made of: one query, no model instances.
_COLUMNS = (
    "reference",
    "status",
    "description",
    "created_at",
    "updated_at",
    "due_at",
    "latitude",
    "longitude",
    "address",
    "case_type__code",
    "case_type__name",
    "case_type__next_steps",
    "department__name",
    "open311_request__id",
    "open311_request__media_url",
)


def requests_rows(filters: RequestFilter) -> list[dict[str, Any]]:
    """The service requests that match, newest first, at most MAX_REQUESTS, as rows of the
    columns above."""
    cases = Case.objects.filter(case_type__published=True)
    if filters.references:
        cases = cases.filter(reference__in=list(filters.references))
    else:
        if filters.service_codes:
            cases = cases.filter(case_type__code__in=list(filters.service_codes))
        if filters.start is not None:
            cases = cases.filter(created_at__gte=filters.start)
        if filters.end is not None:
            cases = cases.filter(created_at__lte=filters.end)
        wanted = set(filters.statuses)
        if wanted == {"closed"}:
            cases = cases.filter(status=CaseStatus.CLOSED)
        elif wanted == {"open"}:
            cases = cases.filter(~Q(status=CaseStatus.CLOSED))
    limit = settings.KONTAKT["OPEN311"]["MAX_REQUESTS"]
    return list(cases.order_by("-created_at").values(*_COLUMNS)[:limit])


def request_documents(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as the spec's requests; the text and the place only for Open311's own."""
    notes = {status.value: str(label) for status, label in STATUS_LABELS.items()}
    zone = timezone.get_current_timezone()

    # documents.w3c's rule, inline: a call to localtime for each of 1,000 rows costs
    # milliseconds the list is measured in.
    def w3c(moment: datetime | None) -> str | None:
        if moment is None:
            return None
        try:
            return moment.astimezone(zone).isoformat(timespec="seconds")
        except OverflowError:
            # A time stored before the time window (year 9999): shown in UTC, not a failure.
            return moment.isoformat(timespec="seconds")

    documents = []
    for row in rows:
        from_open311 = row["open311_request__id"] is not None
        status = row["status"]
        documents.append(
            {
                "service_request_id": row["reference"],
                "status": open311_status(status),
                "status_notes": notes.get(status, ""),
                "service_name": row["case_type__name"],
                "service_code": row["case_type__code"],
                "description": row["description"] if from_open311 else "",
                "agency_responsible": row["department__name"],
                "service_notice": row["case_type__next_steps"],
                "requested_datetime": w3c(row["created_at"]),
                "updated_datetime": w3c(row["updated_at"]),
                "expected_datetime": w3c(row["due_at"]),
                "address": row["address"] if from_open311 else "",
                "address_id": "",
                "zipcode": "",
                "lat": row["latitude"] if from_open311 else None,
                "long": row["longitude"] if from_open311 else None,
                "media_url": row["open311_request__media_url"] or "",
            }
        )
    return documents


def request_answer(*, client: Open311Client, key: str) -> Open311Request | None:
    """What the client was answered when it sent this Idempotency-Key before."""
    return Open311Request.objects.filter(client=client, idempotency_key=key).first()


def attribute_document(question: CaseTypeAttribute) -> dict[str, Any]:
    return {
        "variable": True,
        "code": question.code,
        "datatype": question.datatype,
        "required": question.required,
        "datatype_description": question.description or None,
        "order": question.order,
        "description": question.question,
        "values": [
            {"key": str(v.get("key", "")), "name": str(v.get("name", ""))}
            for v in question.values
            if isinstance(v, dict)
        ],
    }


@dataclass(frozen=True)
class Update:
    update_id: str
    service_request_id: str
    status: str
    updated_datetime: datetime
    description: str
    media_url: str = ""


def updates_for(
    *, client: Open311Client, start: datetime, end: datetime, status_texts: dict[str, str]
) -> list[Update]:
    """What happened on the client's requests between start and end: every message to the
    resident and every close and reopening, oldest first, with the request's status as it
    was after it. Internal notes and assignments never appear."""
    limit = settings.KONTAKT["OPEN311"]["MAX_REQUESTS"]
    crosses_closed = Q(kind=CaseEventKind.STATUS) & (
        Q(to_status=CaseStatus.CLOSED) | Q(from_status=CaseStatus.CLOSED)
    )
    events = list(
        CaseEvent.objects.filter(
            Q(kind=CaseEventKind.MESSAGE_OUT) | crosses_closed,
            case__open311_request__client=client,
            at__gte=start,
            at__lte=end,
        )
        .order_by("at", "id")
        .values("id", "case_id", "case__reference", "kind", "to_status", "body", "at")[:limit]
    )
    # The status a message was written in: the last status change before it.
    history: dict[int, tuple[list[datetime], list[str]]] = {}
    changes = (
        CaseEvent.objects.filter(
            case_id__in={e["case_id"] for e in events if e["kind"] == CaseEventKind.MESSAGE_OUT},
            kind=CaseEventKind.STATUS,
            at__lte=end,
        )
        .order_by("at", "id")
        .values_list("case_id", "at", "to_status")
    )
    for case_id, at, to_status in changes:
        times, states = history.setdefault(case_id, ([], []))
        times.append(at)
        states.append(to_status)
    updates = []
    for event in events:
        if event["kind"] == CaseEventKind.MESSAGE_OUT:
            times, states = history.get(event["case_id"], ([], []))
            before = bisect_right(times, event["at"])
            status = open311_status(states[before - 1]) if before else "open"
            description = event["body"]
        else:
            status = open311_status(event["to_status"])
            description = status_texts[status]
        updates.append(
            Update(
                update_id=str(event["id"]),
                service_request_id=event["case__reference"],
                status=status,
                updated_datetime=event["at"],
                description=description,
            )
        )
    return updates
