"""API handlers of the knowledge base: one search for the desktop, integrations and residents.

Search and reading an article also answer without a token: then only published public
articles are seen (what a resident's app or the city's website may show). A token that is
sent must be valid.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from kontakt.accounts.models import User
from kontakt.accounts.selectors import is_staff_user
from kontakt.cases.api import case_type_by_code
from kontakt.web.api import StaffApiRequest, TokenAuth
from kontakt.web.schemas import ERRORS, InputSchema, documented

from . import selectors, services
from .models import Article

router = Router(tags=["knowledge"])


def public_or_staff(request: HttpRequest) -> User | AnonymousUser | None:
    """A staff user by token or session, or a resident (anonymous) when none is sent."""
    if request.headers.get("Authorization"):
        return TokenAuth()(request)  # None (a 401) for any header but a valid bearer token
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and is_staff_user(user):
        return user
    return AnonymousUser()


class PublicOrStaffRequest(HttpRequest):
    """The request of a handler behind `public_or_staff`: `auth` is what it returned."""

    auth: User | AnonymousUser


# A token, a staff session, or nothing at all (the empty requirement: a resident).
PUBLIC_OR_STAFF: list[dict[str, list[str]]] = [{"TokenAuth": []}, {"StaffSessionAuth": []}, {}]


class SearchQuery(InputSchema):
    q: Annotated[str, Field(min_length=1, max_length=200, description="The question or words.")]
    lang: (
        Annotated[
            str,
            Field(
                max_length=10,
                json_schema_extra={"enum": settings.KONTAKT["KNOWLEDGE"]["LANGUAGES"]},
            ),
        ]
        | None
    ) = Field(None, description="Only articles in this language (sv, nb, en, …).")
    case_type: Annotated[str, Field(min_length=1, max_length=60)] | None = Field(
        None, description="Code of the contact's case type: its articles rank higher."
    )
    limit: Annotated[int, Field(ge=1, le=50)] = 10


class LinkOut(Schema):
    label: str
    url: str
    kind: str


class HitOut(Schema):
    id: int
    title: str
    language: str
    translation_key: str
    visibility: str
    summary: str
    title_html: str = Field(description="The title, HTML-escaped, matching words in <mark>.")
    snippet_html: str = Field(description="A passage, HTML-escaped, matching words in <mark>.")
    score: float
    pinned: bool
    url: str = Field(description="The article in this API.")
    public_url: str | None = Field(description="The residents' page, for public articles.")
    links: list[LinkOut]


class SearchOut(Schema):
    query: str
    corrections: dict[str, list[str]] = Field(
        description="Words not found, with the spellings that were searched instead."
    )
    results: list[HitOut]


class ArticleOut(Schema):
    id: int
    title: str
    language: str
    translation_key: str
    visibility: str
    status: str
    summary: str
    body_html: str = Field(description="Sanitised HTML of the Markdown text.")
    body_markdown: str
    owner_department: str
    case_types: list[str]
    links: list[LinkOut]
    review_by: str | None
    version: int
    updated_at: datetime
    public_url: str | None


class FlagIn(InputSchema):
    model_config = ConfigDict(
        extra="forbid",
        # What is missing must be written (the service refuses a comment of only spaces).
        json_schema_extra=documented(
            **{
                "if": {"properties": {"reason": {"const": "missing"}}, "required": ["reason"]},
                "then": {"properties": {"comment": {"pattern": r"\S"}}, "required": ["comment"]},
            }
        ),
    )

    reason: Literal["wrong", "outdated", "missing"]
    comment: Annotated[str, Field(max_length=2000)] = ""


class FlagOut(Schema):
    id: int
    article_id: int
    reason: str
    comment: str
    due_on: str
    assigned_to: str | None


def _public_url(request: HttpRequest, article: Article) -> str | None:
    if not article.is_public:
        return None
    return request.build_absolute_uri(
        reverse("answers:article", args=[article.language, article.translation_key])
    )


def _links(article: Article) -> list[dict[str, str]]:
    return [
        {"label": link.label, "url": link.url, "kind": link.kind} for link in article.links.all()
    ]


SEARCH_EXAMPLE = {
    "query": "soptunnan töms inte",
    "corrections": {},
    "results": [
        {
            "id": 12,
            "title": "Missad sophämtning – så gör du",
            "language": "sv",
            "translation_key": "sophamtning-missad",
            "visibility": "public",
            "summary": "Har kärlet inte tömts på hämtdagen? Anmäl det senast dagen efter.",
            "title_html": "Missad sophämtning – så gör du",
            "snippet_html": "Har <mark>kärlet</mark> inte <mark>tömts</mark> på hämtdagen?",
            "score": 4.2,
            "pinned": False,
            "url": "https://kontakt.example/api/v1/knowledge/articles/12",
            "public_url": "https://kontakt.example/answers/sv/sophamtning-missad/",
            "links": [
                {
                    "label": "Felanmälan avfall",
                    "url": "https://sjostad.example/e-tjanster/felanmalan-avfall",
                    "kind": "e_service",
                }
            ],
        }
    ],
}


@router.get(
    "/search",
    response={200: SearchOut, **ERRORS},
    auth=public_or_staff,
    summary="Search the knowledge base",
    openapi_extra={
        "security": PUBLIC_OR_STAFF,
        "responses": {
            "200": {
                "description": "OK",
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/SearchOut"},
                        "example": SEARCH_EXAMPLE,
                    }
                },
            }
        },
    },
)
def knowledge_search(
    request: PublicOrStaffRequest, filters: Query[SearchQuery]
) -> dict[str, object]:
    """Full-text search with Swedish, Norwegian and English stemming, definite forms,
    synonyms and spelling corrections; best first, pinned (crisis) articles on top.

    Without a token only published public articles are searched."""
    languages = settings.KONTAKT["KNOWLEDGE"]["LANGUAGES"]
    if filters.lang is not None and filters.lang not in languages:
        raise ValidationError(
            {"lang": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(languages)}]}
        )
    case_type = case_type_by_code(filters.case_type)
    user = request.auth
    result = selectors.article_search(
        user=user,
        query=filters.q,
        language=filters.lang,
        case_type=case_type,
        prefer_language=getattr(request, "LANGUAGE_CODE", None),
        limit=filters.limit,
    )
    prefetch_related_objects([hit.article for hit in result.hits], "links")
    if is_staff_user(user):  # residents' searches are not gaps: anonymous writes invite spam
        services.search_result_note(result=result, language=filters.lang, case_type=case_type)
    return {
        "query": result.query,
        "corrections": result.corrections,
        "results": [
            {
                "id": hit.article.pk,
                "title": hit.article.title,
                "language": hit.article.language,
                "translation_key": hit.article.translation_key,
                "visibility": hit.article.visibility,
                "summary": hit.article.summary,
                "title_html": str(hit.title_html),
                "snippet_html": str(hit.snippet_html),
                "score": round(hit.score, 4),
                "pinned": hit.pinned,
                "url": request.build_absolute_uri(
                    reverse("api-v1:knowledge_article", args=[hit.article.pk])
                ),
                "public_url": _public_url(request, hit.article),
                "links": _links(hit.article),
            }
            for hit in result.hits
        ],
    }


@router.get(
    "/articles/{article_id}",
    response={200: ArticleOut, **ERRORS},
    auth=public_or_staff,
    summary="Read an article",
    openapi_extra={"security": PUBLIC_OR_STAFF},
)
def knowledge_article(
    request: PublicOrStaffRequest, article_id: Annotated[int, Field(ge=1, le=2**63 - 1)]
) -> dict[str, object]:
    """One article; without a token, only a published public one."""
    article = selectors.article_get(user=request.auth, article_id=article_id)
    return {
        "id": article.pk,
        "title": article.title,
        "language": article.language,
        "translation_key": article.translation_key,
        "visibility": article.visibility,
        "status": article.status,
        "summary": article.summary,
        "body_html": article.body_html,
        "body_markdown": article.body,
        "owner_department": article.owner_department.code,
        "case_types": [t.code for t in article.case_types.all()],
        "links": _links(article),
        "review_by": article.review_by.isoformat() if article.review_by else None,
        "version": article.version,
        "updated_at": article.updated_at,
        "public_url": _public_url(request, article),
    }


@router.post(
    "/articles/{article_id}/flags",
    response={201: FlagOut, **ERRORS},
    summary="Flag an article to its owner",
)
def knowledge_flag(
    request: StaffApiRequest, article_id: Annotated[int, Field(ge=1, le=2**63 - 1)], payload: FlagIn
) -> tuple[int, dict[str, object]]:
    """Wrong, outdated or missing something: the owner gets a task with a due date."""
    article = selectors.article_get(user=request.user, article_id=article_id)
    flag = services.article_flag(
        article=article, reason=payload.reason, comment=payload.comment, by=request.user
    )
    return 201, {
        "id": flag.pk,
        "article_id": article.pk,
        "reason": flag.reason,
        "comment": flag.comment,
        "due_on": flag.due_on.isoformat(),
        "assigned_to": flag.assigned_to.username if flag.assigned_to else None,
    }
