"""Record a delivery receipt as if the gateway had sent it: `kontakt sms_receipt <id>
delivered` (the ids of the demo's messages stand in var/sms-outbox/*.jsonl)."""

from django.core.management.base import BaseCommand

from kontakt.cases import notices


class Command(BaseCommand):
    help = "Record the gateway's delivery receipt of a text message sent to a resident."

    def add_arguments(self, parser):
        parser.add_argument("id", help="The gateway's id of the message.")
        parser.add_argument("status", help="delivered, failed, expired, …")
        parser.add_argument("--error", default="", help="Why it failed.")

    def handle(self, *args, **options):
        notice = notices.sms_receipt_record(
            receipt=notices.SmsReceipt(
                gateway_id=options["id"], status=options["status"], error=options["error"]
            )
        )
        if notice is None:
            self.stdout.write("No message sent with that id (or not a final status): ignored.")
        else:
            self.stdout.write(f"Recorded on notice {notice.pk}: {notice.get_state_display()}.")
