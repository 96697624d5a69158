"""Each exchange's call ids and event ids in a namespace of their own: "<exchange id>|<id>".

Events an exchange posted are re-keyed; a call takes the namespace of its events (of most of
them, where two exchanges had posted the same call id); agents' states, queued callbacks and
contacts that name such a call follow it. Events without an exchange keep their ids.
"""

from collections import Counter

from django.db import migrations, models
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat


def rekey(apps, schema_editor):
    CallEvent = apps.get_model("telephony", "CallEvent")
    Call = apps.get_model("telephony", "Call")
    Presence = apps.get_model("telephony", "Presence")
    QueuedContact = apps.get_model("telephony", "QueuedContact")
    Contact = apps.get_model("cases", "Contact")
    counts: dict[str, Counter[int | None]] = {}
    for call_id, exchange_id in CallEvent.objects.values_list("call_id", "exchange_id"):
        counts.setdefault(call_id, Counter())[exchange_id] += 1
    moved: dict[int, list[str]] = {}
    for call_id, by_exchange in counts.items():
        exchange_id = by_exchange.most_common(1)[0][0]
        if exchange_id is not None:
            moved.setdefault(exchange_id, []).append(call_id)
    prefix = Concat(Cast("exchange_id", CharField()), Value("|"))
    CallEvent.objects.filter(exchange__isnull=False).update(
        event_id=Concat(prefix, F("event_id")), call_id=Concat(prefix, F("call_id"))
    )
    for exchange_id, call_ids in moved.items():
        keyed = Value(f"{exchange_id}|")
        for start in range(0, len(call_ids), 500):
            chunk = call_ids[start : start + 500]
            Call.objects.filter(call_id__in=chunk).update(call_id=Concat(keyed, F("call_id")))
            Presence.objects.filter(call_id__in=chunk).update(call_id=Concat(keyed, F("call_id")))
            QueuedContact.objects.filter(channel="call", reference__in=chunk).update(
                reference=Concat(keyed, F("reference"))
            )
            fits = [c for c in chunk if len(c) + len(f"{exchange_id}|") <= 100]
            Contact.objects.filter(call_id__in=fits).update(call_id=Concat(keyed, F("call_id")))


class Migration(migrations.Migration):
    dependencies = [
        ("telephony", "0002_calls_answered_unqueued"),
        ("cases", "0008_contact_call_id"),
    ]

    operations = [
        migrations.AlterField(
            model_name="call",
            name="call_id",
            field=models.CharField(max_length=120, unique=True, verbose_name="call id"),
        ),
        migrations.AlterField(
            model_name="callevent",
            name="call_id",
            field=models.CharField(db_index=True, max_length=120, verbose_name="call id"),
        ),
        migrations.AlterField(
            model_name="callevent",
            name="event_id",
            field=models.CharField(max_length=120, unique=True, verbose_name="event id"),
        ),
        migrations.AlterField(
            model_name="presence",
            name="call_id",
            field=models.CharField(blank=True, max_length=120, verbose_name="call id"),
        ),
        migrations.AlterField(
            model_name="queuedcontact",
            name="reference",
            field=models.CharField(
                help_text="The call id, or the chat's or e-mail's id.",
                max_length=120,
                verbose_name="reference",
            ),
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]
