from django.contrib import admin

from .models import Resident, ResidentAccess, ResidentEmail, ResidentPhone


class PhoneInline(admin.TabularInline):
    model = ResidentPhone
    extra = 0


class EmailInline(admin.TabularInline):
    model = ResidentEmail
    extra = 0


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "preferred_language", "preferred_channel"]
    list_filter = ["kind", "preferred_channel", "preferred_language"]
    search_fields = ["name", "phones__number", "emails__address"]
    inlines = [PhoneInline, EmailInline]


@admin.register(ResidentAccess)
class ResidentAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "resident", "what"]
    list_select_related = ["user", "resident"]
    readonly_fields = ["at", "user", "resident", "what"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
