"""The basket: kept in the session, per company (an admin of two companies has two baskets).

It holds ids and quantities only; prices and stock are read again when it is shown and when the
order is placed (under row locks), so a stale basket can never order at an old price."""

from dataclasses import asdict, dataclass

from django.http import HttpRequest

from companies.models import Company
from products.actions import WantedLine
from products.models import Item
from subscriptions.models import Subscription

SESSION_KEY = "products_basket"
MAX_LINES = 30


@dataclass(frozen=True)
class BasketRow:
    index: int
    line: WantedLine
    item: Item
    subscription: Subscription | None

    @property
    def amount(self) -> int:
        return self.item.price * self.line.quantity


def lines(request: HttpRequest, company: Company) -> list[WantedLine]:
    stored = request.session.get(SESSION_KEY, {}).get(str(company.pk), [])
    found = []
    for entry in stored if isinstance(stored, list) else []:
        try:
            found.append(WantedLine(**entry))
        except TypeError:
            continue
    return found


def _save(request: HttpRequest, company: Company, wanted: list[WantedLine]) -> None:
    baskets = dict(request.session.get(SESSION_KEY, {}))
    baskets[str(company.pk)] = [asdict(w) for w in wanted]
    request.session[SESSION_KEY] = baskets


def add(request: HttpRequest, company: Company, line: WantedLine) -> bool:
    wanted = lines(request, company)
    if len(wanted) >= MAX_LINES:
        return False
    _save(request, company, [*wanted, line])
    return True


def remove(request: HttpRequest, company: Company, index: int) -> None:
    wanted = lines(request, company)
    if 0 <= index < len(wanted):
        del wanted[index]
        _save(request, company, wanted)


def clear(request: HttpRequest, company: Company) -> None:
    _save(request, company, [])


def rows(request: HttpRequest, company: Company) -> list[BasketRow]:
    """The basket with its items and subscriptions (two queries); lines whose item left the catalogue drop out."""
    wanted = lines(request, company)
    items = Item.objects.filter(pk__in={w.item_id for w in wanted}, is_active=True).in_bulk()
    subs = Subscription.objects.for_company(company).in_bulk({w.subscription_id for w in wanted if w.subscription_id})
    return [
        BasketRow(index=i, line=w, item=items[w.item_id], subscription=subs.get(w.subscription_id or 0))
        for i, w in enumerate(wanted)
        if w.item_id in items
    ]
