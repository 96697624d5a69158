"""What a resident sees on My pages: the cases their session may open, and of each case
only what is the resident's to read.

A visitor gets a case in three ways, all kept in the session (never in a URL): a private
link opened the case itself; an e-mailed sign-in link proved an e-mail address (every case
of a resident with that address); an e-ID sign-in proved an identity number (every case of
a resident with that number). Every read below goes through `cases_of`, so a case outside
those is a 404, the same answer as for one that does not exist.

The timeline is built here, not in the template: of a case's entries only creation, status
changes, messages to and from the resident, the resident's own attachments and the closing
are shown, and of those only what was meant for the resident (a status change's note is
internal and never leaves this module; nor does who on the staff did it).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kontakt.cases.models import Attachment, Case, CaseEvent, CaseEventKind
from kontakt.core.case_status import CaseStatus
from kontakt.residents.models import FeedbackChannel, Resident

# What each status means to the resident (the staff's words are "forwarded", "waiting").
RESIDENT_STATUS = {
    CaseStatus.NEW.value: _("Received"),
    CaseStatus.OPEN.value: _("Being handled"),
    CaseStatus.FORWARDED.value: _("With the department"),
    CaseStatus.WAITING.value: _("Waiting for your answer"),
    CaseStatus.CLOSED.value: _("Closed"),
}
SHOWN_KINDS = (
    CaseEventKind.CREATED,
    CaseEventKind.STATUS,
    CaseEventKind.MESSAGE_IN,
    CaseEventKind.MESSAGE_OUT,
    CaseEventKind.ATTACHMENT,
    CaseEventKind.CLOSED,
)
# The feedback channels a resident may choose here: the phone and letters stay with staff.
CHOOSABLE_CHANNELS = (FeedbackChannel.EMAIL, FeedbackChannel.SMS, FeedbackChannel.MY_PAGES)


@dataclass(frozen=True)
class Visitor:
    """What this browser's session has proved: cases by link, an e-mail address, an identity
    number (with its country)."""

    case_ids: tuple[int, ...] = ()
    email: str = ""
    identity_country: str = ""
    identity_number: str = ""
    name: str = ""

    @property
    def signed_in(self) -> bool:
        """Signed in by an e-mailed link or by e-ID (not only holding private links)."""
        return bool(self.email or self.identity_number)

    @property
    def by_eid(self) -> bool:
        return bool(self.identity_number)

    @property
    def anything(self) -> bool:
        return bool(self.case_ids) or self.signed_in


@dataclass(frozen=True)
class Entry:
    """One line of the resident's timeline."""

    at: datetime
    kind: str
    title: str | Promise
    body: str = ""
    attachment: Attachment | None = None
    from_resident: bool = False


def _visible(visitor: Visitor) -> Q:
    found = Q(pk__in=list(visitor.case_ids)) if visitor.case_ids else Q(pk__in=[])
    if visitor.email:
        found |= Q(resident__in=Resident.objects.filter(emails__address=visitor.email).values("pk"))
    if visitor.identity_number and visitor.identity_country:
        found |= Q(
            resident__identity_country=visitor.identity_country,
            resident__identity_number=visitor.identity_number,
        )
    return found


def cases_of(*, visitor: Visitor) -> QuerySet[Case]:
    """Every case the visitor may open, newest first."""
    if not visitor.anything:
        return Case.objects.none()
    return (
        Case.objects.filter(_visible(visitor))
        .select_related("case_type")
        .order_by("-created_at", "-pk")
    )


def case_of(*, visitor: Visitor, reference: str) -> Case:
    """One case the visitor may open, or 404 (also for a case that exists but is not theirs)."""
    found = cases_of(visitor=visitor).select_related("resident").filter(reference=reference[:24])
    case = found.first()
    if case is None:
        raise Http404("No such case on these pages.")
    return case


def own_attachments(*, case: Case) -> QuerySet[Attachment]:
    """The files the resident attached themselves (staff's attachments stay with staff)."""
    return Attachment.objects.filter(case=case, uploaded_by__isnull=True).order_by("uploaded_at")


def own_attachment(*, visitor: Visitor, reference: str, attachment_id: int) -> Attachment:
    case = case_of(visitor=visitor, reference=reference)
    found = own_attachments(case=case).filter(pk=attachment_id).first()
    if found is None:
        raise Http404("No such attachment.")
    return found


def status_label(status: str) -> str | Promise:
    return RESIDENT_STATUS.get(status, status)


def timeline_of(*, case: Case) -> list[Entry]:
    """The case's story as the resident may read it, oldest first."""
    events = CaseEvent.objects.filter(case=case, kind__in=SHOWN_KINDS).exclude(
        # Staff's attachments are not the resident's to read.
        Q(kind=CaseEventKind.ATTACHMENT) & Q(by__isnull=False)
    )
    attachments = {a.pk: a for a in own_attachments(case=case)}
    entries: list[Entry] = []
    for event in events.only("kind", "at", "to_status", "body", "data").order_by("at", "pk"):
        data = event.data if isinstance(event.data, dict) else {}
        if event.kind == CaseEventKind.CREATED:
            entries.append(Entry(event.at, event.kind, _("Your case was registered")))
        elif event.kind == CaseEventKind.STATUS:
            # Only where the case now is; the note that came with the change is internal.
            if event.to_status in (CaseStatus.CLOSED, CaseStatus.NEW):
                continue  # the closing has its own entry; "new" is the registration
            entries.append(Entry(event.at, event.kind, status_label(event.to_status)))
        elif event.kind == CaseEventKind.MESSAGE_IN:
            entries.append(
                Entry(event.at, event.kind, _("You wrote"), body=event.body, from_resident=True)
            )
        elif event.kind == CaseEventKind.MESSAGE_OUT:
            entries.append(Entry(event.at, event.kind, _("We wrote to you"), body=event.body))
        elif event.kind == CaseEventKind.ATTACHMENT:
            attachment = attachments.get(data.get("attachment_id"))  # type: ignore[arg-type]
            if attachment is not None:
                entries.append(
                    Entry(
                        event.at,
                        event.kind,
                        _("You sent a file"),
                        attachment=attachment,
                        from_resident=True,
                    )
                )
        elif event.kind == CaseEventKind.CLOSED:
            entries.append(Entry(event.at, event.kind, _("Your case was closed"), body=event.body))
    return entries


def feedback_choices(*, case: Case) -> list[tuple[str, str | Promise]]:
    """The channels this case's resident can be answered by: e-mail with an address on
    record, SMS with a phone number, My pages always; and the case's own (a phone call, a
    letter), which the resident may keep."""
    resident = case.resident
    choices: list[tuple[str, str | Promise]] = []
    if case.feedback_channel not in CHOOSABLE_CHANNELS:
        choices.append((case.feedback_channel, case.get_feedback_channel_display()))
    for channel in CHOOSABLE_CHANNELS:
        if channel == FeedbackChannel.EMAIL and (resident is None or not resident.emails.exists()):
            continue
        if channel == FeedbackChannel.SMS and (resident is None or not resident.phones.exists()):
            continue
        choices.append((channel.value, channel.label))
    return choices


def resident_known_by_email(*, address: str) -> bool:
    return Resident.objects.filter(emails__address=address).exists()
