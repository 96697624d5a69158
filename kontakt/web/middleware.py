"""Keeps what a signed-in user or an integration sees out of every cache.

Staff pages and API answers carry residents' names, identity numbers and cases: a shared
proxy must not store them, nor the browser keep them on disk after sign-out (the back button
then asks the server again, which answers the login page). Static files never reach this
middleware (WhiteNoise answers them above it), and the residents' public answers stay
cacheable as long as nobody is signed in.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers


def no_store_when_signed_in(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        # A bearer token signs the API's user in on `request.user` during the view.
        user = getattr(request, "user", None)
        if "Authorization" in request.headers or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response

    return middleware
