"""What a file must be to become an attachment: its type read from its content, a safe name,
and, where the deployment has ClamAV, a clean scan.

The declared content type and the name's extension come from the uploader and are never
trusted: the type is read from the file's first bytes (the `filetype` package, which only
compares signatures, so no parser runs over the file) and must be one of the deployment's
KONTAKT["ATTACHMENT_CONTENT_TYPES"]. Plain text has no signature; a file counts as plain text
when it is UTF-8 without NUL or other control characters and does not look like markup or a
script (see `looks_like_plain_text`). The name shown and offered for download keeps what the
uploader called the file, with no path and no invisible characters, and an extension that
fits the type found; the file on disk gets a name of letters, digits and dashes.

With KONTAKT["ATTACHMENT_CLAMAV_SOCKET"] set, every file is sent to clamd (INSTREAM) before
it is stored. A file clamd finds something in is refused and logged; when clamd cannot be
asked (down, slow, an error), the file is refused too, with a request to try again: the
check fails closed.
"""

import codecs
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import filetype
from clamdpy import ClamdNetworkSocket, ClamdUnixSocket
from clamdpy.exceptions import ClamdException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import Attachment

logger = logging.getLogger(__name__)

PLAIN_TEXT = "text/plain"
# filetype looks at no more than this many bytes from the start.
SIGNATURE_BYTES = 8192
# The extensions a file's name may keep for its type; the first is given to a name with
# none of them. Types not named here take the extension filetype gives them.
EXTENSIONS = {
    PLAIN_TEXT: ("txt",),
    "image/jpeg": ("jpg", "jpeg", "jfif"),
    "image/heic": ("heic", "heif"),
    "image/tiff": ("tif", "tiff"),
}
# Control characters plain text may not hold: all but tab, line feed, form feed and carriage
# return.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Markup or script anywhere in a text makes it something other than plain text, and so does
# a first character that begins a tag or a shebang line.
_MARKUP = re.compile(
    r"<\s*(?:script|html|svg|iframe|frame|body|head|object|embed|style|meta|link|xml"
    r"|!doctype|\?xml|math)\b|javascript:",
    re.IGNORECASE,
)
_OVERLAP = 40  # characters kept between chunks, so that a tag split by one is still seen
_SCAN_CHUNK = 64 * 1024
_ADDRESS = re.compile(r"^(?P<host>\[[0-9a-fA-F:.]+\]|[^:\s/]+):(?P<port>\d{1,5})$")


@dataclass(frozen=True)
class CheckedFile:
    """An upload that may be stored: its type as read, the name to show, the name on disk."""

    content_type: str
    size: int
    name: str
    stored_name: str


class ScannerUnavailable(Exception):
    """clamd could not give an answer."""


def check_upload(upload: UploadedFile) -> CheckedFile:
    """The upload's checked type and names, or a ValidationError on the field `file`."""
    limits = settings.KONTAKT
    maximum = limits["ATTACHMENT_MAX_BYTES"]
    if upload.size is None or upload.size > maximum:
        raise _refused(_("The file is larger than %(mb)d MB.") % {"mb": -(-maximum // 2**20)})
    if upload.size == 0:
        raise _refused(_("The file is empty."))
    found = detect_type(upload)
    allowed = [t.lower() for t in limits["ATTACHMENT_CONTENT_TYPES"]]
    if found is None or found[0] not in allowed:
        raise _refused(
            _("The file's content is not of a type that can be attached (%(types)s).")
            % {"types": allowed_type_names()}
        )
    content_type, extension = found
    return CheckedFile(
        content_type=content_type,
        size=upload.size,
        name=display_name(upload.name or "", content_type, extension),
        stored_name=stored_name(upload.name or "", extension),
    )


def scan_upload(upload: UploadedFile, *, where: str, by: str) -> None:
    """Refuse the upload if the configured clamd finds something in it or cannot be asked;
    nothing happens without a configured clamd. `where` and `by` go to the log."""
    address = settings.KONTAKT["ATTACHMENT_CLAMAV_SOCKET"]
    if not address:
        return
    try:
        found = scan(upload, address=address)
    except ScannerUnavailable as error:
        logger.error("Attachment to %s by %s refused: virus scan unavailable: %s", where, by, error)
        raise _refused(
            _("The file could not be checked for viruses just now. Please try again later.")
        ) from None
    if found is not None:
        logger.warning("Attachment to %s by %s refused: clamd found %s", where, by, found)
        raise _refused(_("The file contains a virus or other malware and was not attached."))


def scan(upload: UploadedFile, *, address: str) -> str | None:
    """What clamd at `address` (a unix socket path or host:port) finds in the upload: the
    signature's name, or None for a clean file. ScannerUnavailable when clamd cannot say."""
    timeout = settings.KONTAKT["ATTACHMENT_CLAMAV_TIMEOUT"]
    client: ClamdNetworkSocket
    if address.startswith("/"):
        client = ClamdUnixSocket(path=address, timeout=timeout)
    else:
        match = _ADDRESS.match(address)
        if match is None:
            raise ScannerUnavailable(f"not a socket path or host:port: {address!r}")
        host = match["host"].strip("[]")
        client = ClamdNetworkSocket(host=host, port=int(match["port"]), timeout=timeout)
    upload.seek(0)
    try:
        result = client.instream(upload, max_chunk_size=_SCAN_CHUNK)
    except (ClamdException, OSError) as error:
        raise ScannerUnavailable(_describe(error)) from error
    finally:
        upload.seek(0)
    if result.status == "FOUND":
        return result.reason or "unknown"
    if result.status != "OK":
        raise ScannerUnavailable(f"clamd answered {result.status}: {result.reason}")
    return None


def detect_type(upload: UploadedFile) -> tuple[str, str] | None:
    """(content type, extension) as read from the content; None for an unknown kind."""
    upload.seek(0)
    head = upload.read(SIGNATURE_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime).lower(), str(kind.extension).lower()
    if looks_like_plain_text(upload.chunks()):
        return PLAIN_TEXT, "txt"
    return None


def looks_like_plain_text(chunks: Iterable[bytes]) -> bool:
    """Plain text: valid UTF-8 (a byte order mark allowed), no NUL or control characters but
    tab, line and form feed and carriage return, and nothing of markup or script: no tag at
    the start, no shebang line, no HTML, SVG or XML element and no javascript: URL anywhere.
    Such a file is refused as text because a browser or program might take it for a page."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    tail = ""
    start = True
    try:
        for chunk in chunks:
            text = decoder.decode(chunk)
            if not _plain(text):
                return False
            if start and text.strip():
                first = text.lstrip()
                if first.startswith(("<", "#!")):
                    return False
                start = False
            if _MARKUP.search(tail + text):
                return False
            tail = (tail + text)[-_OVERLAP:]
        rest = decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return _plain(rest) and not start


def _plain(text: str) -> bool:
    return _CONTROLS.search(text) is None


def display_name(original: str, content_type: str, extension: str) -> str:
    """The name to show and to offer on download: the uploader's, without folders or
    invisible characters, ending in an extension that fits the content's type."""
    base = PurePosixPath(original.replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    base = " ".join(base.split()).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    fitting = EXTENSIONS.get(content_type, (extension,))
    if dot and stem and suffix.lower() in fitting:
        stem, extension = stem, suffix
    else:
        stem, extension = base, fitting[0]
    stem = stem[: 199 - len(extension)] or _("file")
    return f"{stem}.{extension}"


def stored_name(original: str, extension: str) -> str:
    """The file's name on disk: letters, digits and dashes, then the type's extension."""
    stem = PurePosixPath(original.replace("\\", "/")).name.rsplit(".", 1)[0]
    return f"{slugify(stem)[:60].strip('-_') or 'file'}.{extension}"


def allowed_type_names() -> str:
    """The allowed types as people know them: by their extensions (PDF, JPG, …)."""
    names = []
    for content_type in settings.KONTAKT["ATTACHMENT_CONTENT_TYPES"]:
        known = EXTENSIONS.get(content_type.lower())
        kind = filetype.get_type(mime=content_type.lower())
        extension = known[0] if known else kind.extension if kind else content_type
        names.append(str(extension).upper())
    return ", ".join(dict.fromkeys(names))


def _refused(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _describe(error: BaseException) -> str:
    for attribute in ("msg", "error"):
        if isinstance(text := getattr(error, attribute, None), str):
            return text
    return f"{type(error).__name__}: {error}"


# A file from a resident may be anything: it is only ever a download, never shown in the
# app's origin, and may run nothing if a browser opens it all the same.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def attachment_download(attachment: "Attachment") -> FileResponse:
    """An attachment as a download (the caller has checked who may have it); 404 when its
    file is gone."""
    try:
        content = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The attachment's file is missing.") from None
    response = FileResponse(
        content,
        as_attachment=True,
        filename=attachment.name,
        content_type=(
            "text/plain; charset=utf-8"
            if attachment.content_type == "text/plain"
            else attachment.content_type or "application/octet-stream"
        ),
    )
    for header, value in DOWNLOAD_HEADERS.items():
        response[header] = value
    return response
