from kontakt.desk.tests.conftest import browser, browser_errors, page, shot
from kontakt.portal.tests.form_fixtures import lamp_answer, street_light
from kontakt.portal.tests.my_fixtures import linked, oidc_provider_for

__all__ = [
    "browser",
    "browser_errors",
    "lamp_answer",
    "linked",
    "oidc_provider_for",
    "page",
    "shot",
    "street_light",
]
