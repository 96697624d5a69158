"""The exchange asks about a direct number before it rings it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from kontakt.directory.models import Availability
from kontakt.directory.tests.factories import AbsenceFactory, EmployeeFactory, UnitFactory
from kontakt.telephony.services import exchange_create

STOCKHOLM = ZoneInfo("Europe/Stockholm")

pytestmark = pytest.mark.django_db


@pytest.fixture
def exchange() -> Client:
    _exchange, key = exchange_create(name="pbx")
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def anna(settings):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "SWITCHBOARD": {**settings.KONTAKT["SWITCHBOARD"], "NUMBER": "+46406280400"},
    }
    return EmployeeFactory(
        display_name="Anna Berg",
        direct_number="+46406281234",
        unit=UnitFactory(name="Bygglov"),
    )


@pytest.fixture
def time_machine_at(monkeypatch):
    """Stop the clock (django.utils.timezone.now) at a moment."""

    def stop(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return stop


def ask(client: Client, number: str, **params: str):
    return client.get(f"/api/v1/directory/numbers/{number}/availability", params)


@pytest.mark.parametrize(
    "number", ["+46406281234", "040-628 12 34", "+46 (0)40 628 12 34", "0046406281234"]
)
def test_an_available_person_is_rung_whatever_the_formatting(exchange, anna, number):
    response = ask(exchange, number)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "number": "+46406281234",
        "employee": {"id": anna.pk, "name": "Anna Berg", "unit": "Bygglov"},
        "ring": True,
        "state": "available",
        "until": None,
        "reason": "",
        "message": "",
        # The center's language (LANGUAGE_CODE, English in tests) when none is asked for.
        "language": "en",
        "substitute": None,
        "fallback": "+46406280400",
    }


def _away_until_monday(anna):
    """Away until Monday 14 December 2026 (midnight: back that day), with a substitute,
    asked on Wednesday 9 December."""
    substitute = EmployeeFactory(display_name="Per Holm", direct_number="+46406281235")
    now = timezone.now()
    AbsenceFactory(
        employee=anna,
        starts_at=now - timedelta(hours=1),
        ends_at=datetime(2026, 12, 14, tzinfo=STOCKHOLM),
        reason="leave",
        substitute=substitute,
    )
    return substitute


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("sv", "Anna Berg är borta till måndag 14 december. Tryck 0 för växeln."),
        ("nb", "Anna Berg er borte til mandag 14. desember. Trykk 0 for sentralbordet."),
        ("en", "Anna Berg is away until Monday 14 December. Press 0 for the switchboard."),
    ],
)
def test_an_absent_person_is_not_rung_and_the_caller_hears_until_when(
    exchange, anna, language, message, time_machine_at
):
    time_machine_at(datetime(2026, 12, 9, 10, 0, tzinfo=STOCKHOLM))
    substitute = _away_until_monday(anna)
    body = ask(exchange, "040-6281234", language=language).json()
    assert body["ring"] is False
    assert (body["state"], body["reason"], body["language"]) == ("absent", "leave", language)
    assert datetime.fromisoformat(body["until"]) == datetime(2026, 12, 14, tzinfo=STOCKHOLM)
    assert body["message"] == message
    assert body["substitute"] == {
        "id": substitute.pk,
        "name": "Per Holm",
        "number": "+46406281235",
    }


def test_an_absence_ending_today_is_said_with_its_time(exchange, anna, time_machine_at):
    time_machine_at(datetime(2026, 12, 9, 10, 0, tzinfo=STOCKHOLM))
    AbsenceFactory(
        employee=anna,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=datetime(2026, 12, 9, 14, 30, tzinfo=STOCKHOLM),
        reason="meeting",
    )
    assert ask(exchange, "+46406281234", language="sv").json()["message"] == (
        "Anna Berg är borta till 14.30. Tryck 0 för växeln."
    )
    AbsenceFactory(
        employee=anna,
        starts_at=datetime(2026, 12, 9, 14, 30, tzinfo=STOCKHOLM),
        ends_at=datetime(2026, 12, 10, 9, 15, tzinfo=STOCKHOLM),
    )
    assert ask(exchange, "+46406281234", language="en").json()["message"] == (
        "Anna Berg is away until Thursday 10 December 09:15. Press 0 for the switchboard."
    )


@pytest.mark.parametrize(
    ("phone_state", "message"),
    [
        (Availability.ON_CALL, "Anna Berg is on another call. Press 0 for the switchboard."),
        (
            Availability.DO_NOT_DISTURB,
            "Anna Berg cannot take calls right now. Press 0 for the switchboard.",
        ),
    ],
)
def test_the_line_state_is_said(exchange, anna, phone_state, message):
    anna.phone_state = phone_state
    anna.save()
    body = ask(exchange, "+46406281234", language="en").json()
    assert (body["ring"], body["state"], body["message"]) == (False, phone_state, message)


def test_a_leaver_is_not_rung(exchange, anna):
    anna.active = False
    anna.save()
    body = ask(exchange, "+46406281234", language="en").json()
    assert (body["ring"], body["state"]) == (False, "left")
    assert body["message"].startswith("Anna Berg can no longer be reached")


@pytest.mark.parametrize("number", ["+46406289999", "hej", "0", "%2B" + "9" * 38])
def test_an_unknown_number_is_404_with_a_message(exchange, anna, number):
    response = ask(exchange, number)
    assert response.status_code == 404
    assert response.json() == {
        "message": "No one in the directory has this direct number.",
        "errors": {},
    }


def test_a_bad_language_is_400(exchange, anna):
    response = ask(exchange, "+46406281234", language="de")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["language"]


def test_staff_tokens_open_it_and_nothing_else_does(api_client_for, handler, anna):
    assert ask(api_client_for(handler), "+46406281234").status_code == 200
    assert ask(Client(), "+46406281234").status_code == 401
    bad = Client(headers={"Authorization": "Bearer kx_not-a-key"})
    assert ask(bad, "+46406281234").status_code == 401


def test_the_answer_takes_three_queries_or_four_when_absent(
    exchange, anna, django_assert_num_queries
):
    # The exchange's token, the number's holder, the absences covering now.
    with django_assert_num_queries(3):
        assert ask(exchange, "+46406281234").json()["state"] == "available"
    _away_until_monday(anna)
    # And when the absences that follow begin and end.
    with django_assert_num_queries(4):
        assert ask(exchange, "+46406281234").json()["state"] == "absent"
