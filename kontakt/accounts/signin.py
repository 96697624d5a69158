"""Sign-in hardening: lockout limits of their own per account and per address (django-axes),
and the second factor (TOTP, django-otp) that supervisors and administrators give after
their password before any staff page or the admin.
"""

import logging
import math
import time
from typing import Any
from urllib.parse import urlencode

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin

from .roles import Role
from .selectors import user_roles

logger = logging.getLogger(__name__)

# Roles whose accounts configure or oversee the center: they give a second factor.
SECOND_FACTOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit for each lockout parameter.

    Axes compares one count with one limit (AXES_FAILURE_LIMIT). Here each parameter's
    failures are counted against its own limit in KONTAKT_LOGIN_LIMITS and scaled to
    AXES_FAILURE_LIMIT, so that a user name and address together lock after a few typos,
    while the whole office behind one address locks only after many.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        limit = settings.AXES_FAILURE_LIMIT
        worst = 0
        for parameters, attempts in zip(
            lockout_parameter_names(), self.get_user_attempts(request, credentials), strict=True
        ):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            worst = max(worst, count * limit // settings.KONTAKT_LOGIN_LIMITS[parameters])
        return worst

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """A successful sign-in clears that user name's own failures from that address only
        (axes would clear every failure of the address, another user's guesses too)."""
        deleted, _by_model = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=getattr(request, "axes_ip_address", None),
        ).delete()
        return deleted


def lockout_parameter_names() -> list[str]:
    """AXES_LOCKOUT_PARAMETERS as the keys of KONTAKT_LOGIN_LIMITS, in their order."""
    return [
        name if isinstance(name, str) else "+".join(name)
        for name in settings.AXES_LOCKOUT_PARAMETERS
    ]


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The page of a locked-out sign-in (the login page's and the admin's): 429, with the
    cool-off in minutes, in the user's language."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


def client_address(request: HttpRequest) -> str | None:
    """The address a sign-in is counted against: REMOTE_ADDR or, behind KONTAKT_PROXY_COUNT
    reverse proxies, the address the outermost of them saw (X-Forwarded-For's entry that
    many from the right), never an entry a client could have written itself."""
    count = settings.KONTAKT_PROXY_COUNT
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count][:45]
    return request.META.get("REMOTE_ADDR")


# The second factor -----------------------------------------------------------------------


def needs_second_factor(user: Any) -> bool:
    """Whether this signed-in user must give a TOTP code (and has not yet, in this session)."""
    if not settings.KONTAKT_MFA_REQUIRED or not user.is_authenticated:
        return False
    if not (user.is_staff or user.is_superuser or user_roles(user) & SECOND_FACTOR_ROLES):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified is not None and is_verified())


class SecondFactorMiddleware(MiddlewareMixin):
    """Sends a supervisor or administrator who has signed in with the password only to the
    second-factor page, from every page but signing in and out, that page and static files.
    The API refuses such a session itself (StaffSessionAuth), with its JSON 401."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if not needs_second_factor(request.user):
            return None
        path = request.path_info
        open_paths = {
            reverse("login"),
            reverse("logout"),
            reverse("second-factor"),
            reverse("set_language"),
            reverse("admin:login"),
            reverse("admin:logout"),
        }
        if path in open_paths or path.startswith(("/api/", f"/{settings.STATIC_URL}")):
            return None
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('second-factor')}?{query}")


# The idle session -------------------------------------------------------------------------

RENEWED_KEY = "_kontakt_renewed"


class SessionRenewalMiddleware(MiddlewareMixin):
    """Renews a signed-in session's expiry (SESSION_COOKIE_AGE from now) once every
    KONTAKT_SESSION_RENEW_SECONDS, so it ends that long after the last request: an idle
    timeout with one write every few minutes, not one per request. The live stream does not
    count as use: an open tab alone keeps no one signed in."""

    def process_request(self, request: HttpRequest) -> None:
        if not request.user.is_authenticated or request.path_info == reverse("live:events"):
            return
        now = int(time.time())
        if now - request.session.get(RENEWED_KEY, 0) >= settings.KONTAKT_SESSION_RENEW_SECONDS:
            request.session[RENEWED_KEY] = now  # modified: saved with a new expiry
