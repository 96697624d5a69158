"""The directory's pages: search with availability at a glance, an entry with its history,
writing entries (administrators; department contacts in their own department's units),
a unit with its people and hours."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from kontakt.directory.models import (
    Absence,
    AbsenceReason,
    Availability,
    Employee,
    EmployeeVersion,
    Unit,
    UnitHours,
    UnitKind,
)
from kontakt.directory.selectors import may_edit_employee
from kontakt.directory.tests.factories import UnitFactory, make_employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def parking(department_a) -> Unit:
    return UnitFactory.create(department=department_a, name="Parkering", phone="+46406281000")


@pytest.fixture
def care(department_b) -> Unit:
    return UnitFactory.create(department=department_b, name="Hemtjänst")


@pytest.fixture
def karin(parking) -> Employee:
    return make_employee(
        "Karin Andersson",
        unit=parking,
        title="Parkeringshandläggare",
        keywords="parkeringstillstånd",
        direct_number="+46406281234",
    )


def test_search_shows_name_title_unit_numbers_and_availability(
    client_for, switchboard, karin, parking
) -> None:
    substitute = make_employee("Lars Nilsson", unit=parking, title="Handläggare")
    now = timezone.now()
    Absence.objects.create(
        employee=karin,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=2),
        reason=AbsenceReason.COURSE,
        substitute=substitute,
    )
    Employee.objects.filter(pk=substitute.pk).update(phone_state=Availability.ON_CALL)
    make_employee("Karl Holm", unit=parking, title="Parkeringsvakt")
    UnitFactory.create(
        department=parking.department,
        name="Parkeringsjouren",
        kind=UnitKind.FUNCTION,
        phone="+46406289999",
    )
    page = client_for(switchboard).get("/directory/", {"q": "Andresson"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Karin Andersson" in text
    assert "Parkeringshandläggare" in text
    assert "+46406281234" in text
    assert "Absent until" in text and "At a course" in text
    assert "Lars Nilsson" in text  # who instead
    busy = client_for(switchboard).get("/directory/", {"q": "parkering"}).content.decode()
    assert "On a call" in busy and "In" in busy
    assert "Parkeringsjouren" in busy and "+46406289999" in busy


def test_search_pages_ask_a_fixed_number_of_queries(
    client_for, agent, parking, django_assert_max_num_queries
) -> None:
    for number in range(25):
        make_employee(f"Karin Test{number}", unit=parking, direct_number=f"+4640628{number:04d}")
    client = client_for(agent)
    client.get("/directory/", {"q": "karin"})
    with django_assert_max_num_queries(14):
        page = client.get("/directory/", {"q": "karin"})
    assert page.content.decode().count("Karin Test") >= 20


def test_nothing_found_says_so_and_bad_input_is_refused(client_for, agent, karin) -> None:
    client = client_for(agent)
    assert "No one found" in client.get("/directory/", {"q": "Zyxwvu"}).content.decode()
    assert client.get("/directory/", {"q": "a\x00b"}).status_code == 400
    assert client.get("/directory/", {"q": "a" * 201}).status_code == 400


def test_the_entry_shows_its_history(client_for, department_contact, agent, karin) -> None:
    client = client_for(department_contact)
    response = client.post(
        f"/directory/employees/{karin.pk}/edit/",
        {
            "given_name": "Karin",
            "family_name": "Andersson",
            "display_name": "",
            "title": "Enhetschef",
            "unit": karin.unit_id,
            "direct_number": "040-628 12 35",
            "mobile": "",
            "email": "karin.andersson@sjostad.se",
            "languages": "sv, EN, sv",
            "keywords": "parkeringstillstånd",
        },
    )
    assert response.status_code == 302
    karin.refresh_from_db()
    assert karin.direct_number == "+46406281235"
    assert karin.languages == ["sv", "en"]
    version = EmployeeVersion.objects.filter(employee=karin).first()
    assert version is not None and version.by == department_contact
    assert version.source == "manual"
    assert version.changes["title"] == ["Parkeringshandläggare", "Enhetschef"]
    page = client_for(agent).get(f"/directory/employees/{karin.pk}/").content.decode()
    assert "Parkeringshandläggare → Enhetschef" in page
    assert "Unit: Parkering" in page
    assert str(department_contact) in page  # who
    assert "By hand" in page
    # The new number finds her at once.
    found = client_for(agent).get("/directory/", {"q": "6281235"}).content.decode()
    assert "Karin Andersson" in found


def test_a_bad_entry_is_refused_with_field_messages_and_nothing_stored(
    client_for, administrator, parking
) -> None:
    client = client_for(administrator)
    response = client.post(
        "/directory/employees/new/",
        {
            "given_name": "Eva\x00",
            "family_name": "",
            "unit": parking.pk,
            "direct_number": "12",
            "languages": "svenska",
            "email": "not an address",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"given_name", "direct_number", "languages", "email"}
    assert not Employee.objects.exists()
    assert not EmployeeVersion.objects.exists()


def test_an_administrator_adds_a_person_to_any_unit(client_for, administrator, care) -> None:
    response = client_for(administrator).post(
        "/directory/employees/new/",
        {"given_name": "Åsa", "family_name": "Jönsson", "unit": care.pk, "mobile": "0701234567"},
    )
    assert response.status_code == 302
    asa = Employee.objects.get()
    assert asa.display_name == "Åsa Jönsson"
    assert asa.mobile == "+46701234567"
    assert asa.versions.get().by == administrator


def test_a_department_contact_may_not_put_a_person_in_another_department(
    client_for, department_contact, care, parking, karin
) -> None:
    client = client_for(department_contact)
    response = client.post(
        f"/directory/employees/{karin.pk}/edit/",
        {"given_name": "Karin", "family_name": "Andersson", "unit": care.pk},
    )
    assert response.status_code == 400
    assert "unit" in response.context["form"].errors
    karin.refresh_from_db()
    assert karin.unit == parking


def test_who_may_edit(
    department_contact, handler, administrator, supervisor, switchboard, karin, care
) -> None:
    assert may_edit_employee(administrator, karin)
    assert may_edit_employee(department_contact, karin)
    assert may_edit_employee(department_contact, karin.unit)
    assert may_edit_employee(department_contact, None)
    assert not may_edit_employee(department_contact, care)
    other = make_employee("Per Olsson", unit=care)
    assert not may_edit_employee(department_contact, other)
    for user in (handler, supervisor, switchboard):
        assert not may_edit_employee(user, karin)


def test_the_unit_page_shows_people_hours_and_contact(client_for, agent, parking, karin) -> None:
    UnitHours.objects.create(unit=parking, weekday=0, opens=time(8), closes=time(16, 30))
    UnitHours.objects.create(
        unit=parking, kind=UnitHours.Kind.PHONE, weekday=0, opens=time(9), closes=time(12)
    )
    Unit.objects.filter(pk=parking.pk).update(contact=karin)
    make_employee("Gustav Berg", unit=parking, active=False)
    page = client_for(agent).get(f"/directory/units/{parking.pk}/").content.decode()
    assert "Karin Andersson" in page
    assert "Gustav Berg" not in page  # leavers are not the unit's people
    assert "08:00–16:30" in page and "09:00–12:00" in page
    assert "Telephone hours" in page
    assert "+46406281000" in page


def test_unknown_entries_are_404(client_for, agent, administrator) -> None:
    assert client_for(agent).get("/directory/employees/999999/").status_code == 404
    assert client_for(administrator).get("/directory/employees/999999/edit/").status_code == 404
    assert client_for(agent).get("/directory/units/999999/").status_code == 404


def test_the_navigation_links_the_directory(client_for, handler) -> None:
    assert 'href="/directory/"' in client_for(handler).get("/directory/").content.decode()
