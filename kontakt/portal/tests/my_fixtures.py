"""What My pages' tests work with: a resident's case with a private link, and a real OpenID
Connect provider on the loopback interface (kontakt/portal/tests/oidc_provider.mjs, on
node's oidc-provider) for the e-ID sign-in."""

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from kontakt.cases.links import case_link_create
from kontakt.cases.models import Case
from kontakt.cases.tests.factories import CaseFactory

PROVIDER_SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "kontakt-my-pages"
CLIENT_SECRET = "a-long-client-secret-only-the-tests-know-0123456789"


@dataclass(frozen=True)
class Linked:
    """A resident's case and the private link the receipt carried."""

    case: Case
    token: str


@pytest.fixture
def linked(resident, parking_type, second_line) -> Linked:
    case = CaseFactory.create(
        case_type=parking_type, resident=resident, by=second_line, subject="Parkering Storgatan"
    )
    return Linked(case=case, token=case_link_create(case=case))


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET


@pytest.fixture
def oidc_provider_for() -> Iterator[Callable[..., OidcProvider]]:
    """Start a provider whose one client comes back to `site` (SITE_URL), with `accounts`
    (account id -> claims) given in the ID token (or only by the userinfo endpoint);
    stopped after the test."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("The e-ID tests need Node.js (scripts/bootstrap installs oidc-provider).")
    if not (Path(django_settings.NODE_MODULES) / "oidc-provider").exists():
        pytest.fail("oidc-provider is not installed: run scripts/bootstrap (npm ci).")
    started: list[subprocess.Popen[str]] = []

    def start(
        *, site: str, accounts: dict[str, dict[str, str]], claims_in_userinfo: bool = False
    ) -> OidcProvider:
        client = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{site}/my/e-id/callback/"],
            "post_logout_redirect_uris": [f"{site}/my/"],
        }
        process = subprocess.Popen(
            [node, str(PROVIDER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=django_settings.BASE_DIR,
            env={
                **os.environ,
                "OIDC_CLIENT": json.dumps(client),
                "OIDC_ACCOUNTS": json.dumps(accounts),
                "OIDC_CLAIMS_IN_USERINFO": "1" if claims_in_userinfo else "0",
            },
        )
        started.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            pytest.fail("The OIDC provider did not start.")
        return OidcProvider(issuer=json.loads(line)["issuer"])

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def eid_settings(provider: OidcProvider, *, site: str) -> dict:
    """KONTAKT with e-ID through `provider`, and the site at `site`."""
    return {
        **django_settings.KONTAKT,
        "SITE_URL": site,
        "EID": {
            "NAME": "BankID",
            "ISSUER": provider.issuer,
            "CLIENT_ID": provider.client_id,
            "CLIENT_SECRET": provider.client_secret,
            "IDENTITY_CLAIM": "pid",
            "SCOPES": "openid profile",
        },
    }
