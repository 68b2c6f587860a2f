"""A webhook receiver for tests: a real HTTP server on 127.0.0.1, answering from a script of status codes.

It records every request (headers and body) and, as a real receiver should, dedups by event id.
``hold`` makes it keep the first request open without answering until ``release()``: the sender is then
known to be in the middle of its POST.
"""

import hashlib
import hmac
import http.server
import json
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def event_id(self) -> str:
        return self.headers["X-Event-Id"]


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does (docs/api.md): HMAC-SHA256 of "<X-Timestamp>.<body>" with the hub's secret,
    compared with each signature of the header (two, comma-separated, while a rotated secret's old one is valid)."""
    expected = hmac.new(secret.encode(), headers["X-Timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
    given = [part.strip() for part in headers["X-Signature"].split(",")]
    return any(hmac.compare_digest(f"sha256={expected}", signature) for signature in given)


@dataclass
class Receiver:
    statuses: list[int] = field(default_factory=list)  # answers in order; 200 once they run out
    hold: bool = False
    requests: list[Received] = field(default_factory=list)
    held: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def start(self) -> "Receiver":
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(Received(dict(self.headers.items()), body))
                if receiver.hold and not receiver.held.is_set():
                    receiver.held.set()
                    receiver.released.wait(60)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender is gone (killed mid-request)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/selfservice"

    def release(self) -> None:
        self.released.set()

    def stop(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def distinct_events(self) -> set[str]:
        """The receiver's dedup: each event id counts once, however often it came."""
        return {r.event_id for r in self.requests}
