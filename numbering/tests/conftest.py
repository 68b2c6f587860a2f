import datetime

import pytest
from django.utils import timezone

from audit.actor import Actor


@pytest.fixture
def actor(personas):
    return Actor(user=personas.admin_a, ip_address="192.0.2.10")


@pytest.fixture
def staff_actor(personas):
    return Actor(user=personas.staff, ip_address="198.51.100.7")


@pytest.fixture
def on_day(monkeypatch):
    """Makes "today" a given date for the porting-date rule."""

    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)

    return set_today


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
