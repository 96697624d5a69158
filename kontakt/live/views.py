"""The server-sent events stream of the signed-in staff user's live topics.

One response lasts about STREAM_SECONDS, then ends; the browser's EventSource reconnects by
itself with Last-Event-ID, and the bus replays what it missed. Before each heartbeat or batch
of messages the stream asks whether its session still signs the user in, and ends (sending
nothing more) once the user has signed out, been disabled or changed their password.

Under WSGI (and runserver) the stream is a generator that blocks its worker thread; under
ASGI it is an async generator whose waits run in a thread pool of their own, since Django
would buffer a sync iterator there and the default pool has a handful of threads.
"""

import json
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import StreamingHttpResponse
from django.views.decorators.http import require_GET

from kontakt.accounts.selectors import session_signs_in
from kontakt.web.pages import StaffRequest, staff_required

from . import bus
from .bus import Message
from .selectors import live_topics

RETRY = "retry: 2000\n\n"  # how long EventSource waits before it reconnects
HEARTBEAT = ": heartbeat\n\n"  # a comment: keeps proxies from closing an idle connection

# Under ASGI every connected browser holds one of these threads while it waits.
ASGI_WAIT_THREADS = 500
_asgi_waiters: ThreadPoolExecutor | None = None


@require_GET
@staff_required
def events(request: StaffRequest) -> StreamingHttpResponse:
    """text/event-stream of the user's topics (from live_topics, never from the request)."""
    topics = live_topics(request.user)  # staff_required: never empty here
    # A new EventSource cannot set the header; live.js passes the id in the query then.
    after = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    config = bus.live_settings()
    # Jitter, so the browsers that connected together after a deploy do not all come back
    # at the same moment.
    seconds = config["STREAM_SECONDS"] * random.uniform(0.9, 1.0)
    timing = (seconds, config["HEARTBEAT_SECONDS"])
    signed_in = partial(still_signed_in, request.session.session_key, request.user.pk)
    if isinstance(request, ASGIRequest):
        body: Iterator[str] | AsyncIterator[str] = stream_async(topics, after, *timing, signed_in)
    else:
        body = stream(topics, after, *timing, signed_in)
    response = StreamingHttpResponse(body, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx would hold the events back otherwise
    return response


def stream(
    topics: list[str],
    after: str | None,
    seconds: float,
    heartbeat: float,
    signed_in: Callable[[], bool],
) -> Iterator[str]:
    release_database()
    with bus.subscribe(topics, after=after) as subscription:
        yield RETRY
        deadline = time.monotonic() + seconds
        while (wait := wait_for(deadline, heartbeat)) is not None:
            messages = subscription.get(wait)
            if not signed_in():
                return
            yield chunk(messages)


async def stream_async(
    topics: list[str],
    after: str | None,
    seconds: float,
    heartbeat: float,
    signed_in: Callable[[], bool],
) -> AsyncIterator[str]:
    await sync_to_async(release_database)()  # in the request's thread, which has the connection
    subscription = await in_wait_thread(partial(bus.subscribe, topics, after=after))
    try:
        yield RETRY
        deadline = time.monotonic() + seconds
        while (wait := wait_for(deadline, heartbeat)) is not None:
            messages = await in_wait_thread(partial(subscription.get, wait))
            # In the request's thread, whose connection the check opens and closes again.
            if not await sync_to_async(signed_in)():
                return
            yield chunk(messages)
    finally:
        subscription.close()


def wait_for(deadline: float, heartbeat: float) -> float | None:
    """How long the next wait lasts; None once the response should end."""
    left = deadline - time.monotonic()
    return min(heartbeat, left) if left > 0 else None


def chunk(messages: list[Message]) -> str:
    if not messages:
        return HEARTBEAT
    # No "event:" line: every event is a "message" and live.js reads the type from the data,
    # since EventSource only hears the event names it was told to listen for.
    return "".join(
        f"id: {message.id}\ndata: {json.dumps(message.data, ensure_ascii=False)}\n\n"
        for message in messages
    )


def still_signed_in(session_key: str | None, user_id: int) -> bool:
    """Whether the stream's session still signs its user in (a query, then the connection is
    released again)."""
    try:
        return session_signs_in(session_key, user_id)
    finally:
        release_database()


def release_database() -> None:
    """Close this thread's database connections: a stream needs none for minutes, and one
    per connected browser would use up PostgreSQL's. (In a transaction, as in tests, leave
    them.)"""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


async def in_wait_thread[T](call: "partial[T]") -> T:
    global _asgi_waiters
    if _asgi_waiters is None:
        _asgi_waiters = ThreadPoolExecutor(ASGI_WAIT_THREADS, thread_name_prefix="kontakt-live")
    return await sync_to_async(call, thread_sensitive=False, executor=_asgi_waiters)()
