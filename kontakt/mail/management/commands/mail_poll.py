from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from kontakt.mail.models import Mailbox
from kontakt.mail.polling import mailboxes_poll


class Command(BaseCommand):
    help = "Read the mailboxes (every active one, or those named) and the mail-drop folder now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="Mailbox names (default: every active).")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["names"]
        chosen = list(Mailbox.objects.filter(name__in=names)) if names else None
        with tqdm(unit="mail", disable=options["verbosity"] == 0) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = max(bar.total or 0, total)
                bar.update(done)

            read = mailboxes_poll(chosen, progress=progress)
        for name, count in read.items():
            self.stdout.write(f"{name or 'drop folder'}: {count}")
        for mailbox in chosen or Mailbox.objects.filter(active=True):
            mailbox.refresh_from_db()
            if mailbox.last_error:
                self.stderr.write(f"{mailbox.name}: {mailbox.last_error}")
