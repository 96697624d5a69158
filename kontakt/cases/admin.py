"""Admin of cases: case types are configured here; cases, their timelines and attachments and
contacts are read here and written on the case pages and the API, whose services keep the
status transitions, the timeline and the checks of uploads."""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    Attachment,
    AttributeType,
    Case,
    CaseEvent,
    CaseType,
    CaseTypeAttribute,
    Contact,
    Notice,
    SatisfactionSurvey,
)

# The longest response time a case type may have, counted in opening hours: a year of
# working days. Every new case walks the opening hours that far to find its due time.
RESPONSE_TIME_MAX = timedelta(hours=2000)


class CaseTypeForm(forms.ModelForm):
    def clean_response_time(self) -> timedelta:
        response_time = self.cleaned_data["response_time"]
        if response_time <= timedelta(0):
            raise forms.ValidationError(_("The response time must be longer than zero."))
        if response_time > RESPONSE_TIME_MAX:
            raise forms.ValidationError(
                _("The response time can be at most %(hours)s hours of opening time."),
                params={"hours": int(RESPONSE_TIME_MAX.total_seconds() // 3600)},
            )
        return response_time


LIST_KINDS = (AttributeType.SINGLE, AttributeType.MULTI)
CHOICES_MAX = 100


class CaseTypeAttributeForm(forms.ModelForm):
    """A question's choices: for the list kinds, a list of {"key", "name"} with unique keys
    that fit a form field's name; for the other kinds, none."""

    class Meta:
        model = CaseTypeAttribute
        fields = ["order", "code", "question", "description", "datatype", "required", "values"]

    def clean(self) -> dict:
        data = super().clean() or {}
        values = data.get("values") or []
        kind = data.get("datatype")
        if kind in LIST_KINDS:
            if not isinstance(values, list) or not values or len(values) > CHOICES_MAX:
                self.add_error(
                    "values",
                    _('Give 1–%(n)s choices as a list of {"key": …, "name": …}.')
                    % {"n": CHOICES_MAX},
                )
                return data
            keys = []
            for value in values:
                key = value.get("key") if isinstance(value, dict) else None
                name = value.get("name") if isinstance(value, dict) else None
                if not isinstance(key, str) or not isinstance(name, str):
                    self.add_error("values", _("Every choice needs a key and a name, as text."))
                    return data
                if not key.strip() or len(key) > 60 or len(name) > 200 or "\x00" in key + name:
                    self.add_error("values", _("A key has 1–60 characters and a name at most 200."))
                    return data
                keys.append(key)
            if len(set(keys)) != len(keys):
                self.add_error("values", _("Two choices have the same key."))
        elif values:
            self.add_error("values", _("Only the list kinds have choices; leave this empty."))
        return data


class CaseTypeAttributeInline(admin.TabularInline):
    """The questions the web form and Open311 ask for this case type."""

    model = CaseTypeAttribute
    form = CaseTypeAttributeForm
    extra = 0


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    form = CaseTypeForm
    list_display = [
        "name",
        "code",
        "department",
        "answer_group",
        "response_time",
        "first_line_may_close",
        "published",
        "active",
    ]
    list_filter = ["department", "first_line_may_close", "published", "active"]
    inlines = [CaseTypeAttributeInline]
    list_select_related = ["department", "answer_group"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = readonly_fields = ("at", "kind", "by", "from_status", "to_status", "body")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    """Attachments are added on the case page (the service checks them) and downloaded
    through its view, which checks access; the admin shows them and links there."""

    model = Attachment
    extra = 0
    fields = readonly_fields = ("download", "content_type", "size", "uploaded_by", "uploaded_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("name"))
    def download(self, attachment: Attachment) -> str:
        url = reverse("desk:case_attachment", args=[attachment.case.reference, attachment.pk])
        return format_html('<a href="{}" download>{}</a>', url, attachment.name)


class NoticeInline(admin.TabularInline):
    """What was sent about the case, and what could not be: read only."""

    model = Notice
    fk_name = "case"
    extra = 0
    fields = readonly_fields = (
        "created_at",
        "kind",
        "audience",
        "channel",
        "to",
        "state",
        "attempts",
        "last_error",
        "sent_at",
    )
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """To read (and delete): cases change on the case pages and through the API, whose
    services keep the status transitions and the timeline; no field is editable here."""

    list_display = [
        "reference",
        "subject",
        "case_type",
        "status",
        "department",
        "handler",
        "due_at",
        "created_at",
    ]
    list_filter = ["status", "department", "case_type"]
    list_select_related = ["case_type", "department", "handler"]
    search_fields = ["reference", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [CaseEventInline, AttachmentInline, NoticeInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["started_at", "channel", "agent", "resident", "case_type", "outcome", "case"]
    list_filter = ["channel", "outcome"]
    list_select_related = ["agent", "resident", "case_type", "case"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in Contact._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Made and changed by the services only; admin reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """Every notice with its delivery state; the ones not delivered are found by state."""

    list_display = ["created_at", "kind", "audience", "channel", "to", "state", "attempts", "case"]
    list_filter = ["state", "kind", "audience", "channel"]
    list_select_related = ["case"]
    search_fields = ["to", "case__reference", "key"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notice._meta.fields]
    show_full_result_count = False


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(ReadOnlyAdmin):
    """The answers to the satisfaction question; the token itself is never stored."""

    list_display = ["sent_at", "case", "contact", "case_type", "department", "score", "answered_at"]
    list_filter = ["score", "department", "case_type"]
    list_select_related = ["case", "contact", "case_type", "department"]
    date_hierarchy = "sent_at"
    exclude = ["token_hash"]
    readonly_fields = [f.name for f in SatisfactionSurvey._meta.fields if f.name != "token_hash"]
    show_full_result_count = False
