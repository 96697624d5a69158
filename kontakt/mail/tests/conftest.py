"""A real IMAP server (Debian's dovecot) and a real SMTP server (aiosmtpd) on loopback,
started once per test session; each test gets a folder of its own on the IMAP server."""

import getpass
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from imapclient import IMAPClient

from kontakt.directory.models import AnswerGroup
from kontakt.mail.models import Mailbox, MailboxKind
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import AgentSkill, RoutingSettings

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "kontakt", "imap-test-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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


def _dovecot_users() -> tuple[str, str, str]:
    """(login user, internal user, mail user). Dovecot will not run its login processes
    as root: a root test run uses the package's own users."""
    me = getpass.getuser()
    if os.geteuid() != 0:
        return me, me, me
    for name in ("dovenull", "dovecot"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            pytest.skip(f"dovecot runs as root only with its user {name!r}, which is absent")
    return "dovenull", "dovecot", "dovecot"


def dovecot_config(base: Path, port: int) -> Path:
    login, internal, mail_user = _dovecot_users()
    mail_root = base / "mail"
    mail_root.mkdir()
    mail_root.chmod(0o777)
    (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    config = base / "dovecot.conf"
    config.write_text(
        f"""
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login}
default_internal_user = {internal}
first_valid_uid = 1
mail_location = maildir:{mail_root}/%u/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={mail_root}/%u
}}
"""
    )
    return config


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Imap]:
    if not Path(DOVECOT).exists():
        pytest.skip(f"{DOVECOT} is absent: install Debian's dovecot-imapd to run the IMAP tests")
    # Not under pytest's tmp dir: dovecot's own users must reach it (that one is 0700).
    base = Path(tempfile.mkdtemp(prefix="kontakt-dovecot-"))
    base.chmod(0o755)
    port = free_port()
    config = dovecot_config(base, port)
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    imap = Imap("127.0.0.1", port, USER, PASSWORD)
    deadline = time.monotonic() + 20
    while True:
        try:
            imap.client().logout()
            break
        except Exception as failure:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log = (base / "dovecot.log").read_text() if (base / "dovecot.log").exists() else ""
                raise RuntimeError(f"dovecot did not start: {failure}\n{log}") from failure
            time.sleep(0.1)
    yield imap
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(base, ignore_errors=True)


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
