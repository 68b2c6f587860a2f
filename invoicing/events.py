"""What happens to invoices (``registry.events``), so the modules that issue them need not import the tasks.

``invoicing.billing`` (the billing run) and ``invoicing.actions`` (credit notes) publish ``InvoiceIssued``
in the transaction that issues the invoice; ``invoicing.tasks.queue_documents`` (subscribed in
``InvoicingConfig.ready``) queues its PDF and eInvoice in that same transaction, so an issued
invoice always gets them, whatever crashes after the commit.
"""

import datetime as dt
from dataclasses import dataclass

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
