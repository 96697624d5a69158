"""Calls answered without a `queued` event before the answer were stored as queued when
answered, with a wait of 0 s; they never waited in a queue, so they have no queued time and
no wait (and leave the service-level figures), as kontakt.core.call_events now has it."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def unqueue_answered_without_queued(apps, schema_editor):
    Call = apps.get_model("telephony", "Call")
    CallEvent = apps.get_model("telephony", "CallEvent")
    queued_first = CallEvent.objects.filter(
        call_id=OuterRef("call_id"), type="queued", at__lte=OuterRef("answered_at")
    )
    # Only an answer sets queued_at without a queued event, so answered calls are the ones.
    Call.objects.filter(queued_at__isnull=False, answered_at__isnull=False).exclude(
        Exists(queued_first)
    ).update(queued_at=None, wait_seconds=None)


class Migration(migrations.Migration):
    dependencies = [("telephony", "0001_initial")]

    operations = [
        migrations.RunPython(unqueue_answered_without_queued, migrations.RunPython.noop),
    ]
