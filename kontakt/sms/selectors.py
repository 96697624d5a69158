"""Reads of text messages from residents, with access applied here."""

from django.db.models import QuerySet
from django.http import Http404

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_log_contacts
from kontakt.cases.models import Case
from kontakt.core.case_status import CaseStatus
from kontakt.residents.models import Resident

from .models import InboundSms


def open_cases_of(resident: Resident) -> QuerySet[Case]:
    """The resident's cases that are not closed, the most recently changed first."""
    return (
        Case.objects.filter(resident=resident)
        .exclude(status=CaseStatus.CLOSED)
        .order_by("-updated_at", "-id")
    )


def inbound_get(*, user: User, inbound_id: int) -> InboundSms:
    """A text message for the front line, who read and log new contacts."""
    if not may_log_contacts(user):
        raise Http404("No such message.")
    inbound = (
        InboundSms.objects.select_related("resident", "case", "queued", "contact")
        .filter(pk=inbound_id)
        .first()
    )
    if inbound is None:
        raise Http404("No such message.")
    return inbound
