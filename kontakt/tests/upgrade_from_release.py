"""A database of the previous release upgraded to this one, run by test_upgrade.py as a child
process on a fresh database (DATABASE_URL: a new SQLite file or PostgreSQL database):

    DATABASE_URL=… python -m kontakt.tests.upgrade_from_release

1. Migrates to the state of release v0.11.0 (RELEASE: each app's last migration then).
2. Fills representative rows with the models as they were then (the migration state's apps).
3. Migrates to the latest migrations of this checkout, whatever came since.
4. Reads the rows back with today's models and renders the pages that show them.

Prints one JSON object: what was made, what was found after, each page's status.
"""

import json
import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontakt.settings")

import django

django.setup()

from django.apps import apps as django_apps  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.db.migrations.state import StateApps  # noqa: E402
from django.test import Client  # noqa: E402

# The leaf migration of each of Kontakt's apps in release v0.11.0 (`git ls-tree v0.11.0
# kontakt/*/migrations`); apps without migrations then are absent. Other apps (Django's,
# django-tasks-db) are taken at their latest, which has not changed their schema for Kontakt.
RELEASE = {
    "accounts": "0002_alter_apitoken_key_hash_alter_apitoken_user",
    "cases": "0008_contact_call_id",
    "directory": "0001_initial",
    "knowledge": "0003_term_public",
    "residents": "0002_alter_residentaccess_at_and_more",
    "staffing": "0001_roster_what_if",
    "telephony": "0002_calls_answered_unqueued",
}
AT = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def release_targets(executor: MigrationExecutor) -> list[tuple[str, str | None]]:
    """Kontakt's apps at the release (or unmigrated, if they came later); others at their
    latest."""
    targets: list[tuple[str, str | None]] = list(RELEASE.items())
    for app, name in executor.loader.graph.leaf_nodes():
        if app in RELEASE:
            continue
        if django_apps.get_app_config(app).name.startswith("kontakt."):
            targets.append((app, None))
        else:
            targets.append((app, name))
    return targets


def fill(apps: StateApps) -> dict[str, Any]:
    """Rows of every kind an operator has, made with the models of the release."""
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("accounts", "User")
    Department = apps.get_model("directory", "Department")
    AnswerGroup = apps.get_model("directory", "AnswerGroup")
    OpeningHours = apps.get_model("directory", "OpeningHours")
    CaseType = apps.get_model("cases", "CaseType")
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Contact = apps.get_model("cases", "Contact")
    Resident = apps.get_model("residents", "Resident")
    ResidentPhone = apps.get_model("residents", "ResidentPhone")
    Article = apps.get_model("knowledge", "Article")
    Exchange = apps.get_model("telephony", "Exchange")
    CallEvent = apps.get_model("telephony", "CallEvent")
    Call = apps.get_model("telephony", "Call")
    Presence = apps.get_model("telephony", "Presence")

    department = Department.objects.create(name="Gatu- och parkförvaltningen", code="gata")
    group = AnswerGroup.objects.create(name="Växeln", code="vaxel")
    for weekday in range(5):
        OpeningHours.objects.create(
            weekday=weekday,
            opens=datetime(2026, 1, 1, 8).time(),
            closes=datetime(2026, 1, 1, 17).time(),
        )
    user = User.objects.create(
        username="handlaggare",
        first_name="Handläggare",
        password="!",
        is_staff=True,
        is_superuser=True,
        department=department,
    )
    user.groups.add(Group.objects.create(name="supervisor"))
    case_type = CaseType.objects.create(
        name="Felparkering",
        code="felparkering",
        department=department,
        answer_group=group,
        first_line_may_close=True,
        response_time=timedelta(hours=16),
    )
    resident = Resident.objects.create(
        kind="person",
        name="Astrid Lindqvist",
        identity_number="194101019804",
        identity_country="SE",
        preferred_language="sv",
        preferred_channel="phone",
    )
    ResidentPhone.objects.create(resident=resident, number="+46701234567")
    case = Case.objects.create(
        reference="KC-2026-000001",
        case_type=case_type,
        resident=resident,
        status="new",
        priority=2,
        department=department,
        answer_group=group,
        subject="Bil parkerad på cykelbanan",
        feedback_channel="phone",
        created_at=AT,
        created_by=user,
        due_at=AT + timedelta(hours=16),
    )
    CaseEvent.objects.create(case=case, kind="created", at=AT, by=user, to_status="new")
    Contact.objects.create(
        channel="phone",
        direction="in",
        started_at=AT,
        ended_at=AT + timedelta(minutes=4),
        agent=user,
        resident=resident,
        case_type=case_type,
        summary="Ringde om felparkerad bil",
        outcome="forwarded",
        case=case,
        call_id="pbx-1",
    )
    article = Article.objects.create(
        translation_key="felparkering",
        language="sv",
        title="Felparkerade bilar",
        summary="Så anmäler du en felparkerad bil.",
        body="Ring **kontaktcenter**.",
        keywords="parkering",
        owner_department=department,
        visibility="public",
        status="published",
        review_by=date(2027, 6, 1),
        created_at=AT,
        updated_at=AT,
    )
    exchange = Exchange.objects.create(name="växel", prefix="abcdefgh", key_hash="x" * 64)
    for n, kind in enumerate(("offered", "queued", "ringing", "answered", "ended"), start=1):
        CallEvent.objects.create(
            event_id=f"pbx-1-{n}",
            call_id="pbx-1",
            type=kind,
            at=AT + timedelta(seconds=10 * n),
            number="+46406280400",
            caller="+46701234567",
            answer_group="vaxel",
            agent="handlaggare",
            source="api",
            exchange=exchange,
        )
    Call.objects.create(
        call_id="pbx-1",
        number="+46406280400",
        caller="+46701234567",
        answer_group=group,
        group_code="vaxel",
        agent=user,
        agent_name="handlaggare",
        state="answered",
        started_at=AT,
        answered_at=AT + timedelta(seconds=40),
        ended_at=AT + timedelta(seconds=50),
        last_event_at=AT + timedelta(seconds=50),
    )
    Presence.objects.create(agent=user, state="ready", since=AT)
    return {
        "user": user.pk,
        "resident": resident.pk,
        "case": case.reference,
        "article": article.pk,
        "exchange": exchange.pk,
    }


def main() -> dict[str, object]:
    executor = MigrationExecutor(connection)
    executor.migrate(release_targets(executor))
    executor.loader.build_graph()
    state = executor.loader.project_state(list(RELEASE.items()))
    made = fill(state.apps)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())

    from kontakt.accounts.models import User
    from kontakt.cases.models import Case, Contact
    from kontakt.knowledge.models import Article
    from kontakt.residents.models import Resident
    from kontakt.telephony.models import Call, CallEvent

    case = Case.objects.get(reference=made["case"])
    # Since release 0.12 an exchange's ids live in its own namespace: "<exchange>|<its id>".
    call_id = f"{made['exchange']}|pbx-1"
    found = {
        "case": [case.subject, case.resident.name if case.resident else None],
        "contact": Contact.objects.get(call_id=call_id).summary,
        "resident": Resident.objects.get(pk=made["resident"]).name,
        "article": Article.objects.get(translation_key="felparkering").title,
        "call_events": CallEvent.objects.filter(call_id=call_id).count(),
        "call": Call.objects.get(call_id=call_id).state,
    }
    client = Client()
    client.force_login(User.objects.get(pk=made["user"]))
    pages = {}
    # Each page, and a text it must show (the migrated rows on it).
    for path, text in (
        ("/desk/", "Handläggare"),
        (f"/desk/?resident={made['resident']}", "Astrid Lindqvist"),
        (f"/cases/{made['case']}/", "Bil parkerad på cykelbanan"),
        ("/cases/", ""),
        (f"/knowledge/articles/{made['article']}/", "Felparkerade bilar"),
        ("/admin/cases/case/", made["case"]),
        ("/admin/cases/contact/", ""),
        ("/admin/residents/resident/", "Astrid Lindqvist"),
        ("/admin/telephony/call/", "pbx-1"),
        ("/admin/telephony/callevent/", "pbx-1"),
        (f"/api/v1/cases/{made['case']}", made["case"]),
    ):
        response = client.get(path)
        shown = str(text) in response.content.decode()
        pages[path] = f"{response.status_code}{'' if shown else ' without ' + str(text)}"
    return {
        "made": made,
        "found": found,
        "pages": pages,
        "pending": len(pending),
        "vendor": connection.vendor,
    }


if __name__ == "__main__":
    print(json.dumps(main(), default=str))
