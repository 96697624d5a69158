"""Reads of the knowledge base, with access control applied once, here.

Residents and anyone not signed in read published public articles only. Staff read every
published article; drafts and archived articles only where they may edit them. Article
tasks and the gap list show a department contact their own department's; the center's
supervisors and administrators see every department's.
"""

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import TypeGuard

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.safestring import SafeString, mark_safe

from kontakt.accounts.models import User
from kontakt.accounts.roles import EDITS_DEPARTMENT_ARTICLES
from kontakt.accounts.selectors import (
    is_staff_user,
    may_edit_any_article,
    may_edit_articles_of,
    sees_all_departments,
    user_roles,
)
from kontakt.cases.models import CaseType, Contact, Outcome
from kontakt.core import text_search

from . import search
from .models import (
    Article,
    ArticleFlag,
    ArticleRevision,
    ArticleStatus,
    ArticleUse,
    SearchGap,
    Synonym,
    Visibility,
)

Viewer = User | AnonymousUser | None


def _is_staff(user: Viewer) -> TypeGuard[User]:
    return user is not None and is_staff_user(user)


def articles_visible_to(user: Viewer) -> QuerySet[Article]:
    """Every article the user (None or anonymous: a resident) may read."""
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    if not _is_staff(user):
        return published.filter(visibility=Visibility.PUBLIC)
    assert user is not None
    if may_edit_any_article(user):
        return Article.objects.all()
    if user_roles(user) & EDITS_DEPARTMENT_ARTICLES and user.department_id:
        return Article.objects.filter(
            Q(status=ArticleStatus.PUBLISHED) | Q(owner_department_id=user.department_id)
        )
    return published


def article_get(*, user: Viewer, article_id: int) -> Article:
    """One article the user may read, with what its page shows; otherwise 404."""
    article = (
        articles_visible_to(user)
        .select_related("owner_department", "owner", "updated_by")
        .prefetch_related("links", "case_types", "departments")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise Http404("No such article.")
    return article


def public_article_get(*, language: str, key: str) -> Article:
    """A published public article by its language and translation key, for residents."""
    article = (
        articles_visible_to(None)
        .prefetch_related("links")
        .filter(language=language, translation_key=key)
        .first()
    )
    if article is None:
        raise Http404("No such article.")
    return article


def articles_used(*, user: Viewer, ids: list[str]) -> list[Article]:
    """The articles a contact form names by id that the user may read (at most 20)."""
    numbers = [int(i) for i in ids[:20] if i.isascii() and i.isdigit() and 0 < int(i) < 2**63]
    if not numbers:
        return []
    return list(articles_visible_to(user).filter(pk__in=numbers).order_by("title"))


def translations_of(*, user: Viewer, article: Article) -> list[Article]:
    """The article's other languages that the user may read."""
    return list(
        articles_visible_to(user)
        .filter(translation_key=article.translation_key)
        .exclude(pk=article.pk)
        .order_by("language")
    )


def article_revisions(*, article: Article) -> QuerySet[ArticleRevision]:
    return article.revisions.select_related("changed_by").order_by("-version")


def may_edit_article(user: Viewer, article: Article | None = None) -> bool:
    if not _is_staff(user):
        return False
    assert user is not None
    return may_edit_articles_of(user, article.owner_department_id if article else None)


def may_pin_articles(user: Viewer) -> bool:
    return _is_staff(user) and may_edit_any_article(user)


def is_stale(article: Article, *, today: date) -> bool:
    return article.review_by is not None and article.review_by < today


# Search ------------------------------------------------------------------------------------

# Weights of the fields in the final ranking (title first: it names the question).
FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "summary": 1.5, "body": 1.0}
CASE_TYPE_BOOST = 1.5
LANGUAGE_BOOST = 1.2
# The engine's best candidates per language that are ranked again here.
CANDIDATES = 30
HIT_FIELDS = (
    "id",
    "translation_key",
    "language",
    "title",
    "summary",
    "body_text",
    "keywords",
    "visibility",
    "status",
    "review_by",
    "closed_contacts",
    "pinned_at",
)
SNIPPET_WORDS = 28


@dataclass(frozen=True)
class Hit:
    """An article found, with the words that matched marked in its title and text."""

    article: Article
    score: float
    title_html: SafeString
    snippet_html: SafeString
    pinned: bool = False


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[Hit]
    corrections: dict[str, list[str]] = field(default_factory=dict)
    matched_as_typed: bool = True
    # False when no word was left to search for (only stop words): no gap to report.
    searched: bool = True

    @property
    def found_nothing(self) -> bool:
        """No article matched the words as typed (pinned articles shown anyway, and those
        found through spelling corrections only, do not count): a gap to report."""
        return not self.matched_as_typed or not any(not hit.pinned for hit in self.hits)


SYNONYMS_CACHE_KEY = "knowledge:synonyms"


def _synonyms(languages: list[str]) -> dict[str, dict[str, list[str]]]:
    """Per language, its synonym map (groups of every language count for each). The groups
    are cached until `synonyms_changed` (they change in the admin, rarely)."""
    groups = cache.get(SYNONYMS_CACHE_KEY)
    if groups is None:
        groups = list(Synonym.objects.values_list("words", "language"))
        cache.set(SYNONYMS_CACHE_KEY, groups, timeout=None)
    return {
        lang: text_search.synonym_map(
            ([w.strip() for w in words.split(",")] for words, of in groups if of in ("", lang)),
            lang,
        )
        for lang in languages
    }


def synonyms_changed() -> None:
    cache.delete(SYNONYMS_CACHE_KEY)


def article_search(
    *,
    user: Viewer,
    query: str,
    language: str | None = None,
    case_type: CaseType | None = None,
    prefer_language: str | None = None,
    limit: int = 10,
) -> SearchResult:
    """Articles the user may read that answer the query, best first, pinned ones on top.

    `language` keeps to articles in that language; without it the query is searched in
    the languages it is written in (each with its own stemming), and of an answer's
    translations the one in `prefer_language` is shown. Articles of `case_type` and
    articles that often closed contacts rank higher. A query that finds little is tried
    again with spelling corrections from the articles' own words.
    """
    query = query.strip()[:200]
    public_only = not _is_staff(user)
    if language:
        languages = [language]
    else:
        languages = search.languages_of(
            query, list(settings.KONTAKT["KNOWLEDGE"]["LANGUAGES"]), public_only=public_only
        )
    prefer = language or prefer_language
    synonyms = _synonyms(languages)
    plans = {lang: text_search.parse_query(query, lang, synonyms[lang]) for lang in languages}
    found = _candidates(plans, public_only=public_only, enough=limit)
    matched_as_typed = bool(found)
    corrected: dict[str, list[str]] = {}
    if len(found) < settings.KONTAKT["KNOWLEDGE"]["CORRECT_BELOW"]:
        for lang, terms in plans.items():
            fixes = search.corrections([t.word for t in terms], lang, public_only=public_only)
            if fixes:
                plans[lang] = text_search.with_corrections(terms, fixes)
                for word, words in fixes.items():
                    corrected.setdefault(word, []).extend(
                        w for w in words if w not in corrected.get(word, [])
                    )
        if corrected:
            found = _candidates(plans, public_only=public_only, enough=limit)
    pinned = pinned_articles(user=user, prefer=prefer)
    articles = _load(
        [article_id for article_id, _lang, _score in found] + [a.pk for a in pinned],
        case_types=case_type is not None,
    )
    ranked = _ranked(found, plans, articles, case_type=case_type, prefer=prefer)
    pinned_keys = {a.translation_key for a in pinned}
    result = [
        _hit(articles[a.pk], plans.get(a.language, []), score=0.0, pinned=True) for a in pinned
    ]
    # Only the hits shown are highlighted: that is most of the work of a hit.
    shown = [s for s in ranked if s.article.translation_key not in pinned_keys][:limit]
    result += [_hit(s.article, s.terms, score=s.score) for s in shown]
    return SearchResult(
        query=query,
        hits=result,
        corrections=corrected,
        matched_as_typed=matched_as_typed,
        searched=any(plans.values()),
    )


def _candidates(
    plans: dict[str, list[text_search.Term]], *, public_only: bool, enough: int
) -> list[tuple[int, str, float]]:
    """(article id, language, the engine's own score) of every language's candidates."""
    found: list[tuple[int, str, float]] = []
    for lang, terms in plans.items():
        for article_id, score in search.candidates(
            terms, lang, public_only=public_only, limit=CANDIDATES, enough=enough
        ):
            found.append((article_id, lang, score))
    return found


def _load(ids: list[int], *, case_types: bool) -> dict[int, Article]:
    if not ids:
        return {}
    # What ranking, highlighting and a hit's line need; nothing else is read.
    articles = Article.objects.filter(pk__in=ids).only(*HIT_FIELDS)
    if case_types:
        articles = articles.prefetch_related(
            Prefetch("case_types", queryset=CaseType.objects.only("id"))
        )
    return {article.pk: article for article in articles}


@dataclass(frozen=True)
class _Scored:
    article: Article
    terms: list[text_search.Term]
    score: float
    engine_score: float


def _ranked(
    found: list[tuple[int, str, float]],
    plans: dict[str, list[text_search.Term]],
    articles: dict[int, Article],
    *,
    case_type: CaseType | None,
    prefer: str | None,
) -> list[_Scored]:
    best: dict[str, _Scored] = {}
    for article_id, lang, engine_score in found:
        article = articles.get(article_id)
        if article is None:
            continue
        terms = plans[lang]
        fields = [
            text_search.Field("title", article.title, FIELD_WEIGHTS["title"]),
            text_search.Field("keywords", article.keywords, FIELD_WEIGHTS["keywords"]),
            text_search.Field("summary", article.summary, FIELD_WEIGHTS["summary"]),
            text_search.Field("body", article.body_text, FIELD_WEIGHTS["body"]),
        ]
        score = text_search.relevance(terms, fields, lang)
        if score <= 0:
            continue
        # An article's case types are loaded only when a case type is asked for.
        if case_type is not None and any(t.pk == case_type.pk for t in article.case_types.all()):
            score *= CASE_TYPE_BOOST
        score *= 1 + 0.15 * math.log1p(article.closed_contacts)
        if prefer and article.language == prefer:
            score *= LANGUAGE_BOOST
        known = best.get(article.translation_key)
        # One hit per answer: the translation that ranks highest (the preferred language
        # carries its boost), so an answer never shows twice.
        if known is None or score > known.score:
            best[article.translation_key] = _Scored(article, terms, score, engine_score)
    # Equal scores: the engine's own rank (term frequency, rarity) decides, then the title.
    return sorted(
        best.values(),
        key=lambda s: (-s.score, -s.engine_score, s.article.title, s.article.pk),
    )


def _hit(
    article: Article, terms: list[text_search.Term], *, score: float, pinned: bool = False
) -> Hit:
    lang = article.language
    summary_hits = text_search.matched_terms(terms, article.summary, lang)
    body_hits = text_search.matched_terms(terms, article.body_text, lang)
    if body_hits - summary_hits:
        snippet = text_search.highlight(article.body_text, terms, lang, window=SNIPPET_WORDS)
    else:
        snippet = text_search.highlight(article.summary, terms, lang, window=SNIPPET_WORDS * 2)
    return Hit(
        article=article,
        score=score,
        title_html=mark_safe(text_search.highlight(article.title, terms, lang)),
        snippet_html=mark_safe(snippet),
        pinned=pinned,
    )


def pinned_articles(*, user: Viewer, prefer: str | None = None) -> list[Article]:
    """Pinned articles the user may read, one per answer, in the preferred language: what
    tops every search and every desktop while the center is in crisis mode."""
    pinned = articles_visible_to(user).filter(
        pinned_at__isnull=False, status=ArticleStatus.PUBLISHED
    )
    chosen: dict[str, Article] = {}
    for article in pinned.order_by("-pinned_at", "id"):
        known = chosen.get(article.translation_key)
        if known is None or (article.language == prefer and known.language != prefer):
            chosen[article.translation_key] = article
    return list(chosen.values())


# Tasks and gaps ----------------------------------------------------------------------------


def article_tasks(*, user: User, include_closed: bool = False) -> QuerySet[ArticleFlag]:
    """Flags and due reviews of the articles the user keeps, oldest due first."""
    flags = ArticleFlag.objects.select_related(
        "article", "article__owner_department", "flagged_by", "assigned_to"
    )
    if not include_closed:
        flags = flags.filter(closed_at__isnull=True)
    if may_edit_any_article(user):
        return flags.order_by("due_on", "flagged_at")
    if user_roles(user) & EDITS_DEPARTMENT_ARTICLES and user.department_id:
        return flags.filter(article__owner_department_id=user.department_id).order_by(
            "due_on", "flagged_at"
        )
    return flags.none()


def flag_get(*, user: User, flag_id: int) -> ArticleFlag:
    flag = article_tasks(user=user, include_closed=True).filter(pk=flag_id).first()
    if flag is None:
        raise Http404("No such flag.")
    return flag


def may_see_gaps(user: User) -> bool:
    return sees_all_departments(user) or bool(
        user_roles(user) & EDITS_DEPARTMENT_ARTICLES and user.department_id
    )


@dataclass(frozen=True)
class Gap:
    """What residents ask about a case type that the knowledge base does not answer."""

    case_type: CaseType | None
    searches: list[SearchGap]
    closed_without_article: int
    closed: int


def knowledge_gaps(*, user: User) -> list[Gap]:
    """Per case type: searches that found nothing, and contacts closed with no article.

    A department contact sees the case types of their department; the center sees all,
    and the searches made without a case type.
    """
    if not may_see_gaps(user):
        return []
    case_types = CaseType.objects.select_related("department").order_by("name")
    searches = SearchGap.objects.all()
    everything = sees_all_departments(user)
    if not everything:
        department_id = user.department_id
        assert department_id is not None  # may_see_gaps: a department contact has one
        case_types = case_types.filter(department_id=department_id)
        searches = searches.filter(case_type__department_id=department_id)
    contacts = Contact.objects.filter(
        outcome__in=[Outcome.CLOSED, Outcome.CLOSED_WITH_ORDER], case_type__isnull=False
    )
    used = ArticleUse.objects.filter(contact=OuterRef("pk"))
    counts = {
        row["case_type"]: row
        for row in contacts.annotate(used=Exists(used))
        .values("case_type")
        .annotate(closed=Count("id"), without=Count("id", filter=Q(used=False)))
    }
    by_type: dict[int | None, list[SearchGap]] = {}
    for gap in searches.order_by("-count", "-last_at")[:500]:
        by_type.setdefault(gap.case_type_id, []).append(gap)
    gaps = []
    for case_type in case_types:
        row = counts.get(case_type.pk, {"closed": 0, "without": 0})
        if by_type.get(case_type.pk) or row["without"]:
            gaps.append(
                Gap(case_type, by_type.get(case_type.pk, []), row["without"], row["closed"])
            )
    if everything and by_type.get(None):
        gaps.append(Gap(None, by_type[None], 0, 0))
    return sorted(
        gaps, key=lambda g: -(sum(s.count for s in g.searches) + g.closed_without_article)
    )


# Residents' pages --------------------------------------------------------------------------

# The letters that follow z, in their order, where a language has its own.
_LETTERS_AFTER_Z = {"sv": "åäö", "fi": "åäö", "nb": "æøå", "nn": "æøå", "da": "æøå"}


def _alphabetical(text: str, language: str) -> str:
    """A sort key in the language's alphabet: case and accents ignored, å, ä, ö (or æ, ø,
    å) after z. Databases sort by code point or by their own collation, neither of which a
    Swedish or Norwegian reader expects."""

    after_z = _LETTERS_AFTER_Z.get(language, "")
    key = []
    for char in text.casefold():
        if char in after_z:
            key.append(chr(ord("z") + 1 + after_z.index(char)))
        else:
            key.append(unicodedata.normalize("NFD", char)[0])
    return "".join(key)


@dataclass(frozen=True)
class DepartmentAnswers:
    """A department and the public answers it owns, as the residents' index lists them."""

    name: str
    code: str
    articles: list[Article]


def public_language(*, preferred: str | None) -> str:
    """The language a resident reads answers in: their own if some public answer is written
    in it, otherwise the knowledge base's first language."""
    languages: list[str] = list(settings.KONTAKT["KNOWLEDGE"]["LANGUAGES"])
    if preferred in languages and articles_visible_to(None).filter(language=preferred).exists():
        return str(preferred)
    return languages[0]


def public_articles_by_department(*, language: str) -> list[DepartmentAnswers]:
    """The published public articles in `language` by owning department, departments and
    titles in alphabetical order; one query."""
    articles = (
        articles_visible_to(None)
        .filter(language=language)
        .select_related("owner_department")
        .defer("body", "body_html", "body_text", "keywords")
    )
    groups: dict[int, DepartmentAnswers] = {}
    for article in articles:
        department = article.owner_department
        group = groups.setdefault(
            department.pk, DepartmentAnswers(department.name, department.code, [])
        )
        group.articles.append(article)
    for group in groups.values():
        group.articles.sort(key=lambda a: (_alphabetical(a.title, language), a.pk))
    return sorted(groups.values(), key=lambda g: (_alphabetical(g.name, language), g.code))


def public_articles_for_case_type(*, case_type: CaseType, language: str) -> list[Article]:
    """The public answers linked to `case_type`, one per translation: in `language` where
    it is written in it, else in the knowledge base's first language, else in any; by
    title. For the web form, which shows them before the resident writes."""
    keys = set(
        articles_visible_to(None)
        .filter(case_types=case_type)
        .values_list("translation_key", flat=True)
    )
    if not keys:
        return []
    languages: list[str] = list(settings.KONTAKT["KNOWLEDGE"]["LANGUAGES"])
    order = [language, *(code for code in languages if code != language)]
    chosen: dict[str, Article] = {}
    candidates = (
        articles_visible_to(None).filter(translation_key__in=keys).prefetch_related("links")
    )
    for article in candidates:
        rank = order.index(article.language) if article.language in order else len(order)
        held = chosen.get(article.translation_key)
        held_rank = (
            order.index(held.language)
            if held is not None and held.language in order
            else len(order) + 1
        )
        if held is None or rank < held_rank:
            chosen[article.translation_key] = article
    return sorted(chosen.values(), key=lambda a: (_alphabetical(a.title, a.language), a.pk))
