"""kontakt knowledge_reminders: a task for each article past its review date (run daily)."""

from typing import Any

from django.core.management.base import BaseCommand

from kontakt.knowledge.services import articles_review_remind


class Command(BaseCommand):
    help = "Give the owner of every published article past its review date a task and an e-mail."

    def handle(self, *args: Any, **options: Any) -> None:
        flags = articles_review_remind()
        self.stdout.write(f"{len(flags)} articles are due for review.")
