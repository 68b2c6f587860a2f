"""bin/demo's launcher (bin/demo-servers) stops everything it started when it is stopped."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc), however deep."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds  # a deadline for waiting, not an assertion about speed
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _serving(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_sigterm_stops_the_web_server_and_the_worker(tmp_path):
    port = _free_port()
    env = {**os.environ, "DEMO_PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    launcher = subprocess.Popen(
        [str(ROOT / "bin/demo-servers")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    started: set[int] = set()
    try:
        assert _wait_for(lambda: _serving(port), 120), "runserver did not start"
        started = _descendants(launcher.pid)
        assert len(started) >= 3  # the worker, runserver and runserver's reloader child
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=60)
        assert _wait_for(lambda: not any(_alive(pid) for pid in started), 30), "a child outlived bin/demo"
        assert not _serving(port)
    finally:
        for pid in [launcher.pid, *started]:  # never leave a server behind, even when the test fails
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        launcher.wait(timeout=10)
