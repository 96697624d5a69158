"""Letters' fixtures: the browser tests' municipality and Chromium."""

from kontakt.desk.tests.conftest import (  # noqa: F401  (the browser tests' fixtures)
    browser,
    browser_errors,
    municipality,
    page,
    shot,
)
