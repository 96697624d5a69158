from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: residents may read it")
    INTERNAL = "internal", _("Internal: staff only")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Article(models.Model):
    """A knowledge-base answer in one language; its translations share a translation key."""

    translation_key = models.SlugField(
        _("translation key"),
        max_length=80,
        help_text=_("The same key on every translation of one answer."),
    )
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("summary to read aloud"), max_length=1000, help_text=_("One to three sentences.")
    )
    body = models.TextField(_("text (Markdown)"), blank=True)
    # Both derived from `body` by the service that saves it: sanitised HTML to show, and
    # plain text to index and to quote in search results.
    body_html = models.TextField(_("text as HTML"), blank=True, editable=False)
    body_text = models.TextField(_("text as plain text"), blank=True, editable=False)
    keywords = models.CharField(
        _("other words for it"),
        max_length=500,
        blank=True,
        help_text=_("Words residents use for this, separated by commas."),
    )
    owner_department = models.ForeignKey(
        "directory.Department",
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    departments = models.ManyToManyField(
        "directory.Department",
        verbose_name=_("also belongs to"),
        blank=True,
        related_name="shared_articles",
    )
    case_types = models.ManyToManyField(
        "cases.CaseType", verbose_name=_("case types"), blank=True, related_name="articles"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_articles",
        help_text=_("The department contact who keeps it right."),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.PUBLISHED
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    closed_contacts = models.PositiveIntegerField(
        _("contacts closed with it"), default=0, editable=False
    )
    pinned_at = models.DateTimeField(_("pinned"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never searched by
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["title"]
        indexes = [
            models.Index(fields=["status", "visibility", "language"], name="article_listing"),
            models.Index(fields=["review_by"], name="article_review_by"),
            models.Index(
                fields=["pinned_at"], condition=Q(pinned_at__isnull=False), name="article_pinned"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "language"], name="article_one_per_language"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=[v.value for v in Visibility]),
                name="article_visibility_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ArticleStatus]),
                name="article_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC and self.status == ArticleStatus.PUBLISHED

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]


class LinkKind(models.TextChoices):
    E_SERVICE = "e_service", _("E-service")
    FORM = "form", _("Form")
    INFORMATION = "information", _("More information")


class ArticleLink(models.Model):
    """A link from an article to an e-service, a form or a page."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="links"
    )
    label = models.CharField(_("label"), max_length=200)
    url = models.URLField(_("address"), max_length=500)
    kind = models.CharField(
        _("kind"), max_length=20, choices=LinkKind.choices, default=LinkKind.E_SERVICE
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class ArticleRevision(models.Model):
    """An article as it was saved in one version, and who saved it."""

    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="revisions",
        db_index=False,  # leads the unique constraint
    )
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    body = models.TextField(_("text (Markdown)"), blank=True)
    keywords = models.CharField(_("other words for it"), max_length=500, blank=True)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices)
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices)
    review_by = models.DateField(_("review by"), null=True, blank=True)
    changed_at = models.DateTimeField(_("changed"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["article", "version"], name="revision_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.version}"


class FlagReason(models.TextChoices):
    WRONG = "wrong", _("Wrong")
    OUTDATED = "outdated", _("Outdated")
    MISSING = "missing", _("Something is missing")
    REVIEW_DUE = "review_due", _("Review date passed")


class ArticleFlag(models.Model):
    """A task for an article's owner: an agent's flag, or a review that is due."""

    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="flags",
        db_index=False,  # leads the flag_article_open index
    )
    reason = models.CharField(_("reason"), max_length=20, choices=FlagReason.choices)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("flagged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    flagged_at = models.DateTimeField(_("flagged"))
    due_on = models.DateField(_("due"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="article_tasks",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    closed_in_version = models.PositiveIntegerField(_("closed in version"), null=True, blank=True)

    class Meta:
        verbose_name = _("article flag")
        verbose_name_plural = _("article flags")
        ordering = ["due_on", "flagged_at"]
        indexes = [models.Index(fields=["article", "closed_at"], name="flag_article_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=[r.value for r in FlagReason]), name="flag_reason_valid"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("flagged_at")),
                name="flag_closed_after_flagged",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article} – {self.get_reason_display()}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class UseKind(models.TextChoices):
    LINKED = "linked", _("Linked in a contact")
    EMAIL = "email", _("Sent by e-mail")
    SMS = "sms", _("Sent by SMS")


class ArticleUse(models.Model):
    """An article an agent used in a contact: linked into it, or sent to the resident."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="uses"
    )
    contact = models.ForeignKey(
        "cases.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="article_uses",
    )
    resident = models.ForeignKey(
        "residents.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=UseKind.choices)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("used by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    used_at = models.DateTimeField(_("used"))

    class Meta:
        verbose_name = _("article use")
        verbose_name_plural = _("article uses")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "article", "kind"],
                condition=Q(contact__isnull=False),
                name="use_once_per_contact",
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.kind} {self.used_at:%Y-%m-%d}"


class SearchGap(models.Model):
    """A search that found nothing, counted per wording, language and case type."""

    query = models.CharField(_("search"), max_length=200)
    language = models.CharField(_("language"), max_length=10)
    case_type = models.ForeignKey(
        "cases.CaseType",
        verbose_name=_("case type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="search_gaps",
        db_index=False,  # leads the unique constraint
    )
    count = models.PositiveIntegerField(_("times"), default=1)
    first_at = models.DateTimeField(_("first"))
    last_at = models.DateTimeField(_("last"))

    class Meta:
        verbose_name = _("search without an answer")
        verbose_name_plural = _("searches without an answer")
        ordering = ["-count", "-last_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "language", "query"],
                condition=Q(case_type__isnull=False),
                name="gap_unique_with_case_type",
            ),
            models.UniqueConstraint(
                fields=["language", "query"],
                condition=Q(case_type__isnull=True),
                name="gap_unique_without_case_type",
            ),
        ]

    def __str__(self) -> str:
        return self.query


class Synonym(models.Model):
    """Words that mean the same to a resident: a search for one finds the others."""

    words = models.CharField(
        _("words"), max_length=500, help_text=_("Separated by commas, e.g. soptunna, avfallskärl.")
    )
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("Empty: every language.")
    )

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["language", "words"]

    def __str__(self) -> str:
        return self.words

    @property
    def word_list(self) -> list[str]:
        return [word.strip().lower() for word in self.words.split(",") if word.strip()]


class Term(models.Model):
    """A word that occurs in some article: the vocabulary spelling corrections come from."""

    language = models.CharField(_("language"), max_length=10)
    word = models.CharField(_("word"), max_length=60)
    # In some public article: only such words are offered as corrections to residents, so
    # a correction never tells what internal articles say.
    public = models.BooleanField(_("in a public article"), default=False)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        constraints = [
            models.UniqueConstraint(fields=["language", "word"], name="term_unique_word")
        ]

    def __str__(self) -> str:
        return self.word
