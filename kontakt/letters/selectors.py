"""Reads of letters, with access applied once, here.

Front line (who registers letters) sees every letter; a department's handler or contact sees
the letters registered onto their department's cases, as they see those cases; nobody else
sees any. A letter the user may not read is a 404.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_log_contacts
from kontakt.cases.selectors import cases_visible_to
from kontakt.core.text_search import words as text_words

from .models import Letter

# The stored tsvector of name and text on PostgreSQL, kept by a trigger and GIN-indexed
# (letters migration 0002).
LETTER_DOCUMENT_COLUMN = "search_document"
SQLITE_MATCHES = "SELECT rowid FROM letters_letter_fts WHERE letters_letter_fts MATCH %s"
MAX_WORDS = 8


def letters_visible_to(user: User) -> QuerySet[Letter]:
    """Every letter the user may read."""
    if may_log_contacts(user):
        return Letter.objects.all()
    return Letter.objects.filter(case__in=cases_visible_to(user))


def may_register_letters(user: User) -> bool:
    return may_log_contacts(user)


def letter_get(*, user: User, letter_id: int) -> Letter:
    letter = (
        letters_visible_to(user)
        .select_related("case", "contact", "resident", "registered_by", "received_by")
        .filter(pk=letter_id)
        .first()
    )
    if letter is None:
        raise Http404("No such letter.")
    return letter


@dataclass(frozen=True)
class LetterFilter:
    text: str = ""
    state: str = ""


def letter_search(*, user: User, filters: LetterFilter) -> QuerySet[Letter]:
    """Letters the user may read that match the filters, newest first."""
    letters = letters_visible_to(user)
    if filters.state:
        letters = letters.filter(state=filters.state)
    if filters.text.strip():
        letters = letter_text_filter(letters, filters.text)
    return letters.select_related("case", "resident").order_by("-received_at", "-id")


def letter_text_filter(letters: QuerySet[Letter], text: str) -> QuerySet[Letter]:
    """Letters whose name or text hold every word of `text` (each as a word's beginning)."""
    found = list(text_words(text.replace("\x00", " ")))[:MAX_WORDS]
    if not found:
        return letters.none()
    if connection.vendor == "postgresql":
        query = " & ".join(f"{word}:*" for word in found if "'" not in word)
        return letters.filter(
            RawSQL(
                f'"letters_letter"."{LETTER_DOCUMENT_COLUMN}" @@ to_tsquery(\'simple\', %s)',
                [query],
                output_field=BooleanField(),
            )
        )
    if connection.vendor == "sqlite":
        match = " ".join(f'"{word}"*' for word in found)
        return letters.filter(id__in=RawSQL(SQLITE_MATCHES, [match]))
    condition = Q()
    for word in found:
        condition &= Q(name__icontains=word) | Q(text__icontains=word)
    return letters.filter(condition)
