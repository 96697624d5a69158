"""Text messages to residents, through a configured gateway.

`KONTAKT["SMS"]["BACKEND"]` names the backend:

* `file` (the embedded default) writes each message as one JSON line to a file per day in
  `var/sms-outbox/`, like Django's file e-mail backend;
* `http` sends each message to the gateway at `URL` (docs/sms.md):
  - a URL without placeholders gets `{"to": …, "from": …, "text": …}` posted as JSON, with an
    optional bearer `TOKEN`;
  - a URL *template* with `{to}`, `{sender}` and `{text}` (each URL-encoded where it
    stands) is asked with `METHOD` GET, or POST with the `BODY` template as a form
    (`to={to}&text={text}`), the shape of many Nordic gateways;
  the gateway's id of the message is read from its JSON answer (`id`, `message_id`,
  `messageId`, or the first of `messages`), for its delivery receipt;
* `memory` keeps messages in `outbox`, for tests.

Each send returns the gateway's id of the message and the number of parts it takes
(kontakt/core/sms_parts.py): the gateway splits a long text, and counts it so.
"""

import json
import logging
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings

from kontakt.core.sms_parts import sms_parts

logger = logging.getLogger(__name__)

PLACEHOLDERS = ("{to}", "{sender}", "{text}")
ANSWER_MAX = 64 * 1024
GATEWAY_ID_MAX = 100
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class TextMessage:
    to: str
    text: str
    sender: str
    gateway_id: str = ""
    parts: int = 1


@dataclass(frozen=True)
class SmsSent:
    """What the gateway made of a message: its id (for the receipt) and the parts it took."""

    gateway_id: str
    parts: int


outbox: list[TextMessage] = []


class SmsError(Exception):
    """The gateway refused or could not be reached."""


def send_sms(*, to: str, text: str) -> SmsSent:
    """Send one text message through the configured backend."""
    config = settings.KONTAKT["SMS"]
    sender = config["SENDER"]
    parts = sms_parts(text).count
    backend = config["BACKEND"]
    if backend == "memory":
        sent = SmsSent(gateway_id=f"memory-{uuid.uuid4().hex}", parts=parts)
        outbox.append(TextMessage(to, text, sender, sent.gateway_id, parts))
        return sent
    if backend == "file":
        sent = SmsSent(gateway_id=f"file-{uuid.uuid4().hex}", parts=parts)
        folder = Path(config["FILE_PATH"])
        folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"id": sent.gateway_id, "to": to, "from": sender, "text": text, "parts": parts},
            ensure_ascii=False,
        )
        with open(folder / f"{datetime.now(UTC):%Y-%m-%d}.jsonl", "a", encoding="utf-8") as out:
            out.write(line + "\n")
        return sent
    if backend == "http":
        return SmsSent(gateway_id=_http_send(config, to=to, text=text, sender=sender), parts=parts)
    raise SmsError(f"Unknown SMS backend {backend!r}.")


def is_template(url: str) -> bool:
    return any(placeholder in url for placeholder in PLACEHOLDERS)


def fill(template: str, *, to: str, sender: str, text: str) -> str:
    """The template with each placeholder replaced by its value, URL-encoded (a brace
    elsewhere in the template stays as written)."""
    for name, value in (("to", to), ("sender", sender), ("text", text)):
        template = template.replace("{" + name + "}", quote(value, safe=""))
    return template


def _http_request(config: Any, *, to: str, text: str, sender: str) -> urllib.request.Request:
    url = config["URL"]
    if not url.startswith(("http://", "https://")):
        raise SmsError("The SMS gateway's URL must start with http:// or https://.")
    if not is_template(url):
        body = json.dumps({"to": to, "from": sender, "text": text}).encode()
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
    else:
        method = (config.get("METHOD") or "GET").upper()
        if method not in ("GET", "POST"):
            raise SmsError(f"The SMS gateway's METHOD is GET or POST, not {method!r}.")
        filled = fill(url, to=to, sender=sender, text=text)
        data = None
        if method == "POST":
            data = fill(config.get("BODY") or "", to=to, sender=sender, text=text).encode()
        request = urllib.request.Request(filled, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
    request.add_header("Accept", "application/json")
    if config.get("TOKEN"):
        request.add_header("Authorization", f"Bearer {config['TOKEN']}")
    return request


def _http_send(config: Any, *, to: str, text: str, sender: str) -> str:
    request = _http_request(config, to=to, text=text, sender=sender)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            if response.status >= 300:
                raise SmsError(f"The SMS gateway answered {response.status}.")
            answer = response.read(ANSWER_MAX)
    except urllib.error.HTTPError as error:
        raise SmsError(f"The SMS gateway answered {error.code}.") from error
    except OSError as error:
        raise SmsError(f"The SMS gateway could not be reached: {error}") from error
    gateway_id = gateway_id_of(answer)
    if not gateway_id:
        logger.info("The SMS gateway's answer named no message id.")
    return gateway_id


def gateway_id_of(answer: bytes) -> str:
    """The message id in a gateway's JSON answer ("" when it names none)."""
    try:
        data = json.loads(answer)
    except ValueError:
        return ""
    if isinstance(data, dict) and isinstance(data.get("messages"), list) and data["messages"]:
        data = data["messages"][0]
    elif isinstance(data, list) and data:
        data = data[0]
    if not isinstance(data, dict):
        return ""
    for key in ("id", "message_id", "messageId", "sid"):
        value = data.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()[:GATEWAY_ID_MAX]
    return ""
