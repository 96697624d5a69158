"""kontakt scim_client_create NAME: an identity system's token for the SCIM endpoint."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kontakt.directory.scim.services import provisioning_client_create


class Command(BaseCommand):
    help = (
        "Register an identity system (Entra ID, Keycloak, …) that provisions the directory "
        "over SCIM at /scim/v2/, and print its bearer token (shown once)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        try:
            _client, key = provisioning_client_create(name=name)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(key)
