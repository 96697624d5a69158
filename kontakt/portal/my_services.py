"""What a resident changes on My pages, and the sign-in by an e-mailed link.

The resident is not a user: `by` is None in every case service called from here, and the
caller (a view) has checked, through `my_selectors.case_of`, that the session may open the
case. Texts written into the case's timeline for the resident (a wish to be answered by SMS,
to have the case closed) are in the site's language, which is the staff's.

Limits are counted in the cache per hour: sign-in links per e-mail address
(MY_PAGES.PER_ADDRESS_PER_HOUR) and every link tried or asked for per client address
(MY_PAGES.PER_CLIENT_PER_HOUR). Keys hold a hash, never an address itself.

An e-mailed sign-in link carries a token signed with the site's secret (django.core.signing,
its own salt) holding the address, a random nonce and the time it was made; it works for
MY_PAGES.SIGN_IN_LINK_MINUTES and once: the nonce is marked used in the cache.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kontakt.cases import attachments, notices
from kontakt.cases.models import Case, CaseEvent, CaseEventKind, Channel
from kontakt.cases.services import case_add_message, case_attach
from kontakt.core.case_status import CaseStatus
from kontakt.web.counters import cache_count
from kontakt.web.schemas import is_storable, unstorable_text_message

from .files import upload_prepare
from .my_selectors import feedback_choices, own_attachments, resident_known_by_email

SIGN_IN_SALT = "kontakt.portal.my.sign_in"
HOUR = 3600
BODY_MAX = 5000
EMAIL_MAX = 254
# Files a resident may attach to one case over time on these pages (each sending is limited
# to WEB_FORM.ATTACHMENTS_MAX).
CASE_FILES_MAX = 20


def _my_pages() -> dict:
    return dict(settings.KONTAKT["MY_PAGES"])


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def limit_reached(*, what: str, who: str, per_hour: int) -> bool:
    """Count one more try of `what` by `who` this hour; True once there were more than
    `per_hour` (the hour runs from the first try)."""
    return cache_count(f"my:limit:{what}:{_digest(who)}", timeout=HOUR) > per_hour


def client_limit_reached(*, client: str | None) -> bool:
    return limit_reached(
        what="client", who=client or "-", per_hour=_my_pages()["PER_CLIENT_PER_HOUR"]
    )


# Sign-in by an e-mailed link ---------------------------------------------------------------


def email_normalized(raw: str) -> str:
    """The address as stored on residents (lower case), or a ValidationError on "email"."""
    address = raw.strip().lower()
    if not address or len(address) > EMAIL_MAX or not is_storable(address):
        raise ValidationError({"email": [_("Write your e-mail address, e.g. name@example.se.")]})
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError(
            {"email": [_("Write your e-mail address, e.g. name@example.se.")]}
        ) from None
    return address


def sign_in_token_make(*, address: str) -> str:
    return signing.dumps({"a": address, "n": secrets.token_urlsafe(16)}, salt=SIGN_IN_SALT)


def sign_in_token_check(*, token: str) -> str | None:
    """The address a live, unused token was made for, or None (forged, expired or used)."""
    try:
        payload = signing.loads(
            token[:600], salt=SIGN_IN_SALT, max_age=_my_pages()["SIGN_IN_LINK_MINUTES"] * 60
        )
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(payload, dict):
        return None
    address, nonce = payload.get("a"), payload.get("n")
    if not isinstance(address, str) or not isinstance(nonce, str):
        return None
    return address


def sign_in_token_use(*, token: str) -> str | None:
    """Like `sign_in_token_check`, and spend the token: a second use gets None."""
    address = sign_in_token_check(token=token)
    if address is None:
        return None
    nonce = signing.loads(token[:600], salt=SIGN_IN_SALT)["n"]
    minutes = _my_pages()["SIGN_IN_LINK_MINUTES"]
    if not cache.add(f"my:used:{_digest(nonce)}", 1, timeout=minutes * 60 + 60):
        return None
    return address


@dataclass(frozen=True)
class SignInRequest:
    """What the page tells the visitor after asking for a link: the same for a known and an
    unknown address; `limited` when this address or client asked too often."""

    limited: bool


def sign_in_link_request(*, raw_address: str, client: str | None, language: str) -> SignInRequest:
    """Send a sign-in link to the address if a resident has it. The answer does not tell
    whether one does; the e-mail is made by a task, so both answers take the same time."""
    address = email_normalized(raw_address)
    limits = _my_pages()
    by_client = client_limit_reached(client=client)
    by_address = limit_reached(what="sign_in", who=address, per_hour=limits["PER_ADDRESS_PER_HOUR"])
    if by_client or by_address:
        return SignInRequest(limited=True)
    sign_in_link_send.enqueue(address=address, language=language)
    return SignInRequest(limited=False)


def sign_in_link_create(*, address: str, language: str) -> bool:
    """The e-mail with a sign-in link, to an address a resident has; False for an address
    nobody has (nothing is sent)."""
    if not resident_known_by_email(address=address):
        return False
    minutes = _my_pages()["SIGN_IN_LINK_MINUTES"]
    url = settings.KONTAKT["SITE_URL"] + reverse(
        "my:sign_in", kwargs={"token": sign_in_token_make(address=address)}
    )
    with translation.override(language):
        subject = _("Your link to My pages")
        body = _(
            "Hello,\n\nUse this link to see your cases on My pages:\n\n%(url)s\n\n"
            "The link works once, for %(minutes)d minutes. If you did not ask for it, you "
            "can ignore this e-mail: nobody can use it without access to your e-mail.\n"
        ) % {"url": url, "minutes": minutes}
    notices.notice_create(
        audience="resident", kind="sign_in", channel="email", to=address, subject=subject, body=body
    )
    return True


@task(queue_name="notifications")
def sign_in_link_send(*, address: str, language: str) -> str:
    """Make the sign-in e-mail (a notice, sent and retried by the notices' queue)."""
    return "made" if sign_in_link_create(address=address, language=language) else "unknown"


# Changes to a case ---------------------------------------------------------------------


def _refuse_closed(case: Case, field: str) -> None:
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(
            {field: [_("This case is closed. To tell us more, contact us or send a new request.")]}
        )


def _text(raw: str, field: str, errors: dict[str, list[str]]) -> str:
    text = raw.strip()
    if not is_storable(text):
        errors.setdefault(field, []).append(unstorable_text_message())
    elif len(text) > BODY_MAX:
        errors.setdefault(field, []).append(
            _("Write at most %(count)d characters.") % {"count": BODY_MAX}
        )
    return text


def information_add(
    *, case: Case, body: str, uploads: list[UploadedFile], now: datetime | None = None
) -> CaseEvent:
    """The resident's message and files joined to the case, as one change: every file is
    checked before anything is stored. Files alone are told as a message too, so that they
    reach the handler and reopen a case that waits for the resident."""
    _refuse_closed(case, "body")
    errors: dict[str, list[str]] = {}
    text = _text(body, "body", errors)
    maximum = settings.KONTAKT["WEB_FORM"]["ATTACHMENTS_MAX"]
    if not text and not uploads:
        errors.setdefault("body", []).append(_("Write something or add a file."))
    if len(uploads) > maximum:
        errors.setdefault("files", []).append(
            ngettext(
                "You can send at most %(count)d file at a time.",
                "You can send at most %(count)d files at a time.",
                maximum,
            )
            % {"count": maximum}
        )
    elif own_attachments(case=case).count() + len(uploads) > CASE_FILES_MAX:
        errors.setdefault("files", []).append(
            _("This case already has as many files as it can take. Contact us to send more.")
        )
    else:
        for upload in uploads:
            try:
                attachments.check_upload(upload)
            except ValidationError as error:
                for message in error.messages:
                    errors.setdefault("files", []).append(f"{upload.name}: {message}")
    if errors:
        raise ValidationError(errors)
    ready = [upload_prepare(upload, field="files") for upload in uploads]
    now = now or timezone.now()
    if not text:
        names = ", ".join(attachments.check_upload(upload).name for upload in ready)
        with translation.override(settings.LANGUAGE_CODE):
            text = _("I sent files: %(names)s") % {"names": names}
    with transaction.atomic():
        said = case_add_message(
            case=case, body=text, direction="in", channel=Channel.WEB_FORM, by=None, now=now
        )
        for upload in ready:
            upload.seek(0)
            case_attach(case=case, upload=upload, by=None, now=now)
    return said


def case_feedback_channel_set(
    *, case: Case, channel: str, by: None = None, now: datetime | None = None
) -> Case:
    """The resident's choice of how to be answered from now on, recorded on the timeline.
    Offered are the channels the resident can be reached by (`feedback_choices`)."""
    _refuse_closed(case, "feedback_channel")
    allowed = dict(feedback_choices(case=case))
    if channel not in allowed:
        raise ValidationError({"feedback_channel": [_("Choose one of the ways in the list.")]})
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.feedback_channel == channel:
            return case
        case.feedback_channel = channel
        case.save(update_fields=["feedback_channel", "updated_at"])
        with translation.override(settings.LANGUAGE_CODE):
            body = _("Please answer me by %(channel)s from now on.") % {
                "channel": str(allowed[channel]).lower() if channel != "my_pages" else _("My pages")
            }
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.MESSAGE_IN,
            at=now,
            by=by,
            body=body,
            channel=Channel.WEB_FORM,
            data={"feedback_channel": channel},
        )
    return case


def case_close_request(*, case: Case, reason: str, now: datetime | None = None) -> Case:
    """The resident asks for the case to be closed; the handler decides. Asked once: a
    second request while the first is open changes nothing."""
    _refuse_closed(case, "reason")
    errors: dict[str, list[str]] = {}
    text = _text(reason, "reason", errors)
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.close_requested_at is not None:
            return case
        case.close_requested_at = now
        case.save(update_fields=["close_requested_at", "updated_at"])
        with translation.override(settings.LANGUAGE_CODE):
            body = _("Please close my case.")
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.MESSAGE_IN,
            at=now,
            by=None,
            body=f"{body}\n\n{text}" if text else body,
            channel=Channel.WEB_FORM,
            data={"close_requested": True},
        )
    return case
