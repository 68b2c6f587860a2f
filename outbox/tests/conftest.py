import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SINK_SCRIPT = Path(__file__).with_name("smtp_sink.py")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    """A real SMTP server process on a local port; down until started."""

    def __init__(self, log: Path) -> None:
        self.port = _free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, mode: str = "accept") -> None:
        self.stop()
        self.process = subprocess.Popen(
            [sys.executable, str(SINK_SCRIPT), str(self.port), str(self.log), mode], stdout=subprocess.PIPE
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == b"ready"

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def received(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def transport(self) -> dict:
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": self.port, "use_tls": False, "timeout": 5},
        }


@pytest.fixture
def sink(tmp_path, settings):
    server = Sink(tmp_path / "received.jsonl")
    settings.MAILERS = {**settings.MAILERS, "outbox_transport": server.transport()}
    yield server
    server.stop()
