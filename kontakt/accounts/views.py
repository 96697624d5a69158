"""The second-factor page: enrol a TOTP app (QR code drawn here, no outside service) or give
its current code, after the password, for the roles that need it."""

import logging
from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .signin import needs_second_factor

logger = logging.getLogger(__name__)


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Give the six digits your app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@sensitive_post_parameters("code")
@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Verify a confirmed device's code, or enrol a new device (confirmed by its first code)."""
    next_url = _next_url(request)
    user = request.user
    if not needs_second_factor(user):
        return redirect(next_url)
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    enrolling = device is None
    if device is None:
        device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                logger.info("Second factor enrolled by %s.", user.get_username())
            otp_login(request, device)
            return redirect(next_url)
        logger.warning("Wrong second-factor code from %s.", user.get_username())
        form.add_error("code", _("The code is wrong or has expired. Give the code shown now."))
    context: dict[str, object] = {"form": form, "enrolling": enrolling, "next": next_url}
    if enrolling:
        # The QR code of the otpauth:// address, drawn here as SVG; the key also in text.
        qr = segno.make(device.config_url, error="m")
        context["qr_svg"] = mark_safe(qr.svg_inline(scale=5, title=str(_("QR code"))))
        context["secret"] = b32encode(device.bin_key).decode()
    return render(request, "registration/second_factor.html", context)
