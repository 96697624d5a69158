"""The contacts and cases API: logging, reading, searching, working and forwarding cases."""

import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.utils import timezone

from kontakt.cases.models import Case, CaseEvent, Contact
from kontakt.cases.services import ContactDraft, case_change_status, case_forward
from kontakt.cases.tests.factories import CaseFactory
from kontakt.residents.tests.factories import ResidentFactory
from kontakt.tests.clock import MONDAY_0900, at
from kontakt.tests.intake import contact_log

pytestmark = pytest.mark.django_db

JSON = "application/json"
REFERENCE = re.compile(r"KC-\d{4}-\d{6}")
SWEDISH_MO = Path(settings.LOCALE_PATHS[0]) / "sv" / "LC_MESSAGES" / "django.mo"


@pytest.fixture
def frozen(monkeypatch):
    """The clock stands still at Monday 09:00, so due times can be checked exactly."""
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_0900)
    return MONDAY_0900


def post(client, path, body):
    return client.post(path, body, content_type=JSON)


def references(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["reference"] for row in response.json()["results"]}


# Contacts ------------------------------------------------------------------------------


def test_a_forwarded_contact_opens_a_case(frozen, api_client, parking_type, resident):
    response = post(
        api_client,
        "/api/v1/contacts",
        {
            "channel": "phone",
            "outcome": "forwarded",
            "case_type": "parkering",
            "resident_id": resident.pk,
            "summary": "Vill förnya parkeringstillståndet",
            "feedback_channel": "email",
        },
    )
    assert response.status_code == 201, response.content
    contact = response.json()
    assert REFERENCE.fullmatch(contact["case_reference"])
    assert (contact["outcome"], contact["agent"], contact["case_type"]) == (
        "forwarded",
        "agent",
        "parkering",
    )

    case = api_client.get(f"/api/v1/cases/{contact['case_reference']}").json()
    assert (case["status"], case["department"], case["feedback_channel"]) == (
        "forwarded",
        "gata",
        "email",
    )
    assert case["subject"] == "Vill förnya parkeringstillståndet"
    assert datetime.fromisoformat(case["due_at"]) == at(4, 9)
    assert [e["kind"] for e in case["events"]] == ["created", "status", "forwarded"]


def test_a_contact_can_be_forwarded_to_another_department(api_client, parking_type, department_b):
    body = {
        "channel": "email",
        "outcome": "forwarded",
        "case_type": "parkering",
        "department": "social",
    }
    reference = post(api_client, "/api/v1/contacts", body).json()["case_reference"]
    assert Case.objects.get(reference=reference).department == department_b


def test_a_contact_closed_at_first_contact(api_client, parking_type):
    response = post(
        api_client,
        "/api/v1/contacts",
        {"channel": "chat", "outcome": "closed", "case_type": "parkering"},
    )
    assert response.status_code == 201
    assert response.json()["case_reference"] is None
    assert Case.objects.count() == 0


def test_a_linked_contact_joins_the_case(api_client, second_line, parking_type, resident):
    case = CaseFactory(case_type=parking_type, resident=resident, by=second_line)
    case_change_status(case=case, to_status="waiting", by=second_line)
    body = {
        "channel": "phone",
        "outcome": "linked",
        "case_reference": case.reference,
        "resident_id": resident.pk,
    }
    response = post(api_client, "/api/v1/contacts", body)
    assert response.status_code == 201
    assert response.json()["case_reference"] == case.reference
    assert Case.objects.get(pk=case.pk).status == "open"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "phone", "outcome": "forwarded"}, "case_type"),
        ({"channel": "phone", "outcome": "forwarded", "case_type": "nope"}, "case_type"),
        ({"channel": "phone", "outcome": "closed", "resident_id": 999999}, "resident_id"),
        (
            {
                "channel": "phone",
                "outcome": "forwarded",
                "case_type": "parkering",
                "department": "x",
            },
            "department",
        ),
        ({"channel": "phone", "outcome": "linked"}, "case"),
        ({"channel": "phone", "outcome": "closed", "case_type": "hemtjanst"}, "outcome"),
        ({"channel": "pigeon", "outcome": "closed"}, "channel"),
        ({"outcome": "closed"}, "channel"),
        (
            {"channel": "phone", "outcome": "closed", "started_at": "2026-03-02T09:00:00"},
            "started_at",
        ),
        ({"channel": "phone", "outcome": "closed", "priority": 7}, "priority"),
        ({"channel": "phone", "outcome": "closed", "colour": "red"}, "colour"),
        ({"channel": "phone", "outcome": "closed", "summary": "x" * 10_001}, "summary"),
    ],
)
def test_an_invalid_contact_gets_field_errors_and_stores_nothing(
    api_client, parking_type, care_type, body, field
):
    response = post(api_client, "/api/v1/contacts", body)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert all(isinstance(message, str) and message for message in errors[field])
    assert Contact.objects.count() == 0
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("times", "status"),
    [
        ({"started_at": "0001-01-01T00:00:00+14:00"}, 400),  # before year 1 in UTC
        ({"ended_at": "9999-12-31T23:59:59-14:00"}, 400),  # after year 9999 in UTC
        ({"started_at": "2026-03-02T09:00:00+01:00", "ended_at": "2026-03-02T08:59:00+01:00"}, 400),
        ({"ended_at": "2026-03-02T08:00:00+01:00"}, 400),  # starts now, ended an hour ago
        ({"started_at": "2026-03-02T09:00:00+23:59"}, 201),  # a strange offset, a real time
        ({"started_at": "2026-03-02T09:30:00+01:00"}, 201),  # ahead of the clock: ends as it starts
    ],
)
def test_contact_times_at_the_edges(frozen, api_client, times, status):
    response = post(
        api_client, "/api/v1/contacts", {"channel": "phone", "outcome": "closed", **times}
    )
    assert response.status_code == status, response.content
    if status == 400:
        assert set(response.json()["errors"]) <= {"started_at", "ended_at"}
        assert Contact.objects.count() == 0
    else:
        contact = Contact.objects.get()
        assert contact.started_at == datetime.fromisoformat(times["started_at"])
        assert contact.ended_at == max(contact.started_at, frozen)


def test_contacts_are_listed_newest_first_with_filters(
    api_client, agent, switchboard, parking_type, resident
):
    for minute, (by, channel) in enumerate(
        [(agent, "phone"), (switchboard, "email"), (agent, "chat")]
    ):
        contact_log(
            draft=ContactDraft(
                channel=channel,
                outcome="closed",
                resident=resident if minute else None,
                summary=f"nr {minute}",
            ),
            by=by,
            now=at(2, 9, minute),
        )
    rows = api_client.get("/api/v1/contacts").json()["results"]
    assert [r["summary"] for r in rows] == ["nr 2", "nr 1", "nr 0"]

    def summaries(**query: object) -> list[str]:
        response = api_client.get("/api/v1/contacts?" + urlencode(query))
        assert response.status_code == 200
        return [r["summary"] for r in response.json()["results"]]

    assert summaries(agent="switchboard") == ["nr 1"]
    assert summaries(channel="chat") == ["nr 2"]
    assert summaries(resident_id=resident.pk) == ["nr 2", "nr 1"]
    assert summaries(since=at(2, 9, 1).isoformat(), until=at(2, 9, 2).isoformat()) == ["nr 1"]
    assert summaries(q="NR 0") == ["nr 0"]
    page = api_client.get("/api/v1/contacts?limit=2").json()
    assert (len(page["results"]), page["next_offset"]) == (2, 2)
    assert api_client.get("/api/v1/contacts?limit=2&offset=2").json()["next_offset"] is None


# Opening and reading cases ---------------------------------------------------------------


def test_a_case_is_opened_read_and_not_found(api_client, parking_type, resident):
    response = post(
        api_client,
        "/api/v1/cases",
        {
            "case_type": "parkering",
            "subject": "Tillstånd",
            "resident_id": resident.pk,
            "priority": 3,
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["status"], created["priority"], created["resident_id"]) == (
        "new",
        3,
        resident.pk,
    )

    detail = api_client.get(f"/api/v1/cases/{created['reference'].lower()}")
    assert detail.status_code == 200
    assert detail.json()["reference"] == created["reference"]

    for missing in ("KC-2026-999999", "nothing", "KC-2026-000001%00"):
        response = api_client.get(f"/api/v1/cases/{missing}")
        assert response.status_code == 404
        assert response.json() == {"message": "Not found.", "errors": {}}


@pytest.fixture
def cases(second_line, parking_type, care_type, department_b, resident):
    """Four cases: forwarded parking, new care, parking sent on to B, a closed parking case."""
    other = ResidentFactory(name="Kalle Svensson")
    made = {
        "permit": CaseFactory(
            case_type=parking_type,
            resident=resident,
            subject="Parkeringstillstånd för rörelsehindrad",
            description="Gäller bil med registreringsnummer ABC123",
            by=second_line,
            now=at(2, 9),
        ),
        "care": CaseFactory(
            case_type=care_type,
            resident=other,
            subject="Hemtjänst på helger",
            by=second_line,
            now=at(3, 9),
        ),
        "wrong": CaseFactory(
            case_type=parking_type,
            subject="Felparkerad bil på Storgatan",
            by=second_line,
            now=at(4, 9),
        ),
        "done": CaseFactory(
            case_type=parking_type,
            resident=resident,
            subject="Parkering vid skolan",
            by=second_line,
            now=at(5, 9),
        ),
    }
    case_forward(
        case=made["permit"], department=parking_type.department, by=second_line, now=at(2, 10)
    )
    case_forward(case=made["wrong"], department=department_b, by=second_line, now=at(4, 10))
    case_change_status(
        case=made["done"], to_status="closed", resolution="Klart", by=second_line, now=at(5, 10)
    )
    return {name: Case.objects.get(pk=case.pk) for name, case in made.items()}


def test_cases_are_filtered(api_client, cases, resident, handler, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at(20, 9))  # for "overdue"

    def found(**query: object) -> set[str]:
        return references(api_client.get("/api/v1/cases?" + urlencode(query)))

    ref = {name: case.reference for name, case in cases.items()}
    assert found() == set(ref.values())
    assert found(status="forwarded") == {ref["permit"], ref["wrong"]}
    assert found(status="new,closed") == {ref["care"], ref["done"]}
    assert found(case_type="hemtjanst") == {ref["care"]}
    assert found(department="social") == {ref["care"], ref["wrong"]}
    assert found(resident_id=resident.pk) == {ref["permit"], ref["done"]}
    # Due: permit and care Wednesday 4th 09:00, wrong Friday 6th 09:00, done Monday 9th 09:00.
    assert found(due_before=at(4, 9, 1).isoformat()) == {ref["permit"], ref["care"]}
    assert found(due_after=at(5, 0).isoformat()) == {ref["wrong"], ref["done"]}
    # On the 20th all are past due, but the closed one is not overdue.
    assert found(overdue="true") == {ref["permit"], ref["care"], ref["wrong"]}
    assert found(handler="nobody") == set()
    handled = CaseFactory(case_type=cases["permit"].case_type, by=handler)
    from kontakt.cases.services import case_take

    case_take(case=handled, by=handler)
    assert found(handler="handler") == {handled.reference}


def test_an_unknown_status_filter_is_a_field_error(api_client):
    response = api_client.get("/api/v1/cases?status=open,archived")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("parkeringstillstånd", {"permit"}),
        ("PARKERINGSTILLSTÅND", {"permit"}),
        ("parkering", {"permit", "done"}),  # a word prefix finds the longer words
        ("park", {"permit", "done"}),
        ("rörelsehindrad", {"permit"}),
        ("abc123", {"permit"}),  # the description is searched too
        ("parkering skolan", {"done"}),  # every word must match
        ("Felparkerad, bil!", {"wrong"}),  # punctuation is ignored
        ("tillstånd", set()),  # only prefixes: the end of a compound word does not match
        ("bil", {"wrong", "permit"}),
        ("helger", {"care"}),
        ("saknas", set()),
        ("'\"*():-^", set()),  # search syntax characters are not an error
    ],
)
def test_text_search_on_this_database(api_client, cases, query, expected):
    found = references(api_client.get("/api/v1/cases?" + urlencode({"q": query})))
    assert found == {cases[name].reference for name in expected}


def test_a_case_reference_in_the_search_finds_that_case(api_client, cases):
    reference = cases["care"].reference
    assert references(api_client.get(f"/api/v1/cases?q={reference.lower()}")) == {reference}


def test_the_search_follows_edits_of_the_subject(api_client, cases):
    case = cases["care"]
    case.subject = "Trygghetslarm"
    case.save()
    assert references(api_client.get("/api/v1/cases?q=trygghet")) == {case.reference}
    assert references(api_client.get("/api/v1/cases?q=helger")) == set()


def test_cases_are_paged(api_client, second_line, parking_type):
    made = [
        CaseFactory(case_type=parking_type, by=second_line, now=at(2, 9, minute))
        for minute in range(5)
    ]
    first = api_client.get("/api/v1/cases?limit=2").json()
    assert [r["reference"] for r in first["results"]] == [made[4].reference, made[3].reference]
    assert first["next_offset"] == 2
    last = api_client.get("/api/v1/cases?limit=2&offset=4").json()
    assert ([r["reference"] for r in last["results"]], last["next_offset"]) == (
        [made[0].reference],
        None,
    )


# Working a case --------------------------------------------------------------------------


@pytest.fixture
def case(second_line, parking_type, resident) -> Case:
    return CaseFactory.create(case_type=parking_type, resident=resident, by=second_line)


def test_notes_and_messages(api_client_for, handler, case):
    client = api_client_for(handler)
    note = post(client, f"/api/v1/cases/{case.reference}/notes", {"body": "Ringde, inget svar"})
    assert note.status_code == 201
    assert {k: note.json()[k] for k in ("kind", "by", "body")} == {
        "kind": "note",
        "by": "handler",
        "body": "Ringde, inget svar",
    }
    assert post(client, f"/api/v1/cases/{case.reference}/notes", {"body": ""}).json()[
        "errors"
    ].keys() == {"body"}

    post(client, f"/api/v1/cases/{case.reference}/status", {"status": "waiting"})
    answer = post(
        client,
        f"/api/v1/cases/{case.reference}/messages",
        {"body": "Här är intyget", "direction": "in", "channel": "email"},
    )
    assert answer.status_code == 201
    assert answer.json()["kind"] == "message_in"
    assert Case.objects.get(pk=case.pk).status == "open"


def test_status_changes_through_the_api(api_client_for, second_line, case):
    client = api_client_for(second_line)
    url = f"/api/v1/cases/{case.reference}/status"

    waiting = post(client, url, {"status": "waiting", "note": "Väntar på intyg"})
    assert waiting.status_code == 200
    assert waiting.json()["due_at"] is None and waiting.json()["sla_paused_at"] is not None

    events = CaseEvent.objects.filter(case=case).count()
    illegal = post(client, url, {"status": "new"})
    assert illegal.status_code == 400
    (message,) = illegal.json()["errors"]["status"]
    assert "Waiting for resident" in message and "New" in message
    assert CaseEvent.objects.filter(case=case).count() == events
    assert Case.objects.get(pk=case.pk).status == "waiting"

    no_resolution = post(client, url, {"status": "closed"})
    assert list(no_resolution.json()["errors"]) == ["resolution"]

    closed = post(client, url, {"status": "closed", "resolution": "Beviljat"})
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["resolution"], closed.json()["sla_met"]) == (
        "closed",
        "Beviljat",
        True,
    )


def test_an_agent_may_not_change_the_status(api_client, case):
    response = post(api_client, f"/api/v1/cases/{case.reference}/status", {"status": "open"})
    assert response.status_code == 403
    assert response.json()["errors"] == {}
    assert Case.objects.get(pk=case.pk).status == "new"


def test_forwarding_through_the_api(api_client, case, department_b):
    response = post(
        api_client,
        f"/api/v1/cases/{case.reference}/forward",
        {"department": "social", "note": "Rätt förvaltning"},
    )
    assert response.status_code == 200
    assert (response.json()["department"], response.json()["status"]) == ("social", "forwarded")
    unknown = post(api_client, f"/api/v1/cases/{case.reference}/forward", {"department": "nope"})
    assert list(unknown.json()["errors"]) == ["department"]


def test_case_types_and_departments(api_client, parking_type, care_type):
    care_type.active = False
    care_type.save()
    (only,) = api_client.get("/api/v1/case-types").json()
    assert only == {
        "code": "parkering",
        "name": "Parkeringstillstånd",
        "department": "gata",
        "first_line_may_close": True,
        "response_time_hours": 16.0,
        "routine": "",
    }
    departments = api_client.get("/api/v1/departments").json()
    assert departments == [
        {"code": "gata", "name": "Gatu- och parkförvaltningen"},
        {"code": "social", "name": "Socialförvaltningen"},
    ]


# Department staff see their own department only ------------------------------------------


def test_department_staff_get_404_for_another_departments_case(
    api_client_for, handler, department_contact, cases
):
    theirs = cases["care"].reference  # department B
    for user in (handler, department_contact):
        client = api_client_for(user)
        assert client.get(f"/api/v1/cases/{theirs}").status_code == 404
        for action, body in [
            ("notes", {"body": "x"}),
            ("messages", {"body": "x", "direction": "out", "channel": "email"}),
            ("status", {"status": "open"}),
            ("forward", {"department": "gata"}),
        ]:
            response = post(client, f"/api/v1/cases/{theirs}/{action}", body)
            assert response.status_code == 404, (user, action)
            assert response.json() == {"message": "Not found.", "errors": {}}
    assert (
        CaseEvent.objects.filter(case=cases["care"], kind__in=["note", "message_out"]).count() == 0
    )
    assert Case.objects.get(pk=cases["care"].pk).status == "new"


def test_department_staff_list_and_search_only_their_departments_cases(
    api_client_for, handler, handler_b, cases
):
    mine = api_client_for(handler)
    assert references(mine.get("/api/v1/cases")) == {
        cases["permit"].reference,
        cases["done"].reference,
    }
    assert references(mine.get("/api/v1/cases?q=bil")) == {cases["permit"].reference}
    assert references(mine.get("/api/v1/cases?department=social")) == set()
    assert references(mine.get(f"/api/v1/cases?q={cases['care'].reference}")) == set()

    theirs = api_client_for(handler_b)
    assert references(theirs.get("/api/v1/cases")) == {
        cases["care"].reference,
        cases["wrong"].reference,
    }


def test_department_staff_see_contacts_of_their_departments_cases_only(
    api_client_for, agent, handler, handler_b, parking_type, care_type
):
    contact_log(
        draft=ContactDraft(
            channel="phone", outcome="forwarded", case_type=parking_type, summary="A"
        ),
        by=agent,
    )
    contact_log(
        draft=ContactDraft(channel="phone", outcome="forwarded", case_type=care_type, summary="B"),
        by=agent,
    )
    contact_log(draft=ContactDraft(channel="phone", outcome="closed", summary="Ingen"), by=agent)
    assert [
        c["summary"] for c in api_client_for(handler).get("/api/v1/contacts").json()["results"]
    ] == ["A"]
    assert [
        c["summary"] for c in api_client_for(handler_b).get("/api/v1/contacts").json()["results"]
    ] == ["B"]


def test_department_staff_may_not_log_contacts_or_open_cases(api_client_for, handler, parking_type):
    client = api_client_for(handler)
    assert (
        post(client, "/api/v1/contacts", {"channel": "phone", "outcome": "closed"}).status_code
        == 403
    )
    assert (
        post(client, "/api/v1/cases", {"case_type": "parkering", "subject": "x"}).status_code == 403
    )
    assert Contact.objects.count() == Case.objects.count() == 0


# Text the database cannot store ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", "/api/v1/cases", {"case_type": "parkering", "subject": "a\x00b"}, "subject"),
        (
            "post",
            "/api/v1/contacts",
            {"channel": "phone", "outcome": "closed", "summary": "\x00"},
            "summary",
        ),
        ("post", "/api/v1/residents", {"name": "Karin", "phones": ["070\x00"]}, "phones"),
        ("get", "/api/v1/cases?case_type=%00", None, "case_type"),
        ("get", "/api/v1/cases?handler=a%00", None, "handler"),
        ("get", "/api/v1/contacts?q=%00", None, "q"),
        ("get", "/api/v1/residents?q=%00", None, "q"),
    ],
)
def test_a_nul_character_is_a_field_error_on_every_database(
    api_client, parking_type, method, path, body, field
):
    response = post(api_client, path, body) if method == "post" else api_client.get(path)
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]


def test_a_lone_surrogate_is_a_field_error(api_client, parking_type):
    raw = '{"case_type": "parkering", "subject": "\\ud800"}'
    response = api_client.post("/api/v1/cases", raw, content_type=JSON)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["subject"]


# Languages -------------------------------------------------------------------------------


def test_errors_are_in_english_by_default(api_client):
    response = post(api_client, "/api/v1/contacts", {"outcome": "closed"})
    assert response.json() == {
        "message": "The request has errors.",
        "errors": {"channel": ["This field is required."]},
    }


@pytest.mark.skipif(
    not SWEDISH_MO.exists(), reason="kontakt/locale/sv has no compiled django.mo yet"
)
def test_errors_follow_accept_language(api_client, parking_type, care_type):
    def errors(language: str, body: dict[str, object]) -> dict[str, object]:
        response = api_client.post(
            "/api/v1/contacts", body, content_type=JSON, headers={"Accept-Language": language}
        )
        assert response.status_code == 400
        return response.json()

    for body in (
        {"outcome": "closed"},  # a schema error
        {"channel": "phone", "outcome": "closed", "case_type": "hemtjanst"},  # a service error
    ):
        english, swedish = errors("en", body), errors("sv", body)
        assert english["errors"].keys() == swedish["errors"].keys()
        assert english["errors"] != swedish["errors"]
        assert english["message"] != swedish["message"]
