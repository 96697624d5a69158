"""A throwaway dovecot (Debian's) on a loopback port: IMAP only, no TLS, one user from a
passwd file, Maildir under a temporary directory. The mail tests' fixture and the e-mail
benchmark (bench/mail_ingest.py) both start theirs here."""

import getpass
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

DOVECOT = "/usr/sbin/dovecot"


class DovecotUnavailable(Exception):
    """Dovecot is not installed, or cannot run as this user."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _dovecot_users() -> tuple[str, str, str]:
    """(login user, internal user, mail user). Dovecot will not run its login processes
    as root: a root run uses the package's own users."""
    me = getpass.getuser()
    if os.geteuid() != 0:
        return me, me, me
    for name in ("dovenull", "dovecot"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            raise DovecotUnavailable(
                f"dovecot runs as root only with its user {name!r}, which is absent"
            ) from None
    return "dovenull", "dovecot", "dovecot"


def dovecot_config(base: Path, port: int, *, user: str, password: str) -> Path:
    login, internal, mail_user = _dovecot_users()
    mail_root = base / "mail"
    mail_root.mkdir()
    mail_root.chmod(0o777)
    (base / "passwd").write_text(f"{user}:{{PLAIN}}{password}\n")
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


@dataclass
class Dovecot:
    base: Path
    port: int
    process: subprocess.Popen[bytes]
    user: str
    password: str

    def client(self, *, timeout: float = 60) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=timeout)
        client.login(self.user, self.password)
        return client

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.base, ignore_errors=True)


def dovecot_start(*, user: str, password: str, prefix: str = "kontakt-dovecot-") -> Dovecot:
    """Start one and wait until it answers (20 s at most); raises DovecotUnavailable."""
    if not Path(DOVECOT).exists():
        raise DovecotUnavailable(f"{DOVECOT} is absent: install Debian's dovecot-imapd")
    # Not under pytest's tmp dir: dovecot's own users must reach it (that one is 0700).
    base = Path(tempfile.mkdtemp(prefix=prefix))
    base.chmod(0o755)
    port = free_port()
    try:
        config = dovecot_config(base, port, user=user, password=password)
    except DovecotUnavailable:
        shutil.rmtree(base, ignore_errors=True)
        raise
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    server = Dovecot(base, port, process, user, password)
    deadline = time.monotonic() + 20
    while True:
        try:
            server.client(timeout=10).logout()
            return server
        except Exception as failure:
            if process.poll() is not None or time.monotonic() > deadline:
                log_file = base / "dovecot.log"
                log = log_file.read_text() if log_file.exists() else ""
                server.stop()
                raise RuntimeError(f"dovecot did not start: {failure}\n{log}") from failure
            time.sleep(0.1)
