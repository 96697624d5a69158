"""The staff pages: logging contacts, registering residents and working a case by form."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kontakt.accounts.roles import Role
from kontakt.accounts.tests.factories import UserFactory
from kontakt.cases.models import Attachment, Case, CaseEvent, Contact
from kontakt.cases.services import ContactDraft, case_change_status, case_take
from kontakt.cases.tests.factories import CaseFactory
from kontakt.residents.models import Resident, ResidentAccess
from kontakt.residents.tests.factories import ResidentFactory
from kontakt.tests.clock import at
from kontakt.tests.intake import contact_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client_for, agent):
    return client_for(agent)


def log(client, **fields):
    return client.post("/desk/contacts/", {"channel": "phone", "priority": "2", **fields})


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# Logging a contact -----------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["closed", "closed_order"])
def test_a_contact_closed_at_first_contact(desk, parking_type, resident, outcome):
    response = log(
        desk, outcome=outcome, case_type="parkering", resident=resident.pk, summary="Svarade"
    )
    assert response.status_code == 302
    assert response["Location"] == f"/desk/?resident={resident.pk}"
    contact = Contact.objects.get()
    assert (contact.outcome, contact.resident, contact.case, contact.summary) == (
        outcome,
        resident,
        None,
        "Svarade",
    )


def test_a_forwarded_contact_by_the_case_types_name(desk, parking_type, resident, department_a):
    # The desk's datalist offers names: the name is what the browser posts.
    response = log(
        desk,
        outcome="forwarded",
        case_type="Parkeringstillstånd",
        resident=resident.pk,
        summary="Nytt kort",
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.status, case.department, case.resident) == ("forwarded", department_a, resident)
    assert Contact.objects.get().case == case
    (message,) = messages_of(response)
    assert case.reference in message and department_a.name in message


def test_a_forwarded_contact_to_another_department(desk, parking_type, department_b):
    assert (
        log(desk, outcome="forwarded", case_type="parkering", department="social").status_code
        == 302
    )
    assert Case.objects.get().department == department_b


def test_a_linked_contact(desk, second_line, parking_type, resident):
    case = CaseFactory(case_type=parking_type, resident=resident, by=second_line)
    case_change_status(case=case, to_status="waiting", by=second_line)
    response = log(desk, outcome="linked", case_reference=case.reference, resident=resident.pk)
    assert response.status_code == 302
    assert Contact.objects.get().case == case
    assert Case.objects.get(pk=case.pk).status == "open"


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"outcome": "forwarded"}, "Choose the case type of the case to open."),
        ({"outcome": "forwarded", "case_type": "Okänd typ"}, "Choose a case type from the list."),
        ({"outcome": "closed", "case_type": "hemtjanst"}, "First line may not close"),
        ({"outcome": "linked"}, "Choose the open case this contact belongs to."),
        ({"outcome": "teleport"}, "Select a valid choice."),
        (
            {"outcome": "forwarded", "case_type": "parkering", "department": "nope"},
            "Select a valid choice.",
        ),
    ],
)
def test_form_errors_are_shown_with_400_and_nothing_is_stored(
    desk, parking_type, care_type, fields, shown
):
    response = log(desk, **fields)
    assert response.status_code == 400
    assert shown in response.content.decode()
    assert Contact.objects.count() == 0
    assert Case.objects.count() == 0


def test_linking_to_a_case_that_does_not_exist_is_404(desk, parking_type):
    response = log(desk, outcome="linked", case_reference="KC-2026-999999", summary="Hej")
    assert response.status_code == 404
    assert Contact.objects.count() == 0


def test_a_tampered_channel_is_refused(desk):
    # The desk offers channels as radio buttons, so only a forged post gets here; the page
    # does not print this field's error, but nothing is stored.
    response = log(desk, outcome="closed", channel="fax")
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["channel"]
    assert Contact.objects.count() == 0


def test_the_desk_shows_the_resident_with_a_masked_number_and_records_the_read(
    desk, agent, resident, parking_type
):
    open_case = CaseFactory(case_type=parking_type, resident=resident, by=agent)
    response = desk.get(f"/desk/?resident={resident.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "19121212-****" in html and "19121212-1212" not in html
    assert open_case.reference in html
    assert ResidentAccess.objects.filter(resident=resident, user=agent, what="desk").exists()


def test_the_desk_search(desk, resident):
    ResidentFactory(name="Kalle Svensson")
    response = desk.post("/desk/", {"q": "Lindqvist"})
    assert [r.name for r in response.context["results"]] == ["Karin Lindqvist"]
    partial = desk.post("/desk/", {"q": "Lindqvist"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert b"Karin Lindqvist" in partial.content


def test_the_desk_search_finds_a_case_by_reference(desk, second_line, parking_type):
    case = CaseFactory(case_type=parking_type, by=second_line)
    response = desk.post("/desk/", {"q": case.reference})
    assert response.context["case_hit"] == case


def test_an_identity_number_searched_for_stays_out_of_every_url(client_for, agent, resident):
    """Access logs keep URLs: the search is posted, and what the page links to names the
    resident by row id, never by what was typed."""
    desk = client_for(agent)
    desk.get("/desk/")  # the CSRF cookie, as a browser has it
    html = desk.get("/desk/").content.decode()
    assert 'method="post" action="/desk/" role="search"' in html
    assert 'hx-post="/desk/"' in html
    for typed in ("191212121212", "19121212-1212", "1212121212"):
        found = desk.post("/desk/", {"q": typed})
        assert [r.pk for r in found.context["results"]] == [resident.pk]
        page = found.content.decode()
        assert f"/desk/?resident={resident.pk}" in page
        assert "?q=" not in page and f"name={typed}" not in page
    # The search is no longer read from a URL: an old link finds nothing.
    assert desk.get("/desk/?q=191212121212").context["results"] == []


def test_a_name_searched_for_goes_on_to_the_new_residents_form(desk):
    page = desk.post("/desk/", {"q": "Nils Ek"}).content.decode()
    assert "/residents/new/?name=Nils%20Ek" in page
    page = desk.post("/desk/", {"q": "191212121212"}).content.decode()
    assert '/residents/new/"' in page


# Registering a resident ------------------------------------------------------------------


def test_registering_a_resident(desk):
    form = desk.get("/residents/new/?name=Karin")
    assert form.status_code == 200
    assert form.context["form"]["name"].value() == "Karin"
    response = desk.post(
        "/residents/new/",
        {
            "kind": "person",
            "name": "Karin Lindqvist",
            "identity_number": "19121212-1212",
            "phone": "070-123 45 67",
            "email": "karin@example.se",
            "preferred_language": "sv",
            "preferred_channel": "email",
        },
    )
    resident = Resident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/?resident={resident.pk}"
    assert resident.identity_number == "191212121212"
    assert list(resident.phones.values_list("number", flat=True)) == ["+46701234567"]


@pytest.mark.parametrize(
    ("identity_number", "shown"),
    [
        ("19121212-1213", "The check digit is wrong; look at the number again."),
        ("191212121212", "A resident with this number is already registered."),
    ],
)
def test_a_resident_with_a_bad_or_taken_number_is_not_registered(
    desk, resident, identity_number, shown
):
    response = desk.post(
        "/residents/new/",
        {
            "kind": "person",
            "name": "Någon",
            "identity_number": identity_number,
            "preferred_language": "sv",
            "preferred_channel": "phone",
        },
    )
    assert response.status_code == 400
    assert shown in response.content.decode()
    assert Resident.objects.count() == 1


# Working a case ---------------------------------------------------------------------------


@pytest.fixture
def case(agent, parking_type, resident) -> Case:
    draft = ContactDraft(
        channel="phone", outcome="forwarded", case_type=parking_type, resident=resident
    )
    case = contact_log(draft=draft, by=agent).case
    assert case is not None
    return case


@pytest.fixture
def worker(client_for, handler):
    return client_for(handler)


def act(client, case: Case, action: str, data=None):
    return client.post(f"/cases/{case.reference}/{action}/", data or {})


def test_the_case_page_shows_the_full_number_to_a_handler(worker, case):
    response = worker.get(f"/cases/{case.reference}/")
    assert response.status_code == 200
    assert "19121212-1212" in response.content.decode()
    assert response.context["may_work"] is True


def test_taking_noting_messaging_and_closing_a_case(worker, handler, case):
    assert act(worker, case, "take").status_code == 302
    case.refresh_from_db()
    assert (case.handler, case.status) == (handler, "open")

    assert act(worker, case, "notes", {"body": "Ringt upp"}).status_code == 302
    assert CaseEvent.objects.filter(case=case, kind="note", body="Ringt upp").exists()

    assert (
        act(
            worker,
            case,
            "messages",
            {"body": "Skicka intyget", "direction": "out", "channel": "sms"},
        ).status_code
        == 302
    )
    assert act(worker, case, "status", {"status": "waiting"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.due_at) == ("waiting", None)

    assert (
        act(
            worker, case, "messages", {"body": "Här", "direction": "in", "channel": "email"}
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == "open" and case.due_at is not None

    act(worker, case, "status", {"status": "waiting"})
    assert act(worker, case, "status", {"status": "open"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "open" and case.due_at is not None

    refused = act(worker, case, "status", {"status": "closed"})
    assert refused.status_code == 400
    assert "Write how the case was resolved." in refused.content.decode()
    assert Case.objects.get(pk=case.pk).status == "open"

    closed = act(worker, case, "status", {"status": "closed", "resolution": "Beviljat"})
    assert closed.status_code == 302
    assert closed["Location"] == f"/cases/{case.reference}/"
    case.refresh_from_db()
    assert (case.status, case.resolution) == ("closed", "Beviljat")


def test_an_illegal_status_change_is_shown_and_not_stored(worker, case):
    act(worker, case, "status", {"status": "waiting"})
    events = CaseEvent.objects.filter(case=case).count()
    response = act(worker, case, "status", {"status": "waiting"})
    assert response.status_code == 400
    assert "A case cannot go from" in response.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_closed_case_cannot_be_taken(client_for, second_line, case):
    client = client_for(second_line)
    act(client, case, "status", {"status": "closed", "resolution": "Klart"})
    response = act(client, case, "take")
    assert response.status_code == 302
    assert "A closed case cannot be taken." in messages_of(response)
    assert Case.objects.get(pk=case.pk).handler is None


def test_forwarding_from_the_case_page(worker, handler, case, department_b):
    response = act(worker, case, "forward", {"department": "social", "note": "Fel förvaltning"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.department, case.status) == (department_b, "forwarded")
    # Now another department's case: the handler no longer sees it at all.
    assert worker.get(f"/cases/{case.reference}/").status_code == 404


def test_an_empty_form_is_shown_with_400(worker, case):
    events = CaseEvent.objects.filter(case=case).count()
    for action in ("notes", "messages", "status", "forward", "attachments"):
        response = act(worker, case, action)
        assert response.status_code == 400, action
        assert "This field is required." in response.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == events


def test_attaching_files(settings, worker, case):
    upload = SimpleUploadedFile("intyg.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert act(worker, case, "attachments", {"file": upload}).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == "intyg.pdf"
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))

    refused = act(
        worker,
        case,
        "attachments",
        {"file": SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")},
    )
    assert refused.status_code == 400
    assert "The file&#x27;s content is not of a type that can be attached" in (
        refused.content.decode()
    )
    assert Attachment.objects.count() == 1


def test_an_agent_may_note_and_forward_but_not_change_the_status(desk, case):
    assert act(desk, case, "notes", {"body": "Ringde igen"}).status_code == 302
    assert act(desk, case, "status", {"status": "open"}).status_code == 403
    assert Case.objects.get(pk=case.pk).status == "forwarded"


# Queue and lists ---------------------------------------------------------------------------


def test_the_queue_shows_the_departments_open_cases_oldest_due_first(
    worker, handler, agent, parking_type, care_type, second_line
):
    later = contact_log(
        draft=ContactDraft(channel="phone", outcome="forwarded", case_type=parking_type), by=agent
    ).case
    earlier = CaseFactory(case_type=parking_type, by=second_line, now=at(2, 9))
    done = CaseFactory(case_type=parking_type, by=second_line, now=at(2, 9))
    case_change_status(case=done, to_status="closed", resolution="Klart", by=second_line)
    CaseFactory(case_type=care_type, by=second_line, now=at(2, 8))  # department B

    shown = [c.reference for c in worker.get("/queue/").context["page"]]
    assert shown == [earlier.reference, later.reference]
    # A department handler cannot look into another department's queue.
    assert [c.reference for c in worker.get("/queue/?department=social").context["page"]] == shown

    act(worker, later, "take")
    assert [c.reference for c in worker.get("/queue/?scope=mine").context["page"]] == [
        later.reference
    ]
    assert [c.reference for c in worker.get("/queue/?scope=unassigned").context["page"]] == [
        earlier.reference
    ]


def test_the_case_list_searches_only_the_departments_cases(
    worker, second_line, parking_type, care_type
):
    mine = CaseFactory(case_type=parking_type, subject="Parkering vid skolan", by=second_line)
    CaseFactory(case_type=care_type, subject="Parkering för hemtjänsten", by=second_line)
    response = worker.get("/cases/?q=parkering")
    assert [c.reference for c in response.context["cases"]] == [mine.reference]
    assert [c.reference for c in worker.get("/cases/?status=new").context["cases"]] == [
        mine.reference
    ]


# Absence -----------------------------------------------------------------------------------


def test_marking_oneself_out_of_office_hands_on_open_cases(
    client_for, handler, department_a, second_line, parking_type
):
    colleague = UserFactory(role=Role.HANDLER, department=department_a)
    case = CaseFactory(case_type=parking_type, by=second_line)
    case_take(case=case, by=handler)
    client = client_for(handler)
    assert client.get("/me/absence/").status_code == 200
    today = date.today().isoformat()
    response = client.post(
        "/me/absence/",
        {"out_of_office_from": today, "out_of_office_until": today, "substitute": colleague.pk},
    )
    assert response.status_code == 302
    handler.refresh_from_db()
    assert (handler.out_of_office_from, handler.substitute) == (date.today(), colleague)
    assert Case.objects.get(pk=case.pk).handler == colleague

    backwards = client.post(
        "/me/absence/", {"out_of_office_from": today, "out_of_office_until": "2000-01-01"}
    )
    assert backwards.status_code == 400


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/desk/?q=%00", 200),
        ("/desk/?q=karin%00@example.se", 200),
        ("/desk/?q=070%00123", 200),
        ("/desk/?resident=%00", 200),
        ("/cases/?q=%00", 200),
        ("/queue/?department=%00", 200),
        ("/cases/KC-2026-000001%00/", 404),
        ("/residents/new/?name=%00", 200),
    ],
)
def test_text_the_database_cannot_store_does_not_break_a_page(desk, resident, url, status):
    assert desk.get(url).status_code == status
