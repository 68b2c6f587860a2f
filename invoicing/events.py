"""What happens to invoices (``registry.events``), so the modules that issue them need not import the tasks.

``invoicing.billing`` (the billing run) and ``invoicing.actions`` (credit notes) publish ``InvoiceIssued``
in the transaction that issues the invoice; ``invoicing.tasks.queue_documents`` (subscribed in
``InvoicingConfig.ready``) queues its PDF and eInvoice in that same transaction, so an issued
invoice always gets them, whatever crashes after the commit.
"""

import datetime as dt
from dataclasses import dataclass

from audit.actor import Actor
from companies.models import Company
from registry.events import Event


@dataclass(frozen=True, kw_only=True)
class InvoiceIssued(Event):
    """An invoice or a credit note got its number: it is final."""

    invoice_id: int
    # Whose it is, so a listener that does not care about this company needs no query to find out.
    company_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class UsageImported(Event):
    """A usage file's records were stored (published in the import's transaction, after the last row).

    A listener (``usage.aggregates``) reads the batch's records with set-based statements; what it
    writes commits or rolls back with the import, so totals never count a file that was not imported.
    """

    batch_id: int
    # (company id, subscription id, first day of the month) of every stored record, for listeners'
    # events; the import collects them as it goes, so no listener has to scan the records for them.
    touched: frozenset[tuple[int, int, dt.date]] = frozenset()


@dataclass(frozen=True, kw_only=True)
class ChargesWithdrawn(Event):
    """An area above takes back ``part`` (numerator, denominator) of the charges it raised under ``source``,
    e.g. 1 of 2 returned phones on an instalment plan.

    Invoicing (``invoicing.actions.on_charges_withdrawn``) reduces the charges not yet invoiced by that
    share (deleting those that reach 0) and credits the share of what was already invoiced with one
    negative charge worded ``credit_description``, so the share costs nothing over the whole plan.
    ``key`` is unique: the same withdrawal published twice changes nothing the second time. Handlers
    report ``{"withdrawal": id, "credited": n, "cancelled": n, "reduced": n, "credit": øre, "withdrawn": øre,
    "found": n}`` (``"found": 0`` alone when the source has no charges; ``"repeated": 1`` for a known key).
    """

    company: Company
    source: str
    key: str
    part: tuple[int, int]
    credit_description: str
    by: Actor
