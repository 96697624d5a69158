"""Each live test gets buses of its own: the memory bus by default, and a real Redis under a
key prefix of its own (removed afterwards) for the tests that ask for both backends."""

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

# The desk's real Chromium, for test_browser.py.
from kontakt.desk.tests.conftest import browser, browser_errors, page  # noqa: F401
from kontakt.live import bus

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def set_live(settings, **changes: Any) -> dict[str, Any]:
    """Change the test's live settings (the bus of the new settings is a new one)."""
    config = {**settings.KONTAKT["LIVE"], **changes}
    settings.KONTAKT = {**settings.KONTAKT, "LIVE": config}
    return config


@pytest.fixture(autouse=True)
def _own_buses(settings, monkeypatch) -> None:
    """No bus is shared with another test, and a stream read to its end is over in 1 s."""
    monkeypatch.setattr(bus, "_buses", {})
    set_live(
        settings,
        BACKEND="memory",
        REDIS_URL="",
        KEY_PREFIX=f"kontakt-test:live:{uuid.uuid4().hex}:",
        BUFFER=50,
        RESUME_SECONDS=60,
        STREAM_SECONDS=1.0,
        HEARTBEAT_SECONDS=0.2,
    )


def redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, decode_responses=True)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("KONTAKT_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(
                f"Redis is required (--require-services) and unreachable at {REDIS_URL}: {error}"
            )
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {error}")
    return client


@pytest.fixture
def redis_backend(settings) -> Iterator[str]:
    """The Redis backend in the settings, its keys removed afterwards."""
    client = redis_or_skip()
    config = set_live(settings, BACKEND="redis", REDIS_URL=REDIS_URL)
    try:
        yield "redis"
    finally:
        keys = list(client.scan_iter(match=f"{config['KEY_PREFIX']}*"))
        if keys:
            client.delete(*keys)


@pytest.fixture(params=["memory", "redis"])
def backend(request) -> str:
    """The name of the backend in the settings; each test that takes it runs on both."""
    if request.param == "redis":
        return request.getfixturevalue("redis_backend")
    return "memory"


@pytest.fixture
def live_bus(backend) -> bus.Bus:
    """The bus of the settings, on each backend."""
    return bus.get_bus()
