"""Text search that forgives: words, stems, query alternatives and highlighting.

Both search engines (SQLite's FTS5, PostgreSQL's text search) see the same query plan made
here, so they find the same articles:

* A text is split into words (letters and digits, lower-cased); stop words of its language
  are dropped (the Snowball lists PostgreSQL ships, `stopwords/`).
* Each word of a query becomes a *term* with alternatives: the word itself, matched as a
  prefix of an indexed stem ("kärl" finds "kärlet"), and the word without a definite or
  plural ending, matched exactly ("kärlet" finds "kärl"). The Snowball Swedish stemmer
  leaves many definite forms alone ("kärlet", "fakturan", "soptunnan"), so stems alone
  would miss them in one direction or the other.
* Synonyms add alternatives to the term whose word they share ("soptunna" ~ "avfallskärl").
* A document matches a term when it matches any alternative; it is ranked by how many
  terms it matches, where, and how rare they are (the engine's own score breaks ties).

Stemming uses the Snowball stemmers (PyStemmer), the algorithms PostgreSQL uses too.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import Stemmer

# Snowball algorithm per language code; PostgreSQL has a text-search configuration of the
# same name for each (other languages are indexed with 'simple').
SNOWBALL = {
    "sv": "swedish",
    "nb": "norwegian",
    "nn": "norwegian",
    "no": "norwegian",
    "en": "english",
    "da": "danish",
    "fi": "finnish",
    "de": "german",
    "ar": "arabic",
    "tr": "turkish",
}

# Definite and plural endings a query word may carry that its indexed stem lacks, longest
# first. Only removed when at least MIN_ROOT letters remain.
ENDINGS: dict[str, tuple[str, ...]] = {
    "swedish": (
        "arnas",
        "ernas",
        "ornas",
        "arna",
        "erna",
        "orna",
        "ens",
        "ets",
        "ans",
        "an",
        "en",
        "et",
        "na",
        "or",
        "ar",
        "er",
        "n",
        "t",
        "s",
    ),
    "norwegian": ("ene", "ane", "ens", "ets", "en", "et", "er", "a", "e", "s"),
    "danish": ("erne", "ene", "en", "et", "er", "e"),
    "english": ("'s", "es", "s"),
}
MIN_ROOT = 3
MIN_PREFIX = 3
MAX_TERMS = 10
WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS_DIR = Path(__file__).parent / "stopwords"


@cache
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    algorithm = SNOWBALL.get(language)
    return Stemmer.Stemmer(algorithm) if algorithm else None


@cache
def stopwords(language: str) -> frozenset[str]:
    """The Snowball stop words of a language (none for a language without a list)."""
    algorithm = SNOWBALL.get(language)
    path = STOPWORDS_DIR / f"{algorithm}.stop"
    if algorithm is None or not path.exists():
        return frozenset()
    return frozenset(line.strip() for line in path.read_text().splitlines() if line.strip())


def words(text: str) -> list[str]:
    """The words of a text, lower-cased, digits kept, punctuation and underscores dropped."""
    return [w.strip("_") for w in WORD.findall(text.lower()) if w.strip("_")]


def printable(text: str) -> str:
    """The text with control characters (a NUL byte among them) as spaces and runs of
    spaces as one: what a search or a gap may keep of what was typed."""
    return " ".join("".join(" " if unicodedata.category(c)[0] == "C" else c for c in text).split())


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The Snowball stem of a lower-cased word (the word itself where no stemmer exists);
    remembered, since the same words come back in every article and every search."""
    stemmer = _stemmer(language)
    return str(stemmer.stemWord(word)) if stemmer else word


def index_text(text: str, language: str) -> str:
    """The stems of a text, space-separated, stop words dropped: what SQLite indexes."""
    stops = stopwords(language)
    return " ".join(stem(w, language) for w in words(text) if w not in stops)


@dataclass(frozen=True, slots=True)
class Alternative:
    """One form a query word may take in a document: a word, matched as prefix or exactly.

    A spelling correction is only a guess, so a document it matches counts for less.
    """

    word: str
    prefix: bool
    weight: float = 1.0

    def stem(self, language: str) -> str:
        return stem(self.word, language)


@dataclass(frozen=True, slots=True)
class Term:
    """One word of a query with every form that counts as a match for it."""

    word: str
    alternatives: tuple[Alternative, ...]


def roots(word: str, language: str) -> list[str]:
    """The word without each definite or plural ending it carries (longest cut first)."""
    found = []
    for ending in ENDINGS.get(SNOWBALL.get(language, ""), ()):
        root = word[: -len(ending)]
        if word.endswith(ending) and len(root) >= MIN_ROOT and root not in found:
            found.append(root)
    return found


def parse_query(
    text: str, language: str, synonyms: Mapping[str, Sequence[str]] | None = None
) -> list[Term]:
    """The terms of a query in a language; `synonyms` maps a word to its other words."""
    stops = stopwords(language)
    seen: set[str] = set()
    terms: list[Term] = []
    for word in words(text):
        # A single letter ("e" of "e-faktura") would match nearly every article.
        if word in stops or word in seen or (len(word) < 2 and not word.isdigit()):
            continue
        seen.add(word)
        forms = [Alternative(word, prefix=len(word) >= MIN_PREFIX)]
        forms += [Alternative(root, prefix=False) for root in roots(word, language)]
        for other in _synonyms_of(word, language, synonyms or {}):
            forms.append(Alternative(other, prefix=len(other) >= MIN_PREFIX))
        terms.append(Term(word, tuple(_unique(forms))))
        if len(terms) == MAX_TERMS:
            break
    return terms


def _synonyms_of(word: str, language: str, synonyms: Mapping[str, Sequence[str]]) -> list[str]:
    """Synonyms of the word, looked up by the word, then by its stem and its roots."""
    keys = [word, stem(word, language), *roots(word, language)]
    found: list[str] = []
    for key in keys:
        for other in synonyms.get(key, ()):
            if other != word and other not in found:
                found.append(other)
    return found


def synonym_map(groups: Iterable[Sequence[str]], language: str) -> dict[str, list[str]]:
    """Word (and its stem) → the other words of its group, for `parse_query`."""
    mapping: dict[str, list[str]] = {}
    for group in groups:
        members = [w for w in (" ".join(words(g)) for g in group) if w and " " not in w]
        for member in members:
            others = [m for m in members if m != member]
            for key in {member, stem(member, language)}:
                bucket = mapping.setdefault(key, [])
                bucket.extend(o for o in others if o not in bucket)
    return mapping


def _unique(forms: list[Alternative]) -> list[Alternative]:
    """Drop repeated forms; a prefix form covers the exact form of the same word."""
    by_word: dict[str, Alternative] = {}
    for form in forms:
        known = by_word.get(form.word)
        if known is None or (form.prefix and not known.prefix):
            by_word[form.word] = form
    return list(by_word.values())


CORRECTION_WEIGHT = 0.6


def with_corrections(terms: Sequence[Term], corrections: Mapping[str, Sequence[str]]) -> list[Term]:
    """The terms with spelling corrections of their words added as exact alternatives."""
    result = []
    for term in terms:
        extra = [
            Alternative(w, prefix=False, weight=CORRECTION_WEIGHT)
            for w in corrections.get(term.word, ())
        ]
        result.append(Term(term.word, tuple(_unique([*term.alternatives, *extra]))))
    return result


# The two engines' query syntax ------------------------------------------------------------


def fts5_query(terms: Sequence[Term], language: str, *, every: bool = False) -> str:
    """An FTS5 MATCH expression over stemmed text: any term (with `every`, every term),
    each by any of its alternatives."""
    groups = []
    for term in terms:
        forms = []
        for form in term.alternatives:
            stemmed = form.stem(language).replace('"', "")
            if not stemmed:
                continue
            forms.append(f'"{stemmed}"*' if form.prefix else f'"{stemmed}"')
        if forms:
            groups.append("(" + " OR ".join(dict.fromkeys(forms)) + ")")
    return (" AND " if every else " OR ").join(groups)


def tsquery(terms: Sequence[Term], *, every: bool = False) -> str:
    """A to_tsquery() expression (stemmed by PostgreSQL): any term (with `every`, every
    term), each by any of its alternatives."""
    groups = []
    for term in terms:
        forms = [
            f"'{form.word}':*" if form.prefix else f"'{form.word}'"
            for form in term.alternatives
            if "'" not in form.word and "\\" not in form.word
        ]
        if forms:
            groups.append("(" + " | ".join(forms) + ")")
    return (" & " if every else " | ").join(groups)


# Ranking and highlighting ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field:
    """A field of a document with its weight in the ranking."""

    name: str
    text: str
    weight: float


class _Matcher:
    """A query's alternatives compiled for matching words: exact stems in one dictionary,
    prefixes filed under their first letters, so most words cost one or two look-ups
    instead of a loop over every alternative of every term."""

    def __init__(self, terms: Sequence[Term], language: str) -> None:
        self.exact: dict[str, list[tuple[int, float]]] = {}
        self.prefixes: dict[str, list[tuple[str, int, float]]] = {}
        # Per term, its forms as (stem, prefix?, weight), best weight first.
        self.forms: list[list[tuple[str, bool, float]]] = []
        for index, term in enumerate(terms):
            self.forms.append([])
            for form in sorted(term.alternatives, key=lambda f: -f.weight):
                stemmed = form.stem(language)
                if not stemmed:
                    continue
                is_prefix = form.prefix and len(stemmed) >= MIN_PREFIX
                self.forms[-1].append((stemmed, is_prefix, form.weight))
                if form.prefix and len(stemmed) >= MIN_PREFIX:
                    key = stemmed[:MIN_PREFIX]
                    self.prefixes.setdefault(key, []).append((stemmed, index, form.weight))
                else:
                    self.exact.setdefault(stemmed, []).append((index, form.weight))

    def weights(self, word_stem: str) -> dict[int, float]:
        """Term index → the weight of its best alternative that the stem matches."""
        found: dict[int, float] = {}
        for index, weight in self.exact.get(word_stem, ()):
            found[index] = max(weight, found.get(index, 0.0))
        for prefix, index, weight in self.prefixes.get(word_stem[:MIN_PREFIX], ()):
            if word_stem.startswith(prefix):
                found[index] = max(weight, found.get(index, 0.0))
        return found


@lru_cache(maxsize=256)
def _matcher(terms: tuple[Term, ...], language: str) -> _Matcher:
    return _Matcher(terms, language)


@lru_cache(maxsize=8192)
def _stems(text: str, language: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The stems of a text's words, as a set and sorted (for prefixes): an article's
    fields are read by search after search, so they are stemmed once."""
    stems = frozenset(stem(word, language) for word in set(words(text)))
    return stems, tuple(sorted(stems))


def _has_prefix(ordered: tuple[str, ...], prefix: str) -> bool:
    position = bisect_left(ordered, prefix)
    return position < len(ordered) and ordered[position].startswith(prefix)


def matched_weights(terms: Sequence[Term], text: str, language: str) -> dict[int, float]:
    """For each term some word of the text matches, the weight of its best alternative."""
    matcher = _matcher(tuple(terms), language)
    stems, ordered = _stems(text, language)
    found: dict[int, float] = {}
    for index, forms in enumerate(matcher.forms):
        for stemmed, is_prefix, weight in forms:  # best weight first: the first match wins
            if stemmed in stems or (is_prefix and _has_prefix(ordered, stemmed)):
                found[index] = weight
                break
    return found


def matched_terms(terms: Sequence[Term], text: str, language: str) -> set[int]:
    """Indexes of the terms that some word of the text matches."""
    return set(matched_weights(terms, text, language))


def relevance(terms: Sequence[Term], fields: Sequence[Field], language: str) -> float:
    """How well a document answers a query: for each term, the weight of the best field
    it is found in; a document that matches every term outranks one that matches a part."""
    if not terms:
        return 0.0
    best = [0.0] * len(terms)
    for field in fields:
        for index, weight in matched_weights(terms, field.text, language).items():
            best[index] = max(best[index], field.weight * weight)
    matched = sum(1 for value in best if value > 0)
    return sum(best) * (matched / len(terms)) ** 2


def trigram_similarity(a: str, b: str) -> float:
    """Shared trigrams over all trigrams of two words, padded as PostgreSQL's pg_trgm does
    (two spaces before, one after), so both engines judge a correction alike."""
    first, second = _trigrams(a), _trigrams(b)
    return len(first & second) / len(first | second) if first or second else 0.0


# A correction needs trigram similarity above pg_trgm's default of 0.3 (which offers
# "missing" for "mining"), or to be one slip away: a swapped, missing, extra or wrong letter
# ("julgarn" → "julgran" shares few trigrams), two in a long word.
SIMILARITY = 0.45


def closest_words(word: str, candidates: Iterable[str], *, count: int = 2) -> list[str]:
    """The candidates that can be taken for a misspelling of `word`, closest first."""
    slips = 1 if len(word) < 10 else 2
    scored = []
    for other in set(candidates):
        similarity = trigram_similarity(word, other)
        if similarity >= 0.3 and (
            similarity >= SIMILARITY or edit_distance(word, other, limit=slips) <= slips
        ):
            scored.append((-similarity, other))
    return [other for _score, other in sorted(scored)[:count]]


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Letters inserted, deleted, changed or swapped with a neighbour to turn `a` into `b`
    (the optimal string alignment distance); anything above `limit` is `limit + 1`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[len(b)], limit + 1)


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def highlight(text: str, terms: Sequence[Term], language: str, *, window: int | None = None) -> str:
    """HTML of the text (escaped) with matching words in <mark>; with `window`, only the
    stretch of about that many words around the most matches, with an ellipsis."""
    matcher = _matcher(tuple(terms), language)
    tokens = list(WORD.finditer(text))
    hits = [
        index
        for index, token in enumerate(tokens)
        if matcher.weights(stem(token.group().lower(), language))
    ]
    start_char, end_char = 0, len(text)
    if window is not None and len(tokens) > window:
        first = _densest_window(hits, len(tokens), window)
        last = min(len(tokens), first + window) - 1
        start_char = tokens[first].start() if first > 0 else 0
        end_char = tokens[last].end() if last < len(tokens) - 1 else len(text)
    out: list[str] = ["…"] if start_char > 0 else []
    position = start_char
    for index in hits:
        token = tokens[index]
        if token.start() < start_char or token.end() > end_char:
            continue
        out.append(html.escape(text[position : token.start()]))
        out.append(f"<mark>{html.escape(token.group())}</mark>")
        position = token.end()
    out.append(html.escape(text[position:end_char]))
    if end_char < len(text):
        out.append("…")
    return "".join(out)


def _densest_window(hits: list[int], count: int, window: int) -> int:
    """The first word of the window of `window` words holding the most hits (0 if none)."""
    if not hits:
        return 0
    best_start, best_count, left = 0, 0, 0
    for right, hit in enumerate(hits):
        while hit - hits[left] >= window:
            left += 1
        if right - left + 1 > best_count:
            best_count = right - left + 1
            best_start = hits[left]
    # Start a few words before the first hit, so it reads as a sentence.
    return max(0, min(best_start - 3, count - window))
