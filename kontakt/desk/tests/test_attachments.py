"""Attachments on the case page: uploaded within limits, downloaded only through the checked
view and only as a download. Who may download what is in kontakt/tests/test_access.py."""

import importlib.util
import io
import re
import tracemalloc
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.views.static import serve

from kontakt.cases.models import Attachment, Case
from kontakt.cases.services import ContactDraft, case_attach
from kontakt.cases.tests import samples
from kontakt.cases.uploads import UploadLimitHandler
from kontakt.tests.intake import contact_log
from kontakt.web.api import api

pytestmark = pytest.mark.django_db

MiB = 2**20


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


def attached(case, user, name, content, declared="application/octet-stream") -> Attachment:
    upload = SimpleUploadedFile(name, content, content_type=declared)
    return case_attach(case=case, upload=upload, by=user)


def download_url(attachment: Attachment) -> str:
    return f"/cases/{attachment.case.reference}/attachments/{attachment.pk}/"


@pytest.mark.parametrize(
    ("name", "content", "content_type", "disposition"),
    [
        ("karta.png", samples.png(), "image/png", 'attachment; filename="karta.png"'),
        (
            "Ärende bild.png",
            samples.png(),
            "image/png",
            f"attachment; filename*=utf-8''{quote('Ärende bild.png')}",
        ),
        (
            "brev.txt",
            samples.TEXT,
            "text/plain; charset=utf-8",
            'attachment; filename="brev.txt"',
        ),
    ],
    ids=["ascii-name", "non-ascii-name", "text"],
)
def test_an_attachment_is_always_a_download_that_runs_nothing(
    settings, worker, handler, case, name, content, content_type, disposition
):
    assert settings.DEBUG is False  # it works in production, not only with DEBUG
    attachment = attached(case, handler, name, content)
    response = worker.get(download_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in response["Cache-Control"].split(", ")


def test_an_attachment_of_another_case_is_not_found_under_this_one(
    worker, handler, agent, parking_type, resident, case
):
    other = contact_log(
        draft=ContactDraft(channel="phone", outcome="forwarded", case_type=parking_type),
        by=agent,
    ).case
    attachment = attached(other, handler, "brev.pdf", samples.pdf())
    assert worker.get(download_url(attachment)).status_code == 200
    wrong = f"/cases/{case.reference}/attachments/{attachment.pk}/"
    assert worker.get(wrong).status_code == 404
    assert worker.post(download_url(attachment)).status_code == 405


def test_an_attachment_whose_file_is_gone_is_not_found(worker, handler, case):
    attachment = attached(case, handler, "brev.pdf", samples.pdf())
    Path(attachment.file.path).unlink()
    assert worker.get(download_url(attachment)).status_code == 404


def test_the_case_page_links_each_attachment_for_download(worker, handler, case):
    attachment = attached(case, handler, "brev.pdf", samples.pdf())
    page = worker.get(f"/cases/{case.reference}/").content.decode()
    assert f'href="{download_url(attachment)}" download>brev.pdf</a>' in page
    assert "PDF, JPG, PNG, HEIC, TXT, DOCX, ODT, at most 10 MB." in page


def test_nothing_under_media_root_is_served_even_with_debug(
    settings, worker, handler, case, monkeypatch
):
    attachment = attached(case, handler, "brev.pdf", samples.pdf())
    assert worker.get(f"/media/{attachment.file.name}").status_code == 404
    # The URL configuration as it is read with DEBUG on (the API's routers are mounted
    # already, so mounting them again is skipped).
    settings.DEBUG = True
    monkeypatch.setattr(api, "add_router", lambda *args, **kwargs: None)
    spec = importlib.util.find_spec("kontakt.urls")
    assert spec is not None and spec.loader is not None
    urls = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(urls)
    assert [p for p in urls.urlpatterns if getattr(p, "callback", None) is serve] == []


def test_html_declared_as_an_image_is_refused_on_the_page(settings, worker, case):
    upload = SimpleUploadedFile("evil.html", samples.HTML, content_type="image/png")
    response = worker.post(f"/cases/{case.reference}/attachments/", {"file": upload})
    assert response.status_code == 400
    assert "The file&#x27;s content is not of a type that can be attached" in (
        response.content.decode()
    )
    assert Attachment.objects.count() == 0
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


class MultipartBody(io.RawIOBase):
    """A multipart/form-data body made as it is read, so that the test holds none of it:
    text fields first (as a browser sends the form's CSRF token), then one file of `size`
    bytes. `read_bytes` says how much of it the server has read."""

    boundary = "kontakt-test-boundary"

    def __init__(self, fields: dict[str, str], file_field: str, filename: str, size: int):
        parts = [
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        ]
        parts.append(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        )
        self.head = "".join(parts).encode()
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.size = size
        self.length = len(self.head) + size + len(self.tail)
        self.read_bytes = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        start = self.read_bytes
        data = self._between(start, min(start + len(buffer), self.length))
        buffer[: len(data)] = data
        self.read_bytes += len(data)
        return len(data)

    def _between(self, start: int, end: int) -> bytes:
        head, file_end = len(self.head), len(self.head) + self.size
        data = bytearray(self.head[start:end])
        if end > head and start < file_end:
            first, last = max(start, head) - head, min(end, file_end) - head
            data += self._file(first, last)
        if end > file_end:
            data += self.tail[max(start, file_end) - file_end : end - file_end]
        return bytes(data)

    @staticmethod
    def _file(first: int, last: int) -> bytes:
        """Bytes first..last of the file: a PDF's signature, then filler."""
        signature = b"%PDF-1.4\n"
        return signature[first:last] + b"x" * max(0, last - max(first, len(signature)))


def test_a_file_too_large_is_refused_without_being_kept_and_the_form_comes_back(
    settings, handler, case
):
    settings.KONTAKT = {**settings.KONTAKT, "ATTACHMENT_MAX_BYTES": 1 * MiB}
    client = Client(enforce_csrf_checks=True)
    client.force_login(handler)
    page = client.get(f"/cases/{case.reference}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    body = MultipartBody({"csrfmiddlewaretoken": token[1]}, "file", "skanning.pdf", 60 * MiB)

    tracemalloc.start()
    try:
        response = client.generic(
            "POST",
            f"/cases/{case.reference}/attachments/",
            **{
                "wsgi.input": body,
                "CONTENT_LENGTH": str(body.length),
                "CONTENT_TYPE": body.content_type,
            },
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 400  # the form with its message: no CSRF failure
    page = response.content.decode()
    assert "The file is larger than 1 MB." in page
    assert 'name="file"' in page
    assert Attachment.objects.count() == 0
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))
    # The body was read through (so the answer reaches the browser), but at most the
    # maximum of the file was passed on to be kept, and memory held a small part of it.
    assert body.read_bytes == body.length
    limiter = response.wsgi_request.upload_handlers[0]
    assert isinstance(limiter, UploadLimitHandler)
    assert limiter.received == 60 * MiB
    assert limiter.passed_on <= 1 * MiB
    assert peak < 16 * MiB


def test_a_file_at_the_maximum_passes_the_limit(settings, worker, case):
    settings.KONTAKT = {**settings.KONTAKT, "ATTACHMENT_MAX_BYTES": 64 * 1024}
    content = samples.pdf(64 * 1024)
    upload = SimpleUploadedFile("brev.pdf", content, content_type="application/pdf")
    response = worker.post(f"/cases/{case.reference}/attachments/", {"file": upload})
    assert response.status_code == 302
    assert Attachment.objects.get().file.read() == content

    upload = SimpleUploadedFile("brev.pdf", content + b"\n", content_type="application/pdf")
    response = worker.post(f"/cases/{case.reference}/attachments/", {"file": upload})
    assert response.status_code == 400
    assert "The file is larger than 1 MB." in response.content.decode()
    assert Attachment.objects.count() == 1


def test_other_uploads_are_not_limited_by_the_attachment_maximum(settings, rf):
    settings.KONTAKT = {**settings.KONTAKT, "ATTACHMENT_MAX_BYTES": 10}
    request = rf.post("/admin/", {"file": SimpleUploadedFile("q.log", b"x" * 1000)})
    assert request.FILES["file"].size == 1000
