"""The HTTP load client: threads with their own connections, timing every request.

Closed loop (`closed_loop`): each of `clients` threads sends its next request as soon as the
previous one answered, for a given number of requests or seconds; throughput is answered
requests per second of wall time. Open loop (`open_loop`): requests are scheduled at a fixed
total rate, spread over the clients, and each latency is counted from the request's
scheduled time, so a server that falls behind shows it in the latencies (no coordinated
omission). Standard library only.
"""

import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    expect: tuple[int, ...] = (200,)


@dataclass
class Result:
    latencies: list[float]
    errors: int
    seconds: float
    statuses: dict[int, int]

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, float | int]:
        return {
            "requests": self.count,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "per_second": round(self.throughput, 2),
            "p50_ms": round(percentile(self.latencies, 50) * 1000, 1),
            "p95_ms": round(percentile(self.latencies, 95) * 1000, 1),
        }


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile by linear interpolation (NaN for no values)."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]
        if p < 100
        else max(values)
    )


class Client:
    """One connection to the server; reconnects when the server closes it."""

    def __init__(self, port: int):
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def send(self, request: Request) -> tuple[int, bytes]:
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
            try:
                self.connection.request(
                    request.method, request.path, body=request.body, headers=request.headers
                )
                response = self.connection.getresponse()
                body = response.read()
                if response.getheader("Connection", "").lower() == "close" or response.will_close:
                    self.connection.close()
                    self.connection = None
                return response.status, body
            except (ConnectionError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def closed_loop(
    port: int,
    make_request: Callable[[int], Request],
    *,
    clients: int,
    total: int | None = None,
    seconds: float | None = None,
) -> Result:
    """`clients` threads send back to back until `total` requests are answered or `seconds` pass."""
    counter = iter(range(10**9))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    deadline = time.perf_counter() + seconds if seconds else None

    def work() -> None:
        nonlocal errors
        client = Client(port)
        while True:
            with lock:
                number = next(counter)
            if total is not None and number >= total:
                return
            if deadline is not None and time.perf_counter() >= deadline:
                return
            request = make_request(number)
            began = time.perf_counter()
            try:
                status, _body = client.send(request)
            except OSError:
                status = 0
            elapsed = time.perf_counter() - began
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status in request.expect:
                    latencies.append(elapsed)
                else:
                    errors += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(latencies, errors, time.perf_counter() - began, statuses)


def open_loop(
    port: int, make_request: Callable[[int], Request], *, clients: int, rate: float, seconds: float
) -> Result:
    """Requests at `rate` per second in all, request i due at i/rate, sent by client i % clients.

    A server that cannot keep up would make the run last much longer than `seconds`: requests
    still unsent at twice that are dropped and counted as errors.
    """
    total = max(1, int(rate * seconds))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    give_up = start + 2 * seconds + 1

    def work(offset: int) -> None:
        nonlocal errors
        client = Client(port)
        for number in range(offset, total, clients):
            if time.perf_counter() > give_up:
                with lock:
                    errors += len(range(number, total, clients))
                return
            due = start + number / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            request = make_request(number)
            try:
                status, _body = client.send(request)
            except OSError:
                status = 0
            elapsed = time.perf_counter() - due
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status in request.expect:
                    latencies.append(elapsed)
                else:
                    errors += 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(latencies, errors, time.perf_counter() - start, statuses)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
