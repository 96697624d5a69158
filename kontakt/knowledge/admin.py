"""Admin of the knowledge base: synonyms are kept here; articles are read here and written on
the knowledge pages, whose service keeps versions, the search index and flags."""

from django import forms
from django.contrib import admin
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services, transfer
from .models import Article, ArticleFlag, ArticleLink, SearchGap, Synonym


class ArticleLinkInline(admin.TabularInline):
    model = ArticleLink
    extra = 0
    fields = readonly_fields = ("label", "url", "kind")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "language",
        "owner_department",
        "visibility",
        "status",
        "review_by",
        "version",
        "closed_contacts",
        "edit_link",
    ]
    list_filter = ["language", "visibility", "status", "owner_department", "pinned_at"]
    list_select_related = ["owner_department"]
    search_fields = ["title", "summary", "translation_key", "keywords"]
    readonly_fields = [
        "translation_key",
        "language",
        "title",
        "summary",
        "body",
        "keywords",
        "owner_department",
        "owner",
        "visibility",
        "status",
        "review_by",
        "version",
        "closed_contacts",
        "pinned_at",
        "updated_at",
        "updated_by",
    ]
    exclude = ["departments", "case_types", "body_html", "body_text"]
    inlines = [ArticleLinkInline]
    actions = ["export_csv"]

    @admin.display(description=_("edit"))
    def edit_link(self, article: Article) -> str:
        url = reverse("knowledge:article_edit", args=[article.pk])
        return format_html('<a href="{}">{}</a>', url, _("Edit"))

    def has_add_permission(self, request) -> bool:
        return False  # written on the knowledge pages: /knowledge/articles/new/

    def delete_model(self, request, obj: Article) -> None:
        services.article_delete(article=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for article in queryset:
            services.article_delete(article=article, by=request.user)

    @admin.action(description=_("Export the selected articles as CSV"))
    def export_csv(self, request, queryset) -> HttpResponse:
        response = HttpResponse(
            transfer.to_csv(transfer.export_queryset(queryset)), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="articles.csv"'
        return response


class SynonymForm(forms.ModelForm):
    class Meta:
        model = Synonym
        fields = ["words", "language"]

    def clean_words(self) -> str:
        return ", ".join(services.synonym_words(self.cleaned_data["words"]))

    def clean_language(self) -> str:
        language = self.cleaned_data["language"]
        if language and language not in services.knowledge_languages():
            raise forms.ValidationError(_("Choose a language of the knowledge base."))
        return language


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    form = SynonymForm
    list_display = ["words", "language"]
    list_filter = ["language"]
    search_fields = ["words"]

    def save_model(self, request, obj: Synonym, form, change) -> None:
        services.synonym_save(words=obj.words, language=obj.language, synonym=obj)

    def delete_model(self, request, obj: Synonym) -> None:
        services.synonym_delete(synonym=obj)

    def delete_queryset(self, request, queryset) -> None:
        for synonym in queryset:
            services.synonym_delete(synonym=synonym)


@admin.register(ArticleFlag)
class ArticleFlagAdmin(admin.ModelAdmin):
    list_display = ["article", "reason", "flagged_by", "flagged_at", "due_on", "closed_at"]
    list_filter = ["reason", "closed_at"]
    list_select_related = ["article", "flagged_by"]
    readonly_fields = [f.name for f in ArticleFlag._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SearchGap)
class SearchGapAdmin(admin.ModelAdmin):
    list_display = ["query", "language", "case_type", "count", "last_at"]
    list_filter = ["language", "case_type"]
    search_fields = ["query"]
    readonly_fields = [f.name for f in SearchGap._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
