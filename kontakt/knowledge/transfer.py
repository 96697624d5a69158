"""Articles in and out of files: Markdown with YAML front matter, one article a file, or CSV.

A Markdown file looks like this (only title, language, departments and summary are needed):

    ---
    title: Missad sophämtning – så gör du
    language: sv
    translation_key: sophamtning-missad
    case_types: [sophamtning-missad]
    departments: [avfall-vatten]        # the first owns the article
    owner: contact.avfall               # a username
    visibility: public                  # or internal
    status: published                   # draft, published or archived
    summary: Anmäl senast dagen efter hämtdagen.
    keywords: [soptunna, sopkärl]
    links:
      - label: Felanmälan avfall
        url: https://sjostad.example/e-tjanster/felanmalan-avfall
        kind: e_service                 # e_service, form or information
    review_by: 2027-06-30
    ---
    The text, in Markdown.

A CSV file has a header row with the same names (body for the text; lists separated by
commas; links one a line as "label | url"). An import adds what is new and writes a new
version of what changed, matched by translation key and language; it stops at nothing:
every file's errors are reported with its name and the article's line.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.cases.models import CaseType
from kontakt.core.spreadsheet import formula_safe, formula_unsafe
from kontakt.directory.models import Department

from . import services
from .models import Article, ArticleStatus, Visibility

FIELDS = [
    "translation_key",
    "language",
    "title",
    "summary",
    "body",
    "keywords",
    "departments",
    "case_types",
    "owner",
    "visibility",
    "status",
    "review_by",
    "links",
]


@dataclass
class Report:
    """What an import did, and what it could not do, per source."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class Source:
    """One article as read from a file, before it is checked: where it came from, its data."""

    where: str
    data: dict[str, Any]


def read_markdown(text: str, where: str) -> Source:
    post = frontmatter.loads(text)
    return Source(where, {**post.metadata, "body": post.content})


def read_csv(text: str, where: str) -> Iterator[Source]:
    """Each row, with the quote that `to_csv` puts before a formula-like cell taken away."""
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        data = {k: formula_unsafe(v) if isinstance(v, str) else v for k, v in row.items()}
        yield Source(f"{where}:{number}", data)


def read_paths(paths: Iterable[Path]) -> Iterator[Source | str]:
    """Sources from files and folders (*.md, *.markdown, *.csv); a string is an error."""
    for path in paths:
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            suffix = file.suffix.lower()
            if suffix not in (".md", ".markdown", ".csv"):
                continue
            try:
                text = file.read_text(encoding="utf-8-sig")
                if suffix == ".csv":
                    yield from read_csv(text, str(file))
                else:
                    yield read_markdown(text, str(file))
            except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, csv.Error) as error:
                yield f"{file}: {error}"


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return [str(item).strip() for item in value if str(item).strip()]


def _links(value: Any) -> list[services.LinkDraft]:
    if not value:
        return []
    if isinstance(value, str):
        return services.links_from_lines(value)
    return [
        services.LinkDraft(
            label=str(item.get("label", "")),
            url=str(item.get("url", "")),
            kind=str(item.get("kind") or "e_service"),
        )
        for item in value
    ]


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({"review_by": [_("Give the date as YYYY-MM-DD.")]}) from None


TEXT_FIELDS = (
    "title",
    "language",
    "translation_key",
    "summary",
    "body",
    "owner",
    "visibility",
    "status",
)
LIST_FIELDS = ("departments", "case_types", "keywords")


def _shape_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    """What a file gives in a form no field can take: a number for a list, a list for a
    text, a character a database cannot store."""
    errors: dict[str, list[str]] = {}
    for name in TEXT_FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, str | int | float):
            errors[name] = [_("Give a text.")]
        elif isinstance(value, str) and ("\x00" in value):
            errors[name] = [_("The text has a character that cannot be stored.")]
    for name in LIST_FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, str | list):
            errors[name] = [_("Give a list.")]
        elif isinstance(value, list) and not all(isinstance(v, str | int) for v in value):
            errors[name] = [_("Give a list of words or codes.")]
    links = data.get("links")
    as_list = isinstance(links, list) and all(isinstance(item, dict) for item in links)
    if links is not None and not isinstance(links, str) and not as_list:
        errors["links"] = [_("Give each link as a label and a url.")]
    if any("\x00" in str(value) for value in data.values()):
        errors.setdefault("__all__", [_("The text has a character that cannot be stored.")])
    return errors


def draft_from(source: Source) -> services.ArticleDraft:
    """An article draft from what a file says; unknown codes are field errors."""
    data = source.data
    errors = _shape_errors(data)
    if errors:
        raise ValidationError(errors)
    codes = _list(data.get("departments"))
    departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
    if not codes:
        errors["departments"] = [_("Name the owning department.")]
    missing = [code for code in codes if code not in departments]
    if missing:
        errors["departments"] = [
            _("No department has the code %(codes)s.") % {"codes": ", ".join(missing)}
        ]
    type_codes = _list(data.get("case_types"))
    case_types = list(CaseType.objects.filter(code__in=type_codes))
    missing = sorted(set(type_codes) - {t.code for t in case_types})
    if missing:
        errors["case_types"] = [
            _("No case type has the code %(codes)s.") % {"codes": ", ".join(missing)}
        ]
    owner = None
    if data.get("owner"):
        owner = User.objects.filter(username=str(data["owner"]), is_active=True).first()
        if owner is None:
            errors["owner"] = [_("No active user is called %(name)s.") % {"name": data["owner"]}]
    try:
        review_by = _date(data.get("review_by"))
    except ValidationError as error:
        errors.update(error.message_dict)
        review_by = None
    if errors:
        raise ValidationError(errors)
    return services.ArticleDraft(
        title=str(data.get("title") or ""),
        summary=str(data.get("summary") or "").strip(),
        body=str(data.get("body") or "").strip() + "\n",
        language=str(data.get("language") or ""),
        translation_key=str(data.get("translation_key") or ""),
        keywords=", ".join(_list(data.get("keywords"))),
        owner_department=departments[codes[0]],
        departments=[departments[code] for code in codes[1:]],
        case_types=case_types,
        owner=owner,
        visibility=str(data.get("visibility") or Visibility.INTERNAL),
        status=str(data.get("status") or ArticleStatus.PUBLISHED),
        review_by=review_by,
        links=_links(data.get("links")),
        note=_("Imported"),
    )


def _unchanged(article: Article, draft: services.ArticleDraft) -> bool:
    return (
        article.title == draft.title.strip()
        and article.summary == draft.summary.strip()
        and article.body == draft.body
        and article.keywords == draft.keywords
        and article.visibility == draft.visibility
        and article.status == draft.status
        and article.review_by == draft.review_by
        and article.owner_department_id == draft.owner_department.pk
        and article.owner_id == (draft.owner.pk if draft.owner else None)
        and {t.pk for t in article.case_types.all()} == {t.pk for t in draft.case_types}
        and {d.pk for d in article.departments.all()}
        == {d.pk for d in draft.departments if d != draft.owner_department}
        and [(link.label, link.url, link.kind) for link in article.links.all()]
        == [(link.label.strip(), link.url, link.kind) for link in draft.links]
    )


def articles_import(
    sources: Iterable[Source | str],
    *,
    by: User | None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Add or update each article, each in its own transaction with its search index entry;
    one bad article never stops the others, and none is left saved but unsearchable."""
    report = Report()
    for source in sources:
        if isinstance(source, str):
            report.errors.append(source)
        else:
            try:
                with transaction.atomic():
                    outcome = _import_one(source, by=by)
            except ValidationError as error:
                report.errors.append(f"{source.where}: {_messages(error)}")
            except PermissionDenied as error:
                report.errors.append(f"{source.where}: {error}")
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
        if progress is not None:
            progress(1)
    return report


def _import_one(source: Source, *, by: User | None) -> str:
    """Save one article if it is new or changed; returns created, updated or unchanged."""
    draft = draft_from(source)
    key = draft.translation_key or slugify(draft.title)[:80]
    existing = Article.objects.filter(translation_key=key, language=draft.language).first()
    if existing is not None and _unchanged(existing, draft):
        return "unchanged"
    services.article_save(draft=draft, article=existing, by=by)
    return "created" if existing is None else "updated"


def _messages(error: ValidationError) -> str:
    return "; ".join(
        f"{name}: {' '.join(texts)}" if name != "__all__" else " ".join(texts)
        for name, texts in error.message_dict.items()
    )


# Export ------------------------------------------------------------------------------------


def _front_matter(article: Article) -> dict[str, Any]:
    departments = [article.owner_department.code, *[d.code for d in article.departments.all()]]
    data: dict[str, Any] = {
        "title": article.title,
        "language": article.language,
        "translation_key": article.translation_key,
        "case_types": [t.code for t in article.case_types.all()],
        "departments": departments,
        "visibility": article.visibility,
        "status": article.status,
        "summary": article.summary,
    }
    if article.owner is not None:
        data["owner"] = article.owner.username
    if article.keywords:
        data["keywords"] = article.keyword_list
    links = [
        {"label": link.label, "url": link.url, "kind": link.kind} for link in article.links.all()
    ]
    if links:
        data["links"] = links
    if article.review_by:
        data["review_by"] = article.review_by
    return data


def export_queryset(articles: Iterable[Article]) -> Iterable[Article]:
    return (
        Article.objects.filter(pk__in=[a.pk for a in articles])
        .select_related("owner_department", "owner")
        .prefetch_related("departments", "case_types", "links")
        .order_by("translation_key", "language")
    )


def to_markdown(article: Article) -> str:
    """The article as a Markdown file that `read_markdown` reads back the same."""
    post = frontmatter.Post(article.body.strip() + "\n", **_front_matter(article))
    return frontmatter.dumps(post, sort_keys=False, allow_unicode=True) + "\n"


def to_csv(articles: Iterable[Article]) -> str:
    """The articles as CSV; a cell that a spreadsheet would run as a formula (one beginning
    with =, +, -, @, a tab or a line break) begins with a quote instead, which `read_csv`
    takes away again."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    for article in articles:
        data = _front_matter(article)
        row = {
            **{name: data.get(name, "") for name in FIELDS},
            "body": article.body.strip(),
            "keywords": article.keywords,
            "departments": ", ".join(data["departments"]),
            "case_types": ", ".join(data["case_types"]),
            "review_by": article.review_by.isoformat() if article.review_by else "",
            "links": services.links_as_lines(article.links.all()),
        }
        writer.writerow({name: formula_safe(str(value)) for name, value in row.items()})
    return out.getvalue()
