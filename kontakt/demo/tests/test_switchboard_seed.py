"""Seeding the switchboard's demo: the directory, absences and a month of history, twice
without duplicates, with the walk's people where the README says."""

from datetime import timedelta

import pytest
from django.test.utils import override_settings
from django.utils import timezone

from kontakt.demo import people
from kontakt.demo import switchboard as seed
from kontakt.demo.seed import DISCARD_TASKS, seed_configuration, seed_staff
from kontakt.directory.models import (
    Absence,
    CalendarFeed,
    Employee,
    EmployeeVersion,
    Unit,
    UnitHours,
)
from kontakt.directory.search import fold
from kontakt.switchboard.models import Message, MessageState, Transfer
from kontakt.telephony.models import Call, CallEvent

pytestmark = pytest.mark.django_db


def seed_once(now):
    with override_settings(TASKS=DISCARD_TASKS):
        created = seed.seed_directory(count=400, progress=False)
        absences = seed.seed_absences(now=now, progress=False)
        calls = seed.seed_switchboard_history(now=now, callers=["+46701234567"], progress=False)
    return created, absences, calls


def test_the_directory_absences_and_history_are_seeded_once():
    seed_configuration()
    seed_staff()
    now = timezone.now()
    created, _absences, calls = seed_once(now)
    counts = (
        Employee.objects.count(),
        EmployeeVersion.objects.count(),
        Unit.objects.count(),
        UnitHours.objects.count(),
        CalendarFeed.objects.count(),
        Absence.objects.count(),
        Call.objects.count(),
        CallEvent.objects.count(),
        Transfer.objects.count(),
        Message.objects.count(),
    )
    assert created == Employee.objects.count() >= 400
    assert EmployeeVersion.objects.count() == created
    assert calls > 100 and Message.objects.exists() and CalendarFeed.objects.exists()

    again = seed_once(now)
    assert again[0] == again[2] == 0
    assert counts == (
        Employee.objects.count(),
        EmployeeVersion.objects.count(),
        Unit.objects.count(),
        UnitHours.objects.count(),
        CalendarFeed.objects.count(),
        Absence.objects.count(),
        Call.objects.count(),
        CallEvent.objects.count(),
        Transfer.objects.count(),
        Message.objects.count(),
    )

    # Entries are searchable, units have their head as contact, functions their hours.
    bjorn = Employee.objects.get(external_id="demo-e-bjorn")
    assert "bjorn kristiansen" in bjorn.search_text
    assert bjorn.search_text == fold(bjorn.search_text)
    assert not Unit.objects.filter(external_id__startswith="demo-unit-", contact=None).exists()
    reception = Unit.objects.get(external_id="demo-unit-reception")
    assert reception.kind == "function" and reception.phone
    assert UnitHours.objects.filter(unit=reception, kind="phone").count() == 5

    # The staff users who work in a department have their own entries.
    for username in people.STAFF_ENTRIES:
        assert Employee.objects.get(user__username=username).unit is not None

    # Bjørn is away until next Monday; handler.bygg, whose phone never answers, stands in.
    absence = Absence.objects.get(employee=bjorn)
    monday = absence.ends_at.astimezone(timezone.get_current_timezone())
    assert monday.weekday() == 0 and now < monday <= now + timedelta(days=7, hours=8)
    assert absence.substitute.user.username == people.SUBSTITUTE_USER
    assert absence.substitute.direct_number in people.NEVER_ANSWERS
    with_substitute = Absence.objects.filter(feed=None).exclude(substitute=None)
    assert with_substitute.count() >= 5

    # The history: operators put calls through, some come back, most messages are done
    # within the day, and "not mine" gathers in the two units with stale entries.
    kinds = set(CallEvent.objects.values_list("type", flat=True))
    assert {"transfer_started", "transfer_answered", "transfer_returned"} <= kinds
    assert {"direct_offered", "direct_answered", "direct_fallback"} <= kinds
    groups = set(Call.objects.values_list("group_code", flat=True))
    assert "vaxel" in groups and groups <= {"vaxel", "", None}
    transfers = Transfer.objects.count()
    returned = Transfer.objects.filter(state="returned")
    assert 0.12 <= returned.count() / transfers <= 0.28
    assert returned.filter(reason="busy").exists() and returned.filter(reason="no_answer")
    done = Message.objects.filter(state=MessageState.DONE)
    within_day = [m for m in done if m.done_at - m.taken_at <= timedelta(days=1)]
    assert len(within_day) >= 0.7 * done.count()
    wrong = Transfer.objects.exclude(not_mine_at=None).values_list(
        "employee__unit__external_id", flat=True
    )
    stale = [u for u in wrong if u.removeprefix("demo-unit-") in ("lantmateri", "hemtjanst-soder")]
    assert len(stale) >= 0.5 * len(wrong)


def test_the_absences_move_with_the_day_the_demo_is_seeded():
    seed_configuration()
    seed_staff()
    first = timezone.now() - timedelta(days=10)
    seed_once(first)
    seed.seed_absences(now=timezone.now(), progress=False)
    bjorn = Absence.objects.get(employee__external_id="demo-e-bjorn")
    assert bjorn.ends_at > timezone.now()
