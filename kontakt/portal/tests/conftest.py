from kontakt.desk.tests.conftest import browser, browser_errors, page, shot
from kontakt.portal.tests.form_fixtures import lamp_answer, street_light

__all__ = ["browser", "browser_errors", "lamp_answer", "page", "shot", "street_light"]
