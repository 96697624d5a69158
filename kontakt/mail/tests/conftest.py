"""A real IMAP server (Debian's dovecot) and a real SMTP server (aiosmtpd) on loopback,
started once per test session; each test gets a folder of its own on the IMAP server."""

import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from imapclient import IMAPClient

from kontakt.directory.models import AnswerGroup
from kontakt.mail.models import Mailbox, MailboxKind
from kontakt.mail.tests.imap_server import DovecotUnavailable, dovecot_start, free_port
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import AgentSkill, RoutingSettings

USER, PASSWORD = "kontakt", "imap-test-password"


@dataclass(frozen=True)
class Imap:
    host: str
    port: int
    user: str
    password: str

    def client(self) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def folder(self) -> str:
        """A new, empty folder."""
        name = f"t{uuid.uuid4().hex[:12]}"
        with self.client() as client:
            client.create_folder(name)
        return name

    def append(self, folder: str, *messages: bytes) -> None:
        with self.client() as client:
            for raw in messages:
                client.append(folder, raw)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Imap]:
    try:
        server = dovecot_start(user=USER, password=PASSWORD)
    except DovecotUnavailable as missing:
        pytest.skip(f"{missing}: the IMAP tests need Debian's dovecot-imapd")
    yield Imap("127.0.0.1", server.port, USER, PASSWORD)
    server.stop()


@dataclass
class Captured:
    messages: list[EmailMessage] = field(default_factory=list)

    def wait(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


class _Handler:
    def __init__(self, captured: Captured) -> None:
        self.captured = captured

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.captured.messages.append(message)
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[int, Captured]]:
    captured = Captured()
    port = free_port()
    controller = Controller(_Handler(captured), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, captured
    controller.stop()


@pytest.fixture
def smtp(smtp_server, settings) -> Captured:
    """Mail sent goes by Django's SMTP backend to the loopback server; what it got."""
    port, captured = smtp_server
    captured.messages.clear()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
    }
    return captured


@pytest.fixture
def group(db) -> AnswerGroup:
    made = AnswerGroup.objects.create(name="Kontaktcenter", code="kc")
    RoutingSettings.objects.create(answer_group=made, skill="allmant", wrap_up_seconds=0)
    return made


@pytest.fixture
def mail_agent(agent, group):
    """The agent, with the general skill, Swedish and English, ready for e-mail."""
    AgentSkill.objects.create(agent=agent, skill="allmant", proficiency=4)
    agent.languages = ["sv", "en"]
    agent.save()
    telephony_services.presence_change(agent=agent, state="ready", by=agent)
    return agent


@pytest.fixture
def imap_mailbox(dovecot, group) -> Mailbox:
    return Mailbox.objects.create(
        name="Kontaktcenter",
        kind=MailboxKind.IMAP,
        host=dovecot.host,
        port=dovecot.port,
        ssl=False,
        username=dovecot.user,
        password=dovecot.password,
        folder=dovecot.folder(),
        answer_group=group,
    )


@pytest.fixture
def drop_mailbox(group, settings, tmp_path) -> Mailbox:
    settings.KONTAKT = {
        **settings.KONTAKT,
        "MAIL": {**settings.KONTAKT["MAIL"], "DROP_DIR": str(tmp_path / "drop")},
    }
    (tmp_path / "drop").mkdir()
    return Mailbox.objects.create(name="Drop", kind=MailboxKind.DROP, answer_group=group)


def eml(
    *,
    sender: str = "Elsa Berg <elsa@example.org>",
    subject: str = "Soptunnan har inte tömts",
    body: str = "Hej! Soptunnan har inte tömts på två veckor. Kan ni hjälpa mig?",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    html: str | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "kontakt@sjostad.example"
    message["Subject"] = subject
    message["Date"] = "Mon, 07 Dec 2026 10:00:00 +0100"
    message["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@example.org>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for name, content_type, content in attachments:
        main, sub = content_type.split("/")
        message.add_attachment(content, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()
