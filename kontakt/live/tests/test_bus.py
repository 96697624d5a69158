"""The bus on both backends: the memory bus, and a real Redis."""

import logging
import threading
import time
from datetime import UTC, datetime

import pytest
from django.db import transaction

from kontakt.directory.models import Department
from kontakt.live import bus
from kontakt.live.bus import CENTER, SUPERVISORS, parse_id, start_position, user_topic

from .conftest import set_live


def later(seconds: float, call, *args) -> threading.Thread:
    """Run the call in another thread after a while, as another request would."""

    def run() -> None:
        time.sleep(seconds)
        call(*args)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def read_all(subscription: bus.Subscription, count: int, *, within: float = 5) -> list:
    """Messages until `count` came or `within` seconds passed."""
    found: list[bus.Message] = []
    deadline = time.monotonic() + within
    while len(found) < count and (left := deadline - time.monotonic()) > 0:
        found += subscription.get(left)
    return found


def test_a_subscriber_wakes_for_a_message_published_in_another_thread(live_bus):
    with bus.subscribe([user_topic(7)]) as subscription:
        started = time.monotonic()
        thread = later(0.1, bus.publish, "user:7", {"type": "screen-pop", "contact": 12})
        got = subscription.get(timeout=5)
        waited = time.monotonic() - started
        thread.join()
    assert [(m.topic, m.type, m.data) for m in got] == [
        ("user:7", "screen-pop", {"type": "screen-pop", "contact": 12})
    ]
    assert 0.05 < waited < 2


def test_get_returns_nothing_after_the_timeout(live_bus):
    with bus.subscribe([CENTER]) as subscription:
        bus.publish(SUPERVISORS, {"type": "wallboard"})  # another topic
        started = time.monotonic()
        assert subscription.get(timeout=0.3) == []
        assert time.monotonic() - started >= 0.25
        assert subscription.get(timeout=0) == []


def test_messages_come_in_publish_order_across_topics(live_bus):
    topics = [CENTER, user_topic(1), SUPERVISORS]

    def publish_many() -> None:
        for n in range(60):
            bus.publish(topics[n % 3], {"n": n})

    with bus.subscribe(topics) as subscription:
        thread = later(0, publish_many)
        got = read_all(subscription, 60)
        thread.join()
    assert [m.data["n"] for m in got] == list(range(60))
    assert [m.topic for m in got[:3]] == topics
    positions = [parse_id(m.id) for m in got]
    assert positions == sorted(positions) and len(set(positions)) == 60


def test_a_subscriber_gets_its_topics_only(live_bus):
    with bus.subscribe([user_topic(1), CENTER]) as subscription:
        bus.publish(user_topic(2), {"type": "screen-pop", "for": 2})
        bus.publish(SUPERVISORS, {"type": "wallboard"})
        bus.publish(user_topic(1), {"type": "screen-pop", "for": 1})
        bus.publish(CENTER, {"type": "crisis"})
        got = read_all(subscription, 2, within=0.5)
    assert [(m.topic, m.data.get("for")) for m in got] == [("user:1", 1), ("center", None)]


def test_a_new_subscription_starts_after_what_was_published_before(live_bus):
    bus.publish(CENTER, {"n": 1})
    with bus.subscribe([CENTER]) as subscription:
        assert subscription.get(timeout=0.1) == []
        bus.publish(CENTER, {"n": 2})
        assert [m.data for m in subscription.get(timeout=1)] == [{"n": 2}]


def test_a_subscription_resumes_after_an_id(live_bus):
    with bus.subscribe([CENTER, user_topic(3)]) as first:
        bus.publish(CENTER, {"n": 1})
        bus.publish(user_topic(3), {"n": 2})
        bus.publish(CENTER, {"n": 3})
        seen = read_all(first, 3)
    # The browser saw the first message, then lost the connection.
    with bus.subscribe([CENTER, user_topic(3)], after=seen[0].id) as resumed:
        assert [m.data["n"] for m in resumed.get(timeout=1)] == [2, 3]
        bus.publish(user_topic(3), {"n": 4})
        assert [m.data["n"] for m in resumed.get(timeout=1)] == [4]


@pytest.mark.parametrize("after", ["", "garbage", "12", "99999999999999-0"])
def test_an_id_from_nowhere_starts_at_the_newest_message(live_bus, after):
    bus.publish(CENTER, {"n": 1})
    with bus.subscribe([CENTER], after=after) as subscription:
        assert subscription.get(timeout=0.05) == []
        bus.publish(CENTER, {"n": 2})  # not hidden behind an id from the future
        assert [m.data["n"] for m in subscription.get(timeout=1)] == [2]


def test_what_is_older_than_the_resume_window_is_not_replayed(settings, backend):
    set_live(settings, RESUME_SECONDS=0.3)
    with bus.subscribe([CENTER]) as first:
        bus.publish(CENTER, {"n": 1})
        bus.publish(CENTER, {"n": 2})
        seen = first.get(timeout=1)
        time.sleep(0.4)
        bus.publish(CENTER, {"n": 3})
    with bus.subscribe([CENTER], after=seen[0].id) as resumed:
        assert [m.data["n"] for m in resumed.get(timeout=1)] == [3]


def test_the_memory_ring_keeps_the_last_messages_of_a_topic(settings):
    set_live(settings, BUFFER=3)
    with bus.subscribe([CENTER]) as first:
        bus.publish(CENTER, {"n": 0})
        start = first.get(timeout=1)[0].id
    for n in range(1, 8):
        bus.publish(CENTER, {"n": n})
    with bus.subscribe([CENTER], after=start) as resumed:
        assert [m.data["n"] for m in resumed.get(timeout=1)] == [5, 6, 7]
    assert len(bus.get_bus().topics[CENTER]) == 3


def test_a_redis_stream_is_trimmed_to_about_the_buffer(settings, redis_backend):
    config = set_live(settings, BUFFER=10)
    live = bus.get_bus()
    with bus.subscribe([CENTER]) as first:
        bus.publish(CENTER, {"n": 0})
        start = first.get(timeout=1)[0].id
    for n in range(1, 300):
        bus.publish(CENTER, {"n": n})
    # MAXLEN ~ trims whole nodes of up to 100 entries, so "about" is up to 100 more.
    length = live.redis.xlen(f"{config['KEY_PREFIX']}topic:{CENTER}")
    assert 10 <= length <= 110
    with bus.subscribe([CENTER], after=start) as resumed:
        replayed = [m.data["n"] for m in resumed.get(timeout=1)]
    assert replayed == list(range(300 - len(replayed), 300)) and len(replayed) == length
    assert live.redis.ttl(f"{config['KEY_PREFIX']}topic:{CENTER}") > 3600


def test_closing_a_memory_subscription_wakes_a_get_waiting_in_another_thread():
    subscription = bus.subscribe([CENTER])
    got: list = []
    waiter = threading.Thread(target=lambda: got.append(subscription.get(timeout=10)))
    started = time.monotonic()
    waiter.start()
    time.sleep(0.1)
    subscription.close()
    waiter.join(timeout=5)
    assert got == [[]] and time.monotonic() - started < 2
    with pytest.raises(RuntimeError):
        subscription.get(timeout=0)


def test_messages_are_json_as_they_would_be_on_the_wire(live_bus):
    with bus.subscribe([CENTER]) as subscription:
        bus.publish(CENTER, {"type": "crisis", "at": datetime(2026, 3, 17, 8, tzinfo=UTC)})
        [message] = subscription.get(timeout=1)
    assert message.data == {"type": "crisis", "at": "2026-03-17T08:00:00Z"}


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        ("", {}),
        ("user 7", {}),
        ("user:7\n", {}),
        ("center", {"type": "two\nlines"}),
        ("center", {"type": "reconnected"}),
        ("center", {"type": 3}),
        ("center", ["not", "a", "dict"]),
        ("center", {"when": object()}),
    ],
)
def test_a_bad_topic_or_message_fails_in_the_caller(topic, message):
    with pytest.raises((ValueError, TypeError)):
        bus.publish(topic, message)
    with pytest.raises((ValueError, TypeError)):
        bus.publish_on_commit(topic, message)


def test_redis_needs_a_url(settings):
    set_live(settings, BACKEND="redis", REDIS_URL="")
    with pytest.raises(ValueError, match="REDIS_URL"):
        bus.get_bus()


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (None, (5000, 2)),
        ("4000-7", (4000, 7)),
        ("1000-0", (2000, 0)),  # older than the window of 3 s before now=5000
        ("6000-0", (5000, 2)),  # past the tip
        ("4000", (5000, 2)),
    ],
)
def test_start_position(after, expected):
    assert start_position(after, tip=(5000, 2), now_ms=5000, resume_seconds=3) == expected


# After the commit, not before, and not after a rollback -----------------------------------


@pytest.mark.django_db(transaction=True)
def test_publish_on_commit_delivers_once_the_row_is_committed(backend):
    with bus.subscribe([CENTER]) as subscription:
        with transaction.atomic():
            department = Department.objects.create(name="Krisledning", code="kris")
            bus.publish_on_commit(CENTER, {"type": "crisis", "department": department.pk})
            assert subscription.get(timeout=0.2) == []
        [message] = subscription.get(timeout=1)
    assert message.data == {"type": "crisis", "department": department.pk}
    assert Department.objects.filter(pk=message.data["department"]).exists()


@pytest.mark.django_db(transaction=True)
def test_publish_on_commit_delivers_nothing_after_a_rollback(backend):
    with bus.subscribe([CENTER]) as subscription:
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            bus.publish_on_commit(CENTER, {"type": "crisis"})
            1 / 0  # noqa: B018
        assert subscription.get(timeout=0.3) == []
        bus.publish(CENTER, {"type": "after"})
        assert [m.type for m in subscription.get(timeout=1)] == ["after"]


def test_publish_on_commit_waits_for_the_outer_transaction(db, django_capture_on_commit_callbacks):
    with bus.subscribe([CENTER]) as subscription:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            bus.publish_on_commit(CENTER, {"type": "crisis"})
            assert subscription.get(timeout=0.1) == []
        assert len(callbacks) == 1
        assert [m.type for m in subscription.get(timeout=1)] == ["crisis"]


def test_publish_on_commit_logs_a_bus_that_fails(
    db, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    class Down:
        def publish(self, topic: str, payload: str) -> bus.Message:
            raise ConnectionError("the live bus is down")

    monkeypatch.setattr(bus, "get_bus", Down)
    caplog.set_level(logging.ERROR, logger="kontakt.live.bus")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        department = Department.objects.create(name="Krisledning", code="kris")
        bus.publish_on_commit(CENTER, {"type": "crisis", "department": department.pk})
    assert len(callbacks) == 1  # it ran, and raised nothing
    assert Department.objects.filter(pk=department.pk).exists()
    [record] = caplog.records
    assert record.getMessage() == "Live message to center not delivered after the commit."
    assert isinstance(record.exc_info[1], ConnectionError)
