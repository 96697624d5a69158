"""Reading a scan: its pages, its text and a preview of its first page, by Debian's programs.

- A PDF with a text layer: `pdftotext -layout` (poppler-utils).
- A PDF without one (a scan saved as PDF): each page rendered by `pdftoppm -r 300 -png`,
  then read by `tesseract <page> - -l <KONTAKT["LETTERS"]["OCR_LANGUAGES"]>`.
- An image (JPEG, PNG, TIFF): `tesseract` reads it directly.

Every program runs with a time limit (KONTAKT["LETTERS"]["READ_TIMEOUT_SECONDS"]), and no
more than KONTAKT["LETTERS"]["MAX_PAGES"] pages are read, so a 500-page PDF cannot hold a
worker: the letter says what was left unread. A program missing from the server, or one
that fails or takes too long, is a `ReadingFailed` with a reason an operator can act on;
nothing here raises anything else for a bad file.

The functions take a path on local disk (the caller copies the stored file there) and
return plain values.
"""

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

PDF = "application/pdf"
# Fewer letters than this on a PDF's text layer: a scan with a stray word on it, read by OCR.
MIN_TEXT_LETTERS = 20
# Longest side of the preview image, in pixels.
PREVIEW_PIXELS = 1000
# Pillow refuses images larger than this many pixels (a decompression bomb otherwise).
MAX_IMAGE_PIXELS = 120_000_000
# The text kept of one letter.
MAX_TEXT_CHARS = 200_000


class ReadingFailed(Exception):
    """The scan could not be read; the message says why, for the operator."""


@dataclass(frozen=True)
class Reading:
    text: str
    source: str  # "pdf", "ocr" or "none"
    pages: int
    note: str = ""


def _limits() -> tuple[int, float, str]:
    config = settings.KONTAKT["LETTERS"]
    return config["MAX_PAGES"], config["READ_TIMEOUT_SECONDS"], config["OCR_LANGUAGES"]


def _run(arguments: list[str], *, timeout: float) -> bytes:
    """A program's standard output; ReadingFailed when it is missing, fails or is slow."""
    program = arguments[0]
    try:
        done = subprocess.run(arguments, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise ReadingFailed(
            _("The program %(program)s is not installed on the server.") % {"program": program}
        ) from None
    except subprocess.TimeoutExpired:
        raise ReadingFailed(
            _("%(program)s took longer than %(seconds)d seconds.")
            % {"program": program, "seconds": timeout}
        ) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ReadingFailed(
            _("%(program)s could not read the file: %(detail)s")
            % {"program": program, "detail": (detail[-1] if detail else "")[:200]}
        )
    return done.stdout


def pdf_pages(path: Path) -> int:
    """The PDF's number of pages (pdfinfo); ReadingFailed for a file that is no PDF."""
    _max_pages, timeout, _languages = _limits()
    output = _run(["pdfinfo", str(path)], timeout=timeout).decode("utf-8", "replace")
    found = re.search(r"^Pages:\s+(\d+)", output, re.MULTILINE)
    if found is None or int(found[1]) < 1:
        raise ReadingFailed(_("The PDF has no pages."))
    return int(found[1])


def image_pages(path: Path) -> int:
    """The image's number of frames (a TIFF may hold several pages)."""
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ReadingFailed(_("The image is too large to read."))
            frames = int(getattr(image, "n_frames", 1))
            image.verify()
            return frames
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise ReadingFailed(_("The image cannot be read: %(error)s") % {"error": error}) from None


def check(path: Path, content_type: str) -> int:
    """The scan's pages if it can be opened at all; ReadingFailed for a broken file.

    A missing pdfinfo is not the file's fault: such a PDF counts as one page until read.
    """
    if content_type == PDF:
        try:
            return pdf_pages(path)
        except ReadingFailed:
            if shutil.which("pdfinfo") is None:
                return 1
            raise
    return image_pages(path)


def read(path: Path, content_type: str) -> Reading:
    """The scan's text: the PDF's text layer, else OCR of its pages (at most MAX_PAGES)."""
    max_pages, timeout, languages = _limits()
    pages = check(path, content_type)
    count = min(pages, max_pages)
    note = (
        _("Only the first %(read)d of %(pages)d pages were read.") % {"read": count, "pages": pages}
        if pages > count
        else ""
    )
    if content_type == PDF:
        layer = _run(
            ["pdftotext", "-layout", "-enc", "UTF-8", "-f", "1", "-l", str(count), str(path), "-"],
            timeout=timeout,
        ).decode("utf-8", "replace")
        if sum(ch.isalpha() for ch in layer) >= MIN_TEXT_LETTERS:
            return Reading(text=_tidy(layer), source="pdf", pages=pages, note=note)
        text = _ocr_pdf(path, count=count, timeout=timeout, languages=languages)
    else:
        text = _ocr_image(path, count=count, pages=pages, timeout=timeout, languages=languages)
    text = _tidy(text)
    return Reading(text=text, source="ocr" if text else "none", pages=pages, note=note)


def _ocr_pdf(path: Path, *, count: int, timeout: float, languages: str) -> str:
    texts = []
    with tempfile.TemporaryDirectory(prefix="kontakt-letter-") as folder:
        for number in range(1, count + 1):
            prefix = Path(folder) / f"page-{number}"
            _run(
                [
                    "pdftoppm",
                    "-r",
                    "300",
                    "-png",
                    "-singlefile",
                    "-f",
                    str(number),
                    "-l",
                    str(number),
                    str(path),
                    str(prefix),
                ],
                timeout=timeout,
            )
            image = prefix.with_suffix(".png")
            texts.append(_tesseract(image, timeout=timeout, languages=languages))
            image.unlink(missing_ok=True)
    return "\n\f".join(texts)


def _ocr_image(path: Path, *, count: int, pages: int, timeout: float, languages: str) -> str:
    if pages == 1:
        return _tesseract(path, timeout=timeout, languages=languages)
    # A multi-page TIFF: each page to its own PNG, so that the limit holds.
    texts = []
    with tempfile.TemporaryDirectory(prefix="kontakt-letter-") as folder, Image.open(path) as tiff:
        for number in range(count):
            tiff.seek(number)
            page = Path(folder) / f"page-{number + 1}.png"
            tiff.save(page, format="PNG")
            texts.append(_tesseract(page, timeout=timeout, languages=languages))
            page.unlink(missing_ok=True)
    return "\n\f".join(texts)


def _tesseract(image: Path, *, timeout: float, languages: str) -> str:
    output = _run(["tesseract", str(image), "-", "-l", languages], timeout=timeout)
    return output.decode("utf-8", "replace")


def _tidy(text: str) -> str:
    """The text without NUL or other control characters but line and page breaks and tabs,
    without trailing spaces, without runs of blank lines, and no longer than the limit."""
    text = "".join(ch for ch in text if ch in "\n\t\f" or (ch >= " " and ch != "\x7f"))
    lines = [line.rstrip() for line in text.replace("\f", "\n").splitlines()]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return tidy[:MAX_TEXT_CHARS]


def preview(path: Path, content_type: str) -> bytes:
    """A PNG of the first page, its longest side PREVIEW_PIXELS at most."""
    _max_pages, timeout, _languages = _limits()
    if content_type == PDF:
        return _run(
            [
                "pdftoppm",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                "-scale-to",
                str(PREVIEW_PIXELS),
                str(path),
            ],
            timeout=timeout,
        )
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(path) as image:
            image.seek(0)
            first = image.convert("L" if image.mode in ("1", "L", "I;16") else "RGB")
            first.thumbnail((PREVIEW_PIXELS, PREVIEW_PIXELS))
            with tempfile.SpooledTemporaryFile() as out:
                first.save(out, format="PNG", optimize=True)
                out.seek(0)
                return bytes(out.read())
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as error:
        raise ReadingFailed(_("The image cannot be read: %(error)s") % {"error": error}) from None
