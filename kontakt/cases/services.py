"""Writes of contacts and cases. Checks run first and fail loudly; then one change is made.

Every service takes keyword arguments, runs in one transaction and writes the case's
timeline itself: nothing happens in signals or save().
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.selectors import handlers_in, is_in, may_log_contacts, staff_absent
from kontakt.core.business_hours import OpeningHours
from kontakt.core.case_status import (
    CaseStatus,
    IllegalTransition,
    SlaClock,
    check_transition,
    format_case_reference,
    sla_clock_running,
    sla_pause,
    sla_resume,
    sla_start,
)
from kontakt.directory.models import Department
from kontakt.directory.selectors import opening_hours
from kontakt.residents.models import FeedbackChannel, Resident

from . import attachments, notices
from .models import (
    STATUS_LABELS,
    Attachment,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseReferenceCounter,
    CaseType,
    Channel,
    Contact,
    Delivery,
    Direction,
    Outcome,
    Priority,
)
from .questions import Place
from .selectors import may_close_at_first_contact, may_work_case
from .tasks import (
    case_closed_notify,
    case_forwarded_notify,
    case_receipt_send,
    contact_survey_send,
)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _require_work(user: User, case: Case) -> None:
    if not may_work_case(user, case):
        raise PermissionDenied(_("You may not change this case."))


def _entry(case: Case, kind: str, *, at: datetime, by: User | None, **fields: object) -> CaseEvent:
    """A timeline entry, not yet stored: the caller inserts a change's entries at once."""
    return CaseEvent(case=case, kind=kind, at=at, by=by, **fields)


def _event(case: Case, kind: str, *, at: datetime, by: User | None, **fields: object) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, at=at, by=by, **fields)


def case_reference_next(*, year: int) -> str:
    """The next case reference of the year; the counter only grows, so none is reused.

    One UPDATE … RETURNING takes the number and locks the counter row until commit, so
    concurrent creates get consecutive numbers; the row is made on a year's first case.
    """
    prefix = settings.KONTAKT["CASE_REFERENCE_PREFIX"]
    table = CaseReferenceCounter._meta.db_table
    for _attempt in range(2):
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last = last + 1 "
                "WHERE prefix = %s AND year = %s RETURNING last",
                [prefix, year],
            )
            row = cursor.fetchone()
        if row is not None:
            return format_case_reference(prefix, year, row[0])
        try:
            with transaction.atomic():
                CaseReferenceCounter.objects.create(prefix=prefix, year=year, last=0)
        except IntegrityError:
            pass  # another transaction made the year's counter first; take a number from it
    raise RuntimeError("The case reference counter could not be read.")


def handler_next(*, department: Department, now: datetime) -> User | None:
    """The department's handler who is in and waited longest since their last case."""
    local_day = timezone.localdate(now)
    # PostgreSQL refuses FOR UPDATE with DISTINCT, so lock the rows the subquery finds.
    candidates = User.objects.filter(
        pk__in=handlers_in(department_id=department.pk, on=local_day).values("pk")
    ).order_by(F("last_assigned_at").asc(nulls_first=True), "id")
    handler = candidates.select_for_update().first()
    if handler is not None:
        User.objects.filter(pk=handler.pk).update(last_assigned_at=now)
    return handler


@dataclass(frozen=True)
class CaseDraft:
    """What an agent or an integration gives to open a case."""

    case_type: CaseType
    subject: str
    description: str = ""
    resident: Resident | None = None
    priority: int = Priority.NORMAL
    feedback_channel: str = ""
    department: Department | None = None
    # Where it is about, as the resident gave it (web form, Open311), and the answers to
    # the case type's questions, checked by `questions.answers_check`.
    place: Place | None = None
    attributes: dict[str, object] = field(default_factory=dict)


def _check_draft(draft: CaseDraft) -> None:
    errors: dict[str, list[str]] = {}
    if not draft.case_type.active:
        errors["case_type"] = [_("This case type is no longer in use.")]
    if not draft.subject.strip():
        errors["subject"] = [_("Write what the case is about.")]
    elif len(draft.subject) > 200:
        errors["subject"] = [_("The subject can have at most 200 characters.")]
    if draft.priority not in Priority.values:
        errors["priority"] = [_("Choose a priority from the list.")]
    if draft.feedback_channel and draft.feedback_channel not in FeedbackChannel.values:
        errors["feedback_channel"] = [_("Choose a feedback channel from the list.")]
    if draft.department is not None and not draft.department.active:
        errors["department"] = [_("This department no longer takes cases.")]
    if errors:
        raise ValidationError(errors)


def case_create(
    *,
    draft: CaseDraft,
    by: User | None,
    now: datetime | None = None,
    hours: OpeningHours | None = None,
    forward: bool = False,
) -> Case:
    """Open a case with its reference, SLA due time and first timeline entries.

    With `forward`, the case goes straight to its department's queue by the same transition
    as `case_forward`. A department that assigns automatically gets the case on its next
    handler who is in. One INSERT for the case, one for its timeline.
    """
    _check_draft(draft)
    now = _now(now)
    hours = hours or opening_hours()
    clock = sla_start(at=now, response_time=draft.case_type.response_time, hours=hours)
    department = draft.department or draft.case_type.department
    # No savepoint when nested: a failure here fails the caller's whole transaction.
    with transaction.atomic(savepoint=False):
        case = Case(
            reference=case_reference_next(year=timezone.localdate(now).year),
            case_type=draft.case_type,
            resident=draft.resident,
            status=CaseStatus.NEW,
            priority=draft.priority,
            department=department,
            answer_group=draft.case_type.answer_group,
            subject=draft.subject.strip(),
            description=draft.description.strip(),
            feedback_channel=draft.feedback_channel
            or (draft.resident.preferred_channel if draft.resident else FeedbackChannel.PHONE),
            created_at=now,
            created_by=by,
            due_at=clock.due_at,
            latitude=draft.place.latitude if draft.place else None,
            longitude=draft.place.longitude if draft.place else None,
            address=draft.place.address if draft.place else "",
            attributes=dict(draft.attributes),
        )
        due = clock.due_at.isoformat() if clock.due_at else None
        events = [
            _entry(
                case,
                CaseEventKind.CREATED,
                at=now,
                by=by,
                to_status=CaseStatus.NEW,
                data={"due_at": due},
            )
        ]
        if forward:
            events += _forwarding(case, department=department, by=by, now=now, hours=hours)
        else:
            events += _assigning(case, now=now, by=by)
        case.save(force_insert=True)
        CaseEvent.objects.bulk_create(events)
        # The receipt to the resident and the notice to the department are composed by the
        # task queue once the case is committed (notices.py).
        _tell(case_receipt_send, case_id=case.pk)
        _notify_forwarded(events)
    return case


def _tell(task: Any, **arguments: int) -> None:
    """After the commit, the task queue tells whom `task` tells (notices.py) — unless the
    change is history written after the fact, which was told back then."""
    if not notices.writing_history():
        transaction.on_commit(partial(task.enqueue, **arguments))


def _notify_forwarded(events: list[CaseEvent]) -> None:
    """After commit, tell the department of each forwarding among the stored entries."""
    for event in events:
        if event.kind == CaseEventKind.FORWARDED and event.pk is not None:
            _tell(case_forwarded_notify, event_id=event.pk)


def _assigning(case: Case, *, now: datetime, by: User | None) -> list[CaseEvent]:
    """Give the case to its department's next handler who is in, if the department assigns
    automatically; the caller saves the case and inserts the entries."""
    if not case.department.auto_assign:
        return []
    handler = handler_next(department=case.department, now=now)
    if handler is None:
        return []
    case.handler = handler
    return [_assigned_event(case, handler, at=now, by=by)]


def _forwarding(
    case: Case,
    *,
    department: Department,
    by: User | None,
    now: datetime,
    hours: OpeningHours,
    note: str = "",
) -> list[CaseEvent]:
    """The transition to a department's queue, on creation and later alike: status
    forwarded, the new department, no handler until the department assigns one. The caller
    saves the case and inserts the entries returned."""
    events = []
    if case.status != CaseStatus.FORWARDED:
        events += _apply_status(case, to_status=CaseStatus.FORWARDED, by=by, now=now, hours=hours)
    case.department = department
    case.handler = None
    events.append(
        _entry(
            case,
            CaseEventKind.FORWARDED,
            at=now,
            by=by,
            body=note.strip(),
            data={"department_id": department.pk, "department": department.name},
        )
    )
    return events + _assigning(case, now=now, by=by)


def _assigned_event(case: Case, handler: User, *, at: datetime, by: User | None) -> CaseEvent:
    return _entry(
        case,
        CaseEventKind.ASSIGNED,
        at=at,
        by=by,
        body=str(handler),
        data={"handler_id": handler.pk, "automatic": True},
    )


def _apply_status(
    case: Case,
    *,
    to_status: CaseStatus,
    by: User | None,
    now: datetime,
    hours: OpeningHours,
    body: str = "",
) -> list[CaseEvent]:
    """Move a case to a status, stopping or starting its SLA clock; the caller saves the case
    and inserts the timeline entries returned."""
    from_status = case.case_status
    try:
        check_transition(from_status, to_status)
    except IllegalTransition as error:
        raise ValidationError(
            {
                "status": [
                    _("A case cannot go from “%(from)s” to “%(to)s”.")
                    % {"from": STATUS_LABELS[from_status], "to": STATUS_LABELS[to_status]}
                ]
            }
        ) from error
    was_running = sla_clock_running(from_status)
    runs = sla_clock_running(to_status)
    clock = SlaClock(due_at=case.due_at, paused_at=case.sla_paused_at, remaining=case.sla_remaining)
    case.status = to_status
    events = [
        _entry(
            case,
            CaseEventKind.STATUS,
            at=now,
            by=by,
            from_status=from_status,
            to_status=to_status,
            body=body,
        )
    ]
    if to_status == CaseStatus.CLOSED:
        case.closed_at = now
        if was_running:
            case.sla_met = case.due_at is None or now <= case.due_at
        else:
            case.sla_met = (case.sla_remaining or timedelta(0)) > timedelta(0)
        return events
    if from_status == CaseStatus.CLOSED:
        case.closed_at = None
        case.sla_met = None
        case.resolution = ""
    if was_running and not runs and clock.due_at is not None:
        paused = sla_pause(clock, at=now, hours=hours)
        case.due_at, case.sla_paused_at, case.sla_remaining = (
            None,
            paused.paused_at,
            paused.remaining,
        )
        events.append(
            _entry(
                case,
                CaseEventKind.SLA_PAUSED,
                at=now,
                by=by,
                data={
                    "remaining_seconds": int(paused.remaining.total_seconds())
                    if paused.remaining
                    else 0
                },
            )
        )
    elif runs and not was_running and clock.remaining is not None:
        resumed = sla_resume(clock, at=now, hours=hours)
        case.due_at, case.sla_paused_at, case.sla_remaining = resumed.due_at, None, None
        events.append(
            _entry(
                case,
                CaseEventKind.SLA_RESUMED,
                at=now,
                by=by,
                data={"due_at": resumed.due_at.isoformat() if resumed.due_at else None},
            )
        )
    return events


def case_change_status(
    *,
    case: Case,
    to_status: str,
    by: User,
    note: str = "",
    resolution: str = "",
    now: datetime | None = None,
) -> Case:
    """Change a case's status along the transition table; closing needs a resolution."""
    _require_work(by, case)
    try:
        target = CaseStatus(to_status)
    except ValueError as error:
        raise ValidationError({"status": [_("Unknown status.")]}) from error
    if target == CaseStatus.CLOSED and not resolution.strip():
        raise ValidationError({"resolution": [_("Write how the case was resolved.")]})
    now = _now(now)
    hours = opening_hours()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        events = _apply_status(
            case, to_status=target, by=by, now=now, hours=hours, body=note.strip()
        )
        if target == CaseStatus.CLOSED:
            case.resolution = resolution.strip()
            events.append(
                _entry(
                    case,
                    CaseEventKind.CLOSED,
                    at=now,
                    by=by,
                    body=case.resolution,
                    data={"sla_met": case.sla_met},
                )
            )
        if target == CaseStatus.OPEN and case.handler_id is None:
            case.handler = by
        case.save()
        CaseEvent.objects.bulk_create(events)
        if target == CaseStatus.CLOSED:
            _tell(case_closed_notify, case_id=case.pk)
    return case


def case_take(*, case: Case, by: User, now: datetime | None = None) -> Case:
    """A handler takes a case from the queue; new or forwarded cases become open."""
    _require_work(by, case)
    now = _now(now)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status == CaseStatus.CLOSED:
            raise ValidationError({"status": [_("A closed case cannot be taken.")]})
        case.handler = by
        events = [
            _entry(
                case,
                CaseEventKind.ASSIGNED,
                at=now,
                by=by,
                body=str(by),
                data={"handler_id": by.pk},
            )
        ]
        if case.status in (CaseStatus.NEW, CaseStatus.FORWARDED):
            events += _apply_status(
                case, to_status=CaseStatus.OPEN, by=by, now=now, hours=opening_hours()
            )
        case.save()
        CaseEvent.objects.bulk_create(events)
    return case


def case_assign(*, case: Case, handler: User | None, by: User, now: datetime | None = None) -> Case:
    """Give a case to a handler of its department, or back to the department's queue."""
    _require_work(by, case)
    if handler is not None and handler.department_id != case.department_id:
        raise ValidationError({"handler": [_("The handler must belong to the case's department.")]})
    now = _now(now)
    with transaction.atomic():
        case.handler = handler
        case.save(update_fields=["handler", "updated_at"])
        _event(
            case,
            CaseEventKind.ASSIGNED,
            at=now,
            by=by,
            body=str(handler) if handler else _("Back to the department's queue"),
            data={"handler_id": handler.pk if handler else None},
        )
    return case


def case_forward(
    *, case: Case, department: Department, by: User, note: str = "", now: datetime | None = None
) -> Case:
    """Send a case to a department's queue; the department may assign it automatically."""
    if not (may_log_contacts(by) or may_work_case(by, case)):
        raise PermissionDenied(_("You may not forward this case."))
    if not department.active:
        raise ValidationError({"department": [_("This department no longer takes cases.")]})
    now = _now(now)
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("department").get(pk=case.pk)
        events = _forwarding(
            case, department=department, by=by, now=now, hours=opening_hours(), note=note
        )
        case.save()
        CaseEvent.objects.bulk_create(events)
        _notify_forwarded(events)
    return case


def case_add_note(*, case: Case, body: str, by: User, now: datetime | None = None) -> CaseEvent:
    """An internal note on the case's timeline; residents never see it."""
    _require_work_or_front_line(by, case)
    if not body.strip():
        raise ValidationError({"body": [_("Write the note.")]})
    with transaction.atomic():
        event = _event(case, CaseEventKind.NOTE, at=_now(now), by=by, body=body.strip())
        Case.objects.filter(pk=case.pk).update(updated_at=_now(now))
    return event


def _require_work_or_front_line(user: User, case: Case) -> None:
    if not (may_work_case(user, case) or may_log_contacts(user)):
        raise PermissionDenied(_("You may not change this case."))


def case_add_message(
    *,
    case: Case,
    body: str,
    direction: str,
    channel: str,
    by: User | None,
    now: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """A message to or from the resident. A reply from a waiting resident restarts the clock.

    `data`: what the channel knows of the message, kept on its entry (an e-mail's
    Message-ID and sender, an SMS's number and parts, a chat's transcript id).
    """
    if by is not None:
        _require_work_or_front_line(by, case)
    errors: dict[str, list[str]] = {}
    if not body.strip():
        errors["body"] = [_("Write the message.")]
    if direction not in Direction.values:
        errors["direction"] = [_("Choose whether the message is to or from the resident.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Choose a channel from the list.")]
    if errors:
        raise ValidationError(errors)
    now = _now(now)
    inbound = direction == Direction.INBOUND
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        data = dict(data or {})
        if not inbound:
            data["delivery"] = delivery_on_writing(channel, case=case)
        if data.get("delivery") == Delivery.QUEUED and notices.writing_history():
            # Recorded after the fact: it went out back then.
            data["delivery"] = Delivery.SENT
        kind = CaseEventKind.MESSAGE_IN if inbound else CaseEventKind.MESSAGE_OUT
        event = _event(case, kind, at=now, by=by, body=body.strip(), channel=channel, data=data)
        if inbound and case.status in (CaseStatus.WAITING, CaseStatus.CLOSED):
            # New information from the resident reopens the matter it belongs to.
            CaseEvent.objects.bulk_create(
                _apply_status(
                    case, to_status=CaseStatus.OPEN, by=by, now=now, hours=opening_hours()
                )
            )
        case.save()
        if data.get("delivery") == Delivery.QUEUED:
            # The message is sent as a notice, whose outcome its entry then shows.
            notices.case_message_notice(event=event, now=now)
    return event


def delivery_on_writing(channel: str, *, case: Case | None = None) -> str:
    """What becomes of a message to the resident once written: e-mail and SMS are sent by
    the task queue, a letter waits to be posted, a phone call or visit is an account of
    what was said; a written message to a resident who follows the case on My pages waits
    there and they are told of it; chat and web form have no way back otherwise."""
    if channel in (Channel.EMAIL, Channel.SMS):
        return Delivery.QUEUED
    if case is not None and case.resident_id is not None and notices.on_my_pages(case, channel):
        return Delivery.QUEUED
    if channel == Channel.LETTER:
        return Delivery.TO_POST
    if channel in (Channel.PHONE, Channel.VISIT):
        return Delivery.SAID
    return Delivery.NOT_SENT


def case_attach(
    *, case: Case, upload: UploadedFile, by: User | None, now: datetime | None = None
) -> Attachment:
    """Attach a file within the configured size, of an allowed type as read from its content
    and, where ClamAV is configured, found clean (kontakt/cases/attachments.py).

    `by` None: the resident attached it on their own pages (whose link the caller checked).
    """
    if by is not None:
        _require_work_or_front_line(by, case)
    checked = attachments.check_upload(upload)
    attachments.scan_upload(
        upload, where=case.reference, by=by.get_username() if by else "resident"
    )
    now = _now(now)
    upload.seek(0)
    with transaction.atomic():
        attachment = Attachment(
            case=case,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=by,
        )
        attachment.file.save(checked.stored_name, upload, save=False)
        attachment.save()
        _event(
            case,
            CaseEventKind.ATTACHMENT,
            at=now,
            by=by,
            body=checked.name,
            data={"attachment_id": attachment.pk},
        )
    return attachment


@dataclass(frozen=True)
class ContactDraft:
    """What is recorded about one interaction (the intake service assembles it)."""

    channel: str
    outcome: str
    summary: str = ""
    direction: str = Direction.INBOUND
    resident: Resident | None = None
    case_type: CaseType | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    # For outcome "linked": the open case the contact joins.
    case: Case | None = None
    # For outcome "forwarded": the case to open (department defaults to the case type's).
    subject: str = ""
    priority: int = Priority.NORMAL
    feedback_channel: str = ""
    department: Department | None = None
    # A phone contact: the exchange's id of the call it is about.
    call_id: str = ""
    # For outcome "forwarded" from a resident's own channel: where, and the answers to the
    # case type's questions (see CaseDraft).
    place: Place | None = None
    attributes: dict[str, object] = field(default_factory=dict)


def contact_check(draft: ContactDraft, by: User | None, *, now: datetime) -> None:
    """Refuse a contact that cannot be recorded, with every field's reason at once.

    A contact no agent took (`by` is None: it arrived by itself) cannot have been closed at
    first contact.
    """
    errors: dict[str, list[str]] = {}
    if draft.channel not in Channel.values:
        errors["channel"] = [_("Choose a channel from the list.")]
    if draft.direction not in Direction.values:
        errors["direction"] = [_("Choose inbound or outbound.")]
    if draft.outcome not in Outcome.values:
        errors["outcome"] = [_("Choose an outcome from the list.")]
    # Missing times default to now (see contact_record); check the times that will be stored.
    started = draft.started_at or now
    if (draft.ended_at or max(now, started)) < started:
        errors["ended_at"] = [_("The contact cannot end before it started.")]
    if draft.case_type is not None and not draft.case_type.active:
        errors["case_type"] = [_("This case type is no longer in use.")]
    if len(draft.call_id) > 100:
        errors["call_id"] = [_("At most %(n)s characters.") % {"n": 100}]
    closing = draft.outcome in (Outcome.CLOSED, Outcome.CLOSED_WITH_ORDER)
    if closing and (by is None or not may_close_at_first_contact(by, draft.case_type)):
        errors["outcome"] = [
            _("First line may not close “%(type)s” at first contact; forward it.")
            % {"type": draft.case_type}
            if by is not None
            else _("Only an agent closes a contact at first contact; forward it.")
        ]
    if draft.outcome == Outcome.FORWARDED and draft.case_type is None:
        errors["case_type"] = [_("Choose the case type of the case to open.")]
    if draft.outcome == Outcome.LINKED:
        if draft.case is None:
            errors["case"] = [_("Choose the open case this contact belongs to.")]
        elif draft.case.status == CaseStatus.CLOSED:
            errors["case"] = [_("This case is closed; open a new one.")]
        elif draft.resident is not None and draft.case.resident_id not in (None, draft.resident.pk):
            errors["case"] = [_("This case belongs to another resident.")]
    if errors:
        raise ValidationError(errors)


def contact_record(*, draft: ContactDraft, by: User | None, now: datetime) -> Contact:
    """Store a checked contact: forwarding opens a case, linking joins an open one.

    Only the intake service (`kontakt.intake.services.contact_intake`) calls this, inside
    its transaction, after `contact_check` and its own permission check.
    """
    started = draft.started_at or now
    case = draft.case
    if draft.outcome == Outcome.FORWARDED:
        assert draft.case_type is not None
        summary_line = draft.summary.strip().splitlines()[0] if draft.summary.strip() else ""
        case = case_create(
            draft=CaseDraft(
                case_type=draft.case_type,
                subject=(draft.subject.strip() or summary_line or str(draft.case_type))[:200],
                description=draft.summary,
                resident=draft.resident,
                priority=draft.priority,
                feedback_channel=draft.feedback_channel,
                department=draft.department,
                place=draft.place,
                attributes=draft.attributes,
            ),
            by=by,
            now=now,
            forward=True,
        )
    elif draft.outcome != Outcome.LINKED:
        case = None
    contact = Contact.objects.create(
        channel=draft.channel,
        direction=draft.direction,
        started_at=started,
        # A start a little ahead of this server's clock must not end before it began.
        ended_at=draft.ended_at or max(now, started),
        agent=by,
        resident=draft.resident,
        case_type=draft.case_type or (case.case_type if case else None),
        summary=draft.summary.strip(),
        outcome=draft.outcome,
        case=case,
        call_id=draft.call_id,
    )
    if contact_asks_satisfaction(contact):
        _tell(contact_survey_send, contact_id=contact.pk)
    if draft.outcome == Outcome.LINKED and case is not None:
        events = [
            _entry(
                case,
                CaseEventKind.CONTACT,
                at=now,
                by=by,
                body=contact.summary,
                channel=contact.channel,
                data={"contact_id": contact.pk},
            )
        ]
        if draft.direction == Direction.INBOUND:
            # Decide on the stored status, not on the caller's copy of the case.
            locked = Case.objects.select_for_update().get(pk=case.pk)
            if locked.status == CaseStatus.WAITING:
                hours = opening_hours()
                events += _apply_status(
                    locked, to_status=CaseStatus.OPEN, by=by, now=now, hours=hours
                )
                locked.save()
        CaseEvent.objects.bulk_create(events)
    return contact


def contact_asks_satisfaction(contact: Contact) -> bool:
    """Whether a contact brings the satisfaction question: closed at first contact, with a
    resident, when KONTAKT["NOTICES"]["SURVEY_AFTER_CONTACT"] is on (the resident's address
    is looked up when the question is composed)."""
    return (
        bool(settings.KONTAKT["NOTICES"]["SURVEY_AFTER_CONTACT"])
        and contact.outcome in (Outcome.CLOSED, Outcome.CLOSED_WITH_ORDER)
        and contact.resident_id is not None
    )


def handler_absence_set(
    *,
    user: User,
    start: date | None,
    until: date | None,
    substitute: User | None,
    by: User,
) -> User:
    """Mark a staff user out of office (or back in) and name a substitute."""
    if by.pk != user.pk and not by.is_superuser:
        raise PermissionDenied(_("You may only change your own absence."))
    errors: dict[str, list[str]] = {}
    if start and until and until < start:
        errors["out_of_office_until"] = [_("The absence cannot end before it starts.")]
    if substitute is not None and substitute.pk == user.pk:
        errors["substitute"] = [_("You cannot be your own substitute.")]
    if errors:
        raise ValidationError(errors)
    user.out_of_office_from = start
    user.out_of_office_until = until
    user.substitute = substitute
    user.save(update_fields=["out_of_office_from", "out_of_office_until", "substitute"])
    return user


def absence_record(
    *,
    user: User,
    start: date | None,
    until: date | None,
    substitute: User | None,
    by: User,
) -> int:
    """Save a staff user's absence and hand on open cases of whoever is out today."""
    with transaction.atomic():
        handler_absence_set(user=user, start=start, until=until, substitute=substitute, by=by)
    return cases_of_absent_handlers_reassign()


def cases_of_absent_handlers_reassign(*, now: datetime | None = None) -> int:
    """Give open cases of handlers who are out today to their substitute, or back to the queue.

    A substitute who is out too is skipped; without one the case goes back to its
    department's queue, where automatic assignment picks a handler who is in.
    """
    now = _now(now)
    today = timezone.localdate(now)
    moved = 0
    for handler in staff_absent(on=today).select_related("substitute"):
        substitute = handler.substitute
        if substitute is not None and not is_in(substitute, on=today):
            substitute = None
        open_cases = (
            Case.objects.filter(handler=handler)
            .exclude(status=CaseStatus.CLOSED)
            .select_related("department")
        )
        for case in open_cases:
            with transaction.atomic():
                target = (
                    substitute
                    if substitute and substitute.department_id == case.department_id
                    else None
                )
                case.handler = target
                case.save(update_fields=["handler", "updated_at"])
                _event(
                    case,
                    CaseEventKind.ASSIGNED,
                    at=now,
                    by=None,
                    body=(
                        _("%(handler)s is out of office; given to %(substitute)s")
                        % {"handler": handler, "substitute": target}
                        if target
                        else _("%(handler)s is out of office; back to the queue")
                        % {"handler": handler}
                    ),
                    data={"handler_id": target.pk if target else None, "absent_id": handler.pk},
                )
                if target is None:
                    assigned = _assigning(case, now=now, by=None)
                    if assigned:
                        case.save(update_fields=["handler", "updated_at"])
                        CaseEvent.objects.bulk_create(assigned)
            moved += 1
    return moved
