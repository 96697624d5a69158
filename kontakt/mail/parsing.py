"""An e-mail as Kontakt reads it: the stdlib `email` package (policy `default`) over the raw
bytes, made robust to what arrives from the world.

- Every header is read on its own; one that does not parse is read as plain text, and an
  address that does not parse is kept as written.
- A part in a charset Python does not know, or with bytes its charset does not allow, is
  decoded with replacement characters: the text is readable and nothing raises.
- HTML is never kept as HTML: nh3 removes scripts, styles and every tag but a few block
  ones, and `html.parser` turns what is left into text.
- The quoted earlier conversation ("On … wrote:", "> …") is folded apart from the text.
- Automatic replies (RFC 3834 `Auto-Submitted`, `X-Autoreply`, `X-Autorespond`,
  `Precedence: bulk|junk|auto_reply`, out-of-office subjects) and delivery status
  notifications (RFC 3464 `multipart/report; report-type=delivery-status`) are recognised.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

import nh3

MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
# Subjects of automatic replies in the languages residents write in.
AUTO_SUBJECT = re.compile(
    r"^\s*(?:auto(?:matic)?[ -]?(?:reply|response|svar)|automatiskt svar|automatisk svar"
    r"|out of (?:the )?office|frånvaro|fravær|fraværsmelding|ikke til stede|autosvar"
    r"|abwesenheit|auto:|undeliver|delivery status notification|mail delivery failed"
    r"|returned mail|olevererbart|kunne ikke leveres)",
    re.IGNORECASE,
)
AUTO_PRECEDENCE = {"bulk", "junk", "auto_reply", "list"}
# Lines that begin the quoted earlier conversation.
ATTRIBUTION = re.compile(
    r"^(?:On .{4,200} wrote:|Den .{4,200} skrev:|.{4,200} skrev:|.{4,200} wrote:"
    r"|-{2,}\s*(?:Original Message|Ursprungligt meddelande|Opprinnelig melding"
    r"|Originalmeddelande|Forwarded message|Vidarebefordrat meddelande)\s*-{2,}"
    r"|(?:From|Från|Fra):\s.+)\s*$",
    re.IGNORECASE,
)
SUBJECT_MAX = 300
NAME_MAX = 200


@dataclass(frozen=True)
class Part:
    """A file that came with the mail, as it came."""

    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class FailedRecipient:
    address: str
    status: str
    diagnostic: str


@dataclass
class ParsedMail:
    message_id: str
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    from_address: str = ""
    from_name: str = ""
    to: str = ""
    subject: str = ""
    date: datetime | None = None
    text: str = ""
    quoted: str = ""
    auto_reply: bool = False
    bounce: bool = False
    failed: list[FailedRecipient] = field(default_factory=list)
    original_message_id: str = ""
    parts: list[Part] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """The Message-IDs this mail answers, nearest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        return ids + [mid for mid in reversed(self.references) if mid not in ids]


def hashed_message_id(raw: bytes) -> str:
    """The id of a message that has none: the same bytes always get the same one."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.kontakt.invalid>"


def _header(message: Message, name: str) -> str:
    """A header's text, or "" — never an exception, whatever the header holds."""
    try:
        value = message.get(name)
    except Exception:  # a header the policy cannot parse: read its raw text
        raw = dict(message.raw_items()).get(name) if isinstance(message, EmailMessage) else None
        value = raw
    if value is None:
        return ""
    try:
        text = str(value)
    except Exception:
        return ""
    return " ".join(text.replace("\x00", "").split())


def _ids(text: str) -> list[str]:
    return MESSAGE_ID.findall(text)


def _address(text: str) -> tuple[str, str]:
    name, address = parseaddr(text)
    address = address.strip().lower()
    if "@" not in address or len(address) > 254 or any(ch.isspace() for ch in address):
        address = ""
    return name.strip()[:NAME_MAX], address


def _decoded(part: Message) -> str:
    """The text of a text part, in whatever charset it claims (replacement if wrong)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload()).encode("utf-8", "replace")
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", errors="replace")


class _TextOfHtml(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.chunks.append("\n")
        if tag == "li":
            self.chunks.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def html_to_text(html: str) -> str:
    """The text of an HTML mail: scripts, styles and all markup gone."""
    cleaned = nh3.clean(html, tags=_TextOfHtml.BLOCKS, attributes={}, strip_comments=True)
    parser = _TextOfHtml()
    parser.feed(cleaned)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.chunks).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def fold_quote(text: str) -> tuple[str, str]:
    """The text and the quoted earlier conversation it ends with."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        if index > 0 and ATTRIBUTION.match(stripped):
            return "\n".join(lines[:index]).strip(), "\n".join(lines[index:]).strip()
        if stripped.startswith(">"):
            rest = [other.strip() for other in lines[index:]]
            if all(not other or other.startswith(">") for other in rest):
                return "\n".join(lines[:index]).strip(), "\n".join(lines[index:]).strip()
    return text, ""


# Senders that only ever send automatic mail (RFC 3834 section 2: never answer them).
AUTO_SENDERS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply"}


def _is_auto(message: Message, subject: str, sender: str) -> bool:
    if sender.split("@")[0] in AUTO_SENDERS or _header(message, "Return-Path") == "<>":
        return True
    auto_submitted = _header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return True
    if _header(message, "Precedence").strip().lower() in AUTO_PRECEDENCE:
        return True
    if _header(message, "X-Auto-Response-Suppress") and AUTO_SUBJECT.match(subject):
        return True
    return bool(AUTO_SUBJECT.match(subject))


def _delivery_status(report: Message, parsed: ParsedMail) -> None:
    """The failed recipients of a delivery status notification and the message it is about."""
    for part in report.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            blocks = part.get_payload()
            if not isinstance(blocks, list):
                text = _decoded(part)
                blocks = [
                    BytesHeaderParser(policy=policy.default).parsebytes(chunk.encode())
                    for chunk in re.split(r"\n\s*\n", text)
                ]
            for block in blocks[1:] if len(blocks) > 1 else blocks:
                if not isinstance(block, Message):
                    continue
                recipient = _header(block, "Final-Recipient") or _header(
                    block, "Original-Recipient"
                )
                address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
                status = _header(block, "Status")
                action = _header(block, "Action").lower()
                if address and (status.startswith("5") or action == "failed"):
                    parsed.failed.append(
                        FailedRecipient(
                            address=address[:254],
                            status=status[:20],
                            diagnostic=_header(block, "Diagnostic-Code")[:250],
                        )
                    )
        elif content_type in ("message/rfc822", "text/rfc822-headers") and not (
            parsed.original_message_id
        ):
            if content_type == "message/rfc822":
                inner = part.get_payload()
                original = inner[0] if isinstance(inner, list) and inner else None
            else:
                original = BytesHeaderParser(policy=policy.default).parsebytes(
                    _decoded(part).encode()
                )
            if isinstance(original, Message):
                found = _ids(_header(original, "Message-ID"))
                parsed.original_message_id = found[0] if found else ""


def _filename(part: Message, index: int) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = " ".join(str(name).replace("\x00", "").split())
    return (name or f"attachment-{index}")[:NAME_MAX]


def parse(raw: bytes) -> ParsedMail:
    """Read a message; never raises on what a sender may send."""
    message = message_from_bytes(raw, policy=policy.default)
    found = _ids(_header(message, "Message-ID"))
    parsed = ParsedMail(message_id=found[0] if found else hashed_message_id(raw))
    reply_ids = _ids(_header(message, "In-Reply-To"))
    parsed.in_reply_to = reply_ids[0] if reply_ids else ""
    parsed.references = _ids(_header(message, "References"))[-50:]
    parsed.from_name, parsed.from_address = _address(_header(message, "From"))
    try:
        recipients = getaddresses([_header(message, "To")])
        parsed.to = ", ".join(address for _, address in recipients if address)[:500]
    except Exception:
        parsed.to = _header(message, "To")[:500]
    parsed.subject = _header(message, "Subject")[:SUBJECT_MAX]
    try:
        parsed.date = parsedate_to_datetime(_header(message, "Date"))
        if parsed.date.tzinfo is None:
            parsed.date = None
    except (TypeError, ValueError, IndexError):
        parsed.date = None
    if message.defects:
        parsed.problems += [type(defect).__name__ for defect in message.defects]

    is_report = message.get_content_type() == "multipart/report"
    report_type = message.get_param("report-type", "")
    if is_report and str(report_type).lower() == "delivery-status":
        parsed.bounce = True
        _delivery_status(message, parsed)
    parsed.auto_reply = not parsed.bounce and _is_auto(message, parsed.subject, parsed.from_address)

    plain: list[str] = []
    html: list[str] = []
    for index, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        if part.defects:
            parsed.problems += [type(defect).__name__ for defect in part.defects]
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        if parsed.bounce and content_type in (
            "message/delivery-status",
            "text/rfc822-headers",
        ):
            continue
        if disposition != "attachment" and content_type == "text/plain":
            plain.append(_decoded(part))
        elif disposition != "attachment" and content_type == "text/html":
            html.append(_decoded(part))
        elif content_type != "message/rfc822" or disposition == "attachment":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload:
                parsed.parts.append(
                    Part(
                        name=_filename(part, index),
                        content_type=content_type[:120],
                        content=payload,
                    )
                )
    text = "\n\n".join(plain) if plain else "\n\n".join(html_to_text(doc) for doc in html)
    parsed.text, parsed.quoted = fold_quote(_clean_text(text))
    return parsed
