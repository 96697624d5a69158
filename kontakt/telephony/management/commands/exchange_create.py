"""kontakt exchange_create NAME: a telephone exchange's token for the telephony API."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kontakt.telephony import services


class Command(BaseCommand):
    help = "Register a telephone exchange and print its token (shown once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        try:
            _exchange, key = services.exchange_create(name=name)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(key)
