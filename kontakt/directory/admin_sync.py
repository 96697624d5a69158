"""Admin of the directory's sync with HR and the identity system: the change log of
entries, the upload of an HR export (with its report), and the SCIM provisioning clients."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_sync_directory

from .hr_import import Format, HrFileError, hr_import
from .models import EmployeeVersion, ProvisioningClient
from .scim.services import provisioning_client_create

MAX_UPLOAD_BYTES = 50_000_000


class HrImportForm(forms.Form):
    file = forms.FileField(label=_("HR or Active Directory export"))
    format = forms.ChoiceField(
        label=_("Format"), choices=[(Format.CSV, "CSV"), (Format.JSON, "JSON")]
    )
    deactivate_missing = forms.BooleanField(
        label=_("This is a full export: deactivate people from HR who are not in it"),
        required=False,
    )
    dry_run = forms.BooleanField(label=_("Only show what would change"), required=False)

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return file


@admin.register(EmployeeVersion)
class EmployeeVersionAdmin(admin.ModelAdmin):
    """Every change of an entry, whoever made it: to read, never to change."""

    list_display = ["employee", "at", "source", "by"]
    list_filter = ["source"]
    search_fields = ["employee__display_name", "employee__external_id"]
    list_select_related = ["employee", "by"]
    readonly_fields = ["employee", "at", "by", "source", "changes"]
    change_list_template = "admin/directory/employeeversion/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        return [
            path(
                "hr-import/",
                self.admin_site.admin_view(self.hr_import_upload),
                name="directory_employeeversion_hr_import",
            ),
            *super().get_urls(),
        ]

    def hr_import_upload(self, request: HttpRequest) -> HttpResponse:
        """Upload an HR export: every row is checked, and only a file without bad rows is
        applied; the report names what changed, or each bad row."""
        if not may_sync_directory(request.user):
            raise PermissionDenied
        form = HrImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data["file"].read()
            try:
                report = hr_import(
                    data=data,
                    format=form.cleaned_data["format"],
                    by=request.user if isinstance(request.user, User) else None,
                    deactivate_missing=form.cleaned_data["deactivate_missing"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except HrFileError as error:
                form.add_error("file", str(error))
            else:
                if report.problems:
                    messages.error(
                        request,
                        _("%(n)s problems in the file: nothing was imported.")
                        % {"n": len(report.problems)},
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Created: %(created)s. Changed: %(changed)s. Deactivated: "
                            "%(deactivated)s. Unchanged: %(unchanged)s."
                        )
                        % {
                            "created": len(report.created),
                            "changed": len(report.changed),
                            "deactivated": len(report.deactivated),
                            "unchanged": report.unchanged,
                        },
                    )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import an HR export into the directory"),
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return render(request, "admin/directory/hr_import.html", context)


@admin.register(ProvisioningClient)
class ProvisioningClientAdmin(admin.ModelAdmin):
    """Identity systems that provision the directory over SCIM; the token is shown once."""

    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the log keeps who provisioned what

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        client, key = provisioning_client_create(name=obj.name)
        obj.pk = client.pk
        messages.warning(
            request,
            _("The provisioning client's token, shown only now: %(key)s") % {"key": key},
        )
