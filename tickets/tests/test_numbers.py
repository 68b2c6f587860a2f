import pytest

from tickets.models import TicketNumberSequence

pytestmark = pytest.mark.django_db


def test_it_counts_per_year():
    assert TicketNumberSequence.next_number(2026) == "T-2026-000001"
    assert TicketNumberSequence.next_number(2026) == "T-2026-000002"
    assert TicketNumberSequence.next_number(2027) == "T-2027-000001"


def test_it_keeps_six_digits_and_grows_beyond():
    TicketNumberSequence.objects.create(year=2026, last_value=999999)
    assert TicketNumberSequence.next_number(2026) == "T-2026-1000000"
