"""Filing a request: it becomes an ordinary case with its place and answers, the same on
the staff case page; a repeated Idempotency-Key stores nothing twice; hostile input is
refused with the spec's errors and leaves nothing behind; public lists hold nothing
personal; a client's updates hold messages to the resident and closings, never notes."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from kontakt.cases.models import Case, CaseEvent, Channel, Contact
from kontakt.cases.services import case_add_message, case_add_note, case_change_status
from kontakt.open311.models import Open311Client, Open311Request
from kontakt.residents.models import Resident

pytestmark = pytest.mark.django_db

URL = "/open311/v2/requests.json"


def stored() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        Contact.objects.count(),
        Resident.objects.count(),
        Open311Request.objects.count(),
    )


def test_a_request_becomes_a_case_shown_like_any_other(lamp_type, lamp_request, supervisor):
    answer = Client().post(URL, lamp_request).json()
    reference = answer[0]["service_request_id"]
    assert answer == [
        {
            "service_request_id": reference,
            "service_notice": lamp_type.next_steps,
            "account_id": None,
        }
    ]
    case = Case.objects.get(reference=reference)
    assert case.case_type == lamp_type
    assert case.status == "forwarded"
    assert case.department == lamp_type.department
    assert (case.latitude, case.longitude) == (Decimal("55.604981"), Decimal("13.003822"))
    assert case.address == "Stortorget 1, Sjöstad"
    assert case.attributes == {"fel": "dark", "stolpe": "A-113"}
    assert case.description == "The lamp at the fountain is dark."
    assert case.due_at is not None
    contact = case.contacts.get()
    assert contact.channel == Channel.OPEN311
    assert contact.agent is None
    assert case.resident is not None and case.resident.name == "Kim Boende"
    assert [e.address for e in case.resident.emails.all()] == ["boende@example.se"]
    assert case.feedback_channel == "email"
    staff = Client()
    staff.force_login(supervisor)
    page = staff.get(f"/cases/{reference}/")
    assert page.status_code == 200
    assert reference in page.content.decode()
    html = page.content.decode()
    assert "The lamp at the fountain is dark." in html
    place = html[html.index('id="case-place"') :].split("</dd>")[0]
    assert "Stortorget 1, Sjöstad" in place
    assert "55.604981, 13.003822" in place
    # The public record of it, with its place and its SLA.
    public = Client().get(f"/open311/v2/requests/{reference}.json").json()[0]
    assert public["lat"] == 55.604981 and public["long"] == 13.003822
    assert public["address"] == "Stortorget 1, Sjöstad"
    assert public["status"] == "open"
    assert public["agency_responsible"] == lamp_type.department.name
    assert public["expected_datetime"] == timezone.localtime(case.due_at).isoformat(
        timespec="seconds"
    )


def test_multi_values_and_media_url_are_kept_as_given(lamp_type, lamp_request):
    from kontakt.cases.models import CaseTypeAttribute

    CaseTypeAttribute.objects.create(
        case_type=lamp_type,
        code="tider",
        datatype="multivaluelist",
        question="When?",
        values=[{"key": "kvall", "name": "Evening"}, {"key": "natt", "name": "Night"}],
    )
    data = {
        **lamp_request,
        "attribute[tider][]": ["natt", "kvall"],
        "media_url": "https://app.example/photo/1.jpg",
        "account_id": "u-17",
        "device_id": "d-9",
    }
    answer = Client().post(URL, data).json()[0]
    assert answer["account_id"] == "u-17"
    case = Case.objects.get(reference=answer["service_request_id"])
    assert case.attributes["tider"] == ["kvall", "natt"]
    assert "https://app.example/photo/1.jpg" in case.description
    record = case.open311_request
    assert (record.media_url, record.device_id) == ("https://app.example/photo/1.jpg", "d-9")
    public = Client().get(f"/open311/v2/requests/{case.reference}.json").json()[0]
    assert public["media_url"] == "https://app.example/photo/1.jpg"


def test_a_request_without_contact_details_is_anonymous(bench_type, api_key):
    answer = (
        Client()
        .post(URL, {"api_key": api_key, "service_code": "parkbank", "description": "Broken"})
        .json()
    )
    case = Case.objects.get(reference=answer[0]["service_request_id"])
    assert case.resident is None
    assert (case.latitude, case.address) == (None, "")


def test_the_same_idempotency_key_gives_the_same_answer_and_stores_once(lamp_type, lamp_request):
    client = Client(headers={"Idempotency-Key": "8e03978e-40d5-43e8-bc93-6894a57f9324"})
    first = client.post(URL, lamp_request)
    before = stored()
    again = client.post(URL, lamp_request)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert stored() == before
    # In XML too: the same answer, from the same record.
    as_xml = client.post("/open311/v2/requests.xml", lamp_request)
    assert first.json()[0]["service_request_id"] in as_xml.content.decode()
    assert stored() == before


def test_the_same_key_with_another_body_is_refused(lamp_type, lamp_request):
    client = Client(headers={"Idempotency-Key": "k-1"})
    client.post(URL, lamp_request)
    before = stored()
    other = client.post(URL, {**lamp_request, "description": "Another lamp"})
    assert other.status_code == 422
    assert other.json()[0]["code"] == 422
    assert "Idempotency-Key" in other.json()[0]["description"]
    assert stored() == before


def test_keys_are_per_client(lamp_type, lamp_request):
    from kontakt.open311.services import open311_client_create

    _other, other_key = open311_client_create(name="Another app")
    headers = {"Idempotency-Key": "same"}
    one = Client(headers=headers).post(URL, lamp_request).json()
    two = Client(headers=headers).post(URL, {**lamp_request, "api_key": other_key}).json()
    assert one[0]["service_request_id"] != two[0]["service_request_id"]


def test_a_bad_key_header_is_refused(lamp_type, lamp_request):
    response = Client(headers={"Idempotency-Key": "x" * 300}).post(URL, lamp_request)
    assert response.status_code == 400
    assert stored() == (0, 0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_twice_at_once_stores_once(lamp_type, lamp_request):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs a database that threads share: run on PostgreSQL")
    results = []

    def send() -> None:
        results.append(Client(headers={"Idempotency-Key": "race"}).post(URL, lamp_request))
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {r.status_code for r in results} == {200}
    assert len({r.json()[0]["service_request_id"] for r in results}) == 1
    assert Case.objects.count() == 1


HOSTILE = [
    {"description": "NUL\x00"},
    {"first_name": "\x00"},
    {"attribute[stolpe]": "A\x00"},
    {"address_string": "x" * 10_000},
    {"description": "x" * 10_001},
    {"lat": "9999", "long": "13"},
    {"lat": "NaN", "long": "Infinity"},
    {"lat": "1e400", "long": "1"},
    {"email": "<script>@x"},
    {"phone": "+46 70 not a number"},
    {"service_code": "../../etc/passwd"},
    {"attribute[fel]": "<script>alert(1)</script>"},
    {"media_url": "file:///etc/passwd"},
    {"media_url": "https://" + "a" * 600 + ".example"},
    {"jurisdiction_id": "\x00"},
]


@pytest.mark.parametrize("changes", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_refused_and_nothing_is_stored(lamp_type, lamp_request, changes):
    before = stored()
    response = Client().post(URL, {**lamp_request, **changes})
    assert response.status_code in (400, 404)
    errors = response.json()
    assert errors and all(set(e) == {"code", "description"} for e in errors)
    assert stored() == before


def test_a_body_too_large_is_refused(lamp_type, lamp_request):
    response = Client().post(URL, {**lamp_request, "description": "x" * 200_000})
    assert response.status_code == 400
    assert stored() == (0, 0, 0, 0)


def test_a_failure_inside_the_intake_stores_nothing(lamp_type, lamp_request, monkeypatch):
    from kontakt.open311 import services

    def broken(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.Open311Request.objects, "create", broken)
    with pytest.raises(RuntimeError):
        Client(raise_request_exception=True).post(URL, lamp_request)
    assert stored() == (0, 0, 0, 0)


def test_public_lists_hold_nothing_personal(
    lamp_type, hidden_type, lamp_request, second_line, parking_type
):
    from kontakt.cases.tests.factories import CaseFactory

    Client().post(URL, {**lamp_request, "phone": "+46701234567"})
    phoned = CaseFactory.create(
        case_type=lamp_type, description="Anna Svensson at Storgatan 3 called", by=second_line
    )
    CaseFactory.create(case_type=hidden_type, description="Care", by=second_line)
    body = Client().get("/open311/v2/requests.json").content.decode()
    for personal in ("Kim", "Boende", "boende@example.se", "+46701234567", "Anna", "Care"):
        assert personal not in body
    rows = Client().get("/open311/v2/requests.json").json()
    assert {r["service_code"] for r in rows} == {"gatlampa"}
    by_phone = next(r for r in rows if r["service_request_id"] == phoned.reference)
    assert by_phone["description"] == "" and by_phone["lat"] is None


def test_filters_select_what_they_name(lamp_type, bench_type, api_key, lamp_request, supervisor):
    client = Client()
    lamp = client.post(URL, lamp_request).json()[0]["service_request_id"]
    bench = client.post(
        URL, {"api_key": api_key, "service_code": "parkbank", "description": "Bench"}
    ).json()[0]["service_request_id"]
    case_change_status(
        case=Case.objects.get(reference=bench), to_status="closed", by=supervisor, resolution="Done"
    )

    def ids(**params: str) -> list[str]:
        return [r["service_request_id"] for r in client.get(URL, params).json()]

    assert ids() == [bench, lamp]  # newest first
    assert ids(service_code="gatlampa") == [lamp]
    assert ids(status="closed") == [bench]
    assert ids(status="open") == [lamp]
    assert ids(service_request_id=f"{lamp},KC-1999-000001") == [lamp]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert ids(start_date=tomorrow) == []
    assert ids(end_date=tomorrow) == [bench, lamp]


def test_the_list_is_capped(lamp_type, api_key, settings, bench_type):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "OPEN311": {**settings.KONTAKT["OPEN311"], "MAX_REQUESTS": 2},
    }
    for n in range(3):
        Client().post(URL, {"api_key": api_key, "service_code": "parkbank", "description": f"{n}"})
    assert len(Client().get(URL).json()) == 2


def test_updates_hold_messages_and_closings_never_notes(
    lamp_type, api_key, lamp_request, supervisor
):
    client = Client()
    reference = client.post(URL, lamp_request).json()[0]["service_request_id"]
    case = Case.objects.get(reference=reference)
    case_add_note(case=case, body="Internal: the contractor is slow", by=supervisor)
    case_add_message(
        case=case, body="We will fix it on Monday.", direction="out", channel="email", by=supervisor
    )
    case_change_status(
        case=case,
        to_status="closed",
        by=supervisor,
        resolution="Lamp replaced",
        note="internal note",
    )
    case_add_message(
        case=case, body="Thank you for telling us.", direction="out", channel="email", by=supervisor
    )
    updates_url = "/open311/v2/servicerequestupdates.json"
    updates = client.get(updates_url, {"api_key": api_key}).json()
    body = str(updates)
    assert "Internal" not in body and "internal note" not in body
    assert [(u["status"], u["description"]) for u in updates] == [
        ("open", "We will fix it on Monday."),
        ("closed", "The request is closed."),
        ("closed", "Thank you for telling us."),
    ]
    assert all(u["service_request_id"] == reference for u in updates)
    ids = {u["update_id"] for u in updates}
    assert ids <= {str(pk) for pk in CaseEvent.objects.values_list("pk", flat=True)}
    # Another client sees none of them.
    from kontakt.open311.services import open311_client_create

    _other, other_key = open311_client_create(name="Other")
    assert client.get(updates_url, {"api_key": other_key}).json() == []
    # FixMyStreet asks with both dates, in XML.
    now = timezone.now()
    xml = client.get(
        "/open311/v2/servicerequestupdates.xml",
        {
            "api_key": api_key,
            "start_date": (now - timedelta(hours=2)).isoformat(),
            "end_date": (now + timedelta(minutes=1)).isoformat(),
        },
    ).content.decode()
    head = '<?xml version="1.0" encoding="utf-8"?><service_requests_updates>'
    assert xml.startswith(head + "<request_update><update_id>")
    assert xml.count("<request_update>") == 3


def test_the_command_issues_a_key_shown_once(lamp_type, bench_type, capsys):
    call_command("open311_client_create", "Stadens app")
    key = capsys.readouterr().out.strip()
    client = Open311Client.objects.get(name="Stadens app")
    assert client.key_hash == Open311Client.hash_key(key) and key not in client.key_hash
    response = Client().post(URL, {"api_key": key, "service_code": "parkbank"})
    assert response.status_code == 200


def test_admin_shows_clients_to_supervisors_and_lets_administrators_add(administrator, supervisor):
    admin = Client()
    admin.force_login(administrator)
    response = admin.post(
        "/admin/open311/open311client/add/", {"name": "FixMyStreet", "active": "on"}, follow=True
    )
    assert response.status_code == 200
    client = Open311Client.objects.get(name="FixMyStreet")
    shown = [str(m) for m in response.context["messages"]]
    assert any("ko_" in m for m in shown)
    assert client.prefix and any(client.prefix in m for m in shown)
    supervisor.is_staff = True
    supervisor.save()
    reader = Client()
    reader.force_login(supervisor)
    assert reader.get("/admin/open311/open311client/").status_code == 200
    assert reader.get(f"/admin/open311/open311client/{client.pk}/change/").status_code == 200
    assert reader.post("/admin/open311/open311client/add/", {"name": "X"}).status_code == 403
    assert not Open311Client.objects.filter(name="X").exists()


def test_a_time_from_before_the_time_window_fails_nothing(lamp_type, second_line):
    from datetime import UTC, datetime

    from kontakt.cases.tests.factories import CaseFactory

    case = CaseFactory.create(case_type=lamp_type, by=second_line)
    Case.objects.filter(pk=case.pk).update(
        due_at=datetime.max.replace(tzinfo=UTC), updated_at=datetime.max.replace(tzinfo=UTC)
    )
    for format in ("json", "xml"):
        response = Client().get(f"/open311/v2/requests/{case.reference}.{format}")
        assert response.status_code == 200
        assert "9999-12-31T23:59:59" in response.content.decode()
