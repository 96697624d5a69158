"""The migration that names a contact's call by the exchange's id keeps every link, both ways."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps

BEFORE = [("cases", "0007_contact_call")]
AFTER = [("cases", "0008_contact_call_id")]
AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _migrate(targets: list[tuple[str, str]]) -> StateApps:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_contacts_keep_their_calls_by_the_exchanges_id_and_back() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        apps = _migrate(BEFORE)
        Call, Contact = apps.get_model("telephony", "Call"), apps.get_model("cases", "Contact")
        call = Call.objects.create(call_id="x-17", started_at=AT, last_event_at=AT, state="ended")
        fields = {"channel": "phone", "outcome": "closed", "started_at": AT}
        linked = Contact.objects.create(call=call, **fields).pk
        unlinked = Contact.objects.create(**fields).pk

        apps = _migrate(AFTER)
        Contact = apps.get_model("cases", "Contact")
        ids = dict(Contact.objects.values_list("pk", "call_id"))
        assert ids == {linked: "x-17", unlinked: ""}

        apps = _migrate(BEFORE)
        Contact = apps.get_model("cases", "Contact")
        calls = dict(Contact.objects.values_list("pk", "call__call_id"))
        assert calls == {linked: "x-17", unlinked: None}
    finally:
        _migrate(latest)
