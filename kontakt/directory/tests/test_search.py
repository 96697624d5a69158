"""Search that forgives: the operator finds the person with a typo, a beginning, a double
name, without the Nordic letters, by unit, title, "ask me about" or a number in any
formatting; available people come first. The same table runs on SQLite and PostgreSQL."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kontakt.directory.models import (
    Absence,
    Availability,
    Department,
    Employee,
    Unit,
    UnitKind,
)
from kontakt.directory.search import parse_query, within_one_typo
from kontakt.directory.selectors import HitKind, employee_search
from kontakt.directory.services import employee_deactivate, employee_save
from kontakt.directory.tests.factories import DepartmentFactory, UnitFactory, make_employee

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def people() -> dict[str, int]:
    building = DepartmentFactory.create(name="Stadsbyggnadsförvaltningen", code="sbf")
    streets = DepartmentFactory.create(name="Gatukontoret", code="gk")
    schools = DepartmentFactory.create(name="Skolförvaltningen", code="skola")
    permits = UnitFactory.create(department=building, name="Bygglov")
    parking = UnitFactory.create(department=streets, name="Parkering")
    water = UnitFactory.create(department=streets, name="VA-avdelningen")
    school = UnitFactory.create(department=schools, name="Rektorsexpedition")
    finance = UnitFactory.create(department=schools, name="Ekonomi")
    UnitFactory.create(
        department=schools,
        name="Växel Sjöstadsskolan",
        kind=UnitKind.FUNCTION,
        phone="+46406280500",
        keywords="frånvaroanmälan skolskjuts",
    )
    rows = [
        ("Karin Andersson", permits, "Bygglovshandläggare", "bygglov altan", "+46406281234"),
        ("Karl Anderson", parking, "Parkeringsvakt", "parkeringstillstånd", "+46406281300"),
        ("Eva Holm", parking, "Handläggare", "", "+46406281301"),
        ("Mats Andersen", water, "Ingenjör", "vattenläcka", "+46406281400"),
        ("Anna-Karin Lind", school, "Rektor", "", "+46406282000"),
        ("Bjørn Hansen", water, "Driftstekniker", "avlopp", "+4722123456"),
        ("Åsa Jönsson", finance, "Controller", "fakturor", ""),
        ("Lars Nilsson", permits, "Arkitekt", "detaljplan", "+46406281500"),
        ("Ove Johansson", finance, "Ekonom", "", "+46406282200"),
        ("Mikael Lindqvist", water, "Projektledare", "", "+46406281600"),
        ("Ingrid Sjögren", school, "Skolsköterska", "vaccination", "+46406282300"),
        ("Kjell Öberg", parking, "Gruppchef", "", "+46406281700"),
        ("Sven Åberg", permits, "Inspektör", "strandskydd", "+46406281800"),
        ("Sofia Ekström", finance, "Lönehandläggare", "lön", "+46406282400"),
        ("Gustav Berg", finance, "Revisor", "", "+46406282500"),
    ]
    ids = {}
    for name, unit, title, keywords, number in rows:
        employee = make_employee(
            name, unit=unit, title=title, keywords=keywords, direct_number=number
        )
        ids[name] = employee.pk
    lind_berg, _ = employee_save(
        employee=None,
        values={
            "display_name": "Karin Lind Berg",
            "given_name": "Karin",
            "family_name": "Lind Berg",
            "unit_id": finance.pk,
            "title": "Budgetsamordnare",
        },
        by=None,
    )
    ids["Karin Lind Berg"] = lind_berg.pk
    asa = make_employee("Åsa Jönsson", unit=finance, title="Controller")
    employee_save(employee=asa, values={"mobile": "+46701234567"}, by=None)
    # Two Åsa Jönssons would make the table ambiguous: keep the first.
    employee_deactivate(employee=asa, by=None, source="manual")
    employee_deactivate(employee=make_employee("Gunnel Ström", unit=finance), by=None, source="hr")
    return ids


QUALITY = [
    # Exact and typo'd names: one letter wrong, missing, extra, or two swapped.
    ("Andersson", "Karin Andersson"),
    ("Anderson", "Karl Anderson"),
    ("Andersen", "Mats Andersen"),
    ("Andresson", "Karin Andersson"),
    ("Karin Andrsson", "Karin Andersson"),
    ("Karl Andersonn", "Karl Anderson"),
    ("Nilson", "Lars Nilsson"),
    ("Johanson", "Ove Johansson"),
    ("Lindkvist", "Mikael Lindqvist"),
    ("Ekstorm", "Sofia Ekström"),
    # A family name's ending spelt the other Nordic way (two letters apart).
    ("Bjorn Hanson", "Bjørn Hansen"),
    ("Lars Nilsen", "Lars Nilsson"),
    ("Ove Johansen", "Ove Johansson"),
    # Double names and partial names.
    ("Anna-Karin", "Anna-Karin Lind"),
    ("Anna Karin", "Anna-Karin Lind"),
    ("annakarin", "Anna-Karin Lind"),
    ("Karin Lindberg", "Karin Lind Berg"),
    ("Karin Berg", "Karin Lind Berg"),
    ("lindq", "Mikael Lindqvist"),
    ("Ingr Sjö", "Ingrid Sjögren"),
    # Nordic letters, with and without.
    ("Bjorn", "Bjørn Hansen"),
    ("Bjørn", "Bjørn Hansen"),
    ("Björn Hansen", "Bjørn Hansen"),
    ("Asa", "Åsa Jönsson"),
    ("Jonsson", "Åsa Jönsson"),
    ("Jönsson", "Åsa Jönsson"),
    ("Sjogren", "Ingrid Sjögren"),
    ("Oberg", "Kjell Öberg"),
    ("Aaberg", "Sven Åberg"),
    # What the caller asks about, titles, units.
    ("bygglov", "Karin Andersson"),
    ("parkering", "Karl Anderson"),
    ("strandskydd", "Sven Åberg"),
    ("rektor", "Anna-Karin Lind"),
    ("skolsköterska", "Ingrid Sjögren"),
    ("vattenlacka", "Mats Andersen"),
    # Numbers in any formatting, and their endings.
    ("040-628 12 34", "Karin Andersson"),
    ("+46 40 6281234", "Karin Andersson"),
    ("0046406281234", "Karin Andersson"),
    ("6281234", "Karin Andersson"),
    ("(040) 62 81 234", "Karin Andersson"),
    ("22 12 34 56", "Bjørn Hansen"),
    ("+47 22123456", "Bjørn Hansen"),
    # A shared function is a hit of its own.
    ("Växel Sjöstadsskolan", "Växel Sjöstadsskolan"),
    ("skolskjuts", "Växel Sjöstadsskolan"),
    ("040-628 05 00", "Växel Sjöstadsskolan"),
]


@pytest.mark.parametrize(("query", "expected"), QUALITY, ids=[q for q, _e in QUALITY])
def test_the_person_sought_is_the_first_hit(people, query: str, expected: str) -> None:
    hits = employee_search(query, now=NOW)
    assert hits, query
    assert hits[0].name == expected, [(hit.name, hit.score, hit.matched) for hit in hits[:5]]


def test_a_beginning_finds_everyone_it_begins_and_available_people_come_first(people) -> None:
    names = [hit.name for hit in employee_search("kar", now=NOW)]
    assert names == ["Anna-Karin Lind", "Karin Andersson", "Karin Lind Berg", "Karl Anderson"]
    anna_karin = people["Anna-Karin Lind"]
    Absence.objects.create(
        employee_id=anna_karin, starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(days=1)
    )
    Employee.objects.filter(pk=people["Karin Andersson"]).update(phone_state=Availability.ON_CALL)
    hits = employee_search("kar", now=NOW)
    assert [hit.name for hit in hits] == [
        "Karin Lind Berg",
        "Karl Anderson",
        "Anna-Karin Lind",
        "Karin Andersson",
    ]
    assert [hit.available for hit in hits] == [True, True, False, False]
    # An absence that is over, or not begun, does not count.
    later = employee_search("kar", now=NOW + timedelta(days=2))
    assert later[0].name == "Anna-Karin Lind"


def test_exact_names_rank_above_typos(people) -> None:
    names = [hit.name for hit in employee_search("Andersen", now=NOW)]
    assert names[0] == "Mats Andersen"
    assert set(names[1:3]) == {"Karin Andersson", "Karl Anderson"} or "Karl Anderson" in names


def test_hits_say_what_matched(people) -> None:
    assert employee_search("Bjorn", now=NOW)[0].matched == "name"
    assert employee_search("6281234", now=NOW)[0].matched == "number"
    assert employee_search("strandskydd", now=NOW)[0].matched == "keywords"
    assert employee_search("rektor", now=NOW)[0].matched == "title"
    hit = employee_search("skolskjuts", now=NOW)[0]
    assert hit.kind == HitKind.FUNCTION
    assert hit.employee is None
    assert hit.unit is not None and hit.unit.phone == "+46406280500"


def test_leavers_are_not_found(people) -> None:
    assert employee_search("Gunnel", now=NOW) == []
    assert employee_search("Ström", now=NOW) == []


def test_a_change_is_found_at_once_and_the_old_words_are_not(people) -> None:
    berg = Employee.objects.get(pk=people["Gustav Berg"])
    employee_save(
        employee=berg, values={"family_name": "Dahl", "display_name": "Gustav Dahl"}, by=None
    )
    assert employee_search("Dahl", now=NOW)[0].name == "Gustav Dahl"
    names = [hit.name for hit in employee_search("Berg", now=NOW)]
    assert names[0] == "Karin Lind Berg"
    assert "Gustav Dahl" not in names


def test_filters_keep_to_a_unit_or_a_department(people) -> None:
    parking = Unit.objects.get(name="Parkering")
    names = {hit.name for hit in employee_search("handläggare", unit=parking, now=NOW)}
    assert names == {"Eva Holm"}
    streets = Department.objects.get(code="gk")
    names = {hit.name for hit in employee_search("and", department=streets.pk, now=NOW)}
    assert names == {"Karl Anderson", "Mats Andersen"}


def test_the_limit_is_kept(people) -> None:
    assert len(employee_search("a", limit=3, now=NOW)) <= 3
    assert len(employee_search("ekonomi", limit=2, now=NOW)) == 2


@pytest.mark.parametrize("query", ["", "   ", "\x00", "-", "12", "x" * 5000, "å" * 300, "%_'\""])
def test_nothing_to_search_for_finds_nothing_and_breaks_nothing(people, query: str) -> None:
    assert isinstance(employee_search(query, now=NOW), list)


def test_typo_neighbours() -> None:
    assert within_one_typo("andersson", "andresson")
    assert within_one_typo("anderson", "andersson")
    assert within_one_typo("bjon", "bjorn")
    assert within_one_typo("karin", "karen")
    assert not within_one_typo("andersen", "andersson")
    assert not within_one_typo("abcx", "abyc")


def test_numbers_are_one_term() -> None:
    assert [t.text for t in parse_query("040-628 12 34")] == ["#432182604"]
    assert [t.text for t in parse_query("+46 40 6281234")] == ["#43218260464"]
    assert parse_query("12") == []


def test_a_renamed_unit_is_found_by_its_new_name_after_reindexing(people) -> None:
    from kontakt.directory.services import units_reindex

    parking = Unit.objects.get(name="Parkering")
    Unit.objects.filter(pk=parking.pk).update(name="Trafikövervakning")
    units_reindex(unit_ids=[parking.pk])
    names = {hit.name for hit in employee_search("trafikovervakning", now=NOW)}
    assert names == {"Karl Anderson", "Eva Holm", "Kjell Öberg"}


def test_among_many_equal_scores_the_page_is_filled_with_available_people(db) -> None:
    unit = UnitFactory.create(name="Lekplatser")
    namesakes = [make_employee("Sara Lund", unit=unit) for _n in range(14)]
    for employee in namesakes[:9]:
        Absence.objects.create(
            employee=employee,
            starts_at=NOW - timedelta(hours=1),
            ends_at=NOW + timedelta(hours=1),
        )
    hits = employee_search("Sara Lund", limit=4, now=NOW)
    assert [hit.employee.pk for hit in hits if hit.employee] == [e.pk for e in namesakes[9:13]]
    assert all(hit.available for hit in hits)
    # Too few available: the away ones fill the rest, by id.
    hits = employee_search("Sara Lund", limit=8, now=NOW)
    expected = [e.pk for e in namesakes[9:]] + [e.pk for e in namesakes[:3]]
    assert [hit.employee.pk for hit in hits if hit.employee] == expected
    assert [hit.available for hit in hits] == [True] * 5 + [False] * 3
