"""Writes on subscriptions: atomic, validated, one audit event each, split by topic (as zulip's
``zerver/actions``). Callers import from here; the modules are:

- ``base``: the open statuses, the row lock, the notice rules
- ``lifecycle``: details, type changes, blocks, suspension, activation, cancellation, the daily roll-over
- ``add_ons``: add-on previews and changes
- ``fees``: the catalogue's one-off fees and charging them
- ``sim``: PIN/PUK reveal and SIM orders
- ``create``: a new subscription from the guide
- ``bulk``: bulk previews, bulk updates and the body of a bulk job's task
- ``bulk_submit``: the page's "Apply changes": at once, or queued as a bulk job
"""

from subscriptions.actions.add_ons import AddOnChange, allowed_add_ons, change_add_ons, preview_add_ons
from subscriptions.actions.base import DETAIL_FIELDS, OPEN, earliest_cancel_date, first_of_next_month
from subscriptions.actions.bulk import (
    BulkConflict,
    BulkPreview,
    apply_bulk,
    fail_bulk_job,
    preview_bulk,
    run_bulk_job,
)
from subscriptions.actions.bulk_submit import start_bulk_job, submit_bulk
from subscriptions.actions.create import NewSubscription, create_subscription
from subscriptions.actions.fees import ESIM_FEE, REPLACEMENT_FEE, SETUP_FEE, SIM_FEE, guide_fees, sim_order_fee
from subscriptions.actions.lifecycle import (
    ProductChange,
    activate_after_port,
    apply_due_changes,
    cancel,
    change_details,
    change_product,
    preview_product_change,
    resume,
    set_blocks,
    suspend,
    withdraw_cancellation,
)
from subscriptions.actions.sim import order_sim, reveal_secrets

__all__ = [
    "DETAIL_FIELDS",
    "ESIM_FEE",
    "OPEN",
    "REPLACEMENT_FEE",
    "SETUP_FEE",
    "SIM_FEE",
    "AddOnChange",
    "BulkConflict",
    "BulkPreview",
    "NewSubscription",
    "ProductChange",
    "activate_after_port",
    "allowed_add_ons",
    "apply_bulk",
    "apply_due_changes",
    "cancel",
    "change_add_ons",
    "change_details",
    "change_product",
    "create_subscription",
    "earliest_cancel_date",
    "fail_bulk_job",
    "first_of_next_month",
    "guide_fees",
    "order_sim",
    "preview_add_ons",
    "preview_bulk",
    "preview_product_change",
    "resume",
    "reveal_secrets",
    "run_bulk_job",
    "set_blocks",
    "sim_order_fee",
    "start_bulk_job",
    "submit_bulk",
    "suspend",
    "withdraw_cancellation",
]
