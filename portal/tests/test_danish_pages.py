"""Every page a Danish admin (or Danish staff member) can open reads in Danish: no English leftovers.

Walks every GET route of the portal's own apps, and the re-rendered form after an empty POST,
with the user's language set to Danish, and looks for common English words in the visible
text, titles, placeholders and labels for screen readers.
"""

import html
import re

import pytest
from django.urls import reverse

from portal.testing import portal_routes, url_kwarg_factories

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(
    r"\b(the|and|your|you|with|this|that|save|cancel|search|back|delete|edit|submit|next|previous|amount|"
    r"download|created|description|subject|reply|apply|preview|page|yes|required|field|please|select|choose|"
    r"number|date|name|show|none|from|will|must|should|each|every|when|which|what|there|here|all|no|of|is|are)\b",
    re.IGNORECASE,
)
ROUTES = portal_routes()


DATE_TIME_INPUT = re.compile(r"<input\b[^>]*\btype=\"(date|time)\"[^>]*>")
VALUE = re.compile(r'\bvalue="([^"]*)"')
ISO = {"date": re.compile(r"\d{4}-\d{2}-\d{2}"), "time": re.compile(r"\d{2}:\d{2}(:\d{2})?")}


def non_iso_date_inputs(page: str) -> list[str]:
    """Date and time inputs whose value the browser cannot read (it only takes ISO, in every language)."""
    bad = []
    for match in DATE_TIME_INPUT.finditer(page):
        value = VALUE.search(match.group(0))
        if value and value.group(1) and not ISO[match.group(1)].fullmatch(value.group(1)):
            bad.append(match.group(0))
    return bad


DESCRIBED_BY = re.compile(r'\baria-describedby="([^"]*)"')
DANISH_DATE_HINT = re.compile(r"Dag, måned, år, fx \d{2}\.\d{2}\.\d{4}")


def date_inputs_without_a_danish_hint(page: str) -> list[str]:
    """Date inputs with no visible hint of the page's date format tied to them (the browser draws the field in
    its own locale, and without a date picker it is a plain text box)."""
    bad = []
    for match in DATE_TIME_INPUT.finditer(page):
        if match.group(1) != "date":
            continue
        described = DESCRIBED_BY.search(match.group(0))
        ids = described.group(1).split() if described else []
        hints = [re.search(rf'id="{re.escape(i)}"[^>]*>([^<]*)<', page) for i in ids]
        if not any(hint and DANISH_DATE_HINT.fullmatch(hint.group(1).strip()) for hint in hints):
            bad.append(match.group(0))
    return bad


ISO_IN_TEXT = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b")


def iso_dates_in_text(page: str) -> list[str]:
    """Visible text with a date or billing period written as ISO ('2027-01-02', '2026-11'): Danish pages write
    '02.01.2027' and 'november 2026' (common.formats)."""
    page = re.sub(r"<(script|style|pre|code)\b.*?</\1>", "", page, flags=re.S)
    texts = [t.strip() for t in re.findall(r">([^<>]+)<", page)]
    # Staff forms and file imports give an example of what to type or upload ("ÅÅÅÅ-MM, f.eks. 2026-11").
    return sorted({t for t in texts if ISO_IN_TEXT.search(t) and "f.eks." not in t})


def english_leftovers(page: str) -> list[str]:
    page = re.sub(r"<(script|style|pre|code)\b.*?</\1>", "", page, flags=re.S)
    texts = re.findall(r">([^<>]+)<", page)
    texts += re.findall(r'(?:placeholder|aria-label|title)="([^"]+)"', page)
    found = set()
    for text in texts:
        text = html.unescape(text).strip()
        if text and "@" not in text and ENGLISH.search(text):
            found.add(text)
    return sorted(found)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_it_renders_every_page_in_danish(route, personas, login):
    from subscriptions.catalogue import ensure_catalogue

    ensure_catalogue()
    factories = url_kwarg_factories()
    user = personas.staff if "staff" in route.name.split(":")[1] else personas.admin_a
    user.language = "da"
    user.save()
    url = reverse(route.name, kwargs={k: factories[k](personas.company_a) for k in route.kwargs})
    client = login(user)
    leftovers = {}
    for method in ("get", "post"):
        response = getattr(client, method)(url, {})
        if response.status_code not in (200, 400) or "html" not in response.get("Content-Type", ""):
            continue
        found = english_leftovers(response.content.decode())
        if found:
            leftovers[method.upper()] = found
        bad_inputs = non_iso_date_inputs(response.content.decode())
        assert not bad_inputs, f"{url}: date/time inputs the browser shows empty: {bad_inputs}"
        iso = iso_dates_in_text(response.content.decode())
        assert not iso, f"{url}: ISO dates or periods in the text: {iso}"
        unexplained = date_inputs_without_a_danish_hint(response.content.decode())
        assert not unexplained, f"{url}: date inputs without a hint of the Danish date format: {unexplained}"
    assert not leftovers, f"{url}: English left in {leftovers}"


@pytest.mark.parametrize("name", ["account_login", "account_reset_password", "account_change_password"])
def test_danish_sign_in_pages_say_adgangskode_not_password(name, personas, login, client):
    personas.admin_a.language = "da"
    personas.admin_a.save()
    if name == "account_change_password":
        client = login(personas.admin_a)
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="da")
    texts = [
        html.unescape(t)
        for t in re.findall(
            r">([^<>]+)<", re.sub(r"<(script|style)\b.*?</\1>", "", response.content.decode(), flags=re.S)
        )
    ]
    assert "Skift adgangskode" in " ".join(texts) or name != "account_change_password"
    assert not [t for t in texts if "password" in t.lower()], texts
