"""SMS from residents: stored once, threaded into their case or queued for an agent, and
answered by SMS as the agent logs the contact.

`sms_receive` takes what the gateway's webhook (or the `sms-receive` command) brought. The
message is stored once by the gateway's id, then:

* from a resident (known by the number) with one open case, or naming the reference of one
  of their open cases: a message in on that case (which reopens it if it waited for them);
* otherwise (an unknown number, several open cases and no reference, no open case): a new
  contact, queued on the written channels' capacity for an agent to read, answer and log.

`sms_answer` is the agent's side: it logs the contact through the intake, in one
transaction with the answer, sent by SMS on the case or, at first contact, as a notice.
"""

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.cases import notices
from kontakt.cases import services as case_services
from kontakt.cases.models import Case, Channel, Contact, Direction, NoticeAudience, NoticeKind
from kontakt.core.case_status import format_case_reference, parse_case_reference
from kontakt.core.router import Channel as RoutingChannel
from kontakt.directory.models import AnswerGroup
from kontakt.intake import services as intake_services
from kontakt.residents import selectors as resident_selectors
from kontakt.residents.models import FeedbackChannel, Resident
from kontakt.residents.services import ResidentDraft, phone_number
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import QueuedContact

from . import selectors
from .models import InboundSms, InboundState

logger = logging.getLogger(__name__)

TEXT_MAX = 5000  # a concatenated SMS of 255 parts holds under 40 000; nobody writes that
SENDER_MAX = 32
GATEWAY_ID_MAX = 100
ANSWER_MAX = 1600  # ten parts of GSM text
_REFERENCE_IN_TEXT = re.compile(r"\b[A-Za-z]{1,10}-[0-9]{4}-[0-9]{6,}\b")


@dataclass(frozen=True)
class InboundDraft:
    """A text message as the gateway describes it."""

    gateway_id: str
    sender: str
    text: str
    to: str = ""
    received_at: datetime | None = None


def clean_text(text: str) -> str:
    """No NUL (no database stores it), at most TEXT_MAX characters, no outer blank."""
    return text.replace("\x00", "").strip()[:TEXT_MAX]


def sender_number(raw: str) -> str:
    """The sender in E.164 when it is a phone number, else as sent (an alphanumeric
    sender), without NUL and within the column."""
    raw = raw.replace("\x00", "").strip()
    return phone_number(raw) or raw[:SENDER_MAX]


def sms_check(draft: InboundDraft) -> None:
    errors: dict[str, list[str]] = {}
    gateway_id = draft.gateway_id.replace("\x00", "").strip()
    if not gateway_id:
        errors["id"] = [_("The gateway's id of the message is missing.")]
    elif len(gateway_id) > GATEWAY_ID_MAX:
        errors["id"] = [_("At most %(n)s characters.") % {"n": GATEWAY_ID_MAX}]
    if not draft.sender.replace("\x00", "").strip():
        errors["from"] = [_("The sender's number is missing.")]
    if errors:
        raise ValidationError(errors)


def answer_group() -> AnswerGroup | None:
    """The answer group new text messages are queued in: KONTAKT["SMS"]["ANSWER_GROUP"],
    else the first active group by name."""
    code = settings.KONTAKT["SMS"].get("ANSWER_GROUP", "")
    groups = AnswerGroup.objects.filter(active=True)
    if code:
        found = groups.filter(code=code).first()
        if found is not None:
            return found
        logger.warning("The SMS answer group %r does not exist or is not active.", code)
    return groups.order_by("name", "id").first()


def sms_page_url(inbound: InboundSms) -> str:
    return settings.KONTAKT["SITE_URL"] + reverse("desk:sms", args=[inbound.pk])


def _case_named(resident: Resident, text: str) -> Case | None:
    """An open case of this resident whose reference the text names."""
    for found in _REFERENCE_IN_TEXT.findall(text):
        parsed = parse_case_reference(found)
        if parsed is None:
            continue
        case = (
            selectors.open_cases_of(resident)
            .filter(reference=format_case_reference(*parsed))
            .first()
        )
        if case is not None:
            return case
    return None


def _case_for(resident: Resident | None, text: str) -> Case | None:
    if resident is None:
        return None
    named = _case_named(resident, text)
    if named is not None:
        return named
    open_cases = list(selectors.open_cases_of(resident)[:2])
    return open_cases[0] if len(open_cases) == 1 else None


def sms_receive(*, draft: InboundDraft, now: datetime | None = None) -> tuple[InboundSms, bool]:
    """Store a text message from a resident once (the same gateway id again is the message
    already stored) and thread it; returns it and whether it is new."""
    sms_check(draft)
    now = now or timezone.now()
    gateway_id = draft.gateway_id.replace("\x00", "").strip()
    made = InboundSms.objects.filter(gateway_id=gateway_id).first()
    if made is not None:
        return made, False
    sender = sender_number(draft.sender)
    text = clean_text(draft.text)
    received_at = draft.received_at or now
    try:
        with transaction.atomic():
            inbound = InboundSms.objects.create(
                gateway_id=gateway_id,
                sender=sender,
                to=draft.to.replace("\x00", "").strip()[:SENDER_MAX],
                text=text,
                received_at=received_at,
                stored_at=now,
                state=InboundState.QUEUED,
                resident=resident_selectors.resident_match(phones=[sender])
                if sender.startswith("+")
                else None,
            )
            _thread(inbound, now=now)
    except IntegrityError:
        # The gateway sent it twice at once: the other request stored it.
        return InboundSms.objects.get(gateway_id=gateway_id), False
    return inbound, True


def _thread(inbound: InboundSms, *, now: datetime) -> None:
    case = _case_for(inbound.resident, inbound.text)
    if case is not None:
        case_services.case_add_message(
            case=case,
            body=inbound.text or _("(an empty text message)"),
            direction=Direction.INBOUND,
            channel=Channel.SMS,
            by=None,
            now=inbound.received_at if inbound.received_at <= now else now,
            data={"sms_id": inbound.pk, "from": inbound.sender},
        )
        inbound.state, inbound.case = InboundState.ON_CASE, case
        inbound.save(update_fields=["state", "case"])
        return
    group = answer_group()
    if group is None:
        logger.warning("SMS %s: no answer group to queue it in.", inbound.pk)
        inbound.state = InboundState.UNROUTED
        inbound.save(update_fields=["state"])
        return
    resident = inbound.resident
    queued, _created = telephony_services.queued_contact_add(
        draft=telephony_services.WorkDraft(
            channel=RoutingChannel.EMAIL,
            reference=f"sms:{inbound.pk}",
            answer_group=group,
            subject=_("SMS from %(sender)s")
            % {"sender": resident.name if resident else inbound.sender},
            url=sms_page_url(inbound),
            caller=inbound.sender,
            language=resident.preferred_language if resident else "",
        ),
        now=now,
    )
    inbound.queued = queued
    inbound.save(update_fields=["queued"])


# The agent's answer ------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsAnswer:
    """What the agent did with a text message: the contact as logged and the answer."""

    contact: case_services.ContactDraft
    answer: str = ""
    # For a sender no resident has: the name to register them by (with the number).
    name: str = ""


def _answer_check(inbound: InboundSms, answer: SmsAnswer) -> None:
    errors: dict[str, list[str]] = {}
    if inbound.state == InboundState.LOGGED:
        errors["__all__"] = [_("This message has already been logged as a contact.")]
    if len(answer.answer) > ANSWER_MAX:
        errors["answer"] = [_("At most %(n)s characters.") % {"n": ANSWER_MAX}]
    if answer.answer.strip() and not inbound.sender.startswith("+"):
        errors["answer"] = [_("The sender has no phone number to answer.")]
    if errors:
        raise ValidationError(errors)


def sms_answer(
    *, inbound: InboundSms, answer: SmsAnswer, by: User, now: datetime | None = None
) -> Contact:
    """Log the contact a text message made through the intake, and send the answer by
    SMS: on the case it was forwarded to or linked with (after the message itself), or,
    closed at first contact, as a notice of the contact. All or nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        inbound = InboundSms.objects.select_for_update().get(pk=inbound.pk)
        _answer_check(inbound, answer)
        draft = answer.contact
        resident = draft.resident or inbound.resident
        details = None
        if resident is None and answer.name.strip():
            details = ResidentDraft(
                name=answer.name.strip(),
                phones=[inbound.sender],
                preferred_channel=FeedbackChannel.SMS,
            )
        queued = (
            QueuedContact.objects.filter(pk=inbound.queued_id).first()
            if inbound.queued_id is not None
            else None
        )
        # The intake finishes the agent's own work item; one the router has not handed to
        # this agent (read from the queue) is done all the same: the message is answered.
        own = queued if queued is not None and queued.agent_id == by.pk else None
        contact = intake_services.contact_intake(
            arrival=intake_services.Arrival(
                contact=replace(
                    draft,
                    channel=Channel.SMS,
                    direction=Direction.INBOUND,
                    resident=resident,
                    started_at=draft.started_at or inbound.received_at,
                    feedback_channel=draft.feedback_channel or FeedbackChannel.SMS,
                ),
                resident_details=details,
                source=intake_services.Source(work=own),
            ),
            by=by,
            now=now,
        )
        if queued is not None and own is None:
            telephony_services.queued_contact_done(queued=queued, by=None, now=now)
        text = answer.answer.strip()
        if contact.case is not None:
            case_services.case_add_message(
                case=contact.case,
                body=inbound.text or _("(an empty text message)"),
                direction=Direction.INBOUND,
                channel=Channel.SMS,
                by=by,
                now=now,
                data={"sms_id": inbound.pk, "from": inbound.sender},
            )
            if text:
                case_services.case_add_message(
                    case=contact.case,
                    body=text,
                    direction=Direction.OUTBOUND,
                    channel=Channel.SMS,
                    by=by,
                    now=now,
                    data={"in_reply_to_sms": inbound.pk},
                )
        elif text:
            notices.notice_create(
                audience=NoticeAudience.RESIDENT,
                kind=NoticeKind.MESSAGE,
                channel=notices.SMS,
                to=inbound.sender,
                subject=_("Answer to your text message"),
                body=text,
                contact=contact,
                key=f"sms-answer:{inbound.pk}",
                now=now,
            )
        inbound.state = InboundState.LOGGED
        inbound.contact = contact
        inbound.case = contact.case
        inbound.resident = contact.resident
        inbound.save(update_fields=["state", "contact", "case", "resident"])
    return contact
