"""Notices by e-mail or SMS: to residents (receipt, new message, closed with the
satisfaction question, sign-in link), to departments (a forwarded case, the day's digest)
and to handlers (a case due soon).

A notice is a row, stored in the transaction of what it tells about (`notice_create`), and
sent by the task queue after commit (`notice_send` → `notice_deliver`). A failed send
is tried again after each of `KONTAKT["NOTICES"]["RETRY_MINUTES"]` and then given up as not
delivered; the periodic `tasks.notices_retry_due` enqueues what is due again, so retries
need no delayed jobs of the task backend. What became of each notice shows on the staff
case page and in admin.

A notice with a key is made once per case (or department), key and recipient: the
receipt ("receipt"), a closing ("closed:<closed at>"), a message ("message:<entry id>"), a
forwarding ("forwarded:<entry id>"), the digest ("digest:<date>"), a due-soon warning
("sla_warning:<due at, UTC>").
"""

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, make_msgid
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.selectors import department_contacts
from kontakt.core.case_status import CaseStatus
from kontakt.directory.models import Department
from kontakt.residents.models import FeedbackChannel, Resident
from kontakt.residents.selectors import resident_email, resident_phone
from kontakt.residents.sms import send_sms

from .links import case_link_create
from .models import (
    Case,
    CaseEvent,
    CaseEventKind,
    Channel,
    Contact,
    Delivery,
    Notice,
    NoticeAudience,
    NoticeKind,
    NoticeState,
)
from .surveys import survey_create

if TYPE_CHECKING:
    from kontakt.settings import NoticeSettings

logger = logging.getLogger(__name__)

EMAIL = "email"
SMS = "sms"
# How long a worker holds a notice it is sending before the periodic round may hand it to
# another (a worker that died mid-send).
SEND_LEASE = timedelta(minutes=10)
LAST_ERROR_MAX = 300


def _notices() -> "NoticeSettings":
    return settings.KONTAKT["NOTICES"]


def _site() -> str:
    return settings.KONTAKT["SITE_URL"]


def case_page_url(case: Case) -> str:
    """The staff case page, for links in notices to staff."""
    return _site() + reverse("desk:case", args=[case.reference])


def my_pages_url(token: str) -> str:
    """The private link to a case on My pages."""
    return _site() + reverse("my:link", args=[token])


def survey_url(token: str) -> str:
    return _site() + reverse("my:survey", args=[token])


# Making and sending -----------------------------------------------------------------------


# History written after the fact (the demo's seed, an import of old cases): what it
# records was told back then, so no notice is made for it.
_history: ContextVar[bool] = ContextVar("notices_history", default=False)


@contextmanager
def history_written() -> Iterator[None]:
    """Within, cases and messages are recorded as history: nobody is told again."""
    token = _history.set(True)
    try:
        yield
    finally:
        _history.reset(token)


def writing_history() -> bool:
    return _history.get()


def notice_create(
    *,
    audience: str,
    kind: str,
    channel: str,
    to: str,
    subject: str,
    body: str,
    case: Case | None = None,
    department: Department | None = None,
    contact: Contact | None = None,
    references: Sequence[str] = (),
    key: str = "",
    now: datetime | None = None,
) -> Notice:
    """Store a notice in the caller's transaction; it is sent by the task queue after
    commit. With a key, the notice already made for the same case (or, without a case,
    department), key and recipient is returned instead of a second one.

    `to` may be empty (the resident has no address for the channel): the notice is then
    stored and shown as not delivered, so staff see that nothing reached the resident.
    """
    if channel not in (EMAIL, SMS):
        raise ValueError(f"A notice goes by e-mail or SMS, not {channel!r}.")
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        if key:
            # Two makers of the same notice take turns on the row it is about.
            if case is not None:
                Case.objects.select_for_update().filter(pk=case.pk).exists()
            elif department is not None:
                Department.objects.select_for_update().filter(pk=department.pk).exists()
            made = Notice.objects.filter(case=case, department=department, key=key, to=to).first()
            if made is not None:
                return made
        notice = Notice.objects.create(
            case=case,
            department=department,
            audience=audience,
            kind=kind,
            channel=channel,
            to=to[:254],
            # A header holds one line: a subject typed with line breaks is kept on one.
            subject=" ".join(subject.split())[:300],
            body=body,
            created_at=now,
            key=key[:100],
            contact=contact,
            references=" ".join(references),
        )
        transaction.on_commit(partial(notice_send.enqueue, notice_id=notice.pk))
    return notice


def _claim(notice_id: int, now: datetime) -> Notice | None:
    """Take a notice that is due for sending, so that no other worker sends it meanwhile."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = (
        Notice.objects.filter(pk=notice_id, state__in=[NoticeState.QUEUED, NoticeState.RETRYING])
        .filter(due)
        .update(next_attempt_at=now + SEND_LEASE)
    )
    if not claimed:
        return None
    return Notice.objects.get(pk=notice_id)


def _send(notice: Notice) -> None:
    if notice.channel == SMS:
        _send_sms(notice)
    else:
        _send_email(notice)


def mail_domain() -> str:
    """The domain of the Message-IDs Kontakt sends: KONTAKT["MAIL"]["DOMAIN"], else the
    site's host."""
    return settings.KONTAKT["MAIL"]["DOMAIN"] or urlsplit(_site()).hostname or "kontakt.invalid"


def notice_message_id(notice: Notice) -> str:
    """The notice's Message-ID, made and stored the first time it is asked for, so that a
    retry sends the same one and a reply to either finds the notice."""
    if not notice.message_id:
        notice.message_id = make_msgid(domain=mail_domain())
        Notice.objects.filter(pk=notice.pk, message_id="").update(message_id=notice.message_id)
        notice.message_id = Notice.objects.values_list("message_id", flat=True).get(pk=notice.pk)
    return notice.message_id


def written_by_staff(notice: Notice) -> bool:
    """Whether a person wrote the notice (an answer, a message on a case): every other
    notice is automatic and says so (RFC 3834), so that no auto-responder answers it."""
    if notice.kind != NoticeKind.MESSAGE:
        return False
    if notice.key.startswith("answer:"):
        return True
    if notice.key.startswith("message:"):
        event_id = notice.key.removeprefix("message:")
        return CaseEvent.objects.filter(
            pk=event_id if event_id.isdigit() else 0, channel=Channel.EMAIL
        ).exists()
    return False


def _send_email(notice: Notice) -> None:
    headers = {"Message-ID": notice_message_id(notice)}
    references = notice.references.split()
    if references:
        headers["In-Reply-To"] = references[-1]
        headers["References"] = " ".join(references)
    if not written_by_staff(notice):
        headers["Auto-Submitted"] = "auto-generated"
    EmailMessage(notice.subject, notice.body, None, [notice.to], headers=headers).send()


def notice_bounced(*, message_id: str, reason: str) -> Notice | None:
    """A delivery status notification said the notice sent with this Message-ID did not
    arrive: it is not delivered, and the case message it carried shows it."""
    notice = (
        Notice.objects.filter(message_id=message_id, channel=EMAIL).first() if message_id else None
    )
    if notice is None:
        return None
    notice.state, notice.next_attempt_at = NoticeState.FAILED, None
    notice.last_error = reason[:LAST_ERROR_MAX]
    notice.save(update_fields=["state", "next_attempt_at", "last_error"])
    _message_delivered(notice)
    return notice


def email_thread_ids(case: Case) -> list[str]:
    """The Message-IDs of a case's e-mail conversation, oldest first: what the resident
    wrote (its MESSAGE_IN entries) and what was sent (its notices), at most the last 20."""
    received = CaseEvent.objects.filter(
        case=case, kind=CaseEventKind.MESSAGE_IN, channel=Channel.EMAIL
    ).values_list("at", "data")
    sent = Notice.objects.filter(case=case, channel=EMAIL).exclude(message_id="")
    moments = [(at, data.get("message_id", "")) for at, data in received if isinstance(data, dict)]
    moments += [(at, mid) for at, mid in sent.values_list("created_at", "message_id")]
    ids: list[str] = []
    for _at, mid in sorted(moments, key=lambda moment: moment[0]):
        if isinstance(mid, str) and mid.startswith("<") and mid not in ids:
            ids.append(mid)
    last_in = [
        data.get("message_id")
        for _at, data in sorted(received, key=lambda entry: entry[0])
        if isinstance(data, dict) and data.get("message_id")
    ]
    # The resident's last mail is the one answered: In-Reply-To, the last of References.
    if last_in and last_in[-1] in ids:
        ids.remove(last_in[-1])
        ids.append(last_in[-1])
    return ids[-20:]


def _send_sms(notice: Notice) -> None:
    """Send by the gateway and keep its id of the message (for the delivery receipt) and
    the parts it took, on the notice at once: a receipt may come before the send is
    recorded."""
    sent = send_sms(to=notice.to, text=notice.body)
    notice.gateway_id, notice.parts = sent.gateway_id[:100], sent.parts
    Notice.objects.filter(pk=notice.pk).update(gateway_id=notice.gateway_id, parts=notice.parts)


def notice_deliver(*, notice_id: int, now: datetime | None = None) -> str:
    """Send a notice that is due, and record the outcome: sent; failed and to be tried
    again after the next of RETRY_MINUTES; or, once they are used up (or there is no
    address), not delivered. Returns the notice's state ("" when it was not due)."""
    now = now or timezone.now()
    notice = _claim(notice_id, now)
    if notice is None:
        return ""
    notice.attempts += 1
    error = ""
    if not notice.to:
        error = _("No address to send it to.")
    else:
        try:
            _send(notice)
        except Exception as failure:  # any failure of any backend is recorded, and retried
            error = str(failure) or failure.__class__.__name__
            logger.warning("Notice %s (%s) not sent: %s", notice.pk, notice.kind, error)
    if not error:
        notice.state, notice.sent_at, notice.next_attempt_at = NoticeState.SENT, now, None
        notice.last_error = ""
    else:
        notice.last_error = error[:LAST_ERROR_MAX]
        retries = list(_notices()["RETRY_MINUTES"])
        if notice.to and notice.attempts <= len(retries):
            notice.state = NoticeState.RETRYING
            notice.next_attempt_at = now + timedelta(minutes=retries[notice.attempts - 1])
        else:
            notice.state, notice.next_attempt_at = NoticeState.FAILED, None
    notice.save(update_fields=["state", "attempts", "last_error", "next_attempt_at", "sent_at"])
    _message_delivered(notice)
    return notice.state


@task(queue_name="notifications")
def notice_send(*, notice_id: int) -> str:
    """Send one notice (if it is due) and record what became of it."""
    return notice_deliver(notice_id=notice_id) or "not-due"


def _message_delivered(notice: Notice) -> None:
    """A message written on a case is sent as a notice: its entry shows the outcome."""
    if notice.kind != NoticeKind.MESSAGE or not notice.key.startswith("message:"):
        return
    details: dict[str, object]
    if notice.state == NoticeState.SENT:
        details = {"delivery": Delivery.SENT, "to": notice.to}
        if notice.channel == SMS:
            details["parts"] = notice.parts
    elif notice.state == NoticeState.FAILED:
        details = {"delivery": Delivery.FAILED, "reason": notice.last_error}
    else:
        return
    _message_entry_update(notice, details)


def _message_entry_update(notice: Notice, details: dict[str, object]) -> None:
    """Add to the entry of the case message the notice sends; a delivery the gateway
    confirmed is not taken back by a later "sent"."""
    if notice.kind != NoticeKind.MESSAGE or not notice.key.startswith("message:"):
        return
    with transaction.atomic():
        event = (
            CaseEvent.objects.select_for_update()
            .filter(pk=notice.key.removeprefix("message:"))
            .first()
        )
        if event is None:
            return
        data = event.data if isinstance(event.data, dict) else {}
        if data.get("delivery") == Delivery.DELIVERED and details.get("delivery") == Delivery.SENT:
            return
        event.data = {**data, **details}
        event.save(update_fields=["data"])


# Delivery receipts of the SMS gateway -------------------------------------------------------

RECEIPT_DELIVERED = frozenset({"delivered", "delivrd", "ok", "success"})
RECEIPT_FAILED = frozenset(
    {"failed", "undelivered", "undeliverable", "undeliv", "expired", "rejected", "deleted"}
)


@dataclass(frozen=True)
class SmsReceipt:
    """A gateway's word on a message it sent: delivered, or failed and why."""

    gateway_id: str
    status: str
    error: str = ""
    at: datetime | None = None


def sms_receipt_record(*, receipt: SmsReceipt, now: datetime | None = None) -> Notice | None:
    """Record a delivery receipt on the notice the gateway id names (None when no notice
    has it, or the status is neither delivered nor failed: an interim report). The same
    receipt again changes nothing; a delivered message stays delivered."""
    status = receipt.status.strip().lower()
    if not receipt.gateway_id or status not in RECEIPT_DELIVERED | RECEIPT_FAILED:
        return None
    at = receipt.at or now or timezone.now()
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update()
            .filter(channel=SMS, gateway_id=receipt.gateway_id)
            .order_by("id")
            .first()
        )
        if notice is None:
            return None
        if notice.delivered_at is not None:
            return notice
        details: dict[str, object]
        if status in RECEIPT_DELIVERED:
            notice.delivered_at = at
            if notice.state != NoticeState.SENT:
                notice.state = NoticeState.SENT
                notice.next_attempt_at = None
            details = {"delivery": Delivery.DELIVERED, "delivered_at": at.isoformat()}
        else:
            reason = receipt.error.strip() or status
            notice.state, notice.next_attempt_at = NoticeState.FAILED, None
            notice.last_error = (
                _("The gateway could not deliver it: %(reason)s") % {"reason": reason}
            )[:LAST_ERROR_MAX]
            details = {"delivery": Delivery.FAILED, "reason": notice.last_error}
        notice.save(update_fields=["state", "next_attempt_at", "last_error", "delivered_at"])
        _message_entry_update(notice, details)
    return notice


def notices_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Notices to send now: retries whose time has come, and queued ones whose send was
    lost (not taken within a lease's time, e.g. the queue was down at commit)."""
    now = now or timezone.now()
    return list(
        Notice.objects.filter(
            Q(state=NoticeState.RETRYING, next_attempt_at__lte=now)
            | Q(state=NoticeState.QUEUED, next_attempt_at__lte=now)
            | Q(
                state=NoticeState.QUEUED,
                next_attempt_at__isnull=True,
                created_at__lte=now - SEND_LEASE,
            )
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


# Residents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    channel: str  # email | sms
    to: str  # "" when the resident has none for the channel


def resident_address(resident: Resident, feedback_channel: str) -> Address | None:
    """Where a notice to the resident goes by the feedback channel they chose: e-mail or
    SMS as chosen, My pages by e-mail if they have an address (else SMS); phone and letter
    get no notice."""
    if feedback_channel == FeedbackChannel.EMAIL:
        return Address(EMAIL, resident_email(resident) or "")
    if feedback_channel == FeedbackChannel.SMS:
        return Address(SMS, resident_phone(resident) or "")
    if feedback_channel == FeedbackChannel.MY_PAGES:
        email = resident_email(resident)
        if email:
            return Address(EMAIL, email)
        return Address(SMS, resident_phone(resident) or "")
    return None


def _made(case: Case | None, key: str) -> Notice | None:
    """The notice already made for `case` under `key`, if any."""
    return Notice.objects.filter(case=case, key=key).first()


def _to_resident(
    kind: str,
    address: Address,
    subject: str,
    body: str,
    *,
    key: str,
    case: Case | None = None,
    now: datetime | None = None,
) -> Notice:
    return notice_create(
        audience=NoticeAudience.RESIDENT,
        kind=kind,
        channel=address.channel,
        to=address.to,
        subject=subject,
        body=body,
        case=case,
        key=key,
        now=now,
    )


def resident_language(resident: Resident | None) -> str:
    """The resident's language if the notices are written in it, else the site's."""
    language = resident.preferred_language if resident else ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def local_datetime(value: datetime) -> str:
    """A moment in the center's time zone, written the way the active language writes it."""
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'DATE_FORMAT')} {formats.time_format(local, 'H:i')}"


def case_receipt_send(*, case_id: int, now: datetime | None = None) -> Notice | None:
    """The receipt of a new case to the resident, by the channel they chose: reference,
    what happens next, the answer-by date and a private link to the case on My pages."""
    case = Case.objects.select_related("resident", "case_type").get(pk=case_id)
    if case.resident is None:
        return None
    address = resident_address(case.resident, case.feedback_channel)
    if address is None:
        return None
    if made := _made(case, "receipt"):
        return made
    link = my_pages_url(case_link_create(case=case, now=now))
    with translation.override(resident_language(case.resident)):
        subject = _("We have received your case %(reference)s") % {"reference": case.reference}
        lines = [
            _("Your case has been registered with the reference %(reference)s: %(subject)s")
            % {"reference": case.reference, "subject": case.subject}
        ]
        if case.case_type.next_steps.strip():
            lines.append(
                _("What happens next: %(next_steps)s")
                % {"next_steps": case.case_type.next_steps.strip()}
            )
        if case.due_at is not None:
            lines.append(
                _("You will have an answer by %(due)s.") % {"due": local_datetime(case.due_at)}
            )
        lines.append(_("Follow your case on My pages: %(link)s") % {"link": link})
        body = "\n\n".join(lines) + "\n"
    return _to_resident(
        NoticeKind.RECEIPT, address, subject, body, case=case, key="receipt", now=now
    )


def case_closed_notify(*, case_id: int, now: datetime | None = None) -> Notice | None:
    """Tell the resident their case is closed, with the resolution and the satisfaction
    question (one message: the question comes with the answer it is about)."""
    case = Case.objects.select_related("resident", "case_type").get(pk=case_id)
    if case.resident is None or case.status != CaseStatus.CLOSED or case.closed_at is None:
        return None
    address = resident_address(case.resident, case.feedback_channel)
    if address is None:
        return None
    key = f"closed:{case.closed_at.isoformat()}"
    if made := _made(case, key):
        return made
    with translation.override(resident_language(case.resident)):
        subject = _("Your case %(reference)s is closed") % {"reference": case.reference}
        lines = [
            _("Your case %(reference)s, %(subject)s, is closed.")
            % {"reference": case.reference, "subject": case.subject},
            case.resolution,
        ]
        if address.to:
            token = survey_create(case=case, channel=address.channel, now=now)
            lines.append(
                _(
                    "How satisfied are you with how we handled your case? "
                    "Answer one question: %(link)s"
                )
                % {"link": survey_url(token)}
            )
        body = "\n\n".join(line for line in lines if line) + "\n"
    return _to_resident(NoticeKind.CLOSED, address, subject, body, case=case, key=key, now=now)


def case_message_notice(*, event: CaseEvent, now: datetime | None = None) -> Notice | None:
    """The notice of a message written to the resident, in the message's transaction.

    A message by e-mail or SMS is itself the notice. A message written on My pages' own
    channel to a resident who follows the case there brings a notice that it is waiting,
    with a private link. Other channels (a letter, what was said by phone) send nothing.
    """
    case = event.case
    resident = case.resident
    key = f"message:{event.pk}"
    if event.channel in (Channel.EMAIL, Channel.SMS):
        by_sms = event.channel == Channel.SMS
        address = (
            resident_address(resident, FeedbackChannel.SMS if by_sms else FeedbackChannel.EMAIL)
            if resident is not None
            else None
        ) or Address(SMS if by_sms else EMAIL, "")
        notice = _to_resident(
            NoticeKind.MESSAGE,
            address,
            f"{case.reference}: {case.subject}",
            f"{case.reference}: {event.body}" if by_sms else event.body,
            case=case,
            key=key,
            now=now,
        )
        if not by_sms and not notice.references:
            # A reply to it threads into the case, whatever its subject becomes.
            notice.references = " ".join(email_thread_ids(case))
            notice.save(update_fields=["references"])
        return notice
    if not on_my_pages(case, event.channel) or resident is None:
        return None
    on_pages = resident_address(resident, FeedbackChannel.MY_PAGES)
    assert on_pages is not None
    link = my_pages_url(case_link_create(case=case, now=now))
    with translation.override(resident_language(resident)):
        subject = _("New message about your case %(reference)s") % {"reference": case.reference}
        body = (
            _("There is a new message about your case %(reference)s on My pages: %(link)s")
            % {"reference": case.reference, "link": link}
            + "\n"
        )
    return _to_resident(NoticeKind.MESSAGE, on_pages, subject, body, case=case, key=key, now=now)


def on_my_pages(case: Case, channel: str) -> bool:
    """Whether a message on this channel is one the resident reads on My pages."""
    return case.feedback_channel == FeedbackChannel.MY_PAGES and channel in (
        Channel.WEB_FORM,
        Channel.CHAT,
        Channel.OPEN311,
    )


def contact_survey_send(*, contact_id: int, now: datetime | None = None) -> Notice | None:
    """The satisfaction question after a contact closed at first contact, by the resident's
    preferred channel (e-mail, else SMS)."""
    contact = Contact.objects.select_related("resident", "case_type").get(pk=contact_id)
    resident = contact.resident
    if resident is None:
        return None
    preferred = resident.preferred_channel
    address = resident_address(
        resident, preferred if preferred == FeedbackChannel.SMS else FeedbackChannel.MY_PAGES
    )
    if address is None or not address.to:
        return None
    key = f"survey:contact:{contact.pk}"
    if made := _made(None, key):
        return made
    token = survey_create(contact=contact, channel=address.channel, now=now)
    with translation.override(resident_language(resident)):
        subject = _("How did we do?")
        body = (
            _(
                "Thank you for contacting us. How satisfied are you with the help you got? "
                "Answer one question: %(link)s"
            )
            % {"link": survey_url(token)}
            + "\n"
        )
    return _to_resident(NoticeKind.SURVEY, address, subject, body, key=key, now=now)


# Staff -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffAddress:
    audience: str
    channel: str
    to: str


def _staff_address(user: User, audience: str) -> StaffAddress | None:
    if user.email:
        return StaffAddress(audience, EMAIL, user.email)
    if user.phone:
        return StaffAddress(audience, SMS, user.phone)
    return None


def _unique(addresses: Iterable[StaffAddress | None]) -> list[StaffAddress]:
    seen: set[str] = set()
    result = []
    for address in addresses:
        if address is not None and address.to.lower() not in seen:
            seen.add(address.to.lower())
            result.append(address)
    return result


def contact_addresses(department: Department) -> list[StaffAddress]:
    """The department contacts of a department, each by e-mail (else SMS)."""
    contacts = department_contacts(department_id=department.pk).order_by("id")
    return _unique(_staff_address(user, NoticeAudience.DEPARTMENT) for user in contacts)


def department_addresses(department: Department) -> list[StaffAddress]:
    """The department's own e-mail address and its department contacts."""
    own = (
        StaffAddress(NoticeAudience.DEPARTMENT, EMAIL, department.email)
        if department.email
        else None
    )
    return _unique([own, *contact_addresses(department)])


def _staff_language() -> translation.override:
    return translation.override(settings.LANGUAGE_CODE)


def case_forwarded_notify(*, event_id: int, now: datetime | None = None) -> list[Notice]:
    """Tell a department of a case forwarded to it, if it wants one e-mail per case."""
    event = CaseEvent.objects.select_related("case__case_type").get(pk=event_id)
    department = Department.objects.filter(pk=event.data.get("department_id")).first()
    if department is None or department.notice != "case" or event.kind != CaseEventKind.FORWARDED:
        return []
    case = event.case
    with _staff_language():
        subject = _("New case %(reference)s: %(subject)s") % {
            "reference": case.reference,
            "subject": case.subject,
        }
        lines = [
            _("A case has been forwarded to %(department)s.") % {"department": department.name},
            f"{case.reference} · {case.case_type.name}\n{case.subject}",
        ]
        if event.body:
            lines.append(_("Note: %(note)s") % {"note": event.body})
        if case.due_at is not None:
            lines.append(_("Due: %(due)s") % {"due": local_datetime(case.due_at)})
        lines.append(case_page_url(case))
        body = "\n\n".join(lines) + "\n"
    return [
        notice_create(
            audience=address.audience,
            kind=NoticeKind.FORWARDED,
            channel=address.channel,
            to=address.to,
            subject=subject,
            body=body,
            case=case,
            department=department,
            key=f"forwarded:{event.pk}",
            now=now,
        )
        for address in department_addresses(department)
    ]


def _local_moment(day: datetime, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def department_digests_send(*, now: datetime | None = None) -> list[Notice]:
    """Once a day from DIGEST_HOUR (local time): each department that wants a digest gets
    the cases forwarded to it in the day before, one e-mail per recipient (key
    "digest:<date>"). Nothing is sent on a day without forwarded cases."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    hour = int(_notices()["DIGEST_HOUR"])
    until = _local_moment(today, hour)  # type: ignore[arg-type]
    if now < until:
        return []
    since = _local_moment(today - timedelta(days=1), hour)  # type: ignore[arg-type]
    key = f"digest:{today.isoformat()}"
    made = []
    for department in Department.objects.filter(notice="digest", active=True).order_by("id"):
        events = list(
            CaseEvent.objects.filter(
                kind=CaseEventKind.FORWARDED,
                data__department_id=department.pk,
                at__gte=since,
                at__lt=until,
            )
            .select_related("case__case_type")
            .order_by("at", "id")
        )
        addresses = department_addresses(department)
        if not events or not addresses:
            continue
        already = set(
            Notice.objects.filter(case=None, department=department, key=key).values_list(
                "to", flat=True
            )
        )
        if all(address.to in already for address in addresses):
            continue
        with _staff_language():
            subject = _("Cases forwarded to %(department)s: %(count)s") % {
                "department": department.name,
                "count": len(events),
            }
            lines = [
                _("Cases forwarded to %(department)s from %(since)s to %(until)s:")
                % {
                    "department": department.name,
                    "since": local_datetime(since),
                    "until": local_datetime(until),
                }
            ]
            for event in events:
                case = event.case
                lines.append(
                    f"{case.reference} · {case.case_type.name} · {case.subject}\n"
                    f"{case_page_url(case)}"
                )
            body = "\n\n".join(lines) + "\n"
        with transaction.atomic():
            made += [
                notice_create(
                    audience=address.audience,
                    kind=NoticeKind.DIGEST,
                    channel=address.channel,
                    to=address.to,
                    subject=subject,
                    body=body,
                    department=department,
                    key=key,
                    now=now,
                )
                for address in addresses
            ]
    return made


def sla_warnings_send(*, now: datetime | None = None, limit: int = 1000) -> list[Notice]:
    """Warn of open cases due within SLA_WARNING_HOURS: the handler (without one, the
    department contacts) and the department contact, once per due time (key
    "sla_warning:<due at>"). Paused and closed cases have no running clock and get none."""
    now = now or timezone.now()
    hours = float(_notices()["SLA_WARNING_HOURS"])
    cases = list(
        Case.objects.exclude(status__in=[CaseStatus.CLOSED, CaseStatus.WAITING])
        .filter(
            sla_paused_at__isnull=True, due_at__gt=now, due_at__lte=now + timedelta(hours=hours)
        )
        .select_related("handler", "department", "case_type")
        .order_by("due_at", "id")[:limit]
    )
    warned = set(
        Notice.objects.filter(
            case__in=cases, kind=NoticeKind.SLA_WARNING, key__startswith="sla_warning:"
        ).values_list("case_id", "key")
    )
    made = []
    # Department contacts read once a round per department, not once per case.
    contacts_of: dict[int, list[StaffAddress]] = {}
    for case in cases:
        assert case.due_at is not None
        key = f"sla_warning:{case.due_at.astimezone(UTC).isoformat()}"
        if (case.pk, key) in warned:
            continue
        handler = (
            _staff_address(case.handler, NoticeAudience.HANDLER)
            if case.handler is not None and case.handler.is_active
            else None
        )
        # The people who answer for it; the department's shared address only if nobody can.
        if case.department_id not in contacts_of:
            contacts_of[case.department_id] = contact_addresses(case.department)
        addresses = _unique([handler, *contacts_of[case.department_id]])
        if not addresses and case.department.email:
            addresses = [StaffAddress(NoticeAudience.DEPARTMENT, EMAIL, case.department.email)]
        with _staff_language():
            subject = _("Due soon: %(reference)s") % {"reference": case.reference}
            body = (
                _("The case %(reference)s, %(subject)s, is due %(due)s and is not closed yet.")
                % {
                    "reference": case.reference,
                    "subject": case.subject,
                    "due": local_datetime(case.due_at),
                }
                + "\n\n"
                + case_page_url(case)
                + "\n"
            )
        with transaction.atomic():
            made += [
                notice_create(
                    audience=address.audience,
                    kind=NoticeKind.SLA_WARNING,
                    channel=address.channel,
                    to=address.to,
                    subject=subject,
                    body=body,
                    case=case,
                    department=case.department,
                    key=key,
                    now=now,
                )
                for address in addresses
            ]
    return made
