"""Residents' strong sign-in by e-ID through OpenID Connect (a BankID/Freja broker, the
Norwegian ID-porten), with Authlib's Django client.

The authorization code flow with PKCE (S256), `state` and `nonce` kept in the session, the
provider's settings read from its discovery document, and the ID token's signature checked
against the provider's published keys (JWKS) along with its issuer, audience, expiry and
nonce: all by Authlib. What is ours: the provider's discovery document must name the
issuer we are configured with; the ID token must be there; the identity number comes from
KONTAKT["EID"]["IDENTITY_CLAIM"] (of the ID token, else of the userinfo answer for the same
`sub`) and is normalised as residents' numbers are (`core.identity`), so that it finds
every case of residents with that number.

Off while KONTAKT["EID"]["ISSUER"] or CLIENT_ID is empty.
"""

import logging
import threading
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from joserfc.errors import JoseError

from kontakt.core.identity import InvalidIdentityNumber, parse_identity_number

logger = logging.getLogger(__name__)

NAME = "eid"
TIMEOUT_SECONDS = 10

_lock = threading.Lock()
_clients: dict[tuple[str, ...], Any] = {}


class EidFailed(Exception):
    """The sign-in did not give a verified identity number (the reason goes to the log)."""


@dataclass(frozen=True)
class EidIdentity:
    """Who the provider vouched for: the normalised identity number and its country."""

    country: str
    number: str
    name: str
    id_token: str

    def __repr__(self) -> str:  # the number stays out of logs and tracebacks
        return f"EidIdentity(country={self.country!r})"


def _config() -> dict[str, str]:
    return {key: str(value) for key, value in settings.KONTAKT["EID"].items()}


def eid_enabled() -> bool:
    config = _config()
    return bool(config["ISSUER"] and config["CLIENT_ID"])


def eid_name() -> str:
    return _config()["NAME"]


def _client() -> Any:
    """Authlib's client for the configured provider; one per configuration, kept, so that
    its discovery document and keys are fetched once (the keys again for an unknown kid)."""
    config = _config()
    key = (config["ISSUER"], config["CLIENT_ID"], config["CLIENT_SECRET"], config["SCOPES"])
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = OAuth().register(
                NAME,
                client_id=config["CLIENT_ID"],
                client_secret=config["CLIENT_SECRET"] or None,
                server_metadata_url=f"{config['ISSUER']}/.well-known/openid-configuration",
                client_kwargs={
                    "scope": config["SCOPES"],
                    "code_challenge_method": "S256",
                    "default_timeout": TIMEOUT_SECONDS,
                },
            )
            _clients[key] = client
    metadata = client.load_server_metadata()
    if metadata.get("issuer", "").rstrip("/") != config["ISSUER"]:
        with _lock:
            _clients.pop(key, None)
        raise EidFailed("the discovery document names another issuer")
    return client


def redirect_uri() -> str:
    return settings.KONTAKT["SITE_URL"] + reverse("my:eid_callback")


def issuer_origin() -> str:
    """The provider's scheme and host, which a sign-out form may be sent on to."""
    issuer = _config()["ISSUER"]
    parts = issuer.split("/", 3)
    return "/".join(parts[:3]) if len(parts) >= 3 else issuer


def sign_in_redirect(request: HttpRequest) -> HttpResponse:
    """Send the browser to the provider; state, nonce and the PKCE verifier stay in the
    session."""
    try:
        client = _client()
        extra = {"acr_values": acr} if (acr := _config().get("ACR_VALUES", "").strip()) else {}
        return client.authorize_redirect(
            request, redirect_uri(), ui_locales=(get_language() or "sv"), **extra
        )
    except (requests.RequestException, ValueError, AuthlibBaseError) as error:
        logger.warning("e-ID sign-in could not start: %s", error)
        raise EidFailed(str(error)) from error


def sign_in_finish(request: HttpRequest) -> EidIdentity:
    """The identity the provider's answer proves, or EidFailed."""
    config = _config()
    try:
        client = _client()
        token = client.authorize_access_token(request)
        claims = token.get("userinfo")
        if not claims or "id_token" not in token:
            raise EidFailed("no ID token")
        raw = claims.get(config["IDENTITY_CLAIM"])
        if raw is None and client.load_server_metadata().get("userinfo_endpoint"):
            info = client.userinfo(token=token)
            if info.get("sub") != claims.get("sub"):
                raise EidFailed("userinfo is about someone else")
            raw = info.get(config["IDENTITY_CLAIM"])
    except EidFailed:
        raise
    except (requests.RequestException, AuthlibBaseError, JoseError, ValueError, KeyError) as e:
        raise EidFailed(type(e).__name__) from e
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise EidFailed(f"no {config['IDENTITY_CLAIM']} claim")
    try:
        identity = parse_identity_number(str(raw), today=timezone.localdate())
    except InvalidIdentityNumber as error:
        raise EidFailed(f"identity number: {error.code}") from error
    name = claims.get("name") or " ".join(
        str(part) for part in (claims.get("given_name"), claims.get("family_name")) if part
    )
    return EidIdentity(
        country=str(identity.country),
        number=identity.normalized,
        name=str(name)[:200],
        id_token=str(token["id_token"]),
    )


def sign_out_url(*, id_token: str, then: str) -> str | None:
    """The provider's end-session address that signs the resident out there too and sends
    them back to `then`; None when the provider has none (or cannot be asked)."""
    if not eid_enabled():
        return None
    try:
        client = _client()
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        return client.create_logout_url(
            post_logout_redirect_uri=then, id_token_hint=id_token or None
        )["url"]
    except (requests.RequestException, AuthlibBaseError, EidFailed, ValueError) as error:
        logger.warning("e-ID sign-out at the provider skipped: %s", error)
        return None
