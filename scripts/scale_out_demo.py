"""Scale out without containers: two gunicorn instances behind one address, sharing PostgreSQL and Redis.

    .venv/bin/python scripts/scale_out_demo.py --database-url postgres://postgres@127.0.0.1:5432/selfservice
    # then open http://127.0.0.1:8800/ ; Ctrl-C stops everything

Starts, on this machine (on several machines, run the instances and workers there and point the
balancer at them; nothing else changes):
- two gunicorn instances of the portal on ports 8801 and 8802 (``--ports``), each with its own workers;
- a small round-robin HTTP balancer on port 8800 (``--front``) in this process (the role nginx or a cloud load
  balancer plays in production; it adds ``X-Forwarded-For`` and answers with ``X-Served-By``: which instance);
- ``--workers`` ``manage.py db_worker`` processes taking tasks from the same PostgreSQL queue;
- a private ``redis-server`` on a free port unless ``--redis-url`` names one: cache and sessions for all.

Sessions live in Redis and everything else in PostgreSQL, so any request may go to any instance, and a
task is taken by exactly one worker (a row lock on the queue; leases for workers that die).
``portal/tests/test_scale_out.py`` starts this stack and proves both.
"""

import argparse
import http.client
import http.server
import itertools
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Balancer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, backends: list[int]) -> None:
        self.backends = backends
        self._next = itertools.cycle(range(len(backends)))
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Forward)

    def pick(self) -> int:
        with self._lock:
            return self.backends[next(self._next)]


class _Forward(http.server.BaseHTTPRequestHandler):
    server: Balancer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _forward(self) -> None:
        port = self.server.pick()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        forwarded = ", ".join(filter(None, [self.headers.get("X-Forwarded-For"), self.client_address[0]]))
        headers["X-Forwarded-For"] = forwarded
        upstream = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
        except OSError as exc:
            self.send_error(502, f"instance on {port}: {exc}")
            return
        finally:
            upstream.close()
        self.send_response(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Served-By", str(port))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _forward


class Stack:
    """The processes of the demo; ``stop()`` ends all of them (each by its own process group)."""

    def __init__(
        self,
        *,
        database_url: str,
        redis_url: str | None,
        ports: list[int],
        front: int,
        settings_module: str,
        extra_env: dict[str, str] | None = None,
        logs: Path | None = None,
    ) -> None:
        self.logs = logs or Path(tempfile.mkdtemp(prefix="scale-out-"))
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.ports = ports
        self.front = front
        self.balancer: Balancer | None = None
        if redis_url is None:
            if not shutil.which("redis-server"):
                raise SystemExit("redis-server is missing (apt-get install redis-server) or pass --redis-url")
            redis_port = free_port()
            self._start("redis", ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"], {})
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
            self._wait_port(redis_port)
        self.redis_url = redis_url
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "false"),
            "DJANGO_SECURE": os.environ.get("DJANGO_SECURE", "false"),
            "DJANGO_SECRET_KEY": os.environ.get(
                "DJANGO_SECRET_KEY", "scale-out-demo-secret-key-0123456789-abcdefghijklmn"
            ),
            "DJANGO_ALLOWED_HOSTS": os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost"),
            "DJANGO_TRUSTED_PROXY_COUNT": "1",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.env.setdefault("FIELD_ENCRYPTION_KEYS", "pYxLw0Q7o7v6xqzHkqjJm8qAq3o5T0Gm6cXq6cS2Y0E=")

    def start(self, *, workers: int) -> None:
        for port in self.ports:
            argv = [str(ROOT / ".venv/bin/gunicorn"), "selfservice.wsgi", "--bind", f"127.0.0.1:{port}"]
            argv += ["--workers", "2", "--worker-class", "sync"]  # the README's production command
            self._start(f"web-{port}", argv, self.env)
        for i in range(workers):
            argv = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
            argv += ["--interval", "0.05", "--worker-id", f"worker-{i + 1}", "--queue-name", "*"]
            self._start(f"worker-{i + 1}", argv, self.env)
        for port in self.ports:
            self._wait_http(port)
        self.balancer = Balancer(self.front, self.ports)
        threading.Thread(target=self.balancer.serve_forever, daemon=True).start()

    def _start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            argv, cwd=ROOT, env=env or None, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def _wait_port(self, port: int) -> None:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"nothing listens on {port}; logs in {self.logs}")

    def _wait_http(self, port: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"the instance on {port} did not start; logs in {self.logs}")

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        if self.balancer is not None:
            self.balancer.shutdown()
            self.balancer.server_close()
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def running(**kwargs: object) -> Iterator[Stack]:
    workers = int(kwargs.pop("workers", 2))  # type: ignore[call-overload]
    stack = Stack(**kwargs)  # type: ignore[arg-type]
    try:
        stack.start(workers=workers)
        yield stack
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL"), required="DATABASE_URL" not in os.environ
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    parser.add_argument("--ports", type=int, nargs="+", default=[8801, 8802])
    parser.add_argument("--front", type=int, default=8800)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--settings", default="selfservice.settings")
    args = parser.parse_args()
    env = {**os.environ, "DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": args.settings}
    env.setdefault("DJANGO_DEBUG", "false")
    env.setdefault("DJANGO_SECRET_KEY", "scale-out-demo-secret-key-0123456789-abcdefghijklmn")
    env.setdefault("FIELD_ENCRYPTION_KEYS", "pYxLw0Q7o7v6xqzHkqjJm8qAq3o5T0Gm6cXq6cS2Y0E=")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    if args.settings == "selfservice.settings":
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    with running(
        database_url=args.database_url,
        redis_url=args.redis_url,
        ports=args.ports,
        front=args.front,
        workers=args.workers,
        settings_module=args.settings,
    ) as stack:
        print(f"http://127.0.0.1:{args.front}/ -> instances on {', '.join(map(str, args.ports))}; ", end="")
        print(f"{args.workers} db_worker processes; Redis {stack.redis_url}; logs in {stack.logs}. Ctrl-C stops.")
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
