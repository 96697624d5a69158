"""The one way in: every contact, from any channel or integration, is logged here.

A channel (the desk, the API, and each channel still to come) is an adapter: it parses what
arrived into an `Arrival` and calls `contact_intake`, which in one transaction checks who
may log it, finds or makes the resident, stores the contact (closed at first contact,
forwarded as a new case with its SLA started, or linked to an open case), records the
knowledge articles used, and finishes the callback of the call, or the chat or e-mail, the
contact came from.
Nothing else creates a `Contact`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_log_contacts
from kontakt.cases import services as case_services
from kontakt.cases.models import Contact
from kontakt.knowledge import services as knowledge_services
from kontakt.knowledge.models import Article
from kontakt.residents import selectors as resident_selectors
from kontakt.residents import services as resident_services
from kontakt.residents.models import Resident
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import Call, QueuedContact


@dataclass(frozen=True)
class Source:
    """Where a contact came from, in the exchange's and the router's terms.

    `call`: the call a phone contact is about; its answer time is the contact's start
    unless one is given, and the callback it asked for is done when the contact is logged.
    `work`: the chat or e-mail the router handed to the agent; it is done with the contact.
    """

    call: Call | None = None
    work: QueuedContact | None = None


@dataclass(frozen=True)
class Arrival:
    """What a channel brings in: the contact as recorded, who it is from, where it came
    from, and the knowledge the agent used."""

    contact: case_services.ContactDraft
    # The resident when the channel already knows them; otherwise their details, to be
    # found among the registered residents or registered anew.
    resident_details: resident_services.ResidentDraft | None = None
    source: Source = field(default_factory=Source)
    articles: Sequence[Article] = ()
    # The agent's last knowledge search that found nothing (for the gap list).
    unanswered_search: str = ""


def _require_intake(by: User | None) -> None:
    """The one permission check of the way in: an agent who may log contacts, or nobody (a
    channel that brings contacts in by itself, such as a resident's own web form)."""
    if by is not None and not may_log_contacts(by):
        raise PermissionDenied(_("You may not log contacts."))


def _resident(arrival: Arrival, *, by: User | None) -> Resident | None:
    """The contact's resident: the one the channel named, or the one the details match
    (identity number, else a single e-mail address or phone number), or a new one."""
    if arrival.contact.resident is not None or arrival.resident_details is None:
        return arrival.contact.resident
    details = arrival.resident_details
    found = resident_selectors.resident_match(
        identity_number=details.identity_number, emails=details.emails, phones=details.phones
    )
    return found or resident_services.resident_create(draft=details, by=by)


def contact_intake(*, arrival: Arrival, by: User | None, now: datetime | None = None) -> Contact:
    """Log one contact from any channel, all of it or nothing, in one transaction."""
    _require_intake(by)
    now = now or timezone.now()
    draft = arrival.contact
    call = arrival.source.call
    if call is not None:
        answered = call.answered_at
        draft = replace(
            draft,
            call_id=call.call_id,
            started_at=draft.started_at
            or (answered if answered is not None and answered <= now else None),
        )
    with transaction.atomic():
        draft = replace(draft, resident=_resident(arrival, by=by))
        # Checked with the resident it will have: a linked case must be theirs.
        case_services.contact_check(draft, by, now=now)
        contact = case_services.contact_record(draft=draft, by=by, now=now)
        if arrival.articles or arrival.unanswered_search.strip():
            knowledge_services.contact_articles_record(
                contact=contact,
                articles=arrival.articles,
                by=by,
                unanswered_search=arrival.unanswered_search,
                now=now,
            )
        if by is not None:
            _finish_source(arrival.source, by=by, now=now)
    return contact


def _finish_source(source: Source, *, by: User, now: datetime) -> None:
    """The callback the call asked for is done, if it is this agent's (another agent's
    stays theirs); so is the chat or e-mail the contact answered."""
    if source.call is not None:
        telephony_services.call_contact_logged(call=source.call, by=by, now=now)
    if source.work is not None:
        telephony_services.queued_contact_done(queued=source.work, by=by, now=now)
