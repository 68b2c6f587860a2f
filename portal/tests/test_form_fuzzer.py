"""A seeded fuzzer over every form of every route: no 5xx, and another company's data never changes.

Every route is opened as company A's admin (staff routes as operator staff), once per state of
its object (``portal/tests/states.py``). Each form found on the page (POST and GET) is sent with
its own values, one field at a time mutated ``FUZZ_EXAMPLES`` times (default 2) by a mutator
seeded with ``FUZZ_SEED`` and the route's name, so a failure is reproduced by the same seed:

    FUZZ_SEED=7 FUZZ_EXAMPLES=20 .venv/bin/python -m pytest portal/tests/test_form_fuzzer.py -k invoice

Mutations: empty, 100,000 characters, NUL bytes, unicode (combining marks, right-to-left override,
emoji, CJK), huge and negative numbers, NaN and infinities, impossible dates and times, a missing
field, a repeated field; and per form: everything empty, everything missing.
"""

import datetime
import os
import random

import pytest
from django.urls import reverse

from portal.tests import states
from portal.tests.test_no_server_errors import (
    ROUTES,
    Walker,
    _html_forms,
    _own_url,
    _shell_forms,
    cross_references,
    fresh,
    is_staff_route,
    plausible,
    snapshot,
    world,  # noqa: F401 — the fixture
)

pytestmark = pytest.mark.django_db

SEED = int(os.environ.get("FUZZ_SEED", "20261203"))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
MISSING = object()  # the field is left out
REPEATED = object()  # the field is sent several times

VALUES = [
    "",
    " ",
    "x" * 100_000,
    "\x00",
    "a\x00b",
    "\x00" * 300,
    "ÆØÅ æøå",
    "e\u0301\u0301\u0301 \u202egnp.exe \u200b\ufeff",
    "🙂" * 500,
    "日本語のテキスト",
    "9" * 40,
    "-9" + "9" * 30,
    "-1",
    "0",
    "-0.0000001",
    "1e308",
    "-1e308",
    "NaN",
    "Infinity",
    "2147483648",
    "9223372036854775808",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "31.02.2026",
    "24:61",
    "2026-02-30T25:61",
    "<script>alert(1)</script>",
    "%s%n{0}{{x}}",
    "../../../../etc/passwd",
]
STRUCTURE = [MISSING, REPEATED]


def mutations(rng: random.Random, count: int) -> list:
    return rng.sample([*VALUES, *STRUCTURE], k=min(count, len(VALUES) + len(STRUCTURE)))


def mutate(fields: dict, name: str, mutation, rng: random.Random) -> dict:
    data = dict(fields)
    if mutation is MISSING:
        data.pop(name, None)
    elif mutation is REPEATED:
        data[name] = [fields.get(name, ""), rng.choice(VALUES), rng.choice(VALUES)]
    else:
        data[name] = mutation
    return data


def _forms(url: str, response, shell_targets: set[str]) -> list[tuple[str, str, dict]]:
    """``(method, target, the form's own values)`` for each form whose action is ours."""
    from urllib.parse import urljoin

    found, seen = [], set()
    for form in _html_forms(response):
        target = _own_url(urljoin(url, form["action"])) if form["action"] else url
        if target is None or (target != url and target in shell_targets):
            continue
        key = (form["method"], target, tuple(sorted(form["fields"])))
        if key in seen:
            continue
        seen.add(key)
        found.append((form["method"], target, plausible(form)))
    return found


def fuzz_page(walker: Walker, url: str, rng: random.Random, shell_targets: set[str]) -> None:
    page = walker.get(url)
    for method, target, fields in _forms(url, page, shell_targets):
        send = walker.post if method == "post" else walker.get
        names = [n for n in fields if n != "csrfmiddlewaretoken"]
        send(target, {n: "" for n in fields})
        send(target, {k: v for k, v in fields.items() if k == "csrfmiddlewaretoken"})
        for name in names:
            for mutation in mutations(rng, EXAMPLES):
                data = mutate(fields, name, mutation, rng)
                send(target, fresh(data) if method == "post" else data)


def _urls(route, factories, a_states) -> list[str]:
    company = a_states["__company__"]
    if not route.kwargs:
        return [reverse(route.name)]
    usual = {k: factories[k](company) for k in route.kwargs}
    urls = [reverse(route.name, kwargs=usual)]
    for kwarg in route.kwargs:
        urls += [reverse(route.name, kwargs={**usual, kwarg: value}) for _, value in a_states.get(kwarg, [])]
    return urls


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_fuzzed_forms_never_answer_5xx_nor_touch_another_company(route, world, login):  # noqa: F811
    personas, factories, _for_b = world
    a_states = {**states.make(personas.company_a), "__company__": personas.company_a}
    states.make(personas.company_b)  # B has rows in every state too, for a change to show up in
    before = snapshot(personas.company_b)
    user = personas.staff if is_staff_route(route) else personas.admin_a
    walker = Walker(login(user), route.name, check_b_name=not is_staff_route(route))
    shell_targets = set(_shell_forms(login(personas.admin_a)))
    rng = random.Random(f"{SEED}:{route.name}")
    for url in _urls(route, factories, a_states):
        fuzz_page(walker, url, rng, shell_targets)

    assert walker.requests > 0
    assert not walker.failures, f"FUZZ_SEED={SEED} FUZZ_EXAMPLES={EXAMPLES}\n" + "\n".join(walker.failures)
    after = snapshot(personas.company_b)
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, f"company B's rows changed in {changed} (FUZZ_SEED={SEED})"
    assert not cross_references(personas.company_a, personas.company_b)


def test_the_mutator_is_reproducible_and_covers_every_kind():
    first = [mutations(random.Random(f"{SEED}:x"), 5) for _ in range(3)]
    assert first[0] == first[1] == first[2]
    assert any(len(v) == 100_000 for v in VALUES if isinstance(v, str))
    assert any("\x00" in v for v in VALUES)
    for date in ("2026-02-30", "0000-00-00"):
        with pytest.raises(ValueError):
            datetime.date.fromisoformat(date)


def _theirs_not(company, limit: list[str]) -> list[tuple]:
    """Company A's subscriptions outside the limit, as the fuzzer must leave them."""
    from subscriptions.models import Subscription

    return list(
        Subscription.objects.filter(company=company)
        .exclude(cost_centre__in=limit)
        .order_by("pk")
        .values_list("pk", "cost_centre", "status", "product_id", "user_name", "email", "end_date", "updated_at")
    )


def _a_subscriptions(company) -> list[tuple]:
    from subscriptions.models import Subscription

    return list(
        Subscription.objects.filter(company=company)
        .order_by("pk")
        .values_list("pk", "cost_centre", "status", "product_id", "user_name", "email", "end_date", "updated_at")
    )


GRANT_KINDS = ["limited", "read_only_subscriptions"]


@pytest.mark.parametrize("kind", GRANT_KINDS)
@pytest.mark.parametrize("route", [r for r in ROUTES if not is_staff_route(r)], ids=lambda r: r.name)
def test_fuzzed_forms_as_a_limited_or_read_only_admin(route, kind, world, login):  # noqa: F811
    """The same fuzzer as a department head limited to the cost centre "Salg" (the states' subscriptions are
    theirs; rows of other cost centres must never change), and as an admin with full access everywhere except
    Subscriptions, held read-only (no subscription may change)."""
    from companies.tests.factories import MembershipFactory
    from registry.areas import registry
    from subscriptions.tests.factories import SubscriptionFactory

    personas, factories, _for_b = world
    a_states = {**states.make(personas.company_a), "__company__": personas.company_a}
    states.make(personas.company_b)
    for centre in ("Lager", ""):
        SubscriptionFactory(company=personas.company_a, cost_centre=centre, user_name=f"Fremmed {centre}")
    if kind == "limited":
        user = MembershipFactory(
            company=personas.company_a, areas=["subscriptions", "invoice"], cost_centres=["Salg"]
        ).user
        kept = lambda: _theirs_not(personas.company_a, ["Salg"])  # noqa: E731
    else:
        user = MembershipFactory(
            company=personas.company_a, areas=registry.keys(), read_only_areas=["subscriptions"]
        ).user
        kept = lambda: _a_subscriptions(personas.company_a)  # noqa: E731
    urls = _urls(route, factories, a_states)  # the URL factories make rows: before the snapshots
    before_b, before_a = snapshot(personas.company_b), kept()
    walker = Walker(login(user), route.name, check_b_name=True)
    shell_targets = set(_shell_forms(login(user)))
    rng = random.Random(f"{SEED}:{kind}:{route.name}")
    for url in urls:
        fuzz_page(walker, url, rng, shell_targets)
    assert walker.requests > 0
    assert not walker.failures, f"FUZZ_SEED={SEED} FUZZ_EXAMPLES={EXAMPLES}\n" + "\n".join(walker.failures)
    assert snapshot(personas.company_b) == before_b
    assert kept() == before_a, f"subscriptions the {kind} admin may not change changed (FUZZ_SEED={SEED})"
