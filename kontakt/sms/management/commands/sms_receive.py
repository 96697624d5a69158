"""Take in a text message as if the gateway's webhook had brought it (for the demo, and to
try the threading by hand): `kontakt sms_receive --from +46701234567 "Hej, …"`."""

import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kontakt.sms import services


class Command(BaseCommand):
    help = "Receive a text message from a resident through the same service as the webhook."

    def add_arguments(self, parser):
        parser.add_argument("text", help="The message.")
        parser.add_argument("--from", dest="sender", required=True, help="The sender's number.")
        parser.add_argument("--to", default="", help="The number it was sent to.")
        parser.add_argument(
            "--id", default="", help="The gateway's id of the message (default: a new one)."
        )

    def handle(self, *args, **options):
        draft = services.InboundDraft(
            gateway_id=options["id"] or f"cli-{uuid.uuid4().hex}",
            sender=options["sender"],
            to=options["to"],
            text=options["text"],
        )
        try:
            inbound, new = services.sms_receive(draft=draft)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        if not new:
            self.stdout.write(f"Already received as message {inbound.pk}.")
        elif inbound.case is not None:
            self.stdout.write(f"On case {inbound.case.reference}.")
        elif inbound.queued is not None:
            self.stdout.write(f"Queued for an agent: {inbound.queued.url}")
        else:
            self.stdout.write(f"Stored as message {inbound.pk}, {inbound.get_state_display()}.")
