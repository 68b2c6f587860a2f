"""A port request's status reasons in the reader's language.

The standard reasons ("Created", "Submitted", "Scheduled for …") are stored as text in the language of
whoever caused the change (the demo data in Danish); they are shown again in the reader's language.
Reasons people typed (a rejection, a cancellation) are shown as written.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

STANDARD_REASONS: tuple[Promise, ...] = (
    _("Created"),
    _("Submitted"),
    _("Resubmitted after correction"),
    _("Cancelled by the customer"),
    _("Sent to the current operator"),
)
SCHEDULED = _("Scheduled for %(when)s")


@lru_cache(maxsize=1)
def _known() -> tuple[dict[str, Promise], list[re.Pattern[str]]]:
    texts: dict[str, Promise] = {}
    scheduled: list[re.Pattern[str]] = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for reason in STANDARD_REASONS:
                texts[str(reason)] = reason
            prefix, _sep, suffix = str(SCHEDULED).partition("%(when)s")
            scheduled.append(re.compile(f"^{re.escape(prefix)}(?P<when>.+){re.escape(suffix)}$"))
    return texts, scheduled


def localise_reason(text: str) -> str:
    if not text:
        return ""
    texts, scheduled = _known()
    if text in texts:
        return str(texts[text])
    for pattern in scheduled:
        match = pattern.match(text)
        if match:
            return str(SCHEDULED) % {"when": match.group("when")}
    return text
