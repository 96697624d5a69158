"""What happens to an e-mail: received (stored once, then threaded into its case, queued for
an agent, ignored as automatic, or quarantined), answered from the desk, released from
quarantine. See docs/mail.md.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.selectors import may_watch_queues, user_roles
from kontakt.cases import notices
from kontakt.cases import services as case_services
from kontakt.cases.models import (
    Case,
    CaseType,
    Channel,
    Contact,
    Direction,
    Notice,
    NoticeAudience,
    NoticeKind,
    Outcome,
    Priority,
)
from kontakt.core.case_status import CaseStatus, format_case_reference, parse_case_reference
from kontakt.core.language_guess import language_guess
from kontakt.core.router import Channel as RoutingChannel
from kontakt.intake import services as intake_services
from kontakt.residents.models import FeedbackChannel, ResidentEmail
from kontakt.residents.services import ResidentDraft
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import QueuedContact, WorkState

from . import parsing
from .models import InboundAttachment, InboundMail, Mailbox, MailKind, MailState

logger = logging.getLogger(__name__)

REFERENCE_IN_TEXT = re.compile(r"\b([A-Za-z]{1,10}-[0-9]{4}-[0-9]{6,})\b")
ERROR_MAX = 500


def _limit() -> int:
    return int(settings.KONTAKT["ATTACHMENT_MAX_BYTES"])


def work_reference(mail: InboundMail) -> str:
    """The router's reference of the e-mail as queued work."""
    return f"mail:{mail.pk}"


# Threading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thread:
    """Where a mail belongs: a case, or the earlier mail of a conversation without one."""

    case: Case | None = None
    earlier: InboundMail | None = None
    # A case or mail was named, but the sender has nothing to do with it.
    forged: bool = False


def _sender_belongs(case: Case, address: str) -> bool:
    """Whether mail from this address may join the case: it is its resident's, or the
    case's mail came from it or went to it before."""
    if not address:
        return False
    if (
        case.resident_id is not None
        and (
            ResidentEmail.objects.filter(resident_id=case.resident_id, address__iexact=address)
        ).exists()
    ):
        return True
    if InboundMail.objects.filter(case=case, from_address=address).exists():
        return True
    return Notice.objects.filter(
        case=case, channel=notices.EMAIL, to__iexact=address, audience=NoticeAudience.RESIDENT
    ).exists()


def _cases_in_subject(subject: str) -> list[Case]:
    references = []
    for text in REFERENCE_IN_TEXT.findall(subject):
        parsed = parse_case_reference(text)
        if parsed is not None:
            references.append(format_case_reference(*parsed))
    if not references:
        return []
    found = {case.reference: case for case in Case.objects.filter(reference__in=references)}
    return [found[reference] for reference in references if reference in found]


def thread_of(parsed: parsing.ParsedMail, *, exclude: int | None = None) -> Thread:
    """The case (or earlier mail) this mail answers: by Message-ID through In-Reply-To and
    References (a notice we sent, or a mail we received), else by a case reference in the
    subject. Only if the sender belongs to that case; otherwise it threads nowhere and is
    marked forged."""
    forged = False
    ids = parsed.thread_ids
    if ids:
        sent = {
            notice.message_id: notice
            for notice in Notice.objects.filter(message_id__in=ids).select_related("case")
        }
        received = {
            mail.message_id: mail
            for mail in InboundMail.objects.filter(message_id__in=ids)
            .exclude(pk=exclude or 0)
            .select_related("case")
        }
        for mid in ids:
            case: Case | None = None
            earlier: InboundMail | None = None
            if mid in sent:
                notice = sent[mid]
                case = notice.case
                if case is None and notice.contact_id is not None:
                    if notice.to.lower() != parsed.from_address:
                        forged = True
                        continue
                    earlier = (
                        InboundMail.objects.filter(contact_id=notice.contact_id)
                        .order_by("-received_at")
                        .first()
                    )
                    if earlier is not None:
                        return Thread(earlier=earlier)
            elif mid in received:
                earlier = received[mid]
                case = earlier.case
                if case is None:
                    if earlier.from_address == parsed.from_address:
                        return Thread(earlier=earlier)
                    forged = True
                    continue
            if case is not None:
                if _sender_belongs(case, parsed.from_address):
                    return Thread(case=case)
                forged = True
    for case in _cases_in_subject(parsed.subject):
        if _sender_belongs(case, parsed.from_address):
            return Thread(case=case)
        forged = True
    return Thread(forged=forged)


# Receiving ---------------------------------------------------------------------------------


def _stored(mailbox: Mailbox | None, uid: int | None, message_id: str) -> InboundMail | None:
    if mailbox is not None and uid is not None:
        found = InboundMail.objects.filter(
            mailbox=mailbox, uidvalidity=mailbox.uidvalidity, uid=uid
        ).first()
        if found is not None:
            return found
    return InboundMail.objects.filter(message_id=message_id).first() if message_id else None


def mail_receive(
    raw: bytes, *, mailbox: Mailbox | None, uid: int | None = None, now: datetime | None = None
) -> InboundMail:
    """Store one message as it arrived and decide what becomes of it, in one transaction.

    A message already stored (the same mailbox UID, or the same Message-ID) is not stored
    again: the stored one is returned. Nothing raises for what a sender can send: a message
    that cannot be handled is quarantined with the reason.
    """
    now = now or timezone.now()
    problem = ""
    try:
        parsed = parsing.parse(raw)
    except Exception as failure:  # whatever a sender sends, the message is kept
        logger.warning("A mail could not be read: %r", failure)
        parsed = parsing.ParsedMail(message_id=parsing.hashed_message_id(raw))
        problem = _("The message could not be read: %(error)s") % {"error": failure}
    if found := _stored(mailbox, uid, parsed.message_id):
        return found
    max_bytes = int(settings.KONTAKT["MAIL"]["MESSAGE_MAX_BYTES"])
    if not problem and len(raw) > max_bytes:
        problem = _("The message is larger than %(mb)s MB.") % {"mb": max_bytes // 2**20}
    too_large = [part for part in parsed.parts if len(part.content) > _limit()]
    if not problem and too_large:
        problem = _("An attachment is larger than %(mb)s MB: %(names)s") % {
            "mb": -(-_limit() // 2**20),
            "names": ", ".join(part.name for part in too_large),
        }
    try:
        with transaction.atomic():
            mail = _store(raw, parsed, mailbox=mailbox, uid=uid, now=now)
            if problem:
                mail.state, mail.error = MailState.QUARANTINED, problem[:ERROR_MAX]
                mail.save(update_fields=["state", "error"])
            else:
                _process(mail, parsed, now=now)
    except IntegrityError:
        # Stored meanwhile by another reader of the same message.
        if found := _stored(mailbox, uid, parsed.message_id):
            return found
        raise
    return mail


def _store(
    raw: bytes,
    parsed: parsing.ParsedMail,
    *,
    mailbox: Mailbox | None,
    uid: int | None,
    now: datetime,
) -> InboundMail:
    guessed = language_guess(f"{parsed.subject}\n{parsed.text}")
    mail = InboundMail(
        mailbox=mailbox,
        uidvalidity=mailbox.uidvalidity if mailbox is not None and uid is not None else None,
        uid=uid,
        message_id=parsed.message_id[:255],
        in_reply_to=parsed.in_reply_to[:255],
        references=" ".join(parsed.references),
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        to=parsed.to,
        subject=parsed.subject,
        date=parsed.date,
        text=parsed.text,
        quoted=parsed.quoted,
        language=guessed,
        kind=MailKind.BOUNCE
        if parsed.bounce
        else MailKind.AUTO_REPLY
        if parsed.auto_reply
        else MailKind.MESSAGE,
        received_at=now,
        size=len(raw),
    )
    with transaction.atomic():
        mail.raw.save(f"{now:%d%H%M%S}-{len(raw)}.eml", ContentFile(raw), save=False)
        mail.save()
    for part in parsed.parts:
        attachment = InboundAttachment(
            mail=mail,
            name=part.name,
            content_type=part.content_type,
            size=len(part.content),
        )
        attachment.file.save(f"part-{len(part.content)}", ContentFile(part.content), save=False)
        attachment.save()
    return mail


def _process(mail: InboundMail, parsed: parsing.ParsedMail, *, now: datetime) -> None:
    """Decide what becomes of a stored mail: ignored if automatic (a bounce marks the
    address failing), threaded into its case, or queued for an agent."""
    if parsed.bounce:
        _bounce(mail, parsed, now=now)
        return
    if parsed.auto_reply:
        # Never answered, never queued, no receipt: no mail loops.
        mail.state = MailState.IGNORED
        mail.save(update_fields=["state"])
        return
    thread = thread_of(parsed, exclude=mail.pk)
    mail.suspicious = thread.forged
    if thread.case is not None:
        _thread_into(mail, thread.case, now=now)
        return
    mail.earlier = thread.earlier
    _queue(mail, now=now)


def _bounce(mail: InboundMail, parsed: parsing.ParsedMail, *, now: datetime) -> None:
    reasons = []
    for failed in parsed.failed:
        reason = " ".join(part for part in (failed.status, failed.diagnostic) if part)[:300]
        reasons.append(f"{failed.address}: {reason}")
        ResidentEmail.objects.filter(address__iexact=failed.address).update(
            failing_since=now, failing_reason=reason or _("Mail to it bounced.")
        )
    notice = notices.notice_bounced(
        message_id=parsed.original_message_id, reason="; ".join(reasons) or _("Bounced.")
    )
    mail.state = MailState.IGNORED
    mail.error = "; ".join(reasons)[:ERROR_MAX]
    if notice is not None and notice.case_id is not None:
        mail.case_id = notice.case_id
    mail.save(update_fields=["state", "error", "case"])


def _mail_data(mail: InboundMail) -> dict[str, object]:
    return {"message_id": mail.message_id, "from": mail.from_address, "mail_id": mail.pk}


def _body(mail: InboundMail) -> str:
    return mail.text.strip() or mail.subject.strip() or _("(an e-mail without text)")


def _attach_all(mail: InboundMail, case: Case, *, now: datetime) -> None:
    """The mail's files on the case; one the case's checks refuse stays on the mail, listed
    with the reason."""
    for attachment in mail.attachments.filter(attachment_id__isnull=True, refused=""):
        with attachment.file.open("rb") as handle:
            upload = SimpleUploadedFile(attachment.name, handle.read(), attachment.content_type)
        try:
            with transaction.atomic():
                made = case_services.case_attach(case=case, upload=upload, by=None, now=now)
        except ValidationError as refusal:
            attachment.refused = "; ".join(refusal.messages)[:300]
        else:
            attachment.attachment_id = made.pk
        attachment.save(update_fields=["attachment_id", "refused"])


def _onto_case(mail: InboundMail, case: Case, *, now: datetime) -> None:
    """The mail as the resident's message on the case, with its files."""
    case_services.case_add_message(
        case=case,
        body=_body(mail),
        direction=Direction.INBOUND,
        channel=Channel.EMAIL,
        by=None,
        now=now,
        data=_mail_data(mail),
    )
    _attach_all(mail, case, now=now)


def _thread_into(mail: InboundMail, case: Case, *, now: datetime) -> None:
    _onto_case(mail, case, now=now)
    mail.case = case
    mail.state = MailState.THREADED
    mail.save(update_fields=["case", "state", "suspicious"])


def _queue(mail: InboundMail, *, now: datetime) -> None:
    mailbox = mail.mailbox or Mailbox.objects.filter(active=True).order_by("pk").first()
    if mailbox is None:
        mail.state = MailState.QUARANTINED
        mail.error = _("No mailbox with an answer group to queue it in.")
        mail.save(update_fields=["state", "error", "suspicious", "earlier"])
        return
    mail.state = MailState.QUEUED
    mail.save(update_fields=["state", "suspicious", "earlier"])
    telephony_services.queued_contact_add(
        draft=telephony_services.WorkDraft(
            channel=RoutingChannel.EMAIL,
            reference=work_reference(mail),
            answer_group=mailbox.answer_group,
            subject=mail.subject or mail.from_address,
            url=settings.KONTAKT["SITE_URL"] + reverse("desk:mail", args=[mail.pk]),
            caller=mail.from_address,
            language=mail.language,
        ),
        now=now,
    )


def mail_release(*, mail: InboundMail, by: User, now: datetime | None = None) -> InboundMail:
    """An administrator let a quarantined mail through: it is handled as if new (its too
    large files stay on the mail, listed, and do not go on a case)."""
    if Role.ADMINISTRATOR not in user_roles(by):
        raise PermissionDenied(_("Only an administrator releases a quarantined mail."))
    now = now or timezone.now()
    with transaction.atomic():
        mail = InboundMail.objects.select_for_update().get(pk=mail.pk)
        if mail.state != MailState.QUARANTINED:
            return mail
        with mail.raw.open("rb") as handle:
            raw = handle.read()
        try:
            parsed = parsing.parse(raw)
        except Exception:  # unreadable: handled as a message with no text
            parsed = parsing.ParsedMail(message_id=mail.message_id)
        mail.attachments.filter(size__gt=_limit()).update(
            refused=_("Larger than %(mb)s MB.") % {"mb": -(-_limit() // 2**20)}
        )
        mail.error = ""
        mail.save(update_fields=["error"])
        _process(mail, parsed, now=now)
    return mail


# Answering from the desk -------------------------------------------------------------------


def mail_work(mail: InboundMail) -> QueuedContact | None:
    """The queued work of a new mail, while it is not done."""
    return (
        QueuedContact.objects.filter(channel=RoutingChannel.EMAIL, reference=work_reference(mail))
        .exclude(state__in=[WorkState.DONE, WorkState.WITHDRAWN])
        .select_related("agent")
        .first()
    )


def may_answer(user: User, mail: InboundMail) -> bool:
    """The agent holding the mail's work, or a supervisor, may answer it."""
    if mail.state != MailState.QUEUED:
        return False
    if may_watch_queues(user):
        return True
    work = mail_work(mail)
    return work is not None and work.agent_id == user.pk and work.state == WorkState.ASSIGNED


@dataclass(frozen=True)
class MailAnswer:
    answer: str
    outcome: str
    case_type: CaseType | None = None
    priority: int = Priority.NORMAL
    # For outcome "linked": the resident's open case it joins.
    case: Case | None = None


def _reply_subject(subject: str) -> str:
    subject = subject.strip() or _("Your e-mail")
    return subject if subject.lower().startswith(("re:", "sv:")) else f"Re: {subject}"


def mail_answer(
    *, mail: InboundMail, answer: MailAnswer, by: User, now: datetime | None = None
) -> Contact:
    """An agent answers a new e-mail, in one transaction: the contact through the intake
    (the sender found or registered as a resident, the queued work done); with a case, the
    mail and its files join it and the answer is sent as a message on it; closed at first
    contact, the answer goes as a notice of the contact."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if not answer.answer.strip():
        errors["answer"] = [_("Write the answer.")]
    if not mail.from_address:
        errors["answer"] = [_("The mail has no sender's address to answer.")]
    if answer.outcome not in Outcome.values:
        errors["outcome"] = [_("Choose an outcome from the list.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        mail = InboundMail.objects.select_for_update().get(pk=mail.pk)
        if not may_answer(by, mail):
            raise PermissionDenied(
                _("This mail is answered already.")
                if mail.state != MailState.QUEUED
                else _("This mail is another agent's.")
            )
        work = mail_work(mail)
        summary = "\n\n".join(part for part in (mail.subject, answer.answer.strip()) if part)
        contact = intake_services.contact_intake(
            arrival=intake_services.Arrival(
                contact=case_services.ContactDraft(
                    channel=Channel.EMAIL,
                    outcome=answer.outcome,
                    summary=summary,
                    case_type=answer.case_type,
                    case=answer.case if answer.outcome == Outcome.LINKED else None,
                    subject=mail.subject[:200],
                    priority=answer.priority,
                    feedback_channel=FeedbackChannel.EMAIL,
                    started_at=mail.received_at,
                ),
                resident_details=ResidentDraft(
                    name=mail.from_name or mail.from_address,
                    emails=[mail.from_address],
                    preferred_language=mail.language or "sv",
                    preferred_channel=FeedbackChannel.EMAIL,
                ),
                source=intake_services.Source(work=work),
            ),
            by=by,
            now=now,
        )
        case = contact.case
        if case is not None:
            _onto_case(mail, case, now=now)
            case_services.case_add_message(
                case=case,
                body=answer.answer.strip(),
                direction=Direction.OUTBOUND,
                channel=Channel.EMAIL,
                by=by,
                now=now,
            )
        else:
            earlier = [mid for mid in mail.references.split() if mid != mail.message_id]
            notices.notice_create(
                audience=NoticeAudience.RESIDENT,
                kind=NoticeKind.MESSAGE,
                channel=notices.EMAIL,
                to=mail.from_address,
                subject=_reply_subject(mail.subject),
                body=answer.answer.strip() + "\n",
                contact=contact,
                references=[*earlier[-10:], mail.message_id],
                key=f"answer:mail:{mail.pk}",
                now=now,
            )
        mail.state = MailState.ANSWERED
        mail.contact, mail.case = contact, case
        mail.save(update_fields=["state", "contact", "case"])
    return contact


def open_cases_of(mail: InboundMail) -> list[Case]:
    """The open cases of the resident the sender's address names, for linking."""
    resident_ids = ResidentEmail.objects.filter(address__iexact=mail.from_address).values(
        "resident_id"
    )
    return list(
        Case.objects.filter(resident_id__in=resident_ids)
        .exclude(status=CaseStatus.CLOSED)
        .order_by("-created_at")[:20]
    )


# Mailboxes ---------------------------------------------------------------------------------


def mailbox_checked(*, mailbox: Mailbox, error: str = "", now: datetime | None = None) -> None:
    """Record a reading of the mailbox: fine, or failed with this error (retried at the next
    poll and shown to administrators)."""
    now = now or timezone.now()
    fields: dict[str, object] = {"last_checked_at": now, "last_error": error[:500]}
    if error:
        fields["failing_since"] = mailbox.failing_since or now
    else:
        fields["failing_since"] = None
    Mailbox.objects.filter(pk=mailbox.pk).update(**fields)
    for name, value in fields.items():
        setattr(mailbox, name, value)
