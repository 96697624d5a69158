"""The e-ID sign-in against a real OpenID Connect provider on the loopback interface: the
browser's part is played by `requests` (the provider's pages) and Django's test client (ours),
following every redirect by hand."""

import html
import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.test import Client
from joserfc.jwk import RSAKey

from kontakt.cases.tests.factories import CaseFactory
from kontakt.portal import oidc
from kontakt.residents.tests.factories import ResidentFactory

from .my_fixtures import OidcProvider, eid_settings

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
ACCOUNTS = {
    "karin": {"pid": "19121212-1212", "name": "Karin Lindqvist"},
    "nobody": {"name": "Utan Nummer"},
    "wrong": {"pid": "19121212-1213", "name": "Fel Siffra"},
}


@pytest.fixture
def provider(oidc_provider_for, settings) -> OidcProvider:
    started = oidc_provider_for(site=SITE, accounts=ACCOUNTS)
    settings.KONTAKT = eid_settings(started, site=SITE)
    return started


def at_provider(start_url: str, login: str) -> str:
    """Sign in at the provider as `login`; the address it sends the browser back to."""
    browser = requests.Session()
    page = browser.get(start_url, timeout=10)
    assert page.status_code == 200, page.text[:300]
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    assert action is not None, page.text[:500]
    response = browser.post(
        urljoin(page.url, html.unescape(action.group(1))),
        data={"prompt": "login", "login": login, "password": "vad som helst"},
        allow_redirects=False,
        timeout=10,
    )
    for _ in range(10):
        location = response.headers.get("Location", "")
        assert response.status_code in (302, 303), (response.status_code, response.text[:300])
        if location.startswith(SITE):
            return location
        response = browser.get(urljoin(response.url, location), allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")


def sign_in(web: Client, login: str):
    start = web.get("/my/e-id/")
    assert start.status_code == 302
    back = at_provider(start["Location"], login)
    return web.get(back.removeprefix(SITE))


def test_the_request_to_the_provider_carries_pkce_state_and_nonce(provider):
    start = Client().get("/my/e-id/")

    sent = parse_qs(urlsplit(start["Location"]).query)
    assert start["Location"].startswith(provider.issuer + "/auth")
    assert sent["code_challenge_method"] == ["S256"] and len(sent["code_challenge"][0]) >= 43
    assert sent["state"][0] and sent["nonce"][0]
    assert sent["redirect_uri"] == [f"{SITE}/my/e-id/callback/"]
    assert sent["scope"] == ["openid profile"]


def test_the_level_of_assurance_is_asked_for_when_set(provider, settings):
    assert "acr_values" not in parse_qs(urlsplit(Client().get("/my/e-id/")["Location"]).query)
    settings.KONTAKT = {
        **settings.KONTAKT,
        "EID": {**settings.KONTAKT["EID"], "ACR_VALUES": "idporten-loa-high"},
    }
    sent = parse_qs(urlsplit(Client().get("/my/e-id/")["Location"]).query)
    assert sent["acr_values"] == ["idporten-loa-high"]


def test_an_eid_sign_in_shows_every_case_of_that_identity_number(provider, resident, parking_type):
    mine = CaseFactory.create(case_type=parking_type, resident=resident)
    other = CaseFactory.create(
        case_type=parking_type,
        resident=ResidentFactory(identity_number="198112189876", identity_country="SE"),
    )
    web = Client()

    back = sign_in(web, "karin")

    assert back.status_code == 302 and back["Location"] == "/my/"
    assert web.session["my.identity"]["number"] == "191212121212"
    listing = web.get("/my/").content.decode()
    assert mine.reference in listing and other.reference not in listing
    assert "Karin Lindqvist" in listing
    assert web.get(f"/my/cases/{mine.reference}/").status_code == 200
    assert web.get(f"/my/cases/{other.reference}/").status_code == 404


def test_a_norwegian_number_is_normalised_like_residents_numbers(
    oidc_provider_for, settings, parking_type
):
    number = "15048510180"  # a valid fødselsnummer (its check digits hold)
    started = oidc_provider_for(site=SITE, accounts={"ola": {"pid": number}})
    settings.KONTAKT = eid_settings(started, site=SITE)
    ola = ResidentFactory(identity_number=number, identity_country="NO")
    case = CaseFactory.create(case_type=parking_type, resident=ola)
    web = Client()

    sign_in(web, "ola")

    assert case.reference in web.get("/my/").content.decode()


def test_a_number_only_the_userinfo_endpoint_gives_is_read_there(
    oidc_provider_for, settings, resident, parking_type
):
    started = oidc_provider_for(site=SITE, accounts=ACCOUNTS, claims_in_userinfo=True)
    settings.KONTAKT = eid_settings(started, site=SITE)
    case = CaseFactory.create(case_type=parking_type, resident=resident)
    web = Client()

    sign_in(web, "karin")

    assert web.session["my.identity"]["name"] == ""  # the ID token held no claims of hers
    assert case.reference in web.get("/my/").content.decode()


@pytest.mark.parametrize("login", ["nobody", "wrong"])
def test_an_identity_without_a_valid_number_is_refused(provider, login):
    web = Client()

    back = sign_in(web, login)

    assert back.status_code == 400
    assert "my.identity" not in web.session


def test_a_callback_without_the_sessions_state_is_refused(provider):
    first = Client()
    start = first.get("/my/e-id/")
    back = at_provider(start["Location"], "karin")
    stranger = Client()  # another browser: the code and state are not its

    response = stranger.get(back.removeprefix(SITE))

    assert response.status_code == 400
    assert "my.identity" not in stranger.session


def test_a_code_is_used_once(provider):
    web = Client()
    start = web.get("/my/e-id/")
    back = at_provider(start["Location"], "karin")
    assert web.get(back.removeprefix(SITE)).status_code == 302
    web.post("/my/sign-out/")

    assert web.get(back.removeprefix(SITE)).status_code == 400


def test_an_id_token_whose_signature_does_not_hold_is_refused(provider):
    web = Client()
    start = web.get("/my/e-id/")
    back = at_provider(start["Location"], "karin")
    # The issuer's key id, but another key: the provider's true signature no longer checks.
    client = oidc._client()
    published = requests.get(f"{provider.issuer}/jwks", timeout=10).json()["keys"]
    client.server_metadata["jwks"] = {
        "keys": [
            {
                **RSAKey.generate_key(2048).as_dict(private=False),
                "kid": key["kid"],
                "use": "sig",
                "alg": "RS256",
            }
            for key in published
        ]
    }

    response = web.get(back.removeprefix(SITE))

    assert response.status_code == 400
    assert "my.identity" not in web.session


def test_the_provider_refusing_comes_back_as_a_clear_page(provider):
    web = Client()
    start = web.get("/my/e-id/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    response = web.get(f"/my/e-id/callback/?error=access_denied&state={state}")

    assert response.status_code == 400
    assert "did not work" in response.content.decode()


def test_signing_out_after_eid_ends_the_providers_session_too(provider, resident):
    web = Client()
    sign_in(web, "karin")

    out = web.post("/my/sign-out/")

    assert out.status_code == 302
    assert out["Location"].startswith(provider.issuer + "/session/end")
    assert "id_token_hint=" in out["Location"]
    assert "my.identity" not in web.session


def test_the_sign_out_form_may_be_sent_on_to_the_provider(provider):
    web = Client()
    sign_in(web, "karin")

    policy = web.get("/my/")["Content-Security-Policy"]

    assert f"form-action 'self' {provider.issuer}" in policy


def test_without_a_provider_there_is_no_eid(settings):
    settings.KONTAKT = {**settings.KONTAKT, "EID": {**settings.KONTAKT["EID"], "ISSUER": ""}}

    assert Client().get("/my/e-id/").status_code == 404
    assert "e-id" not in Client().get("/my/").content.decode()


def test_a_provider_that_cannot_be_reached_is_told(settings):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "EID": {**settings.KONTAKT["EID"], "ISSUER": "http://127.0.0.1:9", "CLIENT_ID": "x"},
    }

    response = Client().get("/my/e-id/")

    assert response.status_code == 503
