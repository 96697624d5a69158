"""Background work of the switchboard: telling a person of a message taken for them."""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kontakt.residents.sms import SmsError, send_sms
from kontakt.web.periodic import periodic

from .links import message_key
from .models import CallBack, Message, MessageState

logger = logging.getLogger(__name__)


def message_text(message: Message, *, link: str) -> str:
    call_back = message.get_call_back_display()
    if message.call_back == CallBack.AT and message.call_back_at is not None:
        call_back = f"{call_back}: {timezone.localtime(message.call_back_at):%Y-%m-%d %H:%M}"
    caller = " ".join(part for part in (message.caller_name, message.caller_number) if part)
    return _(
        "A message from the switchboard for %(name)s.\n\n"
        "From: %(caller)s\nCall back: %(call_back)s\n\n%(about)s\n\n"
        "Mark it done, or not yours, here: %(link)s\n"
    ) % {
        "name": message.employee.display_name,
        "caller": caller or _("unknown"),
        "call_back": call_back,
        "about": message.about,
        "link": link,
    }


@task(queue_name="notifications")
def message_send(*, message_id: int, escalated: bool = False) -> str:
    """Send the message to its person (or, escalated, to the unit's contact) by e-mail, or
    by SMS when there is no address; what happened is recorded on the message."""
    message = Message.objects.select_related("employee", "escalated_to").get(pk=message_id)
    to_person = message.escalated_to if escalated and message.escalated_to else message.employee
    link = settings.KONTAKT["SITE_URL"] + reverse(
        "switchboard:message_open", args=[message_key(message)]
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = message_text(message, link=link)
        if escalated:
            text = (
                _("Still open after %(hours)s hours; sent on to you as the unit's contact.")
                % {"hours": f"{settings.KONTAKT['SWITCHBOARD']['MESSAGE_ESCALATE_HOURS']:g}"}
                + "\n\n"
                + text
            )
        subject = _("Message from the switchboard: %(caller)s") % {
            "caller": message.caller_name or message.caller_number or _("a caller")
        }
    try:
        if to_person.email:
            send_mail(subject, text, None, [to_person.email])
            channel = "email"
        elif to_person.mobile:
            send_sms(to=to_person.mobile, text=text)
            channel = "sms"
        else:
            return _delivered(message, "", error=_("No e-mail address or mobile number."))
    except (SmsError, OSError) as error:
        logger.warning("Message %s not sent: %s", message_id, error)
        return _delivered(message, "", error=str(error)[:500])
    return _delivered(message, channel, error="")


def _delivered(message: Message, channel: str, *, error: str) -> str:
    message.delivery_error = error
    fields = ["delivery_error"]
    if channel:
        message.sent_by, message.sent_at = channel, timezone.now()
        fields += ["sent_by", "sent_at"]
    message.save(update_fields=fields)
    return channel or "failed"


def messages_escalate(*, now: datetime | None = None) -> int:
    """Send each message left open too long on to the contact of the person's unit (once);
    returns how many went."""
    now = now or timezone.now()
    hours = float(settings.KONTAKT["SWITCHBOARD"]["MESSAGE_ESCALATE_HOURS"])
    due = (
        Message.objects.filter(
            state=MessageState.OPEN,
            escalated_at__isnull=True,
            taken_at__lte=now - timedelta(hours=hours),
            employee__unit__contact__isnull=False,
            employee__unit__contact__active=True,
        )
        .exclude(employee__unit__contact=F("employee"))
        .order_by("taken_at")
    )
    sent = 0
    with transaction.atomic():
        for message in due.select_related("employee__unit").select_for_update(of=("self",))[:500]:
            message.escalated_at = now
            message.escalated_to_id = message.employee.unit.contact_id  # type: ignore[union-attr]
            message.save(update_fields=["escalated_at", "escalated_to"])
            transaction.on_commit(
                partial(message_send.enqueue, message_id=message.pk, escalated=True)
            )
            sent += 1
    return sent


@periodic(every=timedelta(minutes=5))
@task()
def messages_escalate_due() -> int:
    """Every five minutes: messages left open too long go to the unit's contact."""
    return messages_escalate()
