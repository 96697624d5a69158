"""Forms of the knowledge pages: they parse and translate; services decide."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.cases.models import CaseType
from kontakt.directory.models import Department
from kontakt.web.forms import StyledForm, Text

from .models import Article, ArticleStatus, FlagReason, Visibility
from .services import ArticleDraft, LinkDraft, links_as_lines, links_from_lines


def language_choices() -> list[tuple[str, str]]:
    choices = []
    for code in settings.KONTAKT["KNOWLEDGE"]["LANGUAGES"]:
        try:
            choices.append((code, get_language_info(code)["name_local"]))
        except KeyError:
            choices.append((code, code))
    return choices


class SearchForm(StyledForm):
    q = forms.CharField(label=_("Search the knowledge base"), max_length=200, required=False)
    lang = forms.ChoiceField(label=_("Language"), required=False)
    case_type = forms.CharField(label=_("Case type"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lang"].choices = [("", _("All languages")), *language_choices()]


def parse_links(text: str) -> list[LinkDraft]:
    """One link a line: "label | https://…", optionally "| form" or "| information"."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() and "|" not in line:
            raise ValidationError(_("Line %(n)s: write “label | https://address”.") % {"n": number})
    return links_from_lines(text)


class ArticleForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language"))
    translation_key = forms.SlugField(
        label=_("Translation key"),
        max_length=80,
        required=False,
        help_text=_("The same key on every translation; made from the title if empty."),
    )
    summary = Text(
        label=_("Summary to read aloud"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    body = Text(
        label=_("Text (Markdown)"),
        max_length=100_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("## Heading, **bold**, - list, [link](https://…)"),
    )
    keywords = forms.CharField(
        label=_("Other words for it"),
        max_length=500,
        required=False,
        help_text=_("Words residents use, separated by commas."),
    )
    owner_department = forms.ModelChoiceField(
        label=_("Owning department"), queryset=Department.objects.filter(active=True)
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Also belongs to"),
        queryset=Department.objects.filter(active=True),
        required=False,
    )
    case_types = forms.ModelMultipleChoiceField(
        label=_("Case types"), queryset=CaseType.objects.filter(active=True), required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True, groups__name=Role.DEPARTMENT_CONTACT.value),
        required=False,
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ArticleStatus.choices)
    review_by = forms.DateField(
        label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    links = Text(
        label=_("Links to e-services and forms"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: label | https://address"),
    )
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()
        self.fields["owner"].queryset = self.fields["owner"].queryset.distinct()

    def clean_links(self) -> list[LinkDraft]:
        return parse_links(self.cleaned_data.get("links") or "")

    def draft(self) -> ArticleDraft:
        data = self.cleaned_data
        return ArticleDraft(
            title=data["title"],
            summary=data["summary"],
            body=data["body"] or "",
            language=data["language"],
            translation_key=data["translation_key"] or "",
            keywords=data["keywords"] or "",
            owner_department=data["owner_department"],
            departments=list(data["departments"]),
            case_types=list(data["case_types"]),
            owner=data["owner"],
            visibility=data["visibility"],
            status=data["status"],
            review_by=data["review_by"],
            links=data["links"],
            note=data["note"] or "",
        )


def article_initial(article: Article) -> dict[str, Any]:
    """The form filled with an article, to write its next version."""
    return {
        "title": article.title,
        "language": article.language,
        "translation_key": article.translation_key,
        "summary": article.summary,
        "body": article.body,
        "keywords": article.keywords,
        "owner_department": article.owner_department_id,
        "departments": list(article.departments.all()),
        "case_types": list(article.case_types.all()),
        "owner": article.owner_id,
        "visibility": article.visibility,
        "status": article.status,
        "review_by": article.review_by,
        "links": links_as_lines(article.links.all()),
    }


# What a translation shares with the article it translates; the words are its own.
SHARED_BY_TRANSLATIONS = (
    "translation_key",
    "owner_department",
    "departments",
    "case_types",
    "owner",
    "visibility",
    "review_by",
    "links",
)


def translation_initial(source: Article) -> dict[str, Any]:
    """A new article in another language of the same answer."""
    shared = {
        name: value
        for name, value in article_initial(source).items()
        if name in SHARED_BY_TRANSLATIONS
    }
    return {**shared, "language": "", "status": ArticleStatus.PUBLISHED}


def new_article_initial(*, language: str, department_id: int | None) -> dict[str, Any]:
    return {
        "language": language,
        "owner_department": department_id,
        "visibility": Visibility.INTERNAL,
        "status": ArticleStatus.PUBLISHED,
    }


class FlagForm(StyledForm):
    reason = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=[
            (FlagReason.WRONG.value, FlagReason.WRONG.label),
            (FlagReason.OUTDATED.value, FlagReason.OUTDATED.label),
            (FlagReason.MISSING.value, FlagReason.MISSING.label),
        ],
        widget=forms.RadioSelect,
    )
    comment = Text(
        label=_("Comment for the owner"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SendForm(StyledForm):
    resident = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    channel = forms.ChoiceField(choices=[("email", _("E-mail")), ("sms", _("SMS"))])
