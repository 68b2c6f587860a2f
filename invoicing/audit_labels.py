"""Invoices and one-off charges named in the activity log in the reader's language (see ``audit.labels``)."""

from invoicing.models import Charge, Invoice


def _ids(target_ids: list[str]) -> list[int]:
    return [int(value) for value in target_ids if value.isdigit()]


def invoice_labels(target_ids: list[str]) -> dict[str, str]:
    """'Faktura 100060' on the Danish page, 'Invoice 100060' on the English one."""
    rows = Invoice.objects.unscoped().filter(pk__in=_ids(target_ids)).values_list("pk", "category", "number")
    categories = dict(Invoice.Category.choices)
    return {str(pk): f"{categories.get(category, category)} {number}" for pk, category, number in rows}


def charge_labels(target_ids: list[str]) -> dict[str, str]:
    """A catalogue fee's name in the reader's language ('eSIM-profil'); a free-text charge as written."""
    charges = Charge.objects.unscoped().filter(pk__in=_ids(target_ids)).select_related("fee")
    return {str(c.pk): c.fee.display_name if c.fee is not None else c.description for c in charges}
