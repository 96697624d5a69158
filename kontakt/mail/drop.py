"""The mail-drop folder: `.eml` files (or a Maildir's `new/`) in KONTAKT["MAIL"]["DROP_DIR"],
each read by the same `mail_receive` as mail from IMAP. The embedded default: `make demo`
needs no mail server.

A file is moved to `done/` (a Maildir's message to `cur/`, marked seen) only after its
message is stored and committed; a process that dies in between reads it again next
time, and its Message-ID keeps it stored once.
"""

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from django.conf import settings

from kontakt.telephony.services import routing_batch

from .models import Mailbox
from .services import mail_receive, mailbox_checked


def drop_dir(mailbox: Mailbox | None) -> Path:
    """The folder a drop mailbox reads: its own folder if it names one, else DROP_DIR."""
    if mailbox is not None and mailbox.folder.startswith("/"):
        return Path(mailbox.folder)
    return Path(settings.KONTAKT["MAIL"]["DROP_DIR"])


def _waiting(folder: Path) -> list[tuple[Path, Path]]:
    """Each file to read and where it goes once stored."""
    found = [(path, folder / "done" / path.name) for path in sorted(folder.glob("*.eml"))]
    new = folder / "new"
    if new.is_dir():
        found += [
            (path, folder / "cur" / f"{path.name.split(':')[0]}:2,S")
            for path in sorted(new.iterdir())
            if path.is_file() and not path.name.startswith(".")
        ]
    return found


def drop_folder_read(
    *,
    mailbox: Mailbox | None,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Read the files waiting in the drop folder; their number."""
    folder = drop_dir(mailbox)
    if not folder.is_dir():
        return 0
    waiting = _waiting(folder)
    read = 0
    try:
        with routing_batch():  # new mail routed once per read, not once per message
            for path, done in waiting:
                raw = path.read_bytes()
                mail_receive(raw, mailbox=mailbox, now=now)
                done.parent.mkdir(parents=True, exist_ok=True)
                if done.exists():
                    done = done.with_name(f"{done.stem}-{os.getpid()}-{read}{done.suffix}")
                os.replace(path, done)
                read += 1
                if progress is not None:
                    progress(1, len(waiting))
    except OSError as failure:
        if mailbox is not None:
            mailbox_checked(mailbox=mailbox, error=str(failure), now=now)
        return read
    if mailbox is not None:
        mailbox_checked(mailbox=mailbox, now=now)
    return read
