"""Background work of cases: telling residents what happened, on their chosen channel."""

import logging

from django.core.mail import send_mail
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext as _

from kontakt.residents.models import FeedbackChannel
from kontakt.residents.selectors import resident_email, resident_phone
from kontakt.residents.sms import SmsError, send_sms

from .models import Case, CaseEvent, CaseEventKind, Channel, Delivery

logger = logging.getLogger(__name__)


def _resident_email(case: Case) -> str | None:
    if case.resident is None:
        return None
    return resident_email(case.resident)


@task(queue_name="notifications")
def notify_resident_case_closed(*, case_id: int) -> str:
    """E-mail the resident the resolution of their case when they chose e-mail."""
    case = Case.objects.select_related("resident").get(pk=case_id)
    address = _resident_email(case)
    if case.feedback_channel != FeedbackChannel.EMAIL or address is None:
        return "not-by-email"
    language = case.resident.preferred_language if case.resident else "sv"
    with translation.override(language or "sv"):
        subject = _("Your case %(reference)s is closed") % {"reference": case.reference}
        body = _(
            "Hello,\n\nYour case %(reference)s, “%(subject)s”, is closed.\n\n%(resolution)s\n"
        ) % {
            "reference": case.reference,
            "subject": case.subject,
            "resolution": case.resolution,
        }
    send_mail(subject, body, None, [address])
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.MESSAGE_OUT,
        at=case.closed_at or case.updated_at,
        channel="email",
        body=body,
        data={"to": address, "automatic": True},
    )
    return "sent"


@task(queue_name="notifications")
def send_case_message(*, event_id: int) -> str:
    """Send a message written on a case to the resident, by e-mail or SMS as written, and
    record on the message whether it went out."""
    event = CaseEvent.objects.select_related("case__resident").get(pk=event_id)
    if event.data.get("delivery") != Delivery.QUEUED:
        return "done-before"
    resident = event.case.resident
    if event.channel == Channel.SMS:
        to = resident_phone(resident) if resident else None
    else:
        to = resident_email(resident) if resident else None
    if to is None:
        logger.warning("Case %s has no address for message %s", event.case.reference, event_id)
        return _delivered(event, Delivery.FAILED, reason="no-address")
    try:
        if event.channel == Channel.SMS:
            send_sms(to=to, text=f"{event.case.reference}: {event.body}")
        else:
            send_mail(f"{event.case.reference}: {event.case.subject}", event.body, None, [to])
    except (SmsError, OSError) as error:
        logger.warning("Message %s of case %s not sent: %s", event_id, event.case.reference, error)
        return _delivered(event, Delivery.FAILED, reason=str(error)[:200])
    return _delivered(event, Delivery.SENT, to=to)


def _delivered(event: CaseEvent, delivery: str, **details: str) -> str:
    event.data = {**event.data, "delivery": delivery, **details}
    event.save(update_fields=["data"])
    return delivery
