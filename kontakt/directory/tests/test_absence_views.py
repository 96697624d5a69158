"""The availability pages: entering an absence, the calendar feeds' state."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from kontakt.accounts.roles import Role
from kontakt.accounts.tests.factories import UserFactory
from kontakt.directory.models import Absence, CalendarFeed
from kontakt.directory.selectors import reachability
from kontakt.directory.tests.factories import EmployeeFactory, UnitFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(department_a):
    return UnitFactory(department=department_a, name="Parkering")


@pytest.fixture
def person(unit):
    return EmployeeFactory(unit=unit, display_name="Erik Holm")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(person) -> str:
    return f"/directory/employees/{person.pk}/absences/new/"


def test_the_department_contact_enters_an_absence_with_a_colleague_as_substitute(
    person, unit, department_contact
):
    colleague = EmployeeFactory(unit=unit, display_name="Per Lind")
    EmployeeFactory(display_name="Elsewhere Person")
    client = signed_in(department_contact)
    page = client.get(url(person))
    assert page.status_code == 200
    # Only the unit's active people are offered as substitute.
    assert "Per Lind" in page.text and "Elsewhere Person" not in page.text
    response = client.post(
        url(person),
        {
            "starts_at": "2026-12-09T08:00",
            "ends_at": "2026-12-11T17:00",
            "reason": "course",
            "note": "Kurs i Lund",
            "substitute": colleague.pk,
        },
    )
    assert response.status_code == 302
    absence = Absence.objects.get()
    assert absence.starts_at == datetime(2026, 12, 9, 8, tzinfo=STOCKHOLM)
    assert (absence.created_by, absence.substitute) == (department_contact, colleague)
    found = reachability(person, at=datetime(2026, 12, 10, 12, tzinfo=STOCKHOLM))
    assert (found.state, found.substitute) == ("absent", colleague)
    assert "Kurs i Lund" in client.get(url(person)).text


def test_the_person_themselves_may_enter_their_absence(person):
    themselves = UserFactory(role=Role.HANDLER)
    person.user = themselves
    person.save()
    assert signed_in(themselves).get(url(person)).status_code == 200
    other = UserFactory(role=Role.HANDLER)
    assert signed_in(other).get(url(person)).status_code == 403


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"ends_at": "2026-12-09T07:00"}, "ends_at", "The end must come after the start."),
        ({"ends_at": "9999-12-31T10:00"}, "ends_at", "from the year 1970"),
        ({"note": "Kurs\x00"}, "note", "cannot be stored"),
        ({"note": "x" * 201}, "note", "at most 200 characters"),
        ({"reason": "holiday"}, "reason", "Select a valid choice"),
        ({"starts_at": "i morgon"}, "starts_at", "Enter a valid date/time"),
    ],
)
def test_bad_input_gets_field_messages_and_stores_nothing(
    person, switchboard, values, field, message
):
    data = {
        "starts_at": "2026-12-09T08:00",
        "ends_at": "2026-12-09T17:00",
        "reason": "away",
        **values,
    }
    response = signed_in(switchboard).post(url(person), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Absence.objects.exists()


def test_a_substitute_from_another_unit_is_refused(person, switchboard):
    stranger = EmployeeFactory()
    response = signed_in(switchboard).post(
        url(person),
        {
            "starts_at": "2026-12-09T08:00",
            "ends_at": "2026-12-09T17:00",
            "reason": "away",
            "substitute": stranger.pk,
        },
    )
    assert response.status_code == 400
    assert "substitute" in response.context["form"].errors
    assert not Absence.objects.exists()


def test_an_unknown_person_is_404(switchboard):
    assert signed_in(switchboard).get("/directory/employees/999999/absences/new/").status_code == (
        404
    )


def test_the_department_contact_sees_their_departments_feeds_and_errors(
    unit, person, department_contact, department_b, supervisor
):
    unit_feed = CalendarFeed.objects.create(
        unit=unit,
        url="https://kalender.example/parkering.ics",
        last_error="The server answered 500",
    )
    CalendarFeed.objects.create(employee=person, content="BEGIN:VCALENDAR")
    elsewhere = EmployeeFactory(unit=UnitFactory(department=department_b), display_name="Britt B")
    CalendarFeed.objects.create(employee=elsewhere, content="", last_error="Other department")
    page = signed_in(department_contact).get("/directory/calendars/")
    assert page.status_code == 200
    assert set(page.context["feeds"]) == {unit_feed, CalendarFeed.objects.get(employee=person)}
    assert "The server answered 500" in page.text
    assert "Other department" not in page.text
    assert len(signed_in(supervisor).get("/directory/calendars/").context["feeds"]) == 3
