"""The bulk-update bar of the subscriptions list: what it shows for a page, and for a bulk form with errors.

The list posts the bar to ``subscriptions:bulk``; a form with errors comes back to the list page (not a
page of its own), with each error beside its field and the ticked rows still ticked. Without JavaScript
the bar shows every action's fields; ``subscriptions.js`` shows only the chosen action's and hides the
bar until a row is ticked.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from subscriptions.forms import BulkForm

# The fields each action needs (the others are left out of the form while JavaScript runs).
ACTION_FIELDS = {
    "cancel": ("end_date", "reason"),
    "change_product": ("target",),
    "cost_centre": ("cost_centre_value",),
}
BAR_FIELDS = {name for names in ACTION_FIELDS.values() for name in names}


@dataclass
class BulkBar:
    action: str = "cancel"
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)  # per field of the bar
    general_errors: list[str] = field(default_factory=list)  # nothing ticked, an unknown action, bad ids
    ticked: set[int] = field(default_factory=set)  # ids ticked on the page shown
    ticked_elsewhere: list[int] = field(default_factory=list)  # ticked ids not on that page: kept as hidden fields
    all: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.general_errors)

    @property
    def is_empty(self) -> bool:
        """Nothing ticked, no values, no errors: the same panel for every page of that count (list.html keeps it)."""
        return self == BulkBar()

    @property
    def count(self) -> int:
        return len(self.ticked) + len(self.ticked_elsewhere)


def _ids(values: Iterable[Any]) -> list[int]:
    ids = []
    for value in values:
        text = str(value).strip()
        if text.isdigit() and len(text) < 19:
            ids.append(int(text))
    return ids


def bar_context(form: BulkForm | None, rows: Iterable[Any]) -> BulkBar:
    """The bar for a list page: empty, or as a bulk form with errors left it."""
    if form is None or not form.is_bound:
        return BulkBar()
    data = form.data
    action = data.get("action", "")
    on_page = {row.pk for row in rows}
    chosen = list(dict.fromkeys(_ids(data.getlist("ids"))))  # type: ignore[attr-defined]  # a QueryDict
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items() if name in BAR_FIELDS}
    general = [str(m) for name, messages in form.errors.items() if name not in BAR_FIELDS for m in messages]
    return BulkBar(
        action=action if action in ACTION_FIELDS else "cancel",
        values={name: str(data.get(name, "")) for name in BAR_FIELDS},
        errors=errors,
        general_errors=general,
        ticked={pk for pk in chosen if pk in on_page},
        ticked_elsewhere=[pk for pk in chosen if pk not in on_page][:1000],
        all=data.get("all") == "on",
    )
