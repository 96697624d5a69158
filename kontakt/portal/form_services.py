"""The residents' web form: what it checks besides the fields, and the one submission.

A submission goes through `kontakt.intake.services.contact_intake` (channel `web_form`,
forwarded by its case type) and its files through `cases.services.case_attach`, in one
transaction: a case with all its files, or nothing.

Abuse is held off without any third-party service:

- a honeypot field (the form's business);
- a proof of work: the page carries a challenge signed with the site's secret (random,
  with its time and difficulty). The browser finds a counter such that SHA-256 of
  "<challenge>:<counter>" starts with CHALLENGE_BITS zero bits (static portal/form.js,
  `crypto.subtle`), which costs a browser a second or two once and a sender of thousands
  of forms as many seconds. A challenge lives CHALLENGE_MAX_AGE and is spent by the
  submission that succeeds (the cache remembers it until it would have expired);
- without JavaScript (or without `crypto.subtle`, which browsers offer only over HTTPS)
  the form still works: the challenge must then be at least NO_SCRIPT_WAIT old (a person
  reads and writes for longer; a script that posts at once does not), and such
  submissions count against limits half as high, of their own;
- limits per address and per network (IPv4 /24, IPv6 /56) an hour, in the cache
  (Redis in production, shared by every worker).

When anything stops a submission, nothing the resident gave is lost: the page comes back
with every field as typed, and the files that passed their checks are held on the server
(`HeldUpload`, named in the page by signed tokens, deleted after a day).
"""

import hashlib
import ipaddress
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.cases import attachments
from kontakt.cases.links import case_link_create
from kontakt.cases.models import Attachment, Case, CaseType, Channel, Outcome
from kontakt.cases.questions import Place
from kontakt.cases.services import ContactDraft, case_attach
from kontakt.intake.services import Arrival, contact_intake
from kontakt.residents.services import ResidentDraft
from kontakt.web.counters import cache_count

from .files import describe_refusal, refused
from .models import HeldUpload

logger = logging.getLogger(__name__)

CHALLENGE_SALT = "kontakt.portal.form.challenge"
CHALLENGE_MAX_AGE = timedelta(hours=3)
NO_SCRIPT_WAIT = timedelta(seconds=8)
# A counter is a decimal number; a browser finds one far below this many digits.
SOLUTION_MAX_DIGITS = 15
HELD_SALT = "kontakt.portal.form.held"
HELD_MAX_AGE = timedelta(days=1)
# Images larger than this many pixels are refused before they are decoded.


# The proof of work ----------------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    """A challenge as the page carries it: the signed token and its difficulty."""

    token: str
    bits: int


class ChallengeRefused(Exception):
    """The challenge is not met; `reason` is one of invalid, expired, replayed, too_soon."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ChallengeMet:
    """A met challenge: its nonce (to spend), and whether a script solved it."""

    nonce: str
    scripted: bool


def _bits() -> int:
    return int(settings.KONTAKT["WEB_FORM"]["CHALLENGE_BITS"])


def challenge_issue(*, now: datetime | None = None) -> Challenge:
    """A new challenge signed with the site's secret."""
    now = now or timezone.now()
    bits = _bits()
    payload = {"n": secrets.token_urlsafe(16), "b": bits, "t": int(now.timestamp())}
    return Challenge(token=signing.dumps(payload, salt=CHALLENGE_SALT), bits=bits)


def _challenge_read(token: str, *, now: datetime) -> dict[str, Any]:
    if not isinstance(token, str) or not token or len(token) > 300:
        raise ChallengeRefused("invalid")
    try:
        payload = signing.loads(token, salt=CHALLENGE_SALT)
    except signing.BadSignature:
        raise ChallengeRefused("invalid") from None
    if not isinstance(payload, dict) or not {"n", "b", "t"} <= payload.keys():
        raise ChallengeRefused("invalid")
    issued = payload["t"]
    if not isinstance(issued, int) or now.timestamp() - issued > CHALLENGE_MAX_AGE.total_seconds():
        raise ChallengeRefused("expired")
    return payload


def challenge_reuse(token: str, *, now: datetime | None = None) -> Challenge:
    """The page's challenge again when it still holds (unspent, not expired, at today's
    difficulty or harder), so that time already waited counts; else a new one."""
    now = now or timezone.now()
    try:
        payload = _challenge_read(token, now=now)
    except ChallengeRefused:
        return challenge_issue(now=now)
    if cache.get(_spent_key(payload["n"])) is not None or payload["b"] < _bits():
        return challenge_issue(now=now)
    return Challenge(token=token, bits=int(payload["b"]))


def leading_zero_bits(digest: bytes) -> int:
    """How many of the digest's first bits are zero."""
    count = 0
    for byte in digest:
        if byte == 0:
            count += 8
            continue
        return count + 8 - byte.bit_length()
    return count


def challenge_check(*, token: str, solution: str, now: datetime | None = None) -> ChallengeMet:
    """The challenge met by the browser's counter (`solution`), or, with no counter, by the
    time a person takes; ChallengeRefused otherwise. It is not spent here."""
    now = now or timezone.now()
    payload = _challenge_read(token, now=now)
    solution = solution.strip() if isinstance(solution, str) else ""
    if solution:
        if not (solution.isascii() and solution.isdigit() and len(solution) <= SOLUTION_MAX_DIGITS):
            raise ChallengeRefused("invalid")
        digest = hashlib.sha256(f"{token}:{solution}".encode()).digest()
        bits = max(int(payload["b"]), _bits())
        if leading_zero_bits(digest) < bits:
            raise ChallengeRefused("invalid")
        scripted = True
    else:
        if now.timestamp() - payload["t"] < NO_SCRIPT_WAIT.total_seconds():
            raise ChallengeRefused("too_soon")
        scripted = False
    if cache.get(_spent_key(payload["n"])) is not None:
        raise ChallengeRefused("replayed")
    return ChallengeMet(nonce=str(payload["n"]), scripted=scripted)


def _spent_key(nonce: str) -> str:
    return f"form:challenge:{nonce}"


def challenge_spend(*, met: ChallengeMet) -> None:
    """Spend a met challenge, once: ChallengeRefused("replayed") for the second time."""
    if not cache.add(_spent_key(met.nonce), 1, timeout=int(CHALLENGE_MAX_AGE.total_seconds())):
        raise ChallengeRefused("replayed")


# Rate limits ----------------------------------------------------------------------------


def network_of(address: str) -> str:
    """The network an address is counted in: its /24 (IPv4) or /56 (IPv6)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 56
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _limits(*, scripted: bool) -> list[tuple[str, int]]:
    config = settings.KONTAKT["WEB_FORM"]
    limits = [
        ("address", int(config["PER_ADDRESS_PER_HOUR"])),
        ("network", int(config["PER_NETWORK_PER_HOUR"])),
    ]
    if not scripted:
        limits += [(f"{kind}-noscript", max(1, limit // 2)) for kind, limit in limits]
    return limits


def _rate_keys(address: str, *, scripted: bool, now: datetime) -> list[tuple[str, int]]:
    hour = int(now.timestamp() // 3600)
    network = network_of(address)
    keys = []
    for kind, limit in _limits(scripted=scripted):
        value = network if kind.startswith("network") else address[:64]
        keys.append((f"form:rate:{kind}:{value}:{hour}", limit))
    return keys


def rate_check(*, address: str, scripted: bool, now: datetime | None = None) -> datetime | None:
    """When this address may send again, or None when it may now."""
    now = now or timezone.now()
    for key, limit in _rate_keys(address, scripted=scripted, now=now):
        if int(cache.get(key, 0)) >= limit:
            return datetime.fromtimestamp((now.timestamp() // 3600 + 1) * 3600, tz=now.tzinfo)
    return None


def rate_count(*, address: str, scripted: bool, now: datetime | None = None) -> None:
    """Count one submission against the address's and its network's limits."""
    now = now or timezone.now()
    for key, _limit in _rate_keys(address, scripted=scripted, now=now):
        cache_count(key, timeout=3600 + 60)


def hold_allow(*, address: str, count: int, now: datetime | None = None) -> bool:
    """Whether `count` more files may be held for this address and its network this hour,
    and if so counted: a form that keeps coming back must not fill the disk. An address may
    have four forms' worth of files held an hour, its network four times that."""
    now = now or timezone.now()
    if count <= 0:
        return True
    hour = int(now.timestamp() // 3600)
    per_form = int(settings.KONTAKT["WEB_FORM"]["ATTACHMENTS_MAX"])
    budgets = [
        (f"form:held:address:{address[:64]}:{hour}", 4 * per_form),
        (f"form:held:network:{network_of(address)}:{hour}", 16 * per_form),
    ]
    if any(int(cache.get(key, 0)) + count > budget for key, budget in budgets):
        return False
    for key, _budget in budgets:
        cache_count(key, by=count, timeout=3600 + 60)
    return True


# Files ----------------------------------------------------------------------------------


def upload_hold(*, upload: UploadedFile, now: datetime | None = None) -> str:
    """Keep a prepared file for the form's next try; returns its signed token."""
    now = now or timezone.now()
    upload.seek(0)
    held = HeldUpload(
        name=(upload.name or "file")[:200],
        content_type=(upload.content_type or "")[:120],
        size=upload.size or 0,
        created_at=now,
    )
    held.file.save(attachments.stored_name(upload.name or "", "bin"), upload, save=False)
    held.save()
    return held_token(held)


def held_token(held: HeldUpload) -> str:
    return signing.dumps(held.pk, salt=HELD_SALT)


def held_open(tokens: list[str]) -> list[HeldUpload]:
    """The held files the page names by valid tokens (at most the form's count, in order)."""
    ids: list[int] = []
    for token in tokens[:20]:
        if not isinstance(token, str) or len(token) > 200:
            continue
        try:
            pk = signing.loads(token, salt=HELD_SALT, max_age=HELD_MAX_AGE)
        except signing.BadSignature:
            continue
        if isinstance(pk, int) and pk not in ids:
            ids.append(pk)
    found = {held.pk: held for held in HeldUpload.objects.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def held_uploads_clean(*, now: datetime | None = None) -> int:
    """Delete files held longer than a day; returns how many."""
    now = now or timezone.now()
    old = list(HeldUpload.objects.filter(created_at__lt=now - HELD_MAX_AGE))
    for held in old:
        held.file.delete(save=False)
    HeldUpload.objects.filter(pk__in=[held.pk for held in old]).delete()
    return len(old)


def _held_as_upload(held: HeldUpload) -> UploadedFile:
    with held.file.open("rb") as stored:
        data = stored.read()
    return SimpleUploadedFile(held.name, data, content_type=held.content_type)


# The submission -------------------------------------------------------------------------


@dataclass(frozen=True)
class FormDraft:
    """What a resident gives on the form, checked field by field."""

    case_type: CaseType
    description: str
    name: str
    feedback_channel: str
    email: str = ""
    phone: str = ""
    place: Place | None = None
    attributes: dict[str, object] | None = None
    language: str = "sv"


def _subject(draft: FormDraft) -> str:
    first = next((line.strip() for line in draft.description.splitlines() if line.strip()), "")
    if len(first) > 120:
        first = first[:119].rstrip() + "…"
    return first or draft.case_type.name


def form_submit(
    *,
    draft: FormDraft,
    uploads: list[UploadedFile],
    held: list[HeldUpload],
    now: datetime | None = None,
) -> tuple[Case, str]:
    """File the resident's matter through the intake, with every file, or nothing; returns
    the case and a new private link to it for the thank-you page."""
    now = now or timezone.now()
    if not (draft.case_type.published and draft.case_type.active):
        raise ValidationError({"case_type": [_("This matter can no longer be filed here.")]})
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            contact = contact_intake(
                arrival=Arrival(
                    contact=ContactDraft(
                        channel=Channel.WEB_FORM,
                        outcome=Outcome.FORWARDED,
                        case_type=draft.case_type,
                        subject=_subject(draft),
                        summary=draft.description,
                        feedback_channel=draft.feedback_channel,
                        place=draft.place,
                        attributes=dict(draft.attributes or {}),
                    ),
                    resident_details=ResidentDraft(
                        name=draft.name,
                        emails=[draft.email] if draft.email else [],
                        phones=[draft.phone] if draft.phone else [],
                        preferred_language=draft.language,
                        preferred_channel=draft.feedback_channel,
                    ),
                ),
                by=None,
                now=now,
            )
            case = contact.case
            assert case is not None
            files = [_held_as_upload(item) for item in held] + list(uploads)
            for upload in files:
                try:
                    stored.append(case_attach(case=case, upload=upload, by=None, now=now))
                except ValidationError as error:
                    raise refused(describe_refusal(upload, error)) from None
            token = case_link_create(case=case, now=now)
            HeldUpload.objects.filter(pk__in=[item.pk for item in held]).delete()
    except BaseException:
        # The rows are gone with the transaction; so must the files saved for them.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    transaction.on_commit(lambda: _files_delete([item.file for item in held]))
    return case, token


def _files_delete(files: list[Any]) -> None:
    for file in files:
        file.delete(save=False)
