"""Admin of the switchboard: the transfers made and the messages taken, to look up; they
are written by the console and the exchange's events only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Message, Transfer


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "employee", "target", "state", "reason", "operator"]
    list_filter = ["state", "reason"]
    search_fields = ["employee__display_name", "target", "call_id"]
    date_hierarchy = "requested_at"
    list_select_related = ["employee", "operator"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["taken_at", "employee", "caller_name", "state", "sent_by", "escalated_to"]
    list_filter = ["state", "sent_by"]
    search_fields = ["employee__display_name", "caller_name", "caller_number"]
    date_hierarchy = "taken_at"
    list_select_related = ["employee", "escalated_to"]
