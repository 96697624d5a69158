"""What Open311 changes: API keys for clients, and a service request filed as a case
through the one way in (`intake.services.contact_intake`, channel "open311")."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kontakt.cases.models import CaseType, Channel, Outcome
from kontakt.cases.questions import answers_check, place_check
from kontakt.cases.services import ContactDraft
from kontakt.intake.services import Arrival, contact_intake
from kontakt.residents.models import FeedbackChannel
from kontakt.residents.services import ResidentDraft, preferred_languages
from kontakt.web.schemas import is_storable

from .models import Open311Client, Open311Request

DESCRIPTION_MAX = 4000  # the spec's own limit
NAME_MAX = 100
ID_MAX = 100
MEDIA_URL_MAX = 500


class Open311Error(Exception):
    """A refusal in the spec's terms: the HTTP status and its [(code, description)]."""

    def __init__(self, status: int, errors: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(description for _code, description in errors))
        self.status = status
        self.errors = errors


def refused(status: int, description: str) -> Open311Error:
    return Open311Error(status, [(status, description)])


def open311_client_create(*, name: str) -> tuple[Open311Client, str]:
    """Register a client; its API key is returned once, only the hash is kept."""
    key = Open311Client.new_key()
    client = Open311Client(name=name, prefix=key[3:11], key_hash=Open311Client.hash_key(key))
    client.full_clean()
    client.save()
    return client, key


@dataclass(frozen=True)
class RequestDraft:
    """A POSTed service request as the client gave it (texts as sent)."""

    service_code: str
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    # attribute[code] → its value, or its values for attribute[code][].
    attributes: dict[str, object] = field(default_factory=dict)
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    device_id: str = ""
    account_id: str = ""
    description: str = ""
    media_url: str = ""


def _texts_check(draft: RequestDraft) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    limits = {
        "service_code": 60,
        "first_name": NAME_MAX,
        "last_name": NAME_MAX,
        "email": 254,
        "phone": 40,
        "device_id": ID_MAX,
        "account_id": ID_MAX,
        "description": DESCRIPTION_MAX,
        "media_url": MEDIA_URL_MAX,
        "address_id": 200,
    }
    texts: list[tuple[str, object]] = [(name, getattr(draft, name)) for name in limits]
    texts += [("lat", draft.lat), ("long", draft.long), ("address_string", draft.address_string)]
    texts += [(f"attribute[{code}]", value) for code, value in draft.attributes.items()]
    for name, value in texts:
        values = value if isinstance(value, list) else [value]
        if not all(is_storable(str(item)) for item in values):
            errors[name] = [_("The text has a character that cannot be stored.")]
        elif name in limits and len(str(value)) > limits[name]:
            errors[name] = [_("At most %(n)s characters.") % {"n": limits[name]}]
    if "email" not in errors and draft.email:
        try:
            EmailValidator()(draft.email.strip())
        except ValidationError:
            errors["email"] = [_("Give an e-mail address, e.g. name@example.se.")]
    if "media_url" not in errors and draft.media_url:
        try:
            URLValidator(schemes=["http", "https"])(draft.media_url.strip())
        except ValidationError:
            errors["media_url"] = [_("Give the address of the photo, starting with https://.")]
    return errors


def _resident_details(draft: RequestDraft) -> ResidentDraft | None:
    """Who filed it, when they gave a way to reach them; otherwise it stays anonymous."""
    email, phone = draft.email.strip(), draft.phone.strip()
    if not email and not phone:
        return None
    name = " ".join(f"{draft.first_name} {draft.last_name}".split()) or email or phone
    language = translation.get_language() or ""
    return ResidentDraft(
        name=name[:200],
        emails=[email] if email else [],
        phones=[phone] if phone else [],
        preferred_channel=FeedbackChannel.EMAIL if email else FeedbackChannel.SMS,
        **({"preferred_language": language} if language in preferred_languages() else {}),
    )


def _errors(error: ValidationError) -> list[tuple[int, str]]:
    if hasattr(error, "error_dict"):
        return [
            (400, f"{name}: {message}" if name != "__all__" else str(message))
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [(400, message) for message in error.messages]


def _replay(existing: Open311Request, fingerprint: str) -> Open311Request:
    if existing.fingerprint != fingerprint:
        raise refused(
            422,
            _("This Idempotency-Key was used before for another request; use a new key."),
        )
    return existing


def request_file(
    *,
    client: Open311Client,
    draft: RequestDraft,
    idempotency_key: str = "",
    fingerprint: str,
    now: datetime | None = None,
) -> tuple[Open311Request, bool]:
    """File a service request as a case of its published type, forwarded to its
    department, with its place, answers and (when given) the resident who filed it; all of
    it or nothing. A repeated Idempotency-Key with the same request gives the first answer
    again (second value True) and stores nothing."""
    now = now or timezone.now()
    if idempotency_key:
        existing = Open311Request.objects.filter(
            client=client, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return _replay(existing, fingerprint), True
    case_type = CaseType.objects.filter(
        code=draft.service_code.strip(), published=True, active=True
    ).first()
    if not draft.service_code.strip():
        raise refused(400, _("service_code: Give the service's code."))
    if case_type is None:
        raise refused(400, _("service_code: No such service; see services.json."))
    errors = _texts_check(draft)
    place = None
    attributes: dict[str, object] = {}
    if not errors:
        try:
            place = place_check(
                latitude=draft.lat,
                longitude=draft.long,
                address=draft.address_string.strip() or draft.address_id.strip(),
            )
        except ValidationError as error:
            errors.update(error.message_dict)
        else:
            if place is None and case_type.ask_location:
                errors["lat"] = [_("This service needs a place: lat and long, or address_string.")]
        try:
            attributes = answers_check(case_type=case_type, answers=draft.attributes)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise Open311Error(400, _errors(ValidationError(errors)))
    description = draft.description.strip()
    media_url = draft.media_url.strip()
    if media_url:
        # The link as given, for the handler to open; Kontakt never fetches it.
        description = "\n\n".join(
            filter(None, [description, _("Photo: %(url)s") % {"url": media_url}])
        )
    contact = ContactDraft(
        channel=Channel.OPEN311,
        outcome=Outcome.FORWARDED,
        case_type=case_type,
        summary=description,
        subject=" ".join(draft.description.split())[:200],
        feedback_channel=FeedbackChannel.EMAIL
        if draft.email.strip()
        else FeedbackChannel.SMS
        if draft.phone.strip()
        else "",
        place=place,
        attributes=attributes,
    )
    arrival = Arrival(contact=contact, resident_details=_resident_details(draft))
    try:
        with transaction.atomic():
            recorded = contact_intake(arrival=arrival, by=None, now=now)
            case = recorded.case
            assert case is not None
            answer: list[dict[str, Any]] = [
                {
                    "service_request_id": case.reference,
                    "service_notice": case_type.next_steps,
                    "account_id": draft.account_id.strip() or None,
                }
            ]
            stored = Open311Request.objects.create(
                client=client,
                case=case,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                answer=answer,
                account_id=draft.account_id.strip(),
                device_id=draft.device_id.strip(),
                media_url=media_url,
                created_at=now,
            )
    except ValidationError as error:
        raise Open311Error(400, _errors(error)) from None
    except IntegrityError:
        # The same key, sent twice at once: the other one stored first.
        existing = (
            Open311Request.objects.filter(client=client, idempotency_key=idempotency_key).first()
            if idempotency_key
            else None
        )
        if existing is None:
            raise
        return _replay(existing, fingerprint), True
    return stored, False
