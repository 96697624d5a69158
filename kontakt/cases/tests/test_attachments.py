"""Attachments: the type read from the content, plain text, safe names, the virus scan."""

import logging
import socket
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kontakt.cases.attachments import display_name, looks_like_plain_text, stored_name
from kontakt.cases.models import Attachment
from kontakt.cases.services import case_attach
from kontakt.cases.tests import samples
from kontakt.cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"


@pytest.fixture
def case(parking_type, second_line):
    return CaseFactory.create(case_type=parking_type, by=second_line)


def attach(case, user, name, content, declared):
    return case_attach(
        case=case, upload=SimpleUploadedFile(name, content, content_type=declared), by=user
    )


def refusal(case, user, name, content, declared) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        attach(case, user, name, content, declared)
    assert Attachment.objects.count() == 0
    assert not case.events.filter(kind="attachment").exists()
    return refused.value.message_dict["file"]


def stored_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "content", "declared", "found", "shown"),
    [
        ("brev.pdf", samples.pdf(), "application/pdf", "application/pdf", "brev.pdf"),
        ("skanning.bin", samples.pdf(), "application/octet-stream", "application/pdf", None),
        ("foto.png", samples.png(), "image/png", "image/png", "foto.png"),
        ("foto.JPEG", samples.jpeg(), "image/png", "image/jpeg", "foto.JPEG"),
        ("beslut.docx", samples.docx(), "application/zip", DOCX, "beslut.docx"),
        ("beslut.odt", samples.odt(), "", ODT, "beslut.odt"),
        ("brev", samples.TEXT, "application/octet-stream", "text/plain", "brev.txt"),
    ],
)
def test_the_type_is_read_from_the_content(
    case, second_line, settings, name, content, declared, found, shown
):
    attachment = attach(case, second_line, name, content, declared)
    assert attachment.content_type == found
    assert attachment.name == (shown or f"{name}.pdf")
    assert attachment.file.read() == content


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("evil.html", samples.HTML, "image/png"),
        ("bild.png", samples.HTML, "image/png"),
        ("bild.svg", samples.SVG, "image/png"),
        ("brev.pdf", samples.EXE, "application/pdf"),
        ("brev.docx", samples.zip_archive(), DOCX),
        ("brev.txt", "Vänliga hälsningar".encode("latin-1"), "text/plain"),
        ("tom.pdf", b"", "application/pdf"),
    ],
)
def test_a_file_whose_content_is_not_allowed_is_refused_on_the_file_field(
    case, second_line, settings, name, content, declared
):
    messages = refusal(case, second_line, name, content, declared)
    assert len(messages) == 1
    if content:
        assert messages[0].startswith("The file's content is not of a type that can be attached")
        assert "PDF, JPG, PNG, HEIC, TXT, DOCX, ODT" in messages[0]
    assert stored_files(settings) == []


def test_the_allowed_types_are_the_deployments(case, second_line, settings):
    settings.KONTAKT = {**settings.KONTAKT, "ATTACHMENT_CONTENT_TYPES": ["application/pdf"]}
    assert refusal(case, second_line, "foto.png", samples.png(), "image/png") == [
        "The file's content is not of a type that can be attached (PDF)."
    ]
    assert attach(case, second_line, "brev.pdf", samples.pdf(), "").content_type == (
        "application/pdf"
    )


@pytest.mark.parametrize(
    ("chunks", "plain"),
    [
        ([samples.TEXT], True),
        (["\ufeffMed byte order mark.\n".encode()], True),
        ([b"Tabb\tform\x0cfeed\r\n"], True),
        ([b"Pris < 100 kr och > 50 kr; se <https://sjostad.example/avgift>."], True),
        (["Hälsningar".encode()[:2], "Hälsningar".encode()[2:]], True),  # ä split by a chunk
        (["Vänliga hälsningar".encode("latin-1")], False),  # not UTF-8
        ([b"Noll\x00byte"], False),
        ([b"Escape \x1b[31m"], False),
        ([b"   \n"], False),
        ([b""], False),
        ([b"  <p>Hej</p>"], False),
        ([b"<!-- kommentar -->"], False),
        ([b"#!/bin/sh\nrm -rf /\n"], False),
        ([b"Hej\n<script>alert(1)</script>"], False),
        ([b"Hej\n<SVG onload=alert(1)>"], False),
        ([b"Hej\n<?xml version='1.0'?>"], False),
        ([b"Klicka javascript:alert(1)"], False),
        ([b"Hej\n" + b"x" * 100 + b"<scr", b"ipt>alert(1)</script>"], False),  # split tag
        (["\u202e".encode() + b"Hej"], True),  # a text may hold format characters
    ],
)
def test_plain_text_is_utf8_without_controls_markup_or_script(chunks, plain):
    assert looks_like_plain_text(iter(chunks)) is plain


@pytest.mark.parametrize(
    ("original", "content_type", "extension", "shown", "stored"),
    [
        ("../../etc/passwd", "text/plain", "txt", "passwd.txt", "passwd.txt"),
        ("C:\\Users\\Åsa\\brev.pdf", "application/pdf", "pdf", "brev.pdf", "brev.pdf"),
        ("Ärende nr 5.PDF", "application/pdf", "pdf", "Ärende nr 5.PDF", "arende-nr-5.pdf"),
        ("faktura\u202efdp.exe", "application/pdf", "pdf", "fakturafdp.exe.pdf", "fakturafdp.pdf"),
        ("evil.html", "image/png", "png", "evil.html.png", "evil.png"),
        ("bild.heif", "image/heic", "heic", "bild.heif", "bild.heic"),
        ("ny\nrad\t.pdf", "application/pdf", "pdf", "nyrad.pdf", "ny-rad.pdf"),
        ("", "application/pdf", "pdf", "file.pdf", "file.pdf"),
        ("...", "text/plain", "txt", "file.txt", "file.txt"),
        ("a" * 300 + ".pdf", "application/pdf", "pdf", "a" * 196 + ".pdf", "a" * 60 + ".pdf"),
    ],
)
def test_names_have_no_path_and_the_extension_of_the_type(
    original, content_type, extension, shown, stored
):
    assert display_name(original, content_type, extension) == shown
    assert stored_name(original, extension) == stored


def test_the_stored_file_lies_in_the_cases_folder_under_a_safe_name(case, second_line, settings):
    attachment = attach(case, second_line, "../../../../tmp/evil.html", samples.png(), "text/html")
    assert attachment.name == "evil.html.png"
    path = Path(attachment.file.path)
    assert path.name == "evil.png"
    assert path.parent == Path(settings.MEDIA_ROOT) / "cases" / (
        f"{case.created_at:%Y/%m}/{case.reference}"
    )
    assert stored_files(settings) == [path]


# The virus scan, against a real clamd (conftest.py) ----------------------------------------


def scanning(settings, address: str) -> None:
    settings.KONTAKT = {
        **settings.KONTAKT,
        "ATTACHMENT_CLAMAV_SOCKET": address,
        "ATTACHMENT_CLAMAV_TIMEOUT": 30.0,
    }


@pytest.mark.parametrize("over", ["tcp", "unix"])
def test_the_eicar_test_file_is_refused_and_logged(
    clamd, case, second_line, settings, caplog, over
):
    scanning(settings, clamd.tcp_address if over == "tcp" else clamd.unix_socket)
    with caplog.at_level(logging.WARNING, logger="kontakt.cases.attachments"):
        messages = refusal(case, second_line, "eicar.txt", samples.EICAR, "text/plain")
    assert messages == ["The file contains a virus or other malware and was not attached."]
    assert stored_files(settings) == []
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "Kontakt.Test.EICAR" in record.getMessage()
    assert case.reference in record.getMessage()
    assert second_line.username in record.getMessage()


@pytest.mark.parametrize("over", ["tcp", "unix"])
def test_a_clean_file_is_scanned_and_stored(clamd, case, second_line, settings, over):
    scanning(settings, clamd.tcp_address if over == "tcp" else clamd.unix_socket)
    content = samples.pdf(200_000)  # several chunks of the stream
    attachment = attach(case, second_line, "brev.pdf", content, "application/pdf")
    assert attachment.file.read() == content


def test_eicar_inside_an_allowed_file_is_found_too(clamd, case, second_line, settings):
    scanning(settings, clamd.unix_socket)
    content = samples.pdf() + samples.EICAR + b"\n"
    refusal(case, second_line, "brev.pdf", content, "application/pdf")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when this returns


@pytest.mark.parametrize("address", ["tcp", "unix", "not an address"])
def test_an_unreachable_scanner_refuses_the_file_with_a_request_to_try_again(
    case, second_line, settings, caplog, tmp_path, address
):
    address = {
        "tcp": f"127.0.0.1:{closed_port()}",
        "unix": str(tmp_path / "no-clamd.sock"),
    }.get(address, address)
    scanning(settings, address)
    with caplog.at_level(logging.ERROR, logger="kontakt.cases.attachments"):
        messages = refusal(case, second_line, "brev.pdf", samples.pdf(), "application/pdf")
    assert messages == [
        "The file could not be checked for viruses just now. Please try again later."
    ]
    assert stored_files(settings) == []
    assert "virus scan unavailable" in caplog.records[0].getMessage()


def test_without_a_configured_scanner_nothing_is_scanned(case, second_line, settings):
    scanning(settings, "")
    attach(case, second_line, "eicar.txt", samples.EICAR, "text/plain")
