"""A throwaway dovecot (Debian's) on a loopback port, for the e-mail benchmark.

The same configuration as the mail tests' fixture (kontakt/mail/tests/conftest.py): IMAP
only, no TLS, one user from a passwd file, Maildir under a temporary directory. Dovecot
runs its login processes as its own users when started as root.
"""

import getpass
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "bench", "bench-imap-password"


@dataclass
class Dovecot:
    base: Path
    port: int
    process: subprocess.Popen[bytes]
    user: str = USER
    password: str = PASSWORD

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=60)
        client.login(self.user, self.password)
        return client

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.base, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start() -> Dovecot:
    if not Path(DOVECOT).exists():
        raise SystemExit(f"{DOVECOT} is absent: install Debian's dovecot-imapd.")
    me = getpass.getuser()
    login, internal = ("dovenull", "dovecot") if os.geteuid() == 0 else (me, me)
    base = Path(tempfile.mkdtemp(prefix="bench-dovecot-"))
    base.chmod(0o755)
    mail_root = base / "mail"
    mail_root.mkdir()
    mail_root.chmod(0o777)
    (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = _free_port()
    config = base / "dovecot.conf"
    config.write_text(
        f"""
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
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
  args = uid={internal} gid={internal} home={mail_root}/%u
}}
"""
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    server = Dovecot(base, port, process)
    deadline = time.monotonic() + 20
    while True:
        try:
            server.client().logout()
            return server
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.1)
