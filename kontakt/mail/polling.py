"""One round over every active mailbox and the drop folder (the periodic task, the
`mail_poll` command and the admin's "read now" share it)."""

from collections.abc import Callable, Iterable

from .drop import drop_folder_read
from .imap import mailbox_read
from .models import Mailbox, MailboxKind


def mailbox_poll(mailbox: Mailbox, *, progress: Callable[[int, int], None] | None = None) -> int:
    if mailbox.kind == MailboxKind.DROP:
        return drop_folder_read(mailbox=mailbox, progress=progress)
    return mailbox_read(mailbox, progress=progress)


def mailboxes_poll(
    mailboxes: Iterable[Mailbox] | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Read each mailbox (every active one by default); messages read per mailbox. The
    drop folder is read even without a drop mailbox (its mail is queued in the first
    active mailbox's answer group)."""
    chosen = list(mailboxes if mailboxes is not None else Mailbox.objects.filter(active=True))
    read = {mailbox.name: mailbox_poll(mailbox, progress=progress) for mailbox in chosen}
    if mailboxes is None and not any(mailbox.kind == MailboxKind.DROP for mailbox in chosen):
        read[""] = drop_folder_read(mailbox=None, progress=progress)
    return read
