from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kontakt.web.admin import may_write_in_admin

from .models import InboundAttachment, InboundMail, Mailbox, MailState
from .polling import mailboxes_poll
from .services import mail_release


class MailboxForm(forms.ModelForm):
    # Written, never shown: an empty field keeps the password stored.
    password = forms.CharField(
        label=_("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored password."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "kind",
            "address",
            "host",
            "port",
            "ssl",
            "username",
            "password",
            "folder",
            "answer_group",
            "department",
            "active",
        ]

    def clean_password(self) -> str:
        given = self.cleaned_data.get("password") or ""
        return given or (self.instance.password if self.instance.pk else "")


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    """Mailboxes: whether each reads well, and why not."""

    form = MailboxForm
    list_display = ["name", "kind", "active", "state", "last_checked_at", "last_error"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "host", "username", "last_error"]
    readonly_fields = ["uidvalidity", "last_uid", "last_checked_at", "failing_since", "last_error"]
    actions = ["read_now"]

    @admin.display(description=_("state"))
    def state(self, mailbox: Mailbox) -> str:
        if not mailbox.active:
            return str(_("inactive"))
        if mailbox.failing_since is not None:
            return str(
                _("failing since %(since)s") % {"since": f"{mailbox.failing_since:%Y-%m-%d %H:%M}"}
            )
        return str(_("reads well")) if mailbox.last_checked_at else str(_("not read yet"))

    @admin.action(description=_("Read the selected mailboxes now"), permissions=["change"])
    def read_now(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        read = mailboxes_poll(list(queryset))
        self.message_user(
            request,
            _("%(count)s messages read.") % {"count": sum(read.values())},
        )


class InboundAttachmentInline(admin.TabularInline):
    model = InboundAttachment
    extra = 0
    fields = ["name", "content_type", "size", "file", "attachment_id", "refused"]
    readonly_fields = ["name", "content_type", "size", "file", "attachment_id", "refused"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    """Every message read, as stored: read only. A quarantined one may be released."""

    list_display = ["received_at", "from_address", "subject", "kind", "state", "case", "suspicious"]
    list_filter = ["state", "kind", "suspicious", "mailbox"]
    search_fields = ["from_address", "subject", "message_id"]
    date_hierarchy = "received_at"
    inlines = [InboundAttachmentInline]
    actions = ["release"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in InboundMail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_release_permission(self, request: HttpRequest) -> bool:
        return may_write_in_admin(request.user)

    @admin.action(
        description=_("Release the selected quarantined mails (handle them as new)"),
        permissions=["release"],
    )
    def release(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        released = 0
        for mail in queryset.filter(state=MailState.QUARANTINED):
            mail_release(mail=mail, by=request.user)  # type: ignore[arg-type]
            released += 1
        self.message_user(request, _("%(count)s released.") % {"count": released})
