from django.http import HttpRequest

from kontakt.accounts.selectors import user_roles

from .selectors import crisis_shown


def crisis(request: HttpRequest) -> dict[str, object]:
    """Crisis mode as every staff page's banner shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user_roles(user):
        return {}
    return {"crisis": crisis_shown()}
