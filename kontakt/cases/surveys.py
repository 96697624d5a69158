"""The one satisfaction question after a case closes (or a contact was closed at once).

Like a private link (links.py), a survey is opened by a random token that the resident
receives once; only its SHA-256 is stored, and the lookup costs the same whether the token
exists or not. The answer is stored with the case type and department for the reports.

Answering twice keeps the first answer: the link in an old e-mail, opened again or by
someone it was forwarded to, cannot change what the resident said (`survey_answer` refuses
with a ValidationError on "score").
"""

import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .links import TOKEN_BYTES, token_hash, token_match
from .models import Case, Contact, SatisfactionSurvey

SURVEY_DAYS = 30
COMMENT_MAX = 2000
SCORES = range(1, 6)


def survey_create(
    *,
    case: Case | None = None,
    contact: Contact | None = None,
    channel: str = "",
    now: datetime | None = None,
) -> str:
    """Ask the question about a closed case or contact; returns the token for the link."""
    if case is None and contact is None:
        raise ValueError("A survey is about a case or a contact.")
    now = now or timezone.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    about_case = case or (contact.case if contact is not None else None)
    SatisfactionSurvey.objects.create(
        case=case,
        contact=contact,
        case_type_id=(
            about_case.case_type_id
            if about_case is not None
            else (contact.case_type_id if contact is not None else None)
        ),
        department_id=(
            about_case.department_id
            if about_case is not None
            else (
                contact.case_type.department_id
                if contact is not None and contact.case_type is not None
                else None
            )
        ),
        token_hash=token_hash(token),
        channel=channel,
        sent_at=now,
        expires_at=now + timedelta(days=SURVEY_DAYS),
    )
    return token


def survey_open(*, token: str, now: datetime | None = None) -> SatisfactionSurvey | None:
    """The survey a live token opens, or None (unknown or expired: answer both alike)."""
    now = now or timezone.now()
    survey = token_match(
        SatisfactionSurvey.objects.filter(expires_at__gt=now).select_related("case", "case_type"),
        token,
    )
    return survey


def survey_answer(
    *, survey: SatisfactionSurvey, score: int, comment: str, now: datetime | None = None
) -> SatisfactionSurvey:
    """Store the resident's answer: a score 1–5 and an optional comment. The first answer
    stands; a second is refused."""
    errors: dict[str, list[str]] = {}
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        errors["score"] = [_("Choose a number from 1 to 5.")]
    if not isinstance(comment, str):
        errors["comment"] = [_("Write the comment as text.")]
    elif "\x00" in comment:
        errors["comment"] = [_("The comment contains a character that cannot be stored.")]
    elif len(comment) > COMMENT_MAX:
        errors["comment"] = [
            _("The comment can have at most %(n)s characters.") % {"n": COMMENT_MAX}
        ]
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        # Decided on the stored row, so two answers sent at once cannot both be kept.
        answered = SatisfactionSurvey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(
            score=score, comment=comment.strip(), answered_at=now
        )
    if not answered:
        raise ValidationError({"score": [_("This question has already been answered. Thank you!")]})
    survey.refresh_from_db()
    return survey
