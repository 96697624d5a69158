"""Scans made here, for the demo's letters and the tests: lines of text drawn onto a white
A4 page the way a scanner sees paper, saved as an image or as a PDF without a text layer
(so only OCR can read it); and a PDF with a real text layer, written by hand."""

import io
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# A4 at 150 dots per inch.
PAGE = (1240, 1754)
FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def scan_page(lines: list[str], *, size: int = 40) -> Image.Image:
    """A greyscale page with the lines written on it, top left, as on a letter."""
    page = Image.new("L", PAGE, color=255)
    draw = ImageDraw.Draw(page)
    font = _font(size)
    y = 160
    for line in lines:
        draw.text((120, y), line, fill=0, font=font)
        y += int(size * 1.6)
    return page


# The scans' dates are fixed, so the same lines make the same bytes: a scan made again
# (the demo seeded a second time) is the letter already stored, not a new one.
SCANNED_AT = time.gmtime(1_796_112_000)  # 2026-12-01 08:00 UTC


def scanned_pdf(lines: list[str]) -> bytes:
    """A one-page PDF holding only the picture of the page: no text layer."""
    out = io.BytesIO()
    scan_page(lines).save(
        out, format="PDF", resolution=150, creationDate=SCANNED_AT, modDate=SCANNED_AT
    )
    return out.getvalue()


def scanned_image(lines: list[str], *, format: str = "PNG") -> bytes:
    out = io.BytesIO()
    scan_page(lines).save(out, format=format)
    return out.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with the lines as text (Helvetica, WinAnsi: Latin-1 letters)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 14 Tf 72 770 Td 18 TL " + " ".join(f"({escape(line)}) Tj T*" for line in lines)
    content = stream.encode("latin-1") + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()
