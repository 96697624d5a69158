"""Residents' self-service pages: the public answers, searchable, in the resident's language.

No login. Every read goes through the public selectors with no user, so only published
public articles ever reach these pages, whoever is signed in.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from kontakt.core import text_search
from kontakt.web.pages import center_contact

from . import selectors

QUERY_MAX = 200


def _query(request: HttpRequest) -> str:
    """The search words as typed, without control characters (a NUL byte among them) and
    runs of spaces, at most QUERY_MAX characters."""
    return text_search.printable(request.GET.get("q", "")[: QUERY_MAX * 4])[:QUERY_MAX]


def _is_web_address(url: str) -> bool:
    return url.lower().startswith(("https://", "http://"))


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request,
        f"knowledge/public/{template}",
        {"center": center_contact(), **context},
        status=status,
    )


def index(request: HttpRequest) -> HttpResponse:
    """The search box and, without a query, every public answer by department; with one,
    the answers found."""
    query = _query(request)
    language = selectors.public_language(preferred=get_language())
    context: dict[str, Any] = {"query": query, "language": language}
    if query:
        result = selectors.article_search(user=None, query=query, language=language)
        context["result"] = result
        context["pinned"] = [hit for hit in result.hits if hit.pinned]
        context["hits"] = [hit for hit in result.hits if not hit.pinned]
    else:
        context["departments"] = selectors.public_articles_by_department(language=language)
    return _page(request, "index.html", context)


def article(request: HttpRequest, language: str, key: str) -> HttpResponse:
    """One public answer, its e-services and its other languages; anything else is 404."""
    try:
        found = selectors.public_article_get(language=language, key=key)
    except Http404:
        return _page(request, "not_found.html", {}, status=404)
    translations = selectors.translations_of(user=None, article=found)
    current = get_language()
    return _page(
        request,
        "article.html",
        {
            "article": found,
            # An address the service would refuse never becomes a link, whatever the row says.
            "links": [link for link in found.links.all() if _is_web_address(link.url)],
            "translations": translations,
            "in_your_language": next((t for t in translations if t.language == current), None),
        },
    )
