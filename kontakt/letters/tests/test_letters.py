"""Letters end to end without a browser: scans read by the real programs (tesseract,
pdftotext, pdftoppm), stored once, imported from a folder, registered through the intake,
found by a word, and bad input refused with the field it concerns."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image

from kontakt.cases.models import CaseEventKind, Channel, Contact
from kontakt.letters import selectors
from kontakt.letters.folder import letters_import
from kontakt.letters.models import Letter, LetterSource, LetterState, TextSource
from kontakt.letters.samples import scan_page, scanned_image, scanned_pdf, text_pdf
from kontakt.letters.scans import letter_read
from kontakt.letters.services import letter_receive
from kontakt.web.periodic import periodic_tasks

pytestmark = pytest.mark.django_db

APPLICATION = ["Sjöstad kommun", "Ansökan om bygglov för garage på Storgatan 5", "Karin Holm"]
COMPLAINT = ["Till kommunen", "Klagomål på snöröjningen i Norrby", "Per Ek"]


@pytest.fixture
def scan_dir(settings, tmp_path) -> Path:
    folder = tmp_path / "scans"
    folder.mkdir()
    settings.KONTAKT = {
        **settings.KONTAKT,
        "LETTERS": {**settings.KONTAKT["LETTERS"], "SCAN_DIR": str(folder)},
    }
    return folder


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, *files: tuple[str, bytes], **fields) -> object:
    data = {"scans": [SimpleUploadedFile(name, content) for name, content in files], **fields}
    return client.post("/letters/new/", data)


def test_a_scan_without_a_text_layer_is_read_by_ocr_and_found_by_a_word(
    agent, django_capture_on_commit_callbacks
):
    client = logged_in(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, ("ansokan.pdf", scanned_pdf(APPLICATION)))
    assert response.status_code == 302
    letter = Letter.objects.get()
    assert response["Location"] == f"/letters/{letter.pk}/"
    assert letter.state == LetterState.READ
    assert letter.text_source == TextSource.OCR
    assert letter.pages == 1
    assert "bygglov" in letter.text
    assert letter.preview  # the first page as a picture
    assert letter.content_type == "application/pdf"
    assert letter.source == LetterSource.UPLOAD
    assert letter.received_by == agent
    # The stored name is random: nothing of the resident's or the file's name in it.
    assert "ansokan" not in letter.file.name

    found = client.get("/letters/", {"q": "bygglov"})
    assert found.status_code == 200
    assert list(found.context["letters"]) == [letter]
    assert list(client.get("/letters/", {"q": "snöröjning"}).context["letters"]) == []
    # A word's beginning finds it too, and so do two words together.
    assert list(client.get("/letters/", {"q": "Storgat garage"}).context["letters"]) == [letter]

    page = client.get(f"/letters/{letter.pk}/")
    assert page.status_code == 200
    assert "Ansökan om bygglov" in page.content.decode()
    preview = client.get(f"/letters/{letter.pk}/preview/")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(preview.streaming_content))).size[0] <= 1000


def test_a_pdf_with_text_is_read_by_pdftotext(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        received = letter_receive(
            upload=SimpleUploadedFile("brev.pdf", text_pdf(COMPLAINT)),
            source=LetterSource.UPLOAD,
            by=agent,
        )
    letter = Letter.objects.get(pk=received.letter.pk)
    assert letter.text_source == TextSource.PDF
    assert "Klagomål på snöröjningen i Norrby" in letter.text
    assert list(
        selectors.letter_search(user=agent, filters=selectors.LetterFilter(text="snöröjningen"))
    ) == [letter]


def test_the_same_file_uploaded_and_imported_is_stored_once(
    agent, scan_dir, django_capture_on_commit_callbacks
):
    content = text_pdf(COMPLAINT)
    client = logged_in(agent)
    assert upload(client, ("brev.pdf", content)).status_code == 302
    second = upload(client, ("samma-brev.pdf", content))
    assert second.status_code == 302
    (scan_dir / "scan-0001.pdf").write_bytes(content)
    with django_capture_on_commit_callbacks(execute=True):
        result = letters_import(folder=scan_dir, batch=10)
    assert Letter.objects.count() == 1
    assert result.imported == [] and result.known == [Letter.objects.get().pk]
    assert (scan_dir / "done" / "scan-0001.pdf").exists()
    assert not (scan_dir / "scan-0001.pdf").exists()
    # Imported again, from the folder again: still one letter.
    (scan_dir / "scan-0001.pdf").write_bytes(content)
    with django_capture_on_commit_callbacks(execute=True):
        letters_import(folder=scan_dir, batch=10)
    assert Letter.objects.count() == 1
    assert (scan_dir / "done" / "scan-0001-1.pdf").exists()


def test_the_folder_import_moves_files_and_keeps_the_broken_ones_with_a_reason(
    scan_dir, django_capture_on_commit_callbacks
):
    (scan_dir / "a.pdf").write_bytes(text_pdf(COMPLAINT))
    (scan_dir / "b.png").write_bytes(scanned_image(APPLICATION))
    (scan_dir / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    (scan_dir / "notes.txt").write_bytes(b"not a scan")
    (scan_dir / "empty.pdf").write_bytes(b"")
    (scan_dir / "coming.pdf.part").write_bytes(b"%PDF-1.4 half")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("letters_import", "--batch", "2", verbosity=0)
    assert Letter.objects.count() == 2
    assert {letter.source for letter in Letter.objects.all()} == {LetterSource.FOLDER}
    assert sorted(p.name for p in (scan_dir / "done").iterdir()) == ["a.pdf", "b.png"]
    failed = scan_dir / "failed"
    assert sorted(p.name for p in failed.iterdir() if not p.name.endswith(".reason.txt")) == [
        "broken.pdf",
        "empty.pdf",
        "notes.txt",
    ]
    assert "cannot be opened" in (failed / "broken.pdf.reason.txt").read_text()
    assert "empty" in (failed / "empty.pdf.reason.txt").read_text()
    assert "not a scan" in (failed / "notes.txt.reason.txt").read_text()
    # Nothing is deleted; a file still being written is left for the next round.
    assert (failed / "broken.pdf").read_bytes().startswith(b"%PDF-1.4")
    assert [p.name for p in scan_dir.iterdir() if p.is_file()] == ["coming.pdf.part"]
    letter = Letter.objects.get(name="b.png")
    assert letter.state == LetterState.READ and "bygglov" in letter.text


def test_the_folder_is_imported_by_a_periodic_task():
    names = {entry.name for entry in periodic_tasks()}
    assert "kontakt.letters.tasks.letters_import_round" in names


def test_a_long_scan_is_read_only_up_to_the_page_limit(
    agent, settings, django_capture_on_commit_callbacks
):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "LETTERS": {**settings.KONTAKT["LETTERS"], "MAX_PAGES": 1},
    }
    out = io.BytesIO()
    first, second = scan_page(APPLICATION), scan_page(COMPLAINT)
    first.save(out, format="TIFF", save_all=True, append_images=[second])
    with django_capture_on_commit_callbacks(execute=True):
        received = letter_receive(
            upload=SimpleUploadedFile("två-sidor.tif", out.getvalue()),
            source=LetterSource.UPLOAD,
            by=agent,
        )
    letter = Letter.objects.get(pk=received.letter.pk)
    assert letter.content_type == "image/tiff"
    assert letter.pages == 2
    assert letter.reading_note == "Only the first 1 of 2 pages were read."
    assert "bygglov" in letter.text and "snöröjningen" not in letter.text
    page = logged_in(agent).get(f"/letters/{letter.pk}/")
    assert "Only the first 1 of 2 pages were read." in page.content.decode()


def test_a_missing_program_is_a_state_with_its_reason_not_a_crash(
    agent, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setenv("PATH", "/nonexistent")
    with django_capture_on_commit_callbacks(execute=True):
        received = letter_receive(
            upload=SimpleUploadedFile("brev.png", scanned_image(COMPLAINT)),
            source=LetterSource.UPLOAD,
            by=agent,
        )
    letter = Letter.objects.get(pk=received.letter.pk)
    assert letter.state == LetterState.FAILED
    assert letter.error == "The program tesseract is not installed on the server."
    client = logged_in(agent)
    page = client.get(f"/letters/{letter.pk}/")
    assert "The program tesseract is not installed" in page.content.decode()
    # Installed again, the letter is read again on request.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/letters/{letter.pk}/read/").status_code == 302
    letter.refresh_from_db()
    assert letter.state == LetterState.READ and "Norrby" in letter.text


def test_while_it_is_read_the_page_says_so_and_polls(agent):
    received = letter_receive(  # no commit callbacks run: the task is not done
        upload=SimpleUploadedFile("brev.pdf", text_pdf(COMPLAINT)),
        source=LetterSource.UPLOAD,
        by=agent,
    )
    client = logged_in(agent)
    page = client.get(f"/letters/{received.letter.pk}/")
    assert "Reading…" in page.content.decode()
    assert 'hx-trigger="every 2s"' in page.content.decode()
    state = client.get(f"/letters/{received.letter.pk}/", headers={"HX-Request": "true"})
    assert "Reading…" in state.content.decode() and "HX-Refresh" not in state
    # Registering now is refused: the text is not there yet.
    refused = client.post(
        f"/letters/{received.letter.pk}/register/",
        {"new_name": "Per Ek", "outcome": "forwarded", "case_type": "x"},
    )
    assert refused.status_code == 400
    letter_read(letter_id=received.letter.pk)
    state = client.get(f"/letters/{received.letter.pk}/", headers={"HX-Request": "true"})
    assert state["HX-Refresh"] == "true"


@pytest.fixture
def read_letter(agent, django_capture_on_commit_callbacks) -> Letter:
    with django_capture_on_commit_callbacks(execute=True):
        received = letter_receive(
            upload=SimpleUploadedFile("ansokan.pdf", text_pdf(APPLICATION)),
            source=LetterSource.UPLOAD,
            by=agent,
        )
    return Letter.objects.get(pk=received.letter.pk)


def test_registering_makes_a_letter_contact_and_a_case_with_the_scan_and_its_words(
    agent, read_letter, parking_type, resident, django_capture_on_commit_callbacks
):
    client = logged_in(agent)
    found = client.post(f"/letters/{read_letter.pk}/", {"q": resident.name})
    assert found.status_code == 200
    assert [r.pk for r in found.context["results"]] == [resident.pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/letters/{read_letter.pk}/register/",
            {"resident": resident.pk, "outcome": "forwarded", "case_type": parking_type.code},
        )
    assert response.status_code == 302, response.content
    letter = Letter.objects.get(pk=read_letter.pk)
    assert letter.state == LetterState.REGISTERED
    contact = letter.contact
    assert contact.channel == Channel.LETTER and contact.agent == agent
    assert contact.resident == resident
    assert contact.summary.startswith("Sjöstad kommun\nAnsökan om bygglov")
    case = letter.case
    assert case == contact.case and case.resident == resident
    assert case.department == parking_type.department
    attachment = case.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.file.read() == letter.file.open("rb").read()
    message = case.events.get(kind=CaseEventKind.MESSAGE_IN)
    assert message.channel == Channel.LETTER and message.by is None
    assert message.data["letter_id"] == letter.pk
    assert "Ansökan om bygglov för garage på Storgatan 5" in message.body
    # Registered once only.
    again = client.post(
        f"/letters/{letter.pk}/register/",
        {"resident": resident.pk, "outcome": "forwarded", "case_type": parking_type.code},
    )
    assert again.status_code == 400
    assert "registered already" in again.content.decode()
    assert Contact.objects.count() == 1


def test_a_letter_from_a_new_resident_links_to_an_open_case_or_closes(
    agent, read_letter, parking_type, django_capture_on_commit_callbacks
):
    client = logged_in(agent)
    response = client.post(
        f"/letters/{read_letter.pk}/register/",
        {
            "new_name": "Karin Holm",
            "new_street_address": "Storgatan 5",
            "new_postal_code": "123 45",
            "new_city": "Sjöstad",
            "outcome": "closed",
            "case_type": parking_type.code,
            "note": "Frågade om bygglov; svar skickat per brev.",
        },
    )
    assert response.status_code == 302, response.content
    letter = Letter.objects.get(pk=read_letter.pk)
    assert letter.case is None
    assert letter.contact.outcome == "closed"
    assert letter.contact.summary == "Frågade om bygglov; svar skickat per brev."
    assert letter.resident.name == "Karin Holm"
    assert letter.resident.street_address == "Storgatan 5"


def test_a_letter_linked_to_an_open_case_lands_on_it(
    agent, second_line, parking_type, resident, django_capture_on_commit_callbacks
):
    from kontakt.cases.tests.factories import CaseFactory

    case = CaseFactory.create(case_type=parking_type, resident=resident, by=second_line)
    with django_capture_on_commit_callbacks(execute=True):
        received = letter_receive(
            upload=SimpleUploadedFile("svar.png", scanned_image(COMPLAINT)),
            source=LetterSource.UPLOAD,
            by=agent,
        )
    client = logged_in(agent)
    missing = client.post(
        f"/letters/{received.letter.pk}/register/",
        {"resident": resident.pk, "outcome": "linked", "case_reference": "KC-2020-999999"},
    )
    assert missing.status_code == 400
    assert missing.context["register_form"].errors["case_reference"]
    response = client.post(
        f"/letters/{received.letter.pk}/register/",
        {"resident": resident.pk, "outcome": "linked", "case_reference": case.reference},
    )
    assert response.status_code == 302
    assert case.attachments.get().content_type == "image/png"
    assert "Norrby" in case.events.get(kind=CaseEventKind.MESSAGE_IN).body


@pytest.mark.parametrize(
    ("files", "fields", "field", "message"),
    [
        ([("brev.txt", b"Hej kommunen")], {}, "scans", "not a scan"),
        ([("brev.html", b"<html><script>x</script>")], {}, "scans", "not a scan"),
        ([("tom.pdf", b"")], {}, "scans", "empty"),
        ([("trasig.pdf", b"%PDF-1.7\nnothing else")], {}, "scans", "cannot be opened"),
        ([], {}, "scans", "required"),
        ([("a.pdf", text_pdf(["a"]))], {"received_on": "9999-01-01"}, "received_on", "year"),
        ([("a.pdf", text_pdf(["a"]))], {"received_on": "2099-01-01"}, "received_on", "future"),
    ],
)
def test_bad_uploads_are_refused_with_the_field(agent, files, fields, field, message):
    response = upload(logged_in(agent), *files, **fields)
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert Letter.objects.count() == 0


def test_a_file_too_large_is_refused(agent, settings):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "LETTERS": {**settings.KONTAKT["LETTERS"], "MAX_BYTES": 1000},
    }
    response = upload(logged_in(agent), ("stor.png", scanned_image(APPLICATION)))
    assert response.status_code == 400
    assert "larger than" in response.context["form"].errors["scans"][0]
    assert Letter.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"new_name": "Per\x00Ek", "outcome": "forwarded", "case_type": "parkering"}, "new_name"),
        (
            {
                "new_name": "Per Ek",
                "outcome": "forwarded",
                "case_type": "parkering",
                "note": "a\x00",
            },
            "note",
        ),
        ({"outcome": "forwarded", "case_type": "parkering"}, "new_name"),
        ({"new_name": "Per Ek", "outcome": "forwarded"}, "case_type"),
        ({"new_name": "Per Ek", "outcome": "forwarded", "case_type": "nope"}, "case_type"),
        ({"new_name": "Per Ek", "outcome": "linked"}, "case_reference"),
        ({"new_name": "Per Ek", "outcome": "transferred"}, "outcome"),
        ({"new_name": "x" * 201, "outcome": "closed"}, "new_name"),
    ],
)
def test_bad_registrations_are_refused_with_the_field(
    agent, read_letter, parking_type, data, field
):
    response = logged_in(agent).post(f"/letters/{read_letter.pk}/register/", data)
    assert response.status_code == 400
    assert response.context["register_form"].errors[field]
    assert Letter.objects.get(pk=read_letter.pk).state == LetterState.READ
    assert Contact.objects.count() == 0


def test_who_reads_which_letter(
    agent,
    handler,
    handler_b,
    read_letter,
    parking_type,
    resident,
    django_capture_on_commit_callbacks,
):
    # Not yet registered: front line only.
    assert logged_in(handler).get(f"/letters/{read_letter.pk}/").status_code == 404
    assert logged_in(handler).get(f"/letters/{read_letter.pk}/file/").status_code == 404
    assert list(logged_in(handler).get("/letters/").context["letters"]) == []
    logged_in(agent).post(
        f"/letters/{read_letter.pk}/register/",
        {"resident": resident.pk, "outcome": "forwarded", "case_type": parking_type.code},
    )
    # On department A's case: its handler reads it, department B's does not.
    assert logged_in(handler).get(f"/letters/{read_letter.pk}/").status_code == 200
    download = logged_in(handler).get(f"/letters/{read_letter.pk}/file/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert logged_in(handler_b).get(f"/letters/{read_letter.pk}/file/").status_code == 404
    # Handlers read, they do not register or upload.
    assert logged_in(handler).get("/letters/new/").status_code == 403


def test_the_navigation_shows_letters_to_front_line(agent, handler):
    assert 'href="/letters/"' in logged_in(agent).get("/cases/").content.decode()
    assert 'href="/letters/"' not in logged_in(handler).get("/cases/").content.decode()
