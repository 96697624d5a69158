"""A real SMS gateway on loopback for the tests: an HTTP server in a thread that records
each request and answers as told (status and body), as a gateway's API would."""

import http.server
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Gateway:
    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200
    # None: a JSON answer with a fresh id ({"id": "gw-1"}, "gw-2", …).
    answer: bytes | None = None
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def answer_for(self) -> bytes:
        if self.answer is not None:
            return self.answer
        return json.dumps({"id": f"gw-{next(self.ids)}", "status": "accepted"}).encode()


@contextmanager
def sms_gateway() -> Iterator[Gateway]:
    gateway = Gateway(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            gateway.received.append(
                Received(self.command, self.path, dict(self.headers.items()), body)
            )
            answer = gateway.answer_for()
            self.send_response(gateway.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
