"""The demo's scanned letters: imported from the scanner's folder, read by OCR, found by a
word in them."""

import pytest
from django.utils import timezone

from kontakt.demo.letters import seed_letters
from kontakt.letters.models import Letter, LetterState
from kontakt.letters.selectors import LetterFilter, letter_search

pytestmark = pytest.mark.django_db


def test_the_demo_letters_are_imported_read_and_found_by_a_word(agent, settings, tmp_path):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "LETTERS": {**settings.KONTAKT["LETTERS"], "SCAN_DIR": str(tmp_path / "scans")},
    }
    assert seed_letters(now=timezone.now()) == 2
    assert set(Letter.objects.values_list("state", flat=True)) == {LetterState.READ}
    found = letter_search(user=agent, filters=LetterFilter(text="bygglov"))
    assert [letter.name for letter in found] == ["skanning-0001.pdf"]
    found = letter_search(user=agent, filters=LetterFilter(text="snöröjningen"))
    assert [letter.name for letter in found] == ["skanning-0002.png"]
    # The demo seeded again (a restart): the same scans are the letters already stored.
    assert seed_letters(now=timezone.now()) == 2
    assert Letter.objects.count() == 2
