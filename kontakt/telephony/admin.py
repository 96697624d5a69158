"""Admin of telephony: numbers and their menus, routing of answer groups, exchanges; calls,
events and the crisis log to read; an Asterisk queue_log to upload."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import (
    admin_users,  # noqa: F401 (registers the user page with the agent's skills)
    services,
)
from .models import (
    Call,
    CallEvent,
    CrisisSwitch,
    Exchange,
    MenuOption,
    OverflowStep,
    PhoneNumber,
    Presence,
    RoutingSettings,
)


class ReadOnly(admin.ModelAdmin):
    """Records the system writes: to read, never to change by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def shown_time(value: datetime | None) -> str:
    """A stored time in the local zone; one the local zone cannot hold (a year 9999 in UTC
    is year 10000 in Stockholm) in UTC, instead of a page that fails."""
    if value is None:
        return "-"
    try:
        # astimezone itself, not timezone.localtime, which falls back to the time unchanged.
        return date_format(value.astimezone(timezone.get_current_timezone()), "DATETIME_FORMAT")
    except (OverflowError, ValueError):
        return f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _time_column(name: str, label: str) -> Callable[[Any, Any], str]:
    def show(self: Any, obj: Any) -> str:
        return shown_time(getattr(obj, name))

    show.__name__ = f"{name}_shown"
    return admin.display(description=label, ordering=name)(show)


def safe_times(*names: str) -> Callable[[type[admin.ModelAdmin]], type[admin.ModelAdmin]]:
    """Give the admin a column `<name>_shown` per time field, which never fails to render,
    and show those in place of the fields on its pages (no date hierarchy: its links are
    computed from the stored times and fail near their limits)."""

    def decorate(cls: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
        model: Any = cls.model
        for name in names:
            label = str(model._meta.get_field(name).verbose_name)
            setattr(cls, f"{name}_shown", _time_column(name, label))
        swap = {name: f"{name}_shown" for name in names}
        cls.list_display = [swap.get(f, f) if isinstance(f, str) else f for f in cls.list_display]
        shown = [
            swap.get(f.name, f.name)
            for f in model._meta.fields
            if f.editable and not f.auto_created
        ] + [f"{n}_shown" for n in names if not model._meta.get_field(n).editable]
        cls.fields = shown
        cls.readonly_fields = shown
        return cls

    return decorate


class MenuOptionInline(admin.TabularInline):
    model = MenuOption
    extra = 1
    autocomplete_fields = ["answer_group"]


@admin.register(PhoneNumber)
class PhoneNumberAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "default_group"]
    search_fields = ["number", "name"]
    inlines = [MenuOptionInline]
    autocomplete_fields = ["default_group"]


class OverflowStepInline(admin.TabularInline):
    model = OverflowStep
    extra = 1
    autocomplete_fields = ["to_group"]


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "answer_group",
        "skill",
        "callback_after_seconds",
        "wrap_up_seconds",
        "handle_seconds",
    ]
    search_fields = ["answer_group__name", "skill"]
    inlines = [OverflowStepInline]
    autocomplete_fields = ["answer_group"]


@admin.register(Exchange)
class ExchangeAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "created_at", "last_event_at", "revoked_at"]
    fields = ["name", "revoked_at"]

    def save_model(self, request: HttpRequest, obj: Exchange, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        exchange, key = services.exchange_create(name=obj.name)
        obj.pk = exchange.pk
        messages.warning(
            request,
            _("The exchange's token, shown only now: %(key)s") % {"key": key},
        )


class QueueLogForm(forms.Form):
    file = forms.FileField(label=_("queue_log file"))
    number = forms.CharField(
        label=_("The number these queues answer"), required=False, max_length=40
    )


class CallEventAdmin(ReadOnly):
    model = CallEvent
    list_display = [
        "at",
        "call_id",
        "type",
        "answer_group",
        "agent",
        "caller",
        "source",
        "exchange",
    ]
    list_filter = ["at", "type", "source", "exchange", "answer_group"]
    search_fields = ["call_id", "event_id", "caller", "agent"]
    list_select_related = ["exchange"]
    change_list_template = "admin/telephony/callevent/change_list.html"

    def get_urls(self) -> list[Any]:
        return [
            path(
                "queue-log/",
                self.admin_site.admin_view(self.queue_log_upload),
                name="telephony_callevent_queue_log",
            ),
            *super().get_urls(),
        ]

    def queue_log_upload(self, request: HttpRequest) -> HttpResponse:
        """Upload an Asterisk queue_log: its calls join the statistics."""
        if not request.user.has_perm("telephony.add_callevent") and not request.user.is_superuser:
            raise PermissionDenied
        form = QueueLogForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["file"].read().decode("utf-8", errors="replace")
            report = services.queue_log_import(
                lines=text.splitlines(), number=form.cleaned_data["number"]
            )
            level = messages.WARNING if report.problems else messages.SUCCESS
            messages.add_message(
                request,
                level,
                _(
                    "Events added: %(accepted)s. Already there: %(duplicates)s. Agent and "
                    "queue lines skipped: %(skipped)s. Lines not imported: %(problems)s."
                )
                % {
                    "accepted": report.accepted,
                    "duplicates": report.duplicates,
                    "skipped": report.skipped,
                    "problems": len(report.problems),
                },
            )
            if not report.problems and not report.unknown_queues:
                return redirect(reverse("admin:telephony_callevent_changelist"))
            form = QueueLogForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import an Asterisk queue_log"),
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return render(request, "admin/telephony/queue_log.html", context)


admin.site.register(CallEvent, safe_times("at", "received_at")(CallEventAdmin))


class CallAdmin(ReadOnly):
    model = Call
    list_display = [
        "started_at",
        "call_id",
        "caller",
        "group_code",
        "state",
        "wait_seconds",
        "talk_seconds",
        "agent",
    ]
    list_filter = ["started_at", "state", "answer_group"]
    search_fields = ["call_id", "caller"]
    list_select_related = ["agent"]


admin.site.register(
    Call,
    safe_times("started_at", "queued_at", "answered_at", "ended_at", "last_event_at")(CallAdmin),
)


class PresenceAdmin(ReadOnly):
    model = Presence
    list_display = ["agent", "state", "reason", "since", "until"]
    list_filter = ["state"]
    list_select_related = ["agent"]


admin.site.register(Presence, safe_times("since", "idle_since", "until")(PresenceAdmin))


@admin.register(CrisisSwitch)
class CrisisSwitchAdmin(ReadOnly):
    list_display = ["at", "on", "message", "article", "by"]
    list_select_related = ["article", "by"]
