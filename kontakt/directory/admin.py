from django.contrib import admin

from .models import AnswerGroup, ClosedDay, Department, OpeningHours, Unit
from .selectors import opening_hours_changed


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "auto_assign", "active"]
    list_filter = ["auto_assign", "active"]
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


@admin.register(OpeningHours)
class OpeningHoursAdmin(OpeningHoursChangeMixin, admin.ModelAdmin):
    list_display = ["weekday", "opens", "closes"]


@admin.register(ClosedDay)
class ClosedDayAdmin(OpeningHoursChangeMixin, admin.ModelAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"
