"""Demo data: the foundation creates companies and admins; each area adds its own.

An area app registers a seeder in its AppConfig.ready(). Seeders must be
idempotent: running the command twice leaves the same data.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User
    from companies.models import Company


@dataclass
class DemoContext:
    companies: dict[str, "Company"]
    users: dict[str, "User"]
    subscriptions: int  # for the largest company; the others get a few
    tickets: int
    rng: random.Random
    log: Callable[[str], None] = print
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Seeder:
    name: str
    run: Callable[[DemoContext], None]
    order: int = 100


_seeders: list[Seeder] = []


def register_seeder(seeder: Seeder) -> None:
    if all(s.name != seeder.name for s in _seeders):
        _seeders.append(seeder)


def seeders() -> list[Seeder]:
    return sorted(_seeders, key=lambda s: s.order)


def cvr_with_check(prefix: str) -> str:
    """A valid CVR number from seven digits (the mod-11 check makes the eighth).

    Returns the next valid number at or after the prefix, since some seven-digit
    prefixes have no valid check digit.
    """
    weights = (2, 7, 6, 5, 4, 3, 2)
    number = int(prefix)
    while True:
        digits = f"{number:07d}"
        remainder = sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11
        check = (11 - remainder) % 11
        if check < 10:
            return digits + str(check)
        number += 1
