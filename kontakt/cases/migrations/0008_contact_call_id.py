from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_call_ids(apps, schema_editor):
    """Each phone contact keeps its call, now named by the exchange's id (one UPDATE)."""
    Contact = apps.get_model("cases", "Contact")
    Call = apps.get_model("telephony", "Call")
    exchange_id = Call.objects.filter(pk=OuterRef("call_id")).values("call_id")[:1]
    Contact.objects.filter(call__isnull=False).update(call_ref=Subquery(exchange_id))


def copy_call_ids_back(apps, schema_editor):
    Contact = apps.get_model("cases", "Contact")
    Call = apps.get_model("telephony", "Call")
    row = Call.objects.filter(call_id=OuterRef("call_ref")).values("pk")[:1]
    Contact.objects.exclude(call_ref="").update(call=Subquery(row))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_contact_call"),
        ("telephony", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="call_ref",
            field=models.CharField(blank=True, max_length=100, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(copy_call_ids, copy_call_ids_back),
        migrations.RemoveField(model_name="contact", name="call"),
        migrations.RenameField(model_name="contact", old_name="call_ref", new_name="call_id"),
        migrations.AlterField(
            model_name="contact",
            name="call_id",
            field=models.CharField(
                blank=True, db_index=True, max_length=100, verbose_name="call id"
            ),
        ),
    ]
