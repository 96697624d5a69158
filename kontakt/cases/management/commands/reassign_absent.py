from django.core.management.base import BaseCommand

from kontakt.cases.services import cases_of_absent_handlers_reassign


class Command(BaseCommand):
    help = "Hand open cases of handlers who are out of office today to their substitute or queue."

    def handle(self, *args, **options):
        moved = cases_of_absent_handlers_reassign()
        self.stdout.write(f"{moved} open cases handed on.")
