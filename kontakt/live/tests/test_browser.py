"""live.js in a real Chromium, against the live server (a thread of this process, so the
memory bus it streams from is the one these tests publish to)."""

import time
from collections.abc import Iterator

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.accounts.services import roles_sync
from kontakt.live import bus
from kontakt.live.bus import CENTER, user_topic

from .conftest import set_live

pytestmark = pytest.mark.browser

# What a page does: listen for the events it wants (live.js needs no list of them). The
# types are this test's own, so no handler of the page acts on them. The count goes into
# <html data-got>, to wait for with a selector: the page's CSP forbids the eval that
# wait_for_function needs.
LISTEN = """() => {
    window.got = [];
    for (const type of ["ping", "notice", "message", "reconnected"]) {
        document.addEventListener(`kontakt:${type}`, (e) => {
            window.got.push([type, e.detail]);
            document.documentElement.dataset.got = window.got.length;
        });
    }
}"""


@pytest.fixture
def live_page(live_server, page) -> Iterator[Page]:
    """The browser page; afterwards its stream is closed and the server has let it go, so no
    request of this test is still running when the next one starts."""
    yield page
    page.goto("about:blank")
    time.sleep(0.5)  # the server notices at its next heartbeat (every 0.2 s here)


def signed_in(page: Page, base: str) -> User:
    """An agent whose session cookie the browser has (no login form: not what is tested)."""
    if not Group.objects.filter(name=Role.AGENT.value).exists():
        roles_sync()
    agent = User.objects.create_user("agnes", first_name="Agnes")
    agent.groups.add(Group.objects.get(name=Role.AGENT.value))
    session = SessionStore()
    session[SESSION_KEY] = str(agent.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    session.create()
    assert session.session_key is not None
    page.context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": base}])
    return agent


def open_live(page: Page, base: str) -> None:
    """A staff page with live.js: the base template's, or added if the page has none."""
    page.goto(f"{base}/me/absence/")
    page.evaluate(LISTEN)
    if not page.locator("script[src*='kontakt/live.js']").count():
        page.add_script_tag(url=f"{base}/static/kontakt/live.js")
    # The stream's first answer: a precondition, not a measure, so a loaded machine may
    # take its time.
    page.wait_for_selector("html[data-live='open']", state="attached", timeout=15_000)


def test_messages_become_dom_events(live_server, live_page, browser_errors):
    page = live_page
    agent = signed_in(page, live_server.url)
    open_live(page, live_server.url)
    bus.publish(user_topic(agent.pk + 1), {"type": "ping", "url": "/cases/1/"})  # not hers
    bus.publish(user_topic(agent.pk), {"type": "ping", "url": "/cases/2/"})
    bus.publish(CENTER, {"type": "notice", "text": "Vattenläcka"})
    bus.publish(CENTER, {"text": "without a type"})
    page.wait_for_selector("html[data-got='3']", state="attached")
    page.wait_for_timeout(200)  # room for anything that should not have come
    assert page.evaluate("window.got") == [
        ["ping", {"type": "ping", "url": "/cases/2/"}],
        ["notice", {"type": "notice", "text": "Vattenläcka"}],
        ["message", {"text": "without a type"}],
    ]
    assert browser_errors == []


def test_after_the_response_ends_the_browser_resumes_where_it_stopped(
    live_server,
    live_page,
    settings,
    browser_errors,
):
    page = live_page
    set_live(settings, STREAM_SECONDS=1.0)
    agent = signed_in(page, live_server.url)
    open_live(page, live_server.url)
    bus.publish(user_topic(agent.pk), {"type": "notice", "n": 1})
    page.wait_for_selector("html[data-got='1']", state="attached")
    # The response ends within a second and EventSource reconnects 2 s later: what is
    # published while it is away arrives only if the server replays it.
    page.wait_for_selector("html[data-live='closed']", state="attached", timeout=3_000)
    bus.publish(user_topic(agent.pk), {"type": "notice", "n": 2})
    page.wait_for_selector("html[data-got='3']", state="attached", timeout=5_000)
    assert page.evaluate("window.got") == [
        ["notice", {"type": "notice", "n": 1}],
        ["reconnected", {}],
        ["notice", {"type": "notice", "n": 2}],
    ]
    assert page.evaluate("document.documentElement.dataset.live") == "open"
    assert browser_errors == []
