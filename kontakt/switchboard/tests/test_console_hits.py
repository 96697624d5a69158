"""The console's search hits: who is in, who instead, and others asked about the same —
read in a fixed number of queries however many hits are away."""

from datetime import datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kontakt.directory.models import Employee
from kontakt.directory.services import employee_save
from kontakt.switchboard.selectors import _until_text, console_hits


def _away(employee: Employee) -> None:
    now = timezone.now()
    employee.absences.create(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1), reason="leave"
    )


def test_an_absent_hit_offers_others_of_the_unit_asked_about_the_same(people) -> None:
    hits = {hit["employee"].pk: hit for hit in console_hits("Kristiansen") if "employee" in hit}
    bjorn = hits[people["bjorn"].pk]
    assert not bjorn["reach"].reachable
    assert bjorn["substitute"] == people["cecilia"]
    # Cecilia is the substitute already; Anna is asked about building permits too.
    assert [other for other, _reach in bjorn["alternatives"]] == [people["anna"]]


def test_hits_take_the_same_queries_for_one_or_many_absent(people) -> None:
    unit_id = people["anna"].unit_id
    for n in range(6):
        employee, _changes = employee_save(
            employee=None,
            values={
                "display_name": f"Bodil Lind{n}",
                "given_name": "Bodil",
                "family_name": f"Lind{n}",
                "unit_id": unit_id,
                "keywords": "bygglov",
            },
            by=None,
        )
        if n:
            _away(employee)
    with CaptureQueriesContext(connection) as one:
        console_hits("Kristiansen")
    with CaptureQueriesContext(connection) as many:
        hits = console_hits("Bodil")
    away = [h for h in hits if "employee" in h and not h["reach"].reachable]
    assert len(away) == 5
    assert all(h["alternatives"] for h in away)
    assert len(many) <= len(one) + 1


def test_an_absence_ending_at_midnight_is_said_by_its_last_day() -> None:
    tz = timezone.get_current_timezone()
    with translation.override("en"):
        midnight = timezone.make_aware(datetime(2026, 12, 15, 0, 0), tz)
        assert _until_text(midnight) == "Away through Monday 14 December"
        noon = timezone.make_aware(datetime(2026, 12, 15, 12, 30), tz)
        assert _until_text(noon) == "Away until Tuesday 15 December 12:30"
        assert _until_text(None) == ""
