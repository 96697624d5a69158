"""The staff pages' access decorators, and how a service's errors reach a form.

A decorator asks only whether the user has a staff role at all (or may log contacts); what
they may read and change is the selectors' and services' business.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from kontakt.accounts.models import User
from kontakt.accounts.selectors import is_staff_user, may_log_contacts

View = Callable[..., HttpResponseBase]


class StaffRequest(HttpRequest):
    """The request a view behind `staff_required` or `front_line_required` gets.

    The decorators let through only a signed-in user with a staff role, so `user` is never
    anonymous there. Only an annotation: the request object is Django's own.
    """

    user: User


def staff_required(view: View) -> View:
    """Signed in, with at least one staff role; anything finer is the selectors' business."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_staff_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def front_line_required(view: View) -> View:
    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not may_log_contacts(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def apply_errors(form: Any, error: ValidationError) -> None:
    """Show a service's field errors on the form (unknown fields at the top)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                for message in item.messages:
                    form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def center_contact() -> dict[str, str]:
    """The municipality and how to reach its contact center, from the settings, for the
    residents' pages."""
    config = settings.KONTAKT
    phone = config.get("CENTER_PHONE", "")
    return {
        "name": config.get("MUNICIPALITY_NAME") or "",
        "phone": phone,
        "phone_href": "tel:" + "".join(c for c in phone if c.isdigit() or c == "+"),
        "email": config.get("CENTER_EMAIL", ""),
    }
