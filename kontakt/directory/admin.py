"""Admin of the directory: departments, answer groups, the center's opening hours and
closed days (which the SLA arithmetic reads: a change is seen at once)."""

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kontakt.core.business_hours import OpeningHours as CoreOpeningHours

from . import admin_sync  # noqa: F401 (registers the HR import and the SCIM clients)
from .calendars import feed_read
from .models import AnswerGroup, CalendarFeed, ClosedDay, Department, OpeningHours, Unit
from .selectors import opening_hours_changed


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "auto_assign", "notice", "active"]
    list_filter = ["auto_assign", "notice", "active"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [UnitInline]


@admin.register(AnswerGroup)
class AnswerGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "language", "active"]
    search_fields = ["name", "code"]


class OpeningHoursChangeMixin:
    """Opening hours are cached for SLA arithmetic; a change must be seen at once."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        opening_hours_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        opening_hours_changed()


class OpeningHoursForm(forms.ModelForm):
    """A period the SLA arithmetic accepts: with the day's other periods, the core's opening
    hours must take it (a period overlapping another broke every due-time computation)."""

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        data = cleaned or {}
        weekday, opens, closes = data.get("weekday"), data.get("opens"), data.get("closes")
        if weekday is None or opens is None or closes is None:
            return cleaned
        if closes <= opens:
            self.add_error("closes", _("The center must close after it opens."))
            return cleaned
        others = OpeningHours.objects.filter(weekday=weekday).exclude(pk=self.instance.pk)
        periods = [(o.opens, o.closes) for o in others] + [(opens, closes)]
        try:
            CoreOpeningHours(
                weekly={int(weekday): periods},
                closed_dates=frozenset(),
                tz=ZoneInfo(settings.TIME_ZONE),
            )
        except ValueError:
            self.add_error(None, _("This period overlaps another period of the same day."))
        return cleaned


@admin.register(OpeningHours)
class OpeningHoursAdmin(OpeningHoursChangeMixin, admin.ModelAdmin):
    form = OpeningHoursForm
    list_display = ["weekday", "opens", "closes"]


@admin.register(ClosedDay)
class ClosedDayAdmin(OpeningHoursChangeMixin, admin.ModelAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"


# Availability -----------------------------------------------------------------------------


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Published calendars: whether each reads well, and why not."""

    list_display = ["__str__", "active", "last_read_at", "last_ok_at", "last_error"]
    list_filter = ["active"]
    search_fields = ["url", "employee__display_name", "unit__name", "last_error"]
    raw_id_fields = ["employee", "unit"]
    readonly_fields = ["last_read_at", "last_ok_at", "last_error"]
    actions = ["read_now"]

    @admin.action(description=_("Read the selected calendars now"))
    def read_now(self, request, queryset):
        reports = [feed_read(feed) for feed in queryset.select_related("employee")]
        failed = sum(1 for report in reports if not report.ok)
        self.message_user(
            request,
            _("%(ok)s read, %(failed)s failed.") % {"ok": len(reports) - failed, "failed": failed},
        )
