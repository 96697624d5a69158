"""The directory's search: what the operator types and what is stored meet in one form.

Design (50,000 employees; p95 within 20 ms on PostgreSQL, 30 ms on SQLite; the same hits
on both). Both engines get the same plain SQL over two tables, so nothing depends on
pg_trgm or FTS5 and the results cannot drift apart:

* `EmployeeSearchToken`: each active employee's folded words (names, their neighbouring
  pairs run together, "ask me about", title, unit) and the digits of their numbers
  reversed, each with its field's weight. Kept by `employee_save` through
  `index_employees`; a leaver's words are removed.
* `SearchWordVariant`: the vocabulary (distinct words, a few tens of thousands even for a
  large municipality) under each variant with one letter left out. A query word and a
  stored word within one typo (a letter wrong, missing, extra, or two swapped) share a
  variant, so the typo neighbours of a query word are one indexed `IN` lookup
  (the "symmetric delete" idea of SymSpell), checked exactly in Python afterwards.

A query becomes terms (`parse_query`); per term, one indexed range scan on the token's
word finds exact words and beginnings ("kar" → karin, karl) plus the typo neighbours; the
database sums each employee's best points per term from a covering index alone (no
employee row is read) and orders by score, then id. Among equal scores available people
come first (no absence covering now and the line free: an EXISTS subquery in the same
query), asked only of the first rows (four pages), so a beginning shared by thousands
("per") does not ask thousands. The page is then shown by score, availability and name;
only its entries are loaded as models. A number is matched
by its ending: the reversed digits make "ends with 6281234" a range scan too. Trigram
indexes were the alternative; they need pg_trgm on PostgreSQL and a different engine
(FTS5 trigram) on SQLite with its own scoring, and match typos less precisely than
one-edit neighbours.

`fold` lower-cases, turns the Nordic and other accented letters into plain Latin ones
(Bjørn → bjorn, Åsa → asa, Æsa → aesa, Müller → muller) and splits on anything that is not
a letter or digit, so double names and hyphens ("Anna-Karin") become words.
"""

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import connection

from .models import (
    Absence,
    Availability,
    Employee,
    EmployeeSearchToken,
    SearchWordVariant,
    Unit,
)

# Letters that Unicode decomposition does not take apart.
_SPECIAL = str.maketrans({"ø": "o", "æ": "ae", "ð": "d", "þ": "th", "ß": "ss", "ł": "l"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """The text as plain lower-case Latin words separated by single spaces."""
    lowered = text.lower().translate(_SPECIAL)
    stripped = "".join(
        char for char in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(char)
    )
    return _NOT_WORD.sub(" ", stripped).strip()


# Family names of one root are spelt -sson, -son, -sen or -ssen across the Nordic countries
# (Andersson, Anderson, Andersen; Kristiansson, Kristiansen): up to two letters apart, one
# more than a typo. A query word with such an ending also looks for the other spellings,
# as near words (the spelling typed, where it exists, still comes first).
_PATRONYMIC = re.compile(r"(?:sson|ssen|son|sen)$")
_PATRONYMIC_ENDINGS = ("sson", "ssen", "son", "sen")


def name_spellings(word: str) -> tuple[str, ...]:
    """The other spellings of a family name's ending (andersen → andersson, anderson, …)."""
    if len(word) < 6 or not _PATRONYMIC.search(word):
        return ()
    root = _PATRONYMIC.sub("", word)
    return tuple(root + ending for ending in _PATRONYMIC_ENDINGS if root + ending != word)


# --- The directory's search index ---------------------------------------------------------


class Field(StrEnum):
    """Where a matched word comes from, and how much a match there counts."""

    NAME = "name"
    NUMBER = "number"
    KEYWORDS = "keywords"
    TITLE = "title"
    UNIT = "unit"


WEIGHTS = {
    Field.NAME: 10,
    Field.NUMBER: 10,
    Field.KEYWORDS: 7,
    Field.TITLE: 6,
    Field.UNIT: 5,
}
# How a query word matched a stored word: the same, its beginning, or within one typo.
EXACT, PREFIX, FUZZY = 10, 8, 5
MAX_WORD = 60
# The shared functions are scored in Python from a cached list (selectors._functions).
FUNCTIONS_CACHE_KEY = "directory:functions:v1"
MAX_TERMS = 6
# Shortest query word matched as a beginning ("ka" → Karin) and within a typo ("ande").
MIN_PREFIX = 2
MIN_FUZZY = 4
# Shortest number (its last digits) searched for.
MIN_DIGITS = 4
_NUMBER_QUERY = re.compile(r"[\d\s()+\-./]+")
VARIANTS = SearchWordVariant._meta.db_table
TOKENS = EmployeeSearchToken._meta.db_table
EMPLOYEES = Employee._meta.db_table
UNITS = Unit._meta.db_table
ABSENCES = Absence._meta.db_table


NUMBER_MARK = "#"


def digits_key(number: str) -> str:
    """A stored number's digits reversed, so a number's ending is the key's beginning;
    marked, so no word is taken for a number."""
    digits = "".join(char for char in number if char.isdigit())[::-1]
    return NUMBER_MARK + digits[: MAX_WORD - 1] if digits else ""


def query_digits_key(text: str) -> str:
    """What a typed number must end with, reversed: "040-628 12 34" and "+46 40 6281234"
    both end a stored +46406281234 (the trunk 0 or the international 00 is dropped)."""
    digits = "".join(char for char in text if char.isdigit())
    if digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    return NUMBER_MARK + digits[::-1][: MAX_WORD - 1] if digits else ""


def deletions(word: str) -> set[str]:
    """The word with one letter left out, in every way."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_typo(a: str, b: str) -> bool:
    """One letter wrong, missing, extra, or two neighbours swapped (or none of these)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def entry_tokens(
    *,
    display_name: str,
    given_name: str,
    family_name: str,
    title: str,
    unit_name: str,
    keywords: str,
    numbers: Iterable[str],
) -> dict[str, Field]:
    """The words of an entry, each with the field it counts most in.

    Names give their words and each pair of neighbouring words run together, so
    "Anna-Karin" is found by "annakarin" and "Lind Berg" by "lindberg" (and the reverse, by
    beginning). Numbers give their digits reversed.
    """
    found: dict[str, Field] = {}

    def add(word: str, field: Field) -> None:
        word = word[:MAX_WORD]
        if word and (word not in found or WEIGHTS[field] > WEIGHTS[found[word]]):
            found[word] = field

    for name in (display_name, given_name, family_name):
        words = fold(name).split()
        for word in words:
            add(word, Field.NAME)
        for first, second in itertools.pairwise(words):
            add(first + second, Field.NAME)
    for text, field in ((keywords, Field.KEYWORDS), (title, Field.TITLE), (unit_name, Field.UNIT)):
        for word in fold(text).split():
            add(word, field)
    for number in numbers:
        key = digits_key(number)
        if len(key) > MIN_DIGITS:
            found[key] = Field.NUMBER
    return found


def index_employees(employee_ids: Iterable[int]) -> None:
    """Write the current words of these employees into the index (none for an inactive one)
    and add new words' variants to the vocabulary."""
    ids = list(employee_ids)
    if not ids:
        return
    rows = (
        Employee.objects.filter(pk__in=ids, active=True)
        .values_list(
            "pk",
            "display_name",
            "given_name",
            "family_name",
            "title",
            "unit__name",
            "keywords",
            "direct_number",
            "mobile",
        )
        .order_by()
    )
    tokens: list[EmployeeSearchToken] = []
    vocabulary: set[str] = set()
    for pk, display, given, family, title, unit_name, keywords, direct, mobile in rows:
        words = entry_tokens(
            display_name=display,
            given_name=given,
            family_name=family,
            title=title,
            unit_name=unit_name or "",
            keywords=keywords,
            numbers=(direct, mobile),
        )
        for word, field in words.items():
            tokens.append(
                EmployeeSearchToken(
                    employee_id=pk, word=word, field=field.value, weight=WEIGHTS[field]
                )
            )
            if field is not Field.NUMBER:
                vocabulary.add(word)
    EmployeeSearchToken.objects.filter(employee_id__in=ids).delete()
    EmployeeSearchToken.objects.bulk_create(tokens, batch_size=2000)
    add_vocabulary(vocabulary)


def add_vocabulary(words: Iterable[str]) -> None:
    """Variants of words not seen before (the index of typos)."""
    words = {word for word in words if len(word) >= MIN_FUZZY - 1}
    if not words:
        return
    known: set[str] = set()
    ordered = sorted(words)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        known |= set(
            SearchWordVariant.objects.filter(variant__in=chunk, word__in=chunk).values_list(
                "word", flat=True
            )
        )
    variants = []
    for word in sorted(words - known):
        variants.append(SearchWordVariant(variant=word, word=word))
        if len(word) >= MIN_FUZZY:
            variants += [SearchWordVariant(variant=v, word=word) for v in sorted(deletions(word))]
    SearchWordVariant.objects.bulk_create(variants, batch_size=2000, ignore_conflicts=True)


# --- Asking the index ---------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word (or number) of a query and the stored words it matches other than by
    beginning: the typo neighbours."""

    text: str
    number: bool
    fuzzy: tuple[str, ...] = ()

    @property
    def prefix(self) -> bool:
        return self.number or len(self.text) >= MIN_PREFIX

    def points(self, word: str, field: str, *, any_typo: bool = False) -> int:
        """What a stored word of a field is worth to this term (0: no match). With
        `any_typo`, a word within one typo counts even if the vocabulary did not offer it
        (for words outside the index: the shared functions')."""
        if self.number != (field == Field.NUMBER):
            return 0
        if word == self.text:
            kind = EXACT
        elif self.prefix and word.startswith(self.text):
            kind = PREFIX
        elif word in self.fuzzy or (
            any_typo and len(self.text) >= MIN_FUZZY and within_one_typo(word, self.text)
        ):
            kind = FUZZY
        else:
            return 0
        return kind * WEIGHTS[Field(field)]


def parse_query(query: str) -> list[Term]:
    """The terms of a query: a number typed in any formatting is one term; otherwise its
    folded words, digits of four or more read as the end of a number."""
    query = query.strip()
    if _NUMBER_QUERY.fullmatch(query):
        key = query_digits_key(query)
        return [Term(key, number=True)] if len(key) > MIN_DIGITS else []
    terms: list[Term] = []
    for word in fold(query).split()[:MAX_TERMS]:
        word = word[:MAX_WORD]
        if word.isdigit():
            if len(word) >= MIN_DIGITS:
                terms.append(Term(query_digits_key(word), number=True))
        elif word not in {t.text for t in terms}:
            terms.append(Term(word, number=False))
    return terms


def with_typos(terms: list[Term]) -> list[Term]:
    """The terms with the vocabulary's words within one typo of them (one query), and a
    family name's other spellings (kristiansson → kristiansen) as near words too."""
    return [_with_name_key(term) for term in _with_typos(terms)]


def _with_name_key(term: Term) -> Term:
    if term.number:
        return term
    more = tuple(word for word in name_spellings(term.text) if word not in term.fuzzy)
    return Term(term.text, number=False, fuzzy=(*term.fuzzy, *more)) if more else term


def _with_typos(terms: list[Term]) -> list[Term]:
    """The terms with the vocabulary's words within one typo of them (one query)."""
    asked = {t.text: {t.text} | deletions(t.text) for t in terms if _fuzzy(t)}
    if not asked:
        return terms
    variants = sorted(set().union(*asked.values()))
    marks = ", ".join(["%s"] * len(variants))
    with connection.cursor() as cursor:
        # Plain SQL: the ORM's own work would be a third of the search's time here.
        cursor.execute(f"SELECT variant, word FROM {VARIANTS} WHERE variant IN ({marks})", variants)
        pairs = cursor.fetchall()
    words_of: dict[str, set[str]] = {}
    for variant, word in pairs:
        words_of.setdefault(variant, set()).add(word)
    result = []
    for term in terms:
        if term.text not in asked:
            result.append(term)
            continue
        near = set().union(*(words_of.get(v, set()) for v in asked[term.text]))
        fuzzy = sorted(
            word
            for word in near
            if word != term.text
            and not word.startswith(term.text)
            and within_one_typo(word, term.text)
        )
        result.append(Term(term.text, number=False, fuzzy=tuple(fuzzy)))
    return result


def _fuzzy(term: Term) -> bool:
    return not term.number and len(term.text) >= MIN_FUZZY


def _upper(text: str) -> str:
    """The least string above every string that begins with `text` (all stored words are
    plain [0-9a-z], so the last letter's successor is enough)."""
    return text[:-1] + chr(ord(text[-1]) + 1)


# A term's best points carry the field they came from in their last two digits: the field's
# weight, shifted for numbers (whose weight is a name's).
NUMBER_CODE_SHIFT = 50
CODES = {WEIGHTS[field]: field for field in (Field.UNIT, Field.TITLE, Field.KEYWORDS, Field.NAME)}
CODES[WEIGHTS[Field.NUMBER] + NUMBER_CODE_SHIFT] = Field.NUMBER


def _term_sql(term: Term) -> tuple[str, list[object]]:
    """Each employee's best points for one term (read from the covering index alone)."""
    if term.prefix:
        match = "(word >= %s AND word < %s)"
        match_params: list[object] = [term.text, _upper(term.text)]
    else:
        match = "word = %s"
        match_params = [term.text]
    if term.fuzzy:
        marks = ", ".join(["%s"] * len(term.fuzzy))
        where = f"({match} OR word IN ({marks}))"
        where_params = [*match_params, *term.fuzzy]
    else:
        where, where_params = match, match_params
    # The points times 100, plus a code of the field they came from (CODES).
    code = f"weight + {NUMBER_CODE_SHIFT}" if term.number else "weight"
    sql = (
        f"SELECT employee_id, MAX(weight * CASE WHEN word = %s THEN {EXACT} "
        f"WHEN {match} THEN {PREFIX} ELSE {FUZZY} END * 100 + {code}) AS best "
        f"FROM {TOKENS} WHERE {where} GROUP BY employee_id"
    )
    return sql, [term.text, *match_params, *where_params]


def _scores(
    terms: list[Term],
    *,
    now: datetime,
    rows: int,
    unit_id: int | None,
    department_id: int | None,
) -> list[tuple[int, int, str, bool]]:
    """(employee id, score, field that counted most, away now) of the first `rows` by score,
    then id. The scores come from the index alone; only those rows are joined to their
    employee to ask whether they are away (an absence covers `now`, or the line is busy or
    on do-not-disturb)."""
    parts: list[str] = []
    params: list[Any] = []
    for term in terms:
        sql, term_params = _term_sql(term)
        parts.append(sql)
        params += term_params
    if len(parts) == 1:
        scored = f"SELECT employee_id, best / 100 AS score, best AS top FROM ({parts[0]}) t"
    else:
        union = " UNION ALL ".join(parts)
        scored = (
            "SELECT employee_id, SUM(best / 100) AS score, MAX(best) AS top "
            f"FROM ({union}) t GROUP BY employee_id"
        )
    filters: list[str] = []
    filter_params: list[Any] = []
    if unit_id is not None:
        filters.append(f"s.employee_id IN (SELECT id FROM {EMPLOYEES} WHERE unit_id = %s)")
        filter_params.append(unit_id)
    if department_id is not None:
        filters.append(
            f"s.employee_id IN (SELECT e.id FROM {EMPLOYEES} e JOIN {UNITS} u "
            "ON u.id = e.unit_id WHERE u.department_id = %s)"
        )
        filter_params.append(department_id)
    where = f"WHERE {' AND '.join(filters)}" if filters else ""
    at = connection.ops.adapt_datetimefield_value(now)
    sql = (
        "SELECT r.employee_id, r.score, r.top, CASE WHEN e.phone_state <> %s OR EXISTS ("
        f"SELECT 1 FROM {ABSENCES} a WHERE a.employee_id = r.employee_id "
        "AND a.starts_at <= %s AND a.ends_at > %s) THEN 1 ELSE 0 END AS away "
        f"FROM (SELECT s.employee_id, s.score, s.top FROM ({scored}) s {where} "
        f"ORDER BY s.score DESC, s.employee_id ASC LIMIT {int(rows)}) r "
        f"JOIN {EMPLOYEES} e ON e.id = r.employee_id "
        "ORDER BY r.score DESC, r.employee_id ASC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Availability.AVAILABLE.value, at, at, *params, *filter_params])
        return [
            (pk, int(score), CODES.get(int(top) % 100, Field.NAME).value, bool(away))
            for pk, score, top, away in cursor.fetchall()
        ]


def ranked_employees(
    terms: list[Term],
    *,
    now: datetime,
    limit: int,
    unit_id: int | None = None,
    department_id: int | None = None,
) -> list[tuple[int, int, bool, str]]:
    """(employee id, score, available now, field that counted most) of the best matches:
    by score, and among equal scores those available first (then by id, so both engines
    agree).

    One query: the scores come from the index alone, and only the first rows by score and
    id (four pages, at least 100) are asked whether they are away; a beginning like "kar"
    gives thousands of equal scores, and asking all of them would be most of the search's
    time. Only when those rows cannot fill the page with the available people it should
    show are more asked for.
    """
    if not terms or limit <= 0:
        return []
    rows = max(4 * limit, 100)
    while True:
        scored = _scores(terms, now=now, rows=rows, unit_id=unit_id, department_id=department_id)
        chosen = _fill(scored, limit=limit, complete=len(scored) < rows)
        if chosen is not None:
            return chosen
        rows *= 4


def _fill(
    scored: list[tuple[int, int, str, bool]], *, limit: int, complete: bool
) -> list[tuple[int, int, bool, str]] | None:
    """The page from the best rows, or None when more rows are needed to know it."""
    groups: list[list[int]] = []
    row_of: dict[int, tuple[int, str, bool]] = {}
    for pk, score, field, away in scored:
        if not groups or row_of[groups[-1][0]][0] != score:
            groups.append([])
        groups[-1].append(pk)
        row_of[pk] = (score, field, away)
    chosen: list[tuple[int, int, bool, str]] = []
    for index, group in enumerate(groups):
        room = limit - len(chosen)
        if room <= 0:
            break
        available = [pk for pk in group if not row_of[pk][2]]
        # The last group fetched may go on beyond the rows: its later people could be the
        # available ones the page still needs.
        if index == len(groups) - 1 and not complete and len(available) < room:
            return None
        ordered = available + [pk for pk in group if row_of[pk][2]]
        for pk in ordered[:room]:
            score, field, away = row_of[pk]
            chosen.append((pk, score, not away, field))
    if len(chosen) < limit and not complete:
        return None
    return chosen


def best_match(
    terms: list[Term], tokens: Iterable[tuple[str, str]], *, any_typo: bool = False
) -> tuple[int, str]:
    """(score, field of the term that counted most) of one entry's (word, field) tokens."""
    tokens = list(tokens)
    total, best_field, best_points = 0, "", 0
    for term in terms:
        points, field = max(
            ((term.points(word, field, any_typo=any_typo), field) for word, field in tokens),
            default=(0, ""),
        )
        total += points
        if points > best_points:
            best_points, best_field = points, field
    return total, best_field


def tokens_of(employee_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The indexed (word, field) pairs of these employees (one query)."""
    found: dict[int, list[tuple[str, str]]] = {pk: [] for pk in employee_ids}
    if not employee_ids:
        return found
    marks = ", ".join(["%s"] * len(employee_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT employee_id, word, field FROM {TOKENS} WHERE employee_id IN ({marks})",
            employee_ids,
        )
        for pk, word, field in cursor.fetchall():
            found[pk].append((word, field))
    return found
