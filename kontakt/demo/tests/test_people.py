"""The demo's made-up employees and their calendars: realistic, unique, and the same for
the same seed."""

import random
from collections import Counter
from datetime import UTC, datetime

import icalendar
import recurring_ical_events

from kontakt.demo import calendars, people
from kontakt.demo.municipality import CENTER_NUMBER, STAFF
from kontakt.directory.search import fold


def test_the_same_seed_makes_the_same_people_and_another_seed_others():
    assert people.people(300, seed=5) == people.people(300, seed=5)
    assert people.people(300, seed=5) != people.people(300, seed=6)


def test_about_five_thousand_people_with_unique_numbers_and_addresses():
    made = people.people()
    assert 4900 <= len(made) <= 5100
    numbers = [p.direct_number for p in made]
    assert len(set(numbers)) == len(numbers)
    assert all(n.startswith("+4640628") and len(n) == 12 for n in numbers)
    unit_numbers = {people.unit_phone(u) for u in people.UNITS}
    assert CENTER_NUMBER not in numbers and not unit_numbers & set(numbers)
    assert CENTER_NUMBER not in unit_numbers
    emails = [p.email for p in made]
    assert len(set(emails)) == len(emails)
    assert all(e.endswith("@sjostad.se") and e.isascii() for e in emails)
    mobiles = [p.mobile for p in made if p.mobile]
    assert len(set(mobiles)) == len(mobiles) and all(n.startswith("+4670") for n in mobiles)
    assert len({p.key for p in made}) == len(made)


def test_names_titles_and_units_look_like_a_nordic_municipality():
    made = people.people()
    names = " ".join(p.display_name for p in made)
    for letter in "ÅÄÖØÆåäöøæ":
        assert letter in names, letter
    assert any("-" in p.given_name for p in made)  # Anna-Karin
    assert any(" " in p.family_name for p in made)  # two family names
    titles = Counter(p.title for p in made)
    for title in (
        "bygglovshandläggare",
        "rektor",
        "enhetschef",
        "socialsekreterare",
        "skolsköterska",
        "undersköterska",
    ):
        assert titles[title], title
    units = Counter(p.unit for p in made)
    assert set(units) == set(people.UNITS_BY_KEY)
    assert all(p.keywords for p in made)
    assert all(p.languages[0] == "sv" for p in made)
    assert any("nb" in p.languages for p in made)
    # Each unit's first person is its head.
    first = {}
    for person in made:
        first.setdefault(person.unit, person)
    assert first["sjostadsskolan"].title == "rektor"


def test_the_walks_people_are_there_once():
    made = people.people()
    bjorns = [p for p in made if fold(p.display_name) == "bjorn kristiansen"]
    assert len(bjorns) == 1 and bjorns[0].key == "demo-e-bjorn"
    staff = {p.username: p for p in made if p.username}
    assert set(staff) == set(people.STAFF_ENTRIES)
    assert {u for u, *_rest in STAFF} >= set(staff)
    assert staff[people.SUBSTITUTE_USER].direct_number in people.NEVER_ANSWERS
    assert people.email_local("Bjørn", "Sæther") == "bjorn.saether"
    assert people.email_local("Anna-Karin", "Åberg") == "anna-karin.aberg"


def test_the_calendars_are_valid_icalendar_with_recurrences_and_cancellations():
    rng = random.Random(1)
    now = datetime(2026, 12, 7, 9, tzinfo=UTC)
    seen = Counter()
    for n in range(60):
        text = calendars.person_calendar(rng, key=f"p{n}", name=f"Person {n}", now=now)
        calendar = icalendar.Calendar.from_ical(text)
        assert calendar.walk("VTIMEZONE")
        for event in calendar.walk("VEVENT"):
            seen["recurring" if event.get("rrule") else "single"] += 1
            seen["cancelled"] += event.get("status") == "CANCELLED"
            seen["moved"] += event.get("recurrence-id") is not None
            seen["free"] += event.get("transp") == "TRANSPARENT"
            seen["all-day"] += not isinstance(event.decoded("dtstart"), datetime)
        # The recurrences expand (what the calendar reader does).
        recurring_ical_events.of(calendar).between(datetime(2026, 11, 1), datetime(2027, 1, 1))
    assert all(seen[k] for k in ("recurring", "single", "cancelled", "moved", "free", "all-day"))
    unit = calendars.unit_calendar(rng, key="u", name="Bygglov", now=now)
    assert len(icalendar.Calendar.from_ical(unit).walk("VEVENT")) == 2
