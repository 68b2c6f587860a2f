import pytest

from audit.actor import Actor


class FailingEmailBackend:
    """A mail server that is down: every send raises, like smtplib does."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError("SMTP server unavailable")

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def system() -> Actor:
    return Actor.system("test")


@pytest.fixture
def failing_smtp(settings):
    settings.MAILERS = {**settings.MAILERS,
                        "outbox_transport": {"BACKEND": "invoicing.tests.conftest.FailingEmailBackend"}}
    return settings
