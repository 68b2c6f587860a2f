"""Every POST form and every download, replayed with another company's ids.

For every customer route, in every state of its object (``portal/tests/states.py``: closed
subscriptions, rejected ports, credit notes, finished bulk jobs, ...), company A's admin:

- opens the page and collects its ``<form method=post>`` fields;
- sends each form to the same route with company B's object in the URL, and to each form's own
  action with B's object in the URL: 404 every time;
- sends each form to its own (A's) action with B's ids in the fields that carry ids (each alone,
  and all at once, as single values and as lists): 404 or a form error, never a redirect that
  reports success and never a 5xx;
- fetches every download (PDF, CSV, UBL, authorisation, attachment) with B's object: 404.

Afterwards company B's rows (and all that hangs off them) are exactly as before, and no row of A
points at a row of B.
"""

import re
from urllib.parse import urljoin, urlparse

import pytest
from django.urls import resolve, reverse

from portal.tests import states
from portal.tests.test_no_server_errors import (
    COMPANY_B_NAME,
    DEBUG,
    ROUTES,
    Walker,
    _html_forms,
    _own_url,
    cross_references,
    fresh,
    is_staff_route,
    looks_like_id,
    plausible,
    snapshot,
    world,  # noqa: F401 — the fixture
)

pytestmark = pytest.mark.django_db

CUSTOMER_ROUTES = [r for r in ROUTES if not is_staff_route(r)]
# Answers that refuse a forged id: not found, refused, or the form shown again with its errors.
REFUSED = {200, 400, 403, 404, 409, 422}
# Routes whose forms are known to carry object ids: the walk must find something to forge there, and
# (VERIFIES) a form that accepts A's own id, so that refusing B's is shown to be about B's id.
FORGES_IDS = {"tickets:create", "subscriptions:index", "numbers:flow_edit"}
VERIFIES = {"tickets:create"}
DOWNLOAD_TYPES = (
    "application/pdf",
    "text/csv",
    "application/xml",
    "text/xml",
    "application/json",
    "application/octet-stream",
)


def variants(route, factories, a_states, b_states, for_b):
    """``(state, A's kwargs, B's kwargs)`` for the route: its usual object, then one per state."""
    if not route.kwargs:
        return [("", {}, {})]
    found = [
        (
            "usual",
            {k: factories[k](states_company(a_states)) for k in route.kwargs},
            {k: for_b[k] for k in route.kwargs},
        )
    ]
    for kwarg in route.kwargs:
        for (state, a_value), (_, b_value) in zip(a_states.get(kwarg, []), b_states.get(kwarg, []), strict=True):
            a_kwargs = {**found[0][1], kwarg: a_value}
            b_kwargs = {**found[0][2], kwarg: b_value}
            found.append((state, a_kwargs, b_kwargs))
    return found


def states_company(a_states):
    return a_states["__company__"]


@pytest.fixture
def cross_world(world):  # noqa: F811
    personas, factories, for_b = world
    a_states = {**states.make(personas.company_a), "__company__": personas.company_a}
    b_states = states.make(personas.company_b)
    return personas, factories, for_b, a_states, b_states


def id_maps(a_states, b_states, a_kwargs, b_kwargs) -> dict[str, dict[str, str]]:
    """Per URL keyword (kind of object): A's ids to B's object of the same kind and state."""
    maps: dict[str, dict[str, str]] = {}
    for k, a in a_kwargs.items():
        if (b := b_kwargs.get(k)) is not None:
            maps.setdefault(k, {})[str(a)] = str(b)
    for kwarg, pairs in a_states.items():
        if kwarg == "__company__":
            continue
        for (_, a_value), (_, b_value) in zip(pairs, b_states[kwarg], strict=True):
            maps.setdefault(kwarg, {}).setdefault(str(a_value), str(b_value))
    return maps


# The tables whose ids forms carry, and the field names that say which table a field names.
ID_TABLES = [
    "subscriptions.Subscription",
    "subscriptions.BulkJob",
    "tickets.Ticket",
    "tickets.TicketMessage",
    "tickets.TicketAttachment",
    "invoicing.Invoice",
    "invoicing.EInvoiceRecipient",
    "numbering.PortRequest",
    "numbering.CallFlowVersion",
    "numbering.PhoneNumber",
]
NAME_HINTS = [
    ("subscription", "subscriptions.Subscription"),
    ("member", "subscriptions.Subscription"),
    ("ids", "subscriptions.Subscription"),
    ("invoice", "invoicing.Invoice"),
    ("port", "numbering.PortRequest"),
    ("ticket", "tickets.Ticket"),
    ("recipient", "invoicing.EInvoiceRecipient"),
    ("version", "numbering.CallFlowVersion"),
    ("message", "tickets.TicketMessage"),
    ("attachment", "tickets.TicketAttachment"),
    ("bulk_job", "subscriptions.BulkJob"),
    ("job", "subscriptions.BulkJob"),
]
GLOBAL_NAMES = ("target", "product", "add_ons", "assignee", "assigned_to", "user")  # not company-owned


def table_ids(company) -> dict[str, set[str]]:
    shot = snapshot(company)
    return {label: {str(row["id"]) for row in shot.get(label, [])} for label in ID_TABLES}


def b_candidates(name: str, own: list[str], a_ids: dict[str, set[str]], b_ids: dict[str, set[str]]) -> list[str]:
    """B's ids for a field: of the table its name names, else of every table that holds one of its
    values as an A id (less numbers that are A ids of any such table, which could be A's own rows)."""
    lowered = name.lower().rsplit("-", 1)[-1]
    if lowered in GLOBAL_NAMES:
        return []
    for hint, label in NAME_HINTS:
        if hint in lowered:
            return sorted(b_ids[label], key=int)
    every_a = set().union(*a_ids.values())
    found: set[str] = set()
    for label, ids in a_ids.items():
        if any(v in ids for v in own):
            found |= b_ids[label] - every_a
    return sorted(found, key=int)


SHELL_ACTIONS = (reverse("portal:switch_company"), reverse("accounts:set_language"))  # on every page


def _post_forms(url: str, response) -> list[tuple[str, dict, dict]]:
    found, seen = [], set()
    for form in _html_forms(response):
        if form["method"] != "post":
            continue
        target = _own_url(urljoin(url, form["action"])) if form["action"] else url
        if target is None or (target != url and target in SHELL_ACTIONS):
            continue
        key = (target, tuple(sorted(form["fields"])))
        if key in seen:
            continue
        seen.add(key)
        found.append((target, plausible(form), form["choices"]))
    return found


def _swap_paths(path: str, maps: dict[str, dict[str, str]]) -> list[str]:
    """The same route with B's object in place of A's (none when the path names no object of A)."""
    match = resolve(urlparse(path).path)
    swapped = {k: type(v)(maps.get(k, {}).get(str(v), v)) for k, v in match.kwargs.items()}
    return [reverse(match.view_name, kwargs=swapped)] if swapped != match.kwargs else []


def _accepted(response) -> bool:
    return response is not None and 300 <= response.status_code < 400


class CrossWalker(Walker):
    forged = 0  # requests that carried B's ids in form fields
    verified = 0  # of those, ones whose control (A's own id) was accepted

    def expect(self, method: str, url: str, data: dict | None, allowed: set[int], response) -> None:
        if response is not None and response.status_code not in allowed:
            shown = {
                k: (v[:30] if isinstance(v, str) else v) for k, v in (data or {}).items() if k != "csrfmiddlewaretoken"
            }
            self.failures.append(f"{method} {url} {shown!r}: {response.status_code}, expected one of {sorted(allowed)}")


def _forged_payloads(fields: dict, choices: dict, a_ids: dict[str, set[str]], b_ids: dict[str, set[str]]):
    """``(control, forged)`` pairs: the form's values with one id field set to A's own id (the control)
    and to B's ids (single, then a list); the other optional id fields left empty, so that a refusal is
    about the forged id. Last, every id field forged at once (no control)."""
    names = sorted({*fields, *choices} - {"csrfmiddlewaretoken"})
    id_names = [n for n in names if looks_like_id(n, choices) and not re.search(r"-([1-9]\d*|__prefix__)-", n)]
    forged: dict[str, list[str]] = {}
    own_value: dict[str, str] = {}
    for name in id_names:
        own = [v for v in [fields.get(name, ""), *choices.get(name, [])] if v.isdigit()]
        swapped = b_candidates(name, own, a_ids, b_ids)[-6:] if own else []
        if swapped:
            forged[name] = swapped
            own_value[name] = fields.get(name) if (fields.get(name) or "").isdigit() else own[0]
    optional = {n for n in forged if "" in choices.get(n, [])}
    for name, values in forged.items():
        base = {**fields, **dict.fromkeys(optional - {name}, "")}
        control = fresh({**base, name: own_value[name]})
        yield control, fresh({**base, name: values[-1]})
        if len(values) > 1:
            yield control, fresh({**base, name: values})
    if len(forged) > 1:
        yield None, fresh({**fields, **forged})


@pytest.mark.parametrize("route", CUSTOMER_ROUTES, ids=lambda r: r.name)
def test_forms_replayed_with_another_companys_ids_are_refused(route, cross_world, login):
    personas, factories, for_b, a_states, b_states = cross_world
    before = snapshot(personas.company_b)
    walker = CrossWalker(login(personas.admin_a), route.name, check_b_name=True)

    for state, a_kwargs, b_kwargs in variants(route, factories, a_states, b_states, for_b):
        a_url = reverse(route.name, kwargs=a_kwargs)
        maps = id_maps(a_states, b_states, a_kwargs, b_kwargs)
        page = walker.get(a_url)
        forms = _post_forms(a_url, page)
        # Forms that only a POST shows (a preview's "apply", a confirmation step): one level down.
        for target, fields, choices in list(forms):
            lists = {n: v for n, v in choices.items() if not fields.get(n) and len(v) > 1}  # a list's checkboxes
            every = {n: v for n, v in choices.items() if not fields.get(n)}  # and single ones ("all") too
            for ticked in ({**fields, **lists}, {**fields, **every}):
                shown = _post_forms(target, walker.post(target, fresh(ticked)))
                known = {(t, tuple(sorted(f))) for t, f, _c in forms}
                forms += [f for f in shown if (f[0], tuple(sorted(f[1]))) not in known]
        if DEBUG:
            print("FORMS", [(t, sorted(f)) for t, f, _c in forms])
        if route.kwargs:
            b_url = reverse(route.name, kwargs=b_kwargs)
            walker.expect("GET", b_url, None, {404}, walker.get(b_url))
            walker.expect("GET", b_url, None, {404}, walker.get(b_url, HX_Request="true"))
            walker.expect("POST", b_url, {}, {404}, walker.post(b_url, {}))
            for _target, fields, _choices in forms:
                walker.expect("POST", b_url, fields, {404}, walker.post(b_url, fresh(fields)))
        # Taken after the probes above, which may have made rows of A.
        a_ids, b_ids = table_ids(personas.company_a), table_ids(personas.company_b)
        for target, fields, choices in forms:
            for swapped in _swap_paths(target, maps):
                walker.expect("POST", swapped, fields, {404}, walker.post(swapped, fresh(fields)))
            for control, data in _forged_payloads(fields, choices, a_ids, b_ids):
                walker.forged += 1
                # A's own id accepted (a redirect) shows that a refusal of B's is about B's id.
                walker.verified += control is not None and _accepted(walker.post(target, control))
                walker.expect("POST", f"{target} [{state}]", data, REFUSED, walker.post(target, data))

    assert not walker.failures, "\n".join(walker.failures)
    if route.name in FORGES_IDS:
        assert walker.forged, f"{route.name}: no form field carried an id to forge (the form changed?)"
    if route.name in VERIFIES:
        assert walker.verified, f"{route.name}: no form accepted A's id to compare B's with (the form changed?)"
    after = snapshot(personas.company_b)
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, f"company B's rows changed in {changed}"
    assert not cross_references(personas.company_a, personas.company_b)


def _is_download(response) -> bool:
    if response is None or response.status_code != 200:
        return False
    kind = response.get("Content-Type", "")
    return "attachment" in response.get("Content-Disposition", "") or kind.startswith(DOWNLOAD_TYPES)


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_every_download_answers_404_to_another_company(cross_world, login):
    personas, factories, for_b, a_states, b_states = cross_world
    walker = Walker(login(personas.admin_a), "downloads", check_b_name=False)
    as_a = walker.client
    as_b = login(personas.outsider)
    downloads, failures = set(), walker.failures
    b_markers = [COMPANY_B_NAME.encode()]
    for route in CUSTOMER_ROUTES:
        for state, a_kwargs, b_kwargs in variants(route, factories, a_states, b_states, for_b):
            a_url = reverse(route.name, kwargs=a_kwargs)
            response = walker.get(a_url)
            if not _is_download(response):
                continue
            downloads.add(route.name)
            if not route.kwargs:
                # A company-wide download (CSV overview, call-flow export): B's ids in the query change nothing.
                query = {
                    "company": personas.company_b.pk,
                    "company_id": personas.company_b.pk,
                    "ids": list(map(str, [for_b[k] for k in for_b if isinstance(for_b[k], int)])),
                }
                body = _body(as_a.get(a_url, query))
                if any(marker in body for marker in b_markers):
                    failures.append(f"{route.name}?{query}: shows company B")
                continue
            b_url = reverse(route.name, kwargs=b_kwargs)
            for who, client, url in (("A", as_a, b_url), ("B", as_b, a_url)):
                answer = client.get(url)
                if answer.status_code != 404:
                    failures.append(f"{route.name} [{state}] {url} as {who}'s admin: {answer.status_code}")
    assert not failures, "\n".join(failures)
    # The walk found the downloads it is meant to guard (a renamed route would otherwise drop out).
    assert {
        "invoice:pdf",
        "invoice:details_csv",
        "invoice:ubl",
        "numbers:port_authorisation",
        "tickets:attachment",
        "subscriptions:export",
    } <= downloads, downloads
