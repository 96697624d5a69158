from django.core.management.base import BaseCommand, CommandError

from kontakt.accounts.models import User
from kontakt.accounts.selectors import is_staff_user
from kontakt.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a staff user and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="integration", help="What the token is for.")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not is_staff_user(user):
            raise CommandError(f"{username!r} has no staff role; give them one first.")
        _token, key = api_token_create(user=user, name=name)
        self.stdout.write(key)
