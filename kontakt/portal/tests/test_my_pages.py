"""My pages through the test client: private links, the e-mailed sign-in link, what a
resident sees of a case and what they may change on it."""

import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from PIL import Image

from kontakt.cases.links import case_link_create, case_links_revoke
from kontakt.cases.models import Attachment, CaseEvent, CaseEventKind, CaseLink, Notice
from kontakt.cases.services import (
    case_add_message,
    case_add_note,
    case_attach,
    case_change_status,
    case_take,
)
from kontakt.cases.tests.factories import CaseFactory
from kontakt.core.case_status import CaseStatus
from kontakt.portal import my_services
from kontakt.residents.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

# Pinned, however many cases and entries: the list is the session and the cases; a case is
# the session, the case, its entries, its files, and whether the resident has an e-mail
# address and a phone (the ways they may choose to be answered).
QUERIES = {"index": 2, "case": 6}


@pytest.fixture
def sent(monkeypatch) -> list[dict]:
    """The notices made (the notices module sends them; here they are only recorded)."""
    made: list[dict] = []
    monkeypatch.setattr(
        my_services, "notices", SimpleNamespace(notice_create=lambda **kw: made.append(kw))
    )
    return made


def my_pages(settings, **changes: int) -> None:
    settings.KONTAKT = {
        **settings.KONTAKT,
        "SITE_URL": "http://testserver",
        "MY_PAGES": {**settings.KONTAKT["MY_PAGES"], **changes},
    }


def without_csrf(html: str) -> str:
    """The page without its CSRF token, its scripts' nonces and the language switch's way
    back (the path)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    # A script's nonce is new in every answer (the content security policy's), known or not.
    html = re.sub(r'nonce="[^"]+"', "", html)
    return re.sub(r'name="next" type="hidden" value="[^"]+"', "", html)


def photo(name: str = "lampa.jpg", *, exif: bool = True) -> SimpleUploadedFile:
    """A small JPEG that says where it was taken (GPS in its EXIF)."""
    image = Image.new("RGB", (40, 30), (200, 120, 40))
    data = io.BytesIO()
    tags = Image.Exif()
    if exif:
        tags[0x010F] = "Telefonmärke"  # Make
        tags[0x8825] = {1: "N", 2: (64.0, 45.0, 0.0)}  # GPS
    image.save(data, format="JPEG", exif=tags)
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/jpeg")


# Private links -----------------------------------------------------------------------------


def test_a_private_link_opens_its_case_and_keeps_the_token_out_of_later_requests(linked):
    web = Client()

    response = web.get(f"/my/c/{linked.token}/")

    assert response.status_code == 302
    assert response["Location"] == f"/my/cases/{linked.case.reference}/"
    page = web.get(response["Location"])
    assert page.status_code == 200
    assert linked.case.reference in page.content.decode()
    assert linked.token not in page.content.decode()
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
    assert CaseLink.objects.get(case=linked.case).last_used_at is not None


def test_unknown_expired_and_revoked_links_get_the_same_answer(
    linked, resident, parking_type, second_line
):
    expired_case = CaseFactory(case_type=parking_type, resident=resident)
    expired = case_link_create(case=expired_case, now=timezone.now() - timedelta(days=400))
    revoked_case = CaseFactory(case_type=parking_type, resident=resident)
    revoked = case_link_create(case=revoked_case)
    case_links_revoke(case=revoked_case, by=second_line)
    unknown = linked.token[:-4] + "AAAA"

    answers = [Client().get(f"/my/c/{token}/") for token in (unknown, expired, revoked, "x" * 500)]

    assert {a.status_code for a in answers} == {404}
    assert len({without_csrf(a.content.decode()) for a in answers}) == 1
    assert "The link does not work" in answers[0].content.decode()


def test_another_case_is_a_404_even_for_a_visitor_with_a_link(linked, parking_type):
    other = CaseFactory(case_type=parking_type, resident=ResidentFactory(name="Karin Berg"))
    web = Client()
    web.get(f"/my/c/{linked.token}/")

    assert web.get(f"/my/cases/{other.reference}/").status_code == 404
    assert web.get("/my/cases/KC-1999-000001/").status_code == 404
    assert Client().get(f"/my/cases/{linked.case.reference}/").status_code == 404


def test_links_tried_from_one_address_are_limited(linked, settings):
    my_pages(settings, PER_CLIENT_PER_HOUR=3)
    web = Client()
    for _ in range(3):
        assert web.get("/my/c/nothing-here/").status_code == 404

    refused = web.get(f"/my/c/{linked.token}/")

    assert refused.status_code == 429  # a working link too: the limit tells nothing
    assert Client(REMOTE_ADDR="10.1.2.3").get(f"/my/c/{linked.token}/").status_code == 302


# What the resident sees --------------------------------------------------------------------


def test_the_case_page_shows_the_residents_story_and_nothing_internal(linked, handler, second_line):
    case = linked.case
    case_take(case=case, by=handler)
    case_add_note(case=case, body="Intern: grannen har klagat förut", by=handler)
    case_change_status(
        case=case, to_status="waiting", by=handler, note="Intern anteckning vid väntan"
    )
    case_add_message(
        case=case,
        body="Vilken bil gäller det?",
        direction="out",
        channel="email",
        by=handler,
    )
    staff_file = case_attach(
        case=case,
        upload=SimpleUploadedFile("beslut.txt", b"Internt beslut", content_type="text/plain"),
        by=handler,
    )
    web = Client()
    web.get(f"/my/c/{linked.token}/")

    html = web.get(f"/my/cases/{case.reference}/").content.decode()

    assert case.reference in html and "Parkeringstillstånd" in html
    assert "Vilken bil gäller det?" in html
    assert "Waiting for your answer" in html
    assert "Your case was registered" in html
    for secret in ("Intern: grannen", "Intern anteckning", "beslut.txt"):
        assert secret not in html, secret
    # The handler's name (a random one: looked for as a whole word, not inside another).
    assert not re.search(rf"\b{re.escape(handler.get_full_name())}\b", html)
    download = web.get(f"/my/cases/{case.reference}/files/{staff_file.pk}/")
    assert download.status_code == 404


def test_a_residents_words_are_shown_as_text_never_as_markup(linked):
    case_add_message(
        case=linked.case,
        body='<script>alert("x")</script><img src=x onerror=alert(1)>',
        direction="in",
        channel="web_form",
        by=None,
    )
    web = Client()
    web.get(f"/my/c/{linked.token}/")

    html = web.get(f"/my/cases/{linked.case.reference}/").content.decode()

    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html


# Adding information ------------------------------------------------------------------------


def test_more_information_and_a_photo_join_the_case_and_reopen_a_waiting_one(linked, handler):
    case = linked.case
    case_take(case=case, by=handler)
    case_change_status(case=case, to_status="waiting", by=handler)
    web = Client()
    web.get(f"/my/c/{linked.token}/")

    response = web.post(
        f"/my/cases/{case.reference}/information/",
        {"body": "Bilen är en röd Volvo.", "files": [photo()]},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    attachment = Attachment.objects.get(case=case)
    assert attachment.uploaded_by is None and attachment.content_type == "image/jpeg"
    with Image.open(attachment.file.path) as stored:
        assert stored.getexif().get(0x8825) is None and stored.getexif().get(0x010F) is None
    html = web.get(f"/my/cases/{case.reference}/").content.decode()
    assert "Bilen är en röd Volvo." in html and "lampa.jpg" in html
    download = web.get(f"/my/cases/{case.reference}/files/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_photo_alone_is_told_to_the_handler_as_a_message(linked):
    web = Client()
    web.get(f"/my/c/{linked.token}/")

    web.post(f"/my/cases/{linked.case.reference}/information/", {"body": "", "files": [photo()]})

    message = CaseEvent.objects.get(case=linked.case, kind=CaseEventKind.MESSAGE_IN)
    assert "lampa.jpg" in message.body


@pytest.mark.parametrize(
    ("files", "error"),
    [
        (
            [SimpleUploadedFile("bild.jpg", b"<html><script>x</script>", "image/jpeg")],
            "content is not of a type",
        ),
        ([photo(f"{n}.jpg") for n in range(6)], "at most 5 files"),
    ],
    ids=["markup-called-jpeg", "too-many"],
)
def test_a_refused_file_stores_nothing(linked, files, error):
    web = Client()
    web.get(f"/my/c/{linked.token}/")
    before = CaseEvent.objects.filter(case=linked.case).count()

    response = web.post(
        f"/my/cases/{linked.case.reference}/information/", {"body": "Se bilderna", "files": files}
    )

    assert response.status_code == 400
    assert error in response.content.decode()
    assert "Se bilderna" in response.content.decode()  # what was written is kept
    assert not Attachment.objects.filter(case=linked.case).exists()
    assert CaseEvent.objects.filter(case=linked.case).count() == before


def test_an_empty_message_is_refused(linked):
    web = Client()
    web.get(f"/my/c/{linked.token}/")

    response = web.post(f"/my/cases/{linked.case.reference}/information/", {"body": "  "})

    assert response.status_code == 400
    assert "Write something or add a file." in response.content.decode()


def test_a_closed_case_takes_nothing_more(linked, handler):
    case_take(case=linked.case, by=handler)
    case_change_status(case=linked.case, to_status="closed", by=handler, resolution="Lagat.")
    web = Client()
    web.get(f"/my/c/{linked.token}/")

    page = web.get(f"/my/cases/{linked.case.reference}/").content.decode()
    refused = web.post(f"/my/cases/{linked.case.reference}/information/", {"body": "Hej"})

    assert "Lagat." in page and "/information/" not in page
    assert refused.status_code == 400
    linked.case.refresh_from_db()
    assert linked.case.status == CaseStatus.CLOSED


# The feedback channel and the wish to close ------------------------------------------------


def test_the_resident_chooses_to_be_answered_by_sms(linked):
    web = Client()
    web.get(f"/my/c/{linked.token}/")

    response = web.post(f"/my/cases/{linked.case.reference}/feedback/", {"feedback_channel": "sms"})

    assert response.status_code == 302
    linked.case.refresh_from_db()
    assert linked.case.feedback_channel == "sms"
    event = CaseEvent.objects.filter(case=linked.case, kind=CaseEventKind.MESSAGE_IN).get()
    assert event.data == {"feedback_channel": "sms"} and event.by is None


def test_a_channel_the_resident_cannot_be_reached_by_is_refused(linked, resident):
    resident.phones.all().delete()
    web = Client()
    web.get(f"/my/c/{linked.token}/")

    response = web.post(f"/my/cases/{linked.case.reference}/feedback/", {"feedback_channel": "sms"})

    assert response.status_code == 400
    linked.case.refresh_from_db()
    assert linked.case.feedback_channel != "sms"


def test_asking_to_close_marks_the_case_once_and_the_handler_decides(linked):
    web = Client()
    web.get(f"/my/c/{linked.token}/")
    url = f"/my/cases/{linked.case.reference}/close/"

    web.post(url, {"reason": "Bilen är flyttad."})
    web.post(url, {"reason": "Igen"})

    linked.case.refresh_from_db()
    assert linked.case.close_requested_at is not None
    assert linked.case.status != CaseStatus.CLOSED
    asked = CaseEvent.objects.get(case=linked.case, kind=CaseEventKind.MESSAGE_IN)
    assert "Bilen är flyttad." in asked.body and asked.data == {"close_requested": True}


# The e-mailed sign-in link -----------------------------------------------------------------


def link_in(notice: dict) -> str:
    found = re.search(r"http://testserver(/my/sign-in/[^/\s]+/)", notice["body"])
    assert found is not None, notice["body"]
    return found.group(1)


def test_a_known_address_gets_a_link_that_lists_all_its_cases(
    linked, resident, parking_type, sent, settings
):
    my_pages(settings)
    namesake = ResidentFactory(name="Kalle Lindqvist", emails=["karin@example.se"])
    theirs = CaseFactory(case_type=parking_type, resident=namesake, subject="Kalles ärende")
    someone_else = CaseFactory(case_type=parking_type, resident=ResidentFactory())
    web = Client()

    asked = web.post("/my/", {"email": "  Karin@Example.SE "})

    assert asked.status_code == 200 and "Check your e-mail" in asked.content.decode()
    assert [n["to"] for n in sent] == ["karin@example.se"]
    assert sent[0]["kind"] == "sign_in" and sent[0]["audience"] == "resident"
    url = link_in(sent[0])
    confirm = web.get(url)  # a mail scanner following the link spends nothing
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    signed_in = web.post(url)
    assert signed_in.status_code == 302
    listing = web.get("/my/").content.decode()
    assert linked.case.reference in listing and theirs.reference in listing
    assert someone_else.reference not in listing
    assert web.get(f"/my/cases/{theirs.reference}/").status_code == 200
    # Once only.
    assert Client().post(url).status_code == 404


def test_an_unknown_address_gets_the_same_answer_and_no_mail(linked, sent, settings):
    my_pages(settings)

    known = Client().post("/my/", {"email": "karin@example.se"})
    unknown = Client().post("/my/", {"email": "nobody@example.se"})

    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.content.decode()) == without_csrf(unknown.content.decode())
    assert [n["to"] for n in sent] == ["karin@example.se"]


def test_a_sign_in_link_expires(linked, sent, settings, monkeypatch):
    my_pages(settings, SIGN_IN_LINK_MINUTES=30)
    Client().post("/my/", {"email": "karin@example.se"})
    url = link_in(sent[0])
    later = signing.time.time() + 31 * 60
    monkeypatch.setattr(signing.time, "time", lambda: later)

    assert Client().get(url).status_code == 404
    assert Client().post(url).status_code == 404


def test_a_forged_sign_in_link_does_not_work(linked, settings):
    forged = signing.dumps({"a": "karin@example.se", "n": "x"}, salt="another-salt")

    assert Client().post(f"/my/sign-in/{forged}/").status_code == 404


def test_sign_in_links_are_limited_per_address(linked, sent, settings):
    my_pages(settings, PER_ADDRESS_PER_HOUR=2)
    for n in range(2):
        Client(REMOTE_ADDR=f"10.0.0.{n}").post("/my/", {"email": "karin@example.se"})

    refused = Client(REMOTE_ADDR="10.0.0.9").post("/my/", {"email": "karin@example.se"})

    assert refused.status_code == 429
    assert len(sent) == 2


def test_a_malformed_address_is_told_in_the_residents_language(linked, sent):
    response = Client().post("/my/", {"email": "inte en adress"}, HTTP_ACCEPT_LANGUAGE="sv")

    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert sent == []


def test_signing_out_forgets_the_cases(linked):
    web = Client()
    web.get(f"/my/c/{linked.token}/")

    web.post("/my/sign-out/")

    assert web.get(f"/my/cases/{linked.case.reference}/").status_code == 404


def test_the_sign_in_link_goes_out_as_a_notice_to_the_address(linked, settings):
    my_pages(settings)

    Client().post("/my/", {"email": "karin@example.se"}, HTTP_ACCEPT_LANGUAGE="sv")

    notice = Notice.objects.get(kind="sign_in")
    assert (notice.audience, notice.channel, notice.to) == ("resident", "email", "karin@example.se")
    assert "http://testserver/my/sign-in/" in notice.body
    assert notice.case is None  # the link is about an address, not one case


def test_the_cases_own_channel_may_be_kept_but_no_other_chosen(linked):
    assert linked.case.feedback_channel == "phone"
    web = Client()
    web.get(f"/my/c/{linked.token}/")
    url = f"/my/cases/{linked.case.reference}/feedback/"

    page = web.get(f"/my/cases/{linked.case.reference}/").content.decode()
    kept = web.post(url, {"feedback_channel": "phone"})
    refused = web.post(url, {"feedback_channel": "letter"})

    assert re.search(r'id="feedback-phone" value="phone" checked', page)
    assert kept.status_code == 302 and refused.status_code == 400
    assert not CaseEvent.objects.filter(case=linked.case, kind=CaseEventKind.MESSAGE_IN).exists()


def test_a_file_too_large_is_refused_while_it_is_read(linked, settings):
    settings.KONTAKT = {**settings.KONTAKT, "ATTACHMENT_MAX_BYTES": 1024}
    web = Client()
    web.get(f"/my/c/{linked.token}/")

    url = f"/my/cases/{linked.case.reference}/information/"

    response = web.post(
        url, {"body": "Stor fil", "files": [SimpleUploadedFile("stor.pdf", b"%PDF" * 2000)]}
    )

    assert resolve(url).func.upload_max_bytes() == 1024
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not Attachment.objects.filter(case=linked.case).exists()


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_and_a_case_take_as_many_queries_however_many_cases_and_entries(
    linked, resident, parking_type, settings, django_assert_num_queries, count
):
    my_pages(settings)
    for n in range(count):
        case_add_message(
            case=linked.case, body=f"Rad {n}", direction="in", channel="web_form", by=None
        )
        CaseFactory(case_type=parking_type, resident=resident)
    web = Client()
    web.get(f"/my/c/{linked.token}/")
    web.session.save()

    with django_assert_num_queries(QUERIES["index"]):
        assert web.get("/my/").status_code == 200
    with django_assert_num_queries(QUERIES["case"]):
        assert web.get(f"/my/cases/{linked.case.reference}/").status_code == 200
