"""kontakt open311_client_create NAME: a civic app's API key for Open311."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kontakt.open311.services import open311_client_create


class Command(BaseCommand):
    help = (
        "Register a civic app (FixMyStreet, a city's own app) that files service requests "
        "through Open311 at /open311/v2/, and print its API key (shown once)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        try:
            _client, key = open311_client_create(name=name)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(key)
