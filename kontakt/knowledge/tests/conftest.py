"""The desk's real Chromium, for the browser tests of the residents' pages."""

from kontakt.desk.tests.conftest import browser, browser_errors, page, shot

__all__ = ["browser", "browser_errors", "page", "shot"]
