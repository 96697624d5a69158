"""Writes of the switchboard: putting a caller through, following the exchange's answer,
taking a message, and the person's "done" or "not mine".

A transfer goes only to someone who is in (`directory.selectors.reachability`): absent,
do-not-disturb and leavers are refused with when and who instead. The exchange fetches the
transfer as a command (`transfer_commands`), rings the person and tells how it went with
call events; `call_events_follow` moves the transfer with them, in the events' transaction.
An answered transfer, and a message taken, are logged as contacts through the one intake
service, with the outcomes "transferred to a person" and "message taken".
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_work_switchboard
from kontakt.cases.models import Channel, Outcome
from kontakt.cases.services import ContactDraft
from kontakt.core.call_events import OPEN_STATES, EventType, TransferReason
from kontakt.core.call_events import CallEvent as CoreEvent
from kontakt.directory import selectors as directory_selectors
from kontakt.directory.models import Employee
from kontakt.intake.services import Arrival, Source, contact_intake
from kontakt.live import bus
from kontakt.telephony.models import Call, Exchange, external_id
from kontakt.telephony.services import call_events_recorded
from kontakt.web.schemas import storable_text

from .links import message_by_key
from .models import CallBack, Message, MessageState, Transfer, TransferState
from .tasks import message_send

# A command fetched but not acted on is handed out again after this long.
REDELIVER_AFTER = timedelta(seconds=10)
OPEN_TRANSFER_STATES = (TransferState.REQUESTED, TransferState.RINGING)


def _require_operator(user: User) -> None:
    if not may_work_switchboard(user):
        raise PermissionDenied(_("Only switchboard operators put calls through."))


def ring_seconds() -> int:
    return int(settings.KONTAKT["SWITCHBOARD"]["TRANSFER_RING_SECONDS"])


def _absence_text(employee: Employee, reach: directory_selectors.Reachability) -> str:
    if reach.state == "left":
        return _("%(name)s no longer works here.") % {"name": employee.display_name}
    if reach.state == "dnd":
        return _("%(name)s does not want to be disturbed.") % {"name": employee.display_name}
    until = (
        formats.date_format(timezone.localtime(reach.until), "l j F H:i") if reach.until else "?"
    )
    return _("%(name)s is away until %(until)s.") % {
        "name": employee.display_name,
        "until": until,
    }


@transaction.atomic
def transfer_request(
    *, operator: User, call: Call, employee: Employee, now: datetime | None = None
) -> Transfer:
    """Ask the exchange to put the call through to the person, if they are in."""
    _require_operator(operator)
    now = now or timezone.now()
    if call.state not in OPEN_STATES:
        raise ValidationError(_("This call has ended."))
    if not employee.direct_number:
        raise ValidationError(
            _("%(name)s has no direct number to put the call through to.")
            % {"name": employee.display_name}
        )
    reach = directory_selectors.reachability(employee, at=now)
    if reach.state in ("absent", "dnd", "left"):
        text = _absence_text(employee, reach)
        if reach.substitute is not None:
            text += " " + _("Put the caller through to %(name)s instead, or take a message.") % {
                "name": reach.substitute.display_name
            }
        raise ValidationError(text)
    Call.objects.select_for_update().filter(pk=call.pk).first()
    if Transfer.objects.filter(call_id=call.call_id, state__in=OPEN_TRANSFER_STATES).exists():
        raise ValidationError(_("This call is being put through already."))
    return Transfer.objects.create(
        call_id=call.call_id,
        operator=operator,
        employee=employee,
        target=employee.direct_number,
        requested_at=now,
    )


@dataclass(frozen=True)
class Command:
    """What the exchange is asked to do."""

    id: str
    type: str
    call_id: str
    target: str
    ring_seconds: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "call_id": self.call_id,
            "target": self.target,
            "ring_seconds": self.ring_seconds,
        }


def transfer_commands(
    *, exchange: Exchange | None, now: datetime | None = None, limit: int = 100
) -> list[Command]:
    """The transfers this exchange (or, for None, any) should make: asked and not yet
    acted on, each handed out again while the exchange has not reported it started."""
    now = now or timezone.now()
    waiting = Transfer.objects.filter(state=TransferState.REQUESTED).filter(
        Q(fetched_at__isnull=True) | Q(fetched_at__lt=now - REDELIVER_AFTER)
    )
    if exchange is not None:
        waiting = waiting.filter(call_id__startswith=f"{exchange.pk}|")
    with transaction.atomic():
        rows = list(waiting.select_for_update().order_by("requested_at", "id")[:limit])
        Transfer.objects.filter(pk__in=[t.pk for t in rows]).update(fetched_at=now)
    seconds = ring_seconds()
    return [
        Command(
            id=f"transfer-{t.pk}",
            type="transfer",
            call_id=external_id(exchange, t.call_id),
            target=t.target,
            ring_seconds=seconds,
        )
        for t in rows
    ]


def _returned_message(transfer: Transfer) -> dict[str, Any]:
    return {
        "type": "transfer_returned",
        "call_id": transfer.call_id,
        "employee": {"id": transfer.employee_id, "name": transfer.employee.display_name},
        "reason": transfer.reason,
        "url": f"{reverse('switchboard:console')}?call={transfer.call_id}",
    }


def _transfer_answered_log(transfer: Transfer, call: Call | None, *, now: datetime) -> None:
    summary = _("Put through to %(name)s (%(number)s).") % {
        "name": transfer.employee.display_name,
        "number": transfer.target,
    }
    contact_intake(
        arrival=Arrival(
            contact=ContactDraft(
                channel=Channel.PHONE, outcome=Outcome.TRANSFERRED, summary=summary
            ),
            source=Source(call=call),
        ),
        by=transfer.operator,
        now=now,
    )


_FOLLOWED = {
    EventType.TRANSFERRED,
    EventType.TRANSFER_STARTED,
    EventType.TRANSFER_ANSWERED,
    EventType.TRANSFER_RETURNED,
}


@receiver(call_events_recorded)
def call_events_follow(
    sender: Any, *, events: list[CoreEvent], calls: dict[str, Call], now: datetime, **_: Any
) -> None:
    """Move the operators' transfers as the exchange reports them (in its transaction)."""
    followed = sorted(
        (e for e in events if e.type in _FOLLOWED and e.target),
        key=lambda e: (e.at, e.event_id),
    )
    for event in followed:
        transfer = (
            Transfer.objects.select_related("employee", "operator")
            .filter(call_id=event.call_id, target=event.target)
            .exclude(state=TransferState.FAILED)
            .order_by("-requested_at", "-id")
            .first()
        )
        if transfer is None:
            continue  # A transfer the exchange made by itself: the statistics count it.
        if event.type in (EventType.TRANSFERRED, EventType.TRANSFER_STARTED):
            if transfer.state == TransferState.REQUESTED:
                transfer.state = TransferState.RINGING
                transfer.save(update_fields=["state"])
        elif event.type is EventType.TRANSFER_ANSWERED:
            if transfer.state in OPEN_TRANSFER_STATES:
                transfer.state, transfer.answered_at = TransferState.ANSWERED, event.at
                transfer.save(update_fields=["state", "answered_at"])
                _transfer_answered_log(transfer, calls.get(event.call_id), now=now)
                bus.publish_on_commit(
                    bus.user_topic(transfer.operator_id),
                    {**_returned_message(transfer), "type": "transfer_answered"},
                )
        elif event.type is EventType.TRANSFER_RETURNED and transfer.state in OPEN_TRANSFER_STATES:
            transfer.state, transfer.returned_at = TransferState.RETURNED, event.at
            transfer.reason = event.reason or TransferReason.NO_ANSWER
            transfer.save(update_fields=["state", "returned_at", "reason"])
            bus.publish_on_commit(bus.user_topic(transfer.operator_id), _returned_message(transfer))


def number_given(
    *, operator: User, call: Call | None, employee: Employee, now: datetime | None = None
) -> None:
    """The operator gave the caller the person's direct number instead: logged as closed."""
    _require_operator(operator)
    summary = _("Gave the direct number of %(name)s (%(number)s).") % {
        "name": employee.display_name,
        "number": employee.direct_number or employee.mobile,
    }
    contact_intake(
        arrival=Arrival(
            contact=ContactDraft(channel=Channel.PHONE, outcome=Outcome.CLOSED, summary=summary),
            source=Source(call=call),
        ),
        by=operator,
        now=now,
    )


def transfer_not_mine(*, transfer: Transfer, by: User, now: datetime | None = None) -> Transfer:
    """The person says the call put through to them was not for them: a wrong transfer."""
    employee = getattr(by, "employee", None)
    if employee is None or employee.pk != transfer.employee_id:
        raise PermissionDenied
    if transfer.not_mine_at is None:
        transfer.not_mine_at = now or timezone.now()
        transfer.save(update_fields=["not_mine_at"])
    return transfer


# Messages


@dataclass(frozen=True)
class MessageDraft:
    employee: Employee
    about: str
    caller_name: str = ""
    caller_number: str = ""
    call_back: str = CallBack.ASAP
    call_back_at: datetime | None = None
    call: Call | None = None


def _message_check(draft: MessageDraft, *, now: datetime) -> None:
    errors: dict[str, list[str]] = {}
    for name in ("about", "caller_name", "caller_number"):
        try:
            storable_text(getattr(draft, name))
        except ValueError as error:
            errors.setdefault(name, []).append(str(error))
    if not draft.about.strip():
        errors.setdefault("about", []).append(_("Write what the caller wants."))
    if len(draft.about) > 4000:
        errors.setdefault("about", []).append(_("At most 4,000 characters."))
    if len(draft.caller_name) > 200:
        errors.setdefault("caller_name", []).append(_("At most 200 characters."))
    if len(draft.caller_number) > 40:
        errors.setdefault("caller_number", []).append(_("At most 40 characters."))
    if draft.call_back not in CallBack.values:
        errors.setdefault("call_back", []).append(_("Choose when to call back from the list."))
    if draft.call_back == CallBack.AT and draft.call_back_at is None:
        errors.setdefault("call_back_at", []).append(_("Give the time to call back."))
    if not draft.employee.active:
        errors.setdefault("employee", []).append(
            _("%(name)s no longer works here.") % {"name": draft.employee.display_name}
        )
    if errors:
        raise ValidationError(errors)


def message_take(*, operator: User, draft: MessageDraft, now: datetime | None = None) -> Message:
    """Take a message for a person and log the contact; the person is told after the
    commit (by e-mail, or SMS when they have no address), through the task queue."""
    _require_operator(operator)
    now = now or timezone.now()
    _message_check(draft, now=now)
    with transaction.atomic():
        summary = _("Message for %(name)s: %(about)s") % {
            "name": draft.employee.display_name,
            "about": draft.about,
        }
        contact = contact_intake(
            arrival=Arrival(
                contact=ContactDraft(
                    channel=Channel.PHONE, outcome=Outcome.MESSAGE, summary=summary[:4000]
                ),
                source=Source(call=draft.call),
            ),
            by=operator,
            now=now,
        )
        message = Message.objects.create(
            employee=draft.employee,
            call_id=draft.call.call_id if draft.call else "",
            caller_name=draft.caller_name,
            caller_number=draft.caller_number,
            about=draft.about,
            call_back=draft.call_back,
            call_back_at=draft.call_back_at if draft.call_back == CallBack.AT else None,
            taken_by=operator,
            taken_at=now,
            contact=contact,
        )
        transaction.on_commit(lambda: message_send.enqueue(message_id=message.pk))
    return message


def may_answer_message(user: User | None, message: Message, *, key: str = "") -> bool:
    """The person the message is for (by account or by its private link), the unit's
    contact it was sent on to, and switchboard operators."""
    if key and (found := message_by_key(key)) is not None and found.pk == message.pk:
        return True
    if user is None or not user.is_authenticated:
        return False
    employee = getattr(user, "employee", None)
    if employee is not None and employee.pk in (message.employee_id, message.escalated_to_id):
        return True
    return may_work_switchboard(user)


def message_done(
    *, message: Message, by: User | None, key: str = "", now: datetime | None = None
) -> Message:
    if not may_answer_message(by, message, key=key):
        raise PermissionDenied
    if message.state == MessageState.OPEN:
        message.state, message.done_at = MessageState.DONE, now or timezone.now()
        message.save(update_fields=["state", "done_at"])
    return message


def message_not_mine(
    *, message: Message, by: User | None, key: str = "", now: datetime | None = None
) -> Message:
    """Not for this person: back to the operator who took it, and a wrong transfer."""
    if not may_answer_message(by, message, key=key):
        raise PermissionDenied
    if message.state == MessageState.OPEN:
        message.state, message.not_mine_at = MessageState.NOT_MINE, now or timezone.now()
        message.save(update_fields=["state", "not_mine_at"])
        bus.publish_on_commit(
            bus.user_topic(message.taken_by_id),
            {
                "type": "message_not_mine",
                "id": message.pk,
                "employee": message.employee.display_name,
                "caller": message.caller_name or message.caller_number,
            },
        )
    return message
