import pytest

from subscriptions.catalogue import ensure_catalogue
from subscriptions.models import NumberPool


@pytest.fixture
def catalogue(db):
    products = ensure_catalogue()
    NumberPool.objects.bulk_create([NumberPool(phone_number=f"+4542{n:06d}") for n in range(100000, 100010)])
    return products
