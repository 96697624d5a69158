"""A real clamd for the virus-scan tests, started on loopback with a database of its own.

There is no signature download in tests: the database is one .ndb file with the EICAR test
file's signature. clamd (Debian's clamav-daemon, installed by `scripts/bootstrap --dev`)
listens on a unix socket in tmp and on a free 127.0.0.1 port. Without the binary the tests
that need it are skipped, or fail with KONTAKT_TEST_REQUIRE_SERVICES=1 (as `make test` runs).
"""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .samples import EICAR

SIGNATURE = "Kontakt.Test.EICAR"


@dataclass(frozen=True)
class Clamd:
    unix_socket: str
    tcp_address: str
    log: Path


def _clamd_binary() -> str | None:
    return shutil.which("clamd") or next(
        (path for path in ("/usr/sbin/clamd", "/usr/local/sbin/clamd") if os.access(path, os.X_OK)),
        None,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX) as client:
            client.settimeout(2)
            client.connect(path)
            client.sendall(b"zPING\0")
            return client.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clamd]:
    binary = _clamd_binary()
    if binary is None:
        if os.environ.get("KONTAKT_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail("clamd is required (--require-services): apt-get install clamav-daemon")
        pytest.skip("clamd is not installed (apt-get install clamav-daemon)")
    # A short folder: a unix socket's path may not be longer than 107 bytes.
    home = Path(tmp_path_factory.mktemp("clamd"))
    database = home / "db"
    database.mkdir()
    (database / "kontakt-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
    unix_socket = home / "clamd.sock"
    port = _free_port()
    config = home / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"DatabaseDirectory {database}",
                f"LocalSocket {unix_socket}",
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                f"LogFile {home / 'clamd.log'}",
                f"PidFile {home / 'clamd.pid'}",
                "StreamMaxLength 50M",
                "SelfCheck 0",
                "",
            ]
        )
    )
    process = subprocess.Popen(
        [binary, "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120  # loading takes a second; a busy machine longer
        while not _answers(str(unix_socket)):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (home / "clamd.log").read_text() if (home / "clamd.log").exists() else ""
                pytest.fail(f"clamd did not start (exit {process.returncode}):\n{log}")
            time.sleep(0.1)
        yield Clamd(str(unix_socket), f"127.0.0.1:{port}", home / "clamd.log")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
