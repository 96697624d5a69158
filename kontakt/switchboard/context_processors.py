from django.http import HttpRequest

from kontakt.accounts.selectors import is_staff_user

from .selectors import may_see_switchboard_statistics


def switchboard(request: HttpRequest) -> dict[str, object]:
    """Whether the navigation offers the switchboard's statistics."""
    user = getattr(request, "user", None)
    if user is None or not is_staff_user(user):
        return {}
    return {"may_see_switchboard_statistics": may_see_switchboard_statistics(user)}
