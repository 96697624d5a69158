"""Text messages to residents, through a configured gateway.

`KONTAKT["SMS"]["BACKEND"]` names the backend:

* `file` (the embedded default) writes each message as one JSON line to a file per day in
  `var/sms-outbox/`, like Django's file e-mail backend;
* `http` posts `{"to": …, "from": …, "text": …}` as JSON to `URL` with an optional bearer
  `TOKEN`, the shape most SMS gateways (and a small adapter for the rest) accept;
* `memory` keeps messages in `outbox`, for tests.
"""

import json
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class TextMessage:
    to: str
    text: str
    sender: str


outbox: list[TextMessage] = []


class SmsError(Exception):
    """The gateway refused or could not be reached."""


def send_sms(*, to: str, text: str) -> None:
    """Send one text message through the configured backend."""
    config = settings.KONTAKT["SMS"]
    message = TextMessage(to=to, text=text, sender=config["SENDER"])
    backend = config["BACKEND"]
    if backend == "memory":
        outbox.append(message)
    elif backend == "file":
        folder = Path(config["FILE_PATH"])
        folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"to": to, "from": message.sender, "text": text}, ensure_ascii=False)
        with open(folder / f"{datetime.now(UTC):%Y-%m-%d}.jsonl", "a", encoding="utf-8") as out:
            out.write(line + "\n")
    elif backend == "http":
        body = json.dumps({"to": to, "from": message.sender, "text": text}).encode()
        request = urllib.request.Request(
            config["URL"], data=body, headers={"Content-Type": "application/json"}
        )
        if config.get("TOKEN"):
            request.add_header("Authorization", f"Bearer {config['TOKEN']}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                if response.status >= 300:
                    raise SmsError(f"The SMS gateway answered {response.status}.")
        except OSError as error:
            raise SmsError(f"The SMS gateway could not be reached: {error}") from error
    else:
        raise SmsError(f"Unknown SMS backend {backend!r}.")
