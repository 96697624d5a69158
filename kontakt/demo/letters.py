"""The demo's scanned letters: two letters from residents, drawn as scans (no text layer),
put in the scanner's folder and imported as the folder import does, then read by OCR, so
a walker finds one by a word in it ("bygglov", "snöröjningen") and registers it."""

from datetime import datetime
from pathlib import Path

from django.conf import settings

from kontakt.letters.folder import letters_import
from kontakt.letters.samples import scanned_image, scanned_pdf
from kontakt.letters.scans import letter_read

LETTERS = {
    "skanning-0001.pdf": (
        "pdf",
        [
            "Sjöstad kommun",
            "Stadsbyggnadskontoret",
            "",
            "Ansökan om bygglov för garage på Storgatan 5",
            "",
            "Jag vill bygga ett garage på min tomt och undrar",
            "vilka handlingar ni behöver från mig.",
            "",
            "Med vänlig hälsning",
            "Karin Holm, Storgatan 5, 123 45 Sjöstad",
        ],
    ),
    "skanning-0002.png": (
        "png",
        [
            "Till kommunen",
            "",
            "Klagomål på snöröjningen i Norrby",
            "",
            "Vägen förbi skolan har inte plogats på tre dagar.",
            "Barnen går i vägbanan.",
            "",
            "Per Ek, Skolvägen 3, Sjöstad",
        ],
    ),
}


def seed_letters(*, now: datetime) -> int:
    """Import the demo's scans from the scanner's folder and read them; how many letters."""
    folder = Path(settings.KONTAKT["LETTERS"]["SCAN_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for name, (kind, lines) in LETTERS.items():
        (folder / name).write_bytes(scanned_pdf(lines) if kind == "pdf" else scanned_image(lines))
    result = letters_import(folder=folder, batch=len(LETTERS), now=now)
    for letter_id in result.imported:
        letter_read(letter_id=letter_id)
    return len(result.imported) + len(result.known)
