"""Reading a mailbox on an IMAP server (IMAPClient).

Each round: sign in, select the folder, compare its UIDVALIDITY with the one stored (a new
one means the server renumbered the folder: reading starts again from UID 1, and the
Message-IDs already stored keep those messages from coming twice), fetch the messages
with UIDs above the last one stored (`BODY.PEEK[]`, so reading marks nothing), store each
(`mail_receive` commits it), then advance the last UID and mark them seen. A process that
dies between fetching and storing reads the same UIDs again next time; they are stored
once.
"""

import ssl as tls
from collections.abc import Callable
from datetime import datetime

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from kontakt.telephony.services import routing_batch

from .models import Mailbox
from .services import mail_receive, mailbox_checked

BATCH = 50
TIMEOUT_SECONDS = 30


def _uids_after(client: IMAPClient, last_uid: int) -> list[int]:
    # "n:*" always includes the folder's last message, even below n: filter.
    return sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)


def mailbox_read(
    mailbox: Mailbox,
    *,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Read the mailbox's new messages; their number. A failure is recorded on the
    mailbox (and the next poll tries again), never raised."""
    read = 0
    try:
        # New mail is routed once per read, not once per message (a backlog stays linear).
        with (
            routing_batch(),
            IMAPClient(
                mailbox.host, port=mailbox.port, ssl=mailbox.ssl, timeout=TIMEOUT_SECONDS
            ) as client,
        ):
            client.login(mailbox.username, mailbox.password)
            selected = client.select_folder(mailbox.folder)
            validity = int(selected[b"UIDVALIDITY"])
            if mailbox.uidvalidity != validity:
                mailbox.uidvalidity, mailbox.last_uid = validity, 0
                Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=validity, last_uid=0)
            uids = _uids_after(client, mailbox.last_uid)
            for start in range(0, len(uids), BATCH):
                batch = uids[start : start + BATCH]
                fetched = client.fetch(batch, ["BODY.PEEK[]"])
                for uid in batch:
                    raw = fetched.get(uid, {}).get(b"BODY[]")
                    if isinstance(raw, bytes):
                        mail_receive(raw, mailbox=mailbox, uid=uid, now=now)
                        read += 1
                # Stored and committed: only now is the mailbox told.
                mailbox.last_uid = batch[-1]
                Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=batch[-1])
                client.add_flags(batch, [b"\\Seen"], silent=True)
                if progress is not None:
                    progress(len(batch), len(uids))
    except (TimeoutError, IMAPClientError, OSError, tls.SSLError) as failure:
        mailbox_checked(mailbox=mailbox, error=str(failure) or type(failure).__name__, now=now)
        return read
    mailbox_checked(mailbox=mailbox, now=now)
    return read
