"""Counters in the cache, for limits on what the public may do (the web form, My pages).

With several processes the cache must be shared (Redis, `REDIS_URL`); the local-memory
default counts per process.
"""

from django.core.cache import cache


def cache_count(key: str, *, by: int = 1, timeout: int) -> int:
    """Add `by` to the counter `key` (made with `timeout` seconds to live if new) and
    return its new value."""
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key, by))
    except ValueError:  # it expired between the two calls
        cache.set(key, by, timeout=timeout)
        return by
