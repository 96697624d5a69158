from django.db import migrations, models


def copy_call_ids(apps, schema_editor):
    """Each phone contact keeps its call, now named by the exchange's id."""
    Contact = apps.get_model("cases", "Contact")
    Call = apps.get_model("telephony", "Call")
    ids = dict(Call.objects.values_list("pk", "call_id"))
    linked = Contact.objects.filter(call__isnull=False).only("pk", "call")
    for contact in linked.iterator(chunk_size=2000):
        contact.call_ref = ids.get(contact.call_id, "")
        contact.save(update_fields=["call_ref"])


def copy_call_ids_back(apps, schema_editor):
    Contact = apps.get_model("cases", "Contact")
    Call = apps.get_model("telephony", "Call")
    pks = dict(Call.objects.values_list("call_id", "pk"))
    for contact in Contact.objects.exclude(call_ref="").only("pk", "call_ref").iterator():
        contact.call_id = pks.get(contact.call_ref)
        contact.save(update_fields=["call"])


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
