"""The portal's shell (top menu, company switcher, settings menu, language forms), rendered once and kept.

The shell is the same on every page an admin opens in one company and one part of the portal, yet it was
some 150 template nodes per request. ``render_shell`` renders ``portal/shell.html`` once per key and keeps
the HTML in this process; the key holds everything the shell shows:

- the user (id, when they joined, e-mail, staff or not) and ``User.access_version``, which ``companies.signals`` bumps in the
  transaction of every change to the user's memberships (grants, areas, access) and to their companies
  (name, CVR, parent, two-factor rule): the user row is loaded by every request anyway, so the version costs
  nothing to read and a change shows on the very next request, in every process;
- the active company, the language, the area (URL namespace) the page belongs to (the highlighted menu
  item), and the areas' registry (``registry.fingerprint()``: a new area shows at once).

What differs per request is never kept: the CSRF token and the current path (the "next" of the company
switcher and the language forms) are rendered as markers and spliced in afterwards. (The CSP nonce is not in
the shell; the scripts below it carry it.) The shell shows nothing from the subscription catalogue, so the
catalogue's version is not part of the key.
"""

import secrets
import threading
from collections import OrderedDict
from html import escape
from typing import Any

from django.template import Context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from registry.areas import registry

TEMPLATE = "portal/shell.html"
MAX_ENTRIES = 2000  # ~5-40 kB each (an admin of 200 companies has a long switcher)
# Random per process, so no company name or e-mail address can contain them.
_MARK = secrets.token_hex(8)
CSRF_MARK = f"csrf{_MARK}"
PATH_MARK = f"path{_MARK}"
FULL_PATH_MARK = f"full{_MARK}"

_kept: "OrderedDict[tuple[Any, ...], str]" = OrderedDict()
_lock = threading.Lock()


def shell_key(request: Any) -> tuple[Any, ...]:
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    membership = getattr(request, "membership", None)
    if user is not None and user.is_authenticated:
        # date_joined: a test database that hands out an id again hands out a new user, not the old one's shell.
        who: tuple[Any, ...] = (user.pk, user.date_joined, user.access_version, user.email, user.is_staff)
    else:
        who = (None,)
    return (
        *who,
        membership.company_id if membership is not None else None,
        get_language(),
        match.namespace if match is not None else None,
        match is not None and match.url_name == "overview",
        registry.fingerprint(),
    )


def render_shell(context: Context) -> SafeString:
    request = context.get("request")
    token = context.get("csrf_token")
    path = request.path if request is not None else ""
    full_path = request.get_full_path() if request is not None else ""
    template = get_template(TEMPLATE).template  # type: ignore[attr-defined]  # the backend's Template
    if request is None or not token or token == "NOTPROVIDED":  # {% csrf_token %} renders no field: nothing kept
        with context.push(shell_path=path, shell_full_path=full_path):
            return mark_safe(template.render(context))  # rendered (escaped) by the template
    key = shell_key(request)
    with _lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
    if html is None:
        with context.push(csrf_token=CSRF_MARK, shell_path=PATH_MARK, shell_full_path=FULL_PATH_MARK):
            html = str(template.render(context))
        with _lock:
            _kept[key] = html
            while len(_kept) > MAX_ENTRIES:
                _kept.popitem(last=False)
    return mark_safe(  # escaped when rendered; the spliced values are escaped here
        html.replace(CSRF_MARK, escape(str(token)))
        .replace(FULL_PATH_MARK, escape(full_path))
        .replace(PATH_MARK, escape(path))
    )


def forget() -> None:
    """Drop every kept shell (tests)."""
    with _lock:
        _kept.clear()
