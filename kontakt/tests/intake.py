"""Tests log contacts as every channel does: through the one intake service."""

from collections.abc import Sequence
from datetime import datetime

from kontakt.accounts.models import User
from kontakt.cases.models import Contact
from kontakt.cases.services import ContactDraft
from kontakt.intake.services import Arrival, contact_intake
from kontakt.knowledge.models import Article


def contact_log(
    *,
    draft: ContactDraft,
    by: User | None,
    now: datetime | None = None,
    articles: Sequence[Article] = (),
    unanswered_search: str = "",
) -> Contact:
    """Log the contact through the intake, with the articles used in it."""
    arrival = Arrival(contact=draft, articles=articles, unanswered_search=unanswered_search)
    return contact_intake(arrival=arrival, by=by, now=now)
