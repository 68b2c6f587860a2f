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
    settings.MAILERS = {
        **settings.MAILERS,
        "outbox_transport": {"BACKEND": "invoicing.tests.conftest.FailingEmailBackend"},
    }
    return settings


class RejectingEmailBackend(FailingEmailBackend):
    """A mail server that refuses the address for good (SMTP 550)."""

    def send_messages(self, messages) -> int:
        import smtplib

        raise smtplib.SMTPRecipientsRefused({m: (550, b"5.1.1 No such mailbox") for m in messages[0].recipients()})


@pytest.fixture
def rejecting_smtp(settings):
    settings.MAILERS = {
        **settings.MAILERS,
        "outbox_transport": {"BACKEND": "invoicing.tests.conftest.RejectingEmailBackend"},
    }
    return settings
