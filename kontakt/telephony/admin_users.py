"""The staff user's admin page with the agent's skills (telephony extends accounts' page)."""

from django.contrib import admin

from kontakt.accounts.admin import UserAdmin
from kontakt.accounts.models import User

from .models import AgentSkill


class AgentSkillInline(admin.TabularInline):
    model = AgentSkill
    extra = 1
    fields = ["skill", "proficiency"]


class AgentUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, AgentSkillInline]


admin.site.unregister(User)
admin.site.register(User, AgentUserAdmin)
