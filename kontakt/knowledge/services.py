"""Writes of the knowledge base. Checks run first and fail with field messages; then one
transaction saves the article, its version, its search index entry and closes its flags.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.selectors import (
    may_edit_any_article,
    may_edit_articles_of,
    may_log_contacts,
)
from kontakt.cases.models import CaseType, Contact, Outcome
from kontakt.core import text_search
from kontakt.directory.models import Department
from kontakt.residents.models import Resident
from kontakt.residents.selectors import resident_email, resident_phone

from . import rendering, search, selectors
from .models import (
    Article,
    ArticleFlag,
    ArticleLink,
    ArticleRevision,
    ArticleStatus,
    ArticleUse,
    FlagReason,
    LinkKind,
    SearchGap,
    Synonym,
    UseKind,
    Visibility,
)
from .selectors import SearchResult
from .tasks import notify_article_task, send_article


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def knowledge_languages() -> list[str]:
    return list(settings.KONTAKT["KNOWLEDGE"]["LANGUAGES"])


@dataclass(frozen=True)
class LinkDraft:
    label: str
    url: str
    kind: str = LinkKind.E_SERVICE


@dataclass(frozen=True)
class ArticleDraft:
    """What an author gives to write or change an article."""

    title: str
    summary: str
    language: str
    owner_department: Department
    body: str = ""
    translation_key: str = ""
    keywords: str = ""
    visibility: str = Visibility.INTERNAL
    status: str = ArticleStatus.PUBLISHED
    review_by: date | None = None
    owner: User | None = None
    departments: Sequence[Department] = ()
    case_types: Sequence[CaseType] = ()
    links: Sequence[LinkDraft] = field(default_factory=tuple)
    note: str = ""


def links_from_lines(text: str) -> list[LinkDraft]:
    """Links written one a line as "label | https://… | kind" (the kind may be left out)."""
    links = []
    for line in text.splitlines():
        if line.strip():
            parts = [part.strip() for part in line.split("|")]
            links.append(
                LinkDraft(
                    label=parts[0],
                    url=parts[1] if len(parts) > 1 else "",
                    kind=parts[2] if len(parts) > 2 and parts[2] else LinkKind.E_SERVICE,
                )
            )
    return links


def links_as_lines(links: Iterable[ArticleLink | LinkDraft]) -> str:
    """The links as `links_from_lines` reads them."""
    return "\n".join(f"{link.label} | {link.url} | {link.kind}" for link in links)


_url = URLValidator(schemes=["http", "https"])


def _check_article(draft: ArticleDraft, *, article: Article | None) -> str:
    """Field errors of a draft, raised together; returns the translation key to use."""
    errors: dict[str, list[str]] = {}
    if not draft.title.strip():
        errors["title"] = [_("Write a title.")]
    elif len(draft.title) > 200:
        errors["title"] = [_("The title can have at most 200 characters.")]
    if not draft.summary.strip():
        errors["summary"] = [_("Write a summary an agent can read aloud.")]
    elif len(draft.summary) > 1000:
        errors["summary"] = [_("The summary can have at most 1000 characters.")]
    if len(draft.body) > 100_000:
        errors["body"] = [_("The text can have at most 100,000 characters.")]
    if len(draft.keywords) > 500:
        errors["keywords"] = [_("At most 500 characters.")]
    if draft.language not in knowledge_languages():
        errors["language"] = [
            _("Choose one of the languages: %(languages)s.")
            % {"languages": ", ".join(knowledge_languages())}
        ]
    if draft.visibility not in Visibility.values:
        errors["visibility"] = [_("Choose public or internal.")]
    if draft.status not in ArticleStatus.values:
        errors["status"] = [_("Choose a status from the list.")]
    if draft.owner is not None and not draft.owner.is_active:
        errors["owner"] = [_("The owner must be an active staff user.")]
    key = slugify(draft.translation_key or (article.translation_key if article else draft.title))
    key = key[:80] or "article"
    if draft.translation_key and slugify(draft.translation_key) != draft.translation_key:
        errors["translation_key"] = [_("Use lower-case letters, digits and hyphens only.")]
    clash = Article.objects.filter(translation_key=key, language=draft.language)
    if article is not None:
        clash = clash.exclude(pk=article.pk)
    if "language" not in errors and clash.exists():
        errors["language"] = [_("This answer already has a version in this language.")]
    for number, link in enumerate(draft.links, start=1):
        problems = []
        if not link.label.strip() or len(link.label) > 200:
            problems.append(
                _("Link %(n)s needs a label of at most 200 characters.") % {"n": number}
            )
        try:
            _url(link.url)
        except ValidationError:
            problems.append(_("Link %(n)s needs a web address (https://…).") % {"n": number})
        if link.kind not in LinkKind.values:
            problems.append(_("Link %(n)s has an unknown kind.") % {"n": number})
        if problems:
            errors.setdefault("links", []).extend(problems)
    if errors:
        raise ValidationError(errors)
    return key


def _require_editor(user: User | None, department: Department) -> None:
    if user is not None and not may_edit_articles_of(user, department.pk):
        raise PermissionDenied(_("You may not write this department's articles."))


def article_save(
    *,
    draft: ArticleDraft,
    by: User | None,
    article: Article | None = None,
    now: datetime | None = None,
    index: bool = True,
) -> Article:
    """Write a new article, or a new version of one; every version is kept with its author.

    Saving a new version closes the article's open flags: the owner has revised it. `by`
    None is the system (an import); a user must be allowed to edit both the old and the
    new owning department.
    """
    if article is not None:
        _require_editor(by, article.owner_department)
    _require_editor(by, draft.owner_department)
    key = _check_article(draft, article=article)
    now = _now(now)
    html = rendering.body_html(draft.body)
    values = {
        "translation_key": key,
        "language": draft.language,
        "title": draft.title.strip(),
        "summary": draft.summary.strip(),
        "body": draft.body,
        "body_html": html,
        "body_text": rendering.plain_text(html),
        "keywords": ", ".join(w.strip() for w in draft.keywords.split(",") if w.strip()),
        "owner_department": draft.owner_department,
        "owner": draft.owner,
        "visibility": draft.visibility,
        "status": draft.status,
        "review_by": draft.review_by,
        "updated_at": now,
        "updated_by": by,
    }
    with transaction.atomic():
        if article is None:
            article = Article.objects.create(created_at=now, version=1, **values)
        else:
            for name, value in values.items():
                setattr(article, name, value)
            article.version = F("version") + 1
            article.save()
            article.refresh_from_db(fields=["version"])
            article.links.all().delete()
        article.departments.set([d for d in draft.departments if d != draft.owner_department])
        article.case_types.set(draft.case_types)
        ArticleLink.objects.bulk_create(
            ArticleLink(
                article=article, label=link.label.strip(), url=link.url, kind=link.kind, position=i
            )
            for i, link in enumerate(draft.links)
        )
        ArticleRevision.objects.create(
            article=article,
            version=article.version,
            title=article.title,
            summary=article.summary,
            body=article.body,
            keywords=article.keywords,
            visibility=article.visibility,
            status=article.status,
            review_by=article.review_by,
            changed_at=now,
            changed_by=by,
            note=draft.note.strip()[:300],
        )
        if article.version > 1:
            article.flags.filter(closed_at__isnull=True).update(
                closed_at=now, closed_by=by, closed_in_version=article.version
            )
        if index:
            search.index_articles([article])
    return article


def article_delete(*, article: Article, by: User) -> None:
    """Remove an article, its versions and its flags (archive it instead to keep them)."""
    _require_editor(by, article.owner_department)
    with transaction.atomic():
        search.unindex_articles([article.pk])
        article.delete()


# Flags: the owner's tasks ----------------------------------------------------------------


def _due_on(now: datetime) -> date:
    return timezone.localdate(now) + timedelta(days=settings.KONTAKT["KNOWLEDGE"]["FLAG_DUE_DAYS"])


def article_flag(
    *, article: Article, reason: str, comment: str, by: User, now: datetime | None = None
) -> ArticleFlag:
    """An agent tells the owner the article is wrong, outdated or lacks something."""
    errors: dict[str, list[str]] = {}
    if reason not in (FlagReason.WRONG, FlagReason.OUTDATED, FlagReason.MISSING):
        errors["reason"] = [_("Choose what is wrong with the article.")]
    if len(comment) > 2000:
        errors["comment"] = [_("The comment can have at most 2000 characters.")]
    if reason == FlagReason.MISSING and not comment.strip():
        errors["comment"] = [_("Write what is missing.")]
    if errors:
        raise ValidationError(errors)
    now = _now(now)
    flag = ArticleFlag.objects.create(
        article=article,
        reason=reason,
        comment=comment.strip(),
        flagged_by=by,
        flagged_at=now,
        due_on=_due_on(now),
        assigned_to=article.owner,
    )
    _notify_flag(flag)
    return flag


def _notify_flag(flag: ArticleFlag) -> None:
    transaction.on_commit(lambda: notify_article_task.enqueue(flag_id=flag.pk))


def article_flag_dismiss(
    *, flag: ArticleFlag, by: User, now: datetime | None = None
) -> ArticleFlag:
    """The owner closes a flag without a new version (the article was right after all)."""
    _require_editor(by, flag.article.owner_department)
    if flag.closed_at is not None:
        raise ValidationError({"flag": [_("This flag is already closed.")]})
    flag.closed_at = _now(now)
    flag.closed_by = by
    flag.save(update_fields=["closed_at", "closed_by"])
    return flag


def articles_review_remind(*, now: datetime | None = None) -> list[ArticleFlag]:
    """A task for the owner of every published article past its review date that has none."""
    now = _now(now)
    today = timezone.localdate(now)
    open_review = ArticleFlag.objects.filter(
        article=OuterRef("pk"), reason=FlagReason.REVIEW_DUE, closed_at__isnull=True
    )
    stale = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED, review_by__lt=today)
        .exclude(Exists(open_review))
        .select_related("owner")
    )
    flags = [
        ArticleFlag(
            article=article,
            reason=FlagReason.REVIEW_DUE,
            flagged_at=now,
            due_on=_due_on(now),
            assigned_to=article.owner,
        )
        for article in stale
    ]
    with transaction.atomic():
        created = ArticleFlag.objects.bulk_create(flags)
        for flag in created:
            _notify_flag(flag)
    return created


# Use in contacts --------------------------------------------------------------------------


def contact_articles_record(
    *,
    contact: Contact,
    articles: Sequence[Article],
    by: User | None,
    unanswered_search: str = "",
    now: datetime | None = None,
) -> None:
    """Record the articles used in a contact just logged (the intake service calls this in
    its transaction).

    A contact closed at first contact counts for each article it used: the search ranks
    articles that close contacts higher. `unanswered_search` is the agent's last search
    that found nothing: it joins the gap list under the contact's case type.
    """
    now = _now(now)
    unique = list({article.pk: article for article in articles}.values())
    ArticleUse.objects.bulk_create(
        ArticleUse(
            article=article,
            contact=contact,
            resident=contact.resident,
            kind=UseKind.LINKED,
            used_by=by,
            used_at=now,
        )
        for article in unique
    )
    if contact.outcome in (Outcome.CLOSED, Outcome.CLOSED_WITH_ORDER) and unique:
        Article.objects.filter(pk__in=[a.pk for a in unique]).update(
            closed_contacts=F("closed_contacts") + 1
        )
    if unanswered_search.strip():
        search_gap_record(
            query=unanswered_search, language="", case_type=contact.case_type, now=now
        )


def article_send(
    *,
    article: Article,
    resident: Resident,
    channel: str,
    by: User,
    now: datetime | None = None,
) -> ArticleUse:
    """Send the article's public text to the resident by e-mail or SMS."""
    if not may_log_contacts(by):
        raise PermissionDenied(_("You may not send answers to residents."))
    errors: dict[str, list[str]] = {}
    if not article.is_public:
        errors["article"] = [_("Only a published public article can be sent to a resident.")]
    if channel == UseKind.EMAIL:
        if resident_email(resident) is None:
            errors["channel"] = [_("The resident has no e-mail address.")]
    elif channel == UseKind.SMS:
        if resident_phone(resident) is None:
            errors["channel"] = [_("The resident has no phone number.")]
    else:
        errors["channel"] = [_("Choose e-mail or SMS.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        use = ArticleUse.objects.create(
            article=article, resident=resident, kind=channel, used_by=by, used_at=_now(now)
        )
        transaction.on_commit(lambda: send_article.enqueue(use_id=use.pk))
    return use


# Crisis: pinned at the top ---------------------------------------------------------------


def article_pin(*, article: Article, by: User, now: datetime | None = None) -> Article:
    """Pin the article at the top of every search and every desktop (crisis mode)."""
    if not may_edit_any_article(by):
        raise PermissionDenied(_("Only a supervisor may pin an article."))
    if article.status != ArticleStatus.PUBLISHED:
        raise ValidationError({"article": [_("Only a published article can be pinned.")]})
    article.pinned_at = _now(now)
    article.save(update_fields=["pinned_at"])
    return article


def article_unpin(*, article: Article, by: User) -> Article:
    if not may_edit_any_article(by):
        raise PermissionDenied(_("Only a supervisor may pin an article."))
    article.pinned_at = None
    article.save(update_fields=["pinned_at"])
    return article


# Gaps -------------------------------------------------------------------------------------


def search_result_note(
    *, result: SearchResult, language: str | None, case_type: CaseType | None
) -> None:
    """Count the search in the gap list if it found nothing for the words as typed (and
    there was a word to search for)."""
    if result.found_nothing and result.searched:
        search_gap_record(query=result.query, language=language or "", case_type=case_type)


def search_gap_record(
    *, query: str, language: str, case_type: CaseType | None, now: datetime | None = None
) -> None:
    """Count a search that found nothing, by its wording, language and case type."""
    wording = text_search.printable(query[:800]).lower()[:200]
    if not wording:
        return
    now = _now(now)
    with transaction.atomic():
        updated = SearchGap.objects.filter(
            query=wording, language=language, case_type=case_type
        ).update(count=F("count") + 1, last_at=now)
        if not updated:
            SearchGap.objects.bulk_create(
                [
                    SearchGap(
                        query=wording,
                        language=language,
                        case_type=case_type,
                        first_at=now,
                        last_at=now,
                    )
                ],
                ignore_conflicts=True,
            )


def synonym_words(words: str) -> list[str]:
    """The words of a synonym group, lower-cased, each once; at least two."""
    members = list(dict.fromkeys(w.strip().lower() for w in words.split(",") if w.strip()))
    if len(members) < 2:
        raise ValidationError({"words": [_("Give at least two words, separated by commas.")]})
    return members


def synonym_save(*, words: str, language: str, synonym: Synonym | None = None) -> Synonym:
    """A group of words a search treats as one (at least two)."""
    members = synonym_words(words)
    if language and language not in knowledge_languages():
        raise ValidationError({"language": [_("Choose a language of the knowledge base.")]})
    synonym = synonym or Synonym()
    synonym.words = ", ".join(members)
    synonym.language = language
    synonym.full_clean()
    synonym.save()
    selectors.synonyms_changed()
    return synonym


def synonym_delete(*, synonym: Synonym) -> None:
    synonym.delete()
    selectors.synonyms_changed()
