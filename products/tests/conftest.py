import pytest

from audit.actor import Actor


@pytest.fixture
def actor(personas):
    return Actor(user=personas.admin_a, label=personas.admin_a.email)
