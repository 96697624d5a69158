"""Admin of telephony: numbers and their menus, routing of answer groups, exchanges; calls,
events and the crisis log to read; an Asterisk queue_log to upload."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
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
    number = forms.CharField(label=_("The number these queues answer"), required=False)


@admin.register(CallEvent)
class CallEventAdmin(ReadOnly):
    list_display = ["at", "call_id", "type", "answer_group", "agent", "caller", "source"]
    list_filter = ["type", "source", "answer_group"]
    search_fields = ["call_id", "event_id", "caller", "agent"]
    date_hierarchy = "at"
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
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["file"].read().decode("utf-8", errors="replace")
            report = services.queue_log_import(
                lines=text.splitlines(), number=form.cleaned_data["number"]
            )
            messages.success(
                request,
                _(
                    "Events added: %(accepted)s. Already there: %(duplicates)s. Agent and "
                    "queue lines skipped: %(skipped)s. Lines not understood: %(problems)s."
                )
                % {
                    "accepted": report.accepted,
                    "duplicates": report.duplicates,
                    "skipped": report.skipped,
                    "problems": len(report.problems),
                },
            )
            for problem in report.problems[:20]:
                messages.warning(request, problem)
            if report.unknown_queues:
                messages.warning(
                    request,
                    _("Queues without an answer group of that code: %(queues)s")
                    % {"queues": ", ".join(report.unknown_queues)},
                )
            return redirect(reverse("admin:telephony_callevent_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import an Asterisk queue_log"),
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/telephony/queue_log.html", context)


@admin.register(Call)
class CallAdmin(ReadOnly):
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
    list_filter = ["state", "answer_group"]
    search_fields = ["call_id", "caller"]
    date_hierarchy = "started_at"
    list_select_related = ["agent"]


@admin.register(Presence)
class PresenceAdmin(ReadOnly):
    list_display = ["agent", "state", "reason", "since", "until"]
    list_filter = ["state"]
    list_select_related = ["agent"]


@admin.register(CrisisSwitch)
class CrisisSwitchAdmin(ReadOnly):
    list_display = ["at", "on", "message", "article", "by"]
    list_select_related = ["article", "by"]
