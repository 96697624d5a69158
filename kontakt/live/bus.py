"""Live push to staff browsers: publish a message to a topic; subscribe to topics and wait.

    publish(user_topic(agent.pk), {"type": "screen_pop", "url": contact_url})
    publish_on_commit(CENTER, {"type": "crisis", "text": "..."})

    with subscribe(["center", "user:7"], after=last_event_id) as subscription:
        messages = subscription.get(timeout=15)   # [] when nothing came

Two backends with the same behaviour, chosen by KONTAKT["LIVE"]["BACKEND"]:

- "memory" (the default without REDIS_URL) reaches the subscribers of this process only: one
  threading.Condition wakes them, and each topic keeps its last BUFFER messages in a ring for
  browsers that reconnect. Right for runserver and the embedded single process.
- "redis" (the default with REDIS_URL) reaches every process on every machine. It uses Redis
  Streams, not pub/sub: pub/sub drops what is published while nobody listens, and every
  browser is between two connections now and then (each response ends after STREAM_SECONDS,
  a deploy restarts the processes, the proxy may send the reconnect to another machine). A
  stream per topic (XADD MAXLEN ~ BUFFER) keeps the last messages, so a browser's
  Last-Event-ID resumes on any process; subscribers wait in XREAD BLOCK.

Message ids are "<milliseconds>-<sequence>" (Redis stream ids; the memory bus makes the
same), strictly increasing across all topics of one bus, so one Last-Event-ID tells where a
browser stopped on all its topics at once. Redis gets that order from a one-entry "clock"
stream whose XADD gives every message its id, in one script with the topic's XADD.

A resume replays what the browser missed during a reconnect, not an absence: messages older
than RESUME_SECONDS are not replayed (nobody wants an hour-old screen-pop). Messages are
nudges; what a page shows must also be loadable with an ordinary request.
"""

import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

import redis
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

if TYPE_CHECKING:
    from kontakt.settings import LiveSettings

logger = logging.getLogger(__name__)

CENTER = "center"  # every staff user: the crisis banner
SUPERVISORS = "supervisors"  # supervisors and administrators: the wallboard

TOPIC = re.compile(r"[a-z][a-z0-9_-]*(:[A-Za-z0-9_-]+)?")
# The type names the DOM event live.js fires ("kontakt:<type>"); it fires "reconnected" itself.
TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
RESERVED_TYPES = frozenset({"reconnected"})
ID = re.compile(r"(\d{1,19})-(\d{1,19})")

Position = tuple[int, int]


def user_topic(user_id: int) -> str:
    """The topic of one staff user's desktop."""
    return f"user:{int(user_id)}"


@dataclass(frozen=True)
class Message:
    """A published message; `data` is the decoded JSON, the same dict for every subscriber."""

    id: str
    topic: str
    data: dict[str, Any]

    @property
    def type(self) -> str:
        return self.data.get("type") or "message"


class Subscription(Protocol):
    def get(self, timeout: float) -> list[Message]: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class Bus(Protocol):
    def publish(self, topic: str, payload: str) -> Message: ...
    def subscribe(self, topics: Iterable[str], *, after: str | None = None) -> Subscription: ...


# The module's API --------------------------------------------------------------------------


def publish(topic: str, message: dict[str, Any]) -> None:
    """Deliver a message to every current subscriber of the topic, in any process."""
    get_bus().publish(topic, encode(topic, message))


def publish_on_commit(topic: str, message: dict[str, Any], *, using: str | None = None) -> None:
    """Publish once the current transaction commits, and not at all if it rolls back.

    The message is checked now, so a mistake fails in the caller; a failure to deliver after
    the commit is logged, not raised, since the change itself is already saved.
    """
    payload = encode(topic, message)

    def deliver() -> None:
        try:
            get_bus().publish(topic, payload)
        except Exception:
            # A lost push is a missed nudge: pages load the state with an ordinary request.
            logger.exception("Live message to %s not delivered after the commit.", topic)

    transaction.on_commit(deliver, using=using)


def subscribe(topics: Iterable[str], *, after: str | None = None) -> Subscription:
    """Wait for messages on the topics: new ones, or from just after the id `after`."""
    return get_bus().subscribe(topics, after=after)


def encode(topic: str, message: dict[str, Any]) -> str:
    """The message as JSON, after checking the topic and the type; raises ValueError."""
    if not isinstance(topic, str) or not TOPIC.fullmatch(topic):
        raise ValueError(f"Not a topic name: {topic!r}")
    if not isinstance(message, dict):
        raise ValueError("A live message is a dict.")
    kind = message.get("type")
    if kind is not None and (
        not isinstance(kind, str) or not TYPE.fullmatch(kind) or kind in RESERVED_TYPES
    ):
        raise ValueError(f"Not a message type: {kind!r}")
    return json.dumps(message, cls=DjangoJSONEncoder, ensure_ascii=False)


def live_settings() -> "LiveSettings":
    return settings.KONTAKT["LIVE"]


_buses: dict[tuple[Any, ...], Bus] = {}
_buses_lock = threading.Lock()


def get_bus() -> Bus:
    """The bus of the current settings, one per process."""
    config = live_settings()
    key = (
        config["BACKEND"],
        config.get("REDIS_URL"),
        config["KEY_PREFIX"],
        config["BUFFER"],
        config["RESUME_SECONDS"],
    )
    with _buses_lock:
        if key not in _buses:
            _buses[key] = make_bus(config)
        return _buses[key]


def make_bus(config: "LiveSettings") -> Bus:
    if config["BACKEND"] == "memory":
        return MemoryBus(buffer=config["BUFFER"], resume_seconds=config["RESUME_SECONDS"])
    if config["BACKEND"] == "redis":
        if not config.get("REDIS_URL"):
            raise ValueError('KONTAKT["LIVE"]["BACKEND"] is "redis" but REDIS_URL is not set.')
        return RedisBus(
            url=config["REDIS_URL"],
            key_prefix=config["KEY_PREFIX"],
            buffer=config["BUFFER"],
            resume_seconds=config["RESUME_SECONDS"],
        )
    raise ValueError(f'Unknown KONTAKT["LIVE"]["BACKEND"]: {config["BACKEND"]!r}')


# Ids and where a subscription starts -------------------------------------------------------


def parse_id(value: str | None) -> Position | None:
    """The position of a message id, None for anything that is not one."""
    match = ID.fullmatch(value.strip()) if value else None
    return (int(match[1]), int(match[2])) if match else None


def format_id(position: Position) -> str:
    return f"{position[0]}-{position[1]}"


def start_position(
    after: str | None, *, tip: Position, now_ms: int, resume_seconds: float
) -> Position:
    """Where a subscription starts: at the newest message (`tip`), or at `after` if that is
    within the resume window; never past the tip, so an id from elsewhere loses nothing new."""
    wanted = parse_id(after)
    if wanted is None:
        return tip
    oldest = (now_ms - int(resume_seconds * 1000), 0)
    return min(max(wanted, oldest), tip)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


# In this process ---------------------------------------------------------------------------


class MemoryBus:
    """Subscribers in this process only; one lock, a ring of the last `buffer` per topic."""

    def __init__(self, *, buffer: int, resume_seconds: float) -> None:
        self.buffer = buffer
        self.resume_seconds = resume_seconds
        self.changed = threading.Condition()
        self.topics: dict[str, deque[tuple[Position, Message]]] = {}
        self.tip: Position = (0, 0)

    def publish(self, topic: str, payload: str) -> Message:
        data = json.loads(payload)
        with self.changed:
            # The same rule as Redis's stream ids: the clock, but never backwards.
            ms = now_ms()
            self.tip = (ms, 0) if ms > self.tip[0] else (self.tip[0], self.tip[1] + 1)
            message = Message(format_id(self.tip), topic, data)
            ring = self.topics.get(topic)
            if ring is None:
                ring = self.topics[topic] = deque(maxlen=self.buffer)
            ring.append((self.tip, message))
            self.changed.notify_all()
        return message

    def subscribe(self, topics: Iterable[str], *, after: str | None = None) -> "MemorySubscription":
        with self.changed:
            start = start_position(
                after, tip=self.tip, now_ms=now_ms(), resume_seconds=self.resume_seconds
            )
        return MemorySubscription(self, list(topics), start)

    def newer(self, topics: list[str], position: Position) -> list[tuple[Position, Message]]:
        """The buffered messages of the topics after the position, oldest first (hold the lock)."""
        found = []
        for topic in topics:
            for entry in reversed(self.topics.get(topic, ())):
                if entry[0] <= position:
                    break
                found.append(entry)
        found.sort(key=lambda entry: entry[0])
        return found

    def has_newer(self, topics: list[str], position: Position) -> bool:
        return any((ring := self.topics.get(topic)) and ring[-1][0] > position for topic in topics)


class MemorySubscription:
    def __init__(self, bus: MemoryBus, topics: list[str], position: Position) -> None:
        self.bus = bus
        self.topics = topics
        self.position = position
        self.closed = False

    def get(self, timeout: float) -> list[Message]:
        """The messages since the last call, waiting up to `timeout` seconds for one."""
        if self.closed:
            raise RuntimeError("The subscription is closed.")
        with self.bus.changed:
            self.bus.changed.wait_for(
                lambda: self.closed or self.bus.has_newer(self.topics, self.position),
                timeout=max(timeout, 0),
            )
            found = [] if self.closed else self.bus.newer(self.topics, self.position)
        if found:
            self.position = found[-1][0]
        return [message for _position, message in found]

    def close(self) -> None:
        with self.bus.changed:
            self.closed = True
            self.bus.changed.notify_all()  # a get() waiting in another thread returns

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


# Across processes: Redis Streams -----------------------------------------------------------

# KEYS[1] the clock stream, KEYS[2] the topic's stream; ARGV: buffer, payload, ttl seconds.
# The clock's XADD gives the id (it never goes backwards, even when Redis's clock does); the
# topic's XADD takes it, so ids increase across all topics. A topic nobody publishes to for
# the ttl disappears, so a stream per user costs nothing for users who left.
PUBLISH_SCRIPT = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '1', '*', 'p', '')
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], id, 'data', ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return id
"""
TOPIC_TTL_SECONDS = 24 * 3600
# A subscriber never blocks longer than this in one XREAD, well within the socket timeout,
# so a connection that died silently is noticed.
MAX_BLOCK_SECONDS = 30
SOCKET_TIMEOUT_SECONDS = 45


class RedisBus:
    """Subscribers anywhere: one Redis stream per topic, keys under `key_prefix`."""

    def __init__(self, *, url: str, key_prefix: str, buffer: int, resume_seconds: float) -> None:
        self.redis = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=5,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
            health_check_interval=30,
        )
        self.key_prefix = key_prefix
        self.buffer = buffer
        self.resume_seconds = resume_seconds
        self.clock_key = f"{key_prefix}clock"
        self.script = self.redis.register_script(PUBLISH_SCRIPT)

    def topic_key(self, topic: str) -> str:
        return f"{self.key_prefix}topic:{topic}"

    def publish(self, topic: str, payload: str) -> Message:
        message_id = self.script(
            keys=[self.clock_key, self.topic_key(topic)],
            args=[self.buffer, payload, TOPIC_TTL_SECONDS],
        )
        return Message(str(message_id), topic, json.loads(payload))

    def subscribe(self, topics: Iterable[str], *, after: str | None = None) -> "RedisSubscription":
        pipe = self.redis.pipeline(transaction=False)
        pipe.xrevrange(self.clock_key, count=1)
        pipe.time()
        newest, (seconds, microseconds) = pipe.execute()
        # No clock yet means nothing was ever published under this prefix.
        tip = parse_id(newest[0][0]) if newest else None
        start = start_position(
            after,
            tip=tip or (0, 0),
            now_ms=seconds * 1000 + microseconds // 1000,
            resume_seconds=self.resume_seconds,
        )
        return RedisSubscription(self, list(topics), start)


class RedisSubscription:
    def __init__(self, bus: RedisBus, topics: list[str], position: Position) -> None:
        self.bus = bus
        self.topics = {bus.topic_key(topic): topic for topic in topics}
        self.position = position
        self.closed = False

    def get(self, timeout: float) -> list[Message]:
        """The messages since the last call, waiting up to `timeout` seconds for one."""
        if self.closed:
            raise RuntimeError("The subscription is closed.")
        if not self.topics:
            time.sleep(max(timeout, 0))
            return []
        # One position serves every stream: ids increase across topics, and XREAD returns
        # everything after it in each stream, so nothing older can turn up later.
        streams: dict[Any, Any] = dict.fromkeys(self.topics, format_id(self.position))
        block_ms = int(min(timeout, MAX_BLOCK_SECONDS) * 1000)
        # BLOCK 0 would wait forever; without BLOCK the read returns at once.
        reply: Any = self.bus.redis.xread(streams, block=block_ms if block_ms > 0 else None)
        if isinstance(reply, dict):  # RESP3: {key: [entries]}
            streams_read = [(key, value[0]) for key, value in reply.items()]
        else:  # RESP2: [[key, entries], ...], or None after the timeout
            streams_read = reply or []
        found: list[tuple[Position, Message]] = []
        for key, entries in streams_read:
            for message_id, fields in entries:
                position = parse_id(message_id)
                assert position is not None
                topic = self.topics[key]
                found.append((position, Message(message_id, topic, json.loads(fields["data"]))))
        found.sort(key=lambda entry: entry[0])
        if found:
            self.position = found[-1][0]
        return [message for _position, message in found]

    def close(self) -> None:
        # Nothing to release: each XREAD borrows a pooled connection and gives it back.
        self.closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
