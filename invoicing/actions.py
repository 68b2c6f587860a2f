"""Writes of the Invoice area: atomic, validated, audited; side effects on commit."""

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from companies.models import Company
from invoicing.events import ChargesWithdrawn, InvoiceIssued
from invoicing.imports import (  # noqa: F401 - the import API, re-exported for views, commands and tests
    PAYMENT_COLUMNS,
    USAGE_COLUMNS,
    PaymentImportError,
    Report,
    Source,
    UsageImportError,
    UsageRowError,
    run_payment_import,
    run_usage_import,
)
from invoicing.models import (
    Charge,
    ChargeWithdrawal,
    EInvoiceDelivery,
    EInvoiceRecipient,
    EInvoiceSettings,
    FileImport,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoiceSection,
    Payment,
    PaymentImport,
    UsageImport,
)
from invoicing.money import due_date_for, parse_period
from invoicing.payments import (
    mark_overdue,  # noqa: F401 - re-exported for views, commands and tests
    payment_details,
    payment_problem,
    status_after_payment,
)
from invoicing.periods import check_billable, record_forced_run
from jobs.queue import enqueue
from registry.events import publish
from subscriptions.events import ChargeDue
from subscriptions.models import OneOffFee, Subscription

CONFIRM_SALT = "invoicing.einvoice.confirm"
CONFIRM_MAX_AGE = 14 * 24 * 3600


# Billing ---------------------------------------------------------------------------------


@transaction.atomic
def start_billing_run(*, period: str, by: Actor, force: bool = False, reason: str = "") -> None:
    """Queues the billing run for a period (the staff button); a month that is not over needs `force`."""
    try:
        parse_period(period)
    except ValueError:
        raise ValidationError(_("Enter a period as YYYY-MM, e.g. 2026-11.")) from None
    from invoicing.tasks import run_billing_task

    if check_billable(period, force=force, reason=reason):
        record_forced_run(period=period, reason=reason, by=by)
    record("invoice.billing_started", by=by, company=None, details={"period": period})
    user_id = by.user.pk if by.user is not None else None
    enqueue(run_billing_task, period, user_id)


@transaction.atomic
def create_credit_note(*, invoice: Invoice, reason: str, by: Actor) -> Invoice:
    """Credits an issued invoice in full (staff): a new document with negated amounts."""
    if invoice.is_credit_note:
        raise ValidationError(_("A credit note cannot be credited."))
    if not invoice.is_issued:
        raise ValidationError(_("Only issued invoices can be credited."))
    if invoice.credit_notes.exists():
        raise ValidationError(_("This invoice has already been credited."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for the credit note."))
    today = timezone.localdate()
    credit = Invoice.objects.create(
        company=invoice.company,
        number=InvoiceCounter.next_number(),
        period=invoice.period,
        category=Invoice.Category.CREDIT_NOTE,
        status=Invoice.Status.ISSUED,
        issue_date=today,
        due_date=due_date_for(today),
        net=-invoice.net,
        vat=-invoice.vat,
        total=-invoice.total,
        subscriptions_net=-invoice.subscriptions_net,
        usage_net=-invoice.usage_net,
        one_off_net=-invoice.one_off_net,
        language=invoice.language,
        credited_invoice=invoice,
        reason=reason[:200],
        # The references at the credit note's own issue, as for any document issued now; it points
        # to the credited invoice by its number (BillingReference).
        **EInvoiceSettings.references_of(invoice.company_id),
    )
    sections = list(invoice.sections.prefetch_related("lines"))
    copies = InvoiceSection.objects.bulk_create(
        [
            InvoiceSection(
                invoice=credit,
                subscription_id=s.subscription_id,
                user_name=s.user_name,
                phone_number=s.phone_number,
                product_name=s.product_name,
                cost_centre=s.cost_centre,
                total=-s.total,
            )
            for s in sections
        ]
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=credit,
                section=copy,
                kind=line.kind,
                usage_type=line.usage_type,
                description=line.description,
                description_en=line.description_en,
                description_da=line.description_da,
                quantity=line.quantity,
                amount=-line.amount,
            )
            for copy, section in zip(copies, sections, strict=True)
            for line in section.lines.all()
        ]
    )
    record(
        "invoice.credited",
        by=by,
        company=invoice.company,
        target=credit,
        details={"invoice": invoice.number, "credit_note": credit.number, "reason": reason},
    )
    publish(
        InvoiceIssued(invoice_id=credit.pk, company_id=credit.company_id)
    )  # its PDF and eInvoice are queued in this transaction
    return credit


@transaction.atomic
def add_charge(
    *,
    company: Company | None = None,
    subscription: Subscription | None = None,
    fee: OneOffFee | None = None,
    description: str = "",
    amount: int | None = None,
    on: dt.date | None = None,
    source: str = "",
    by: Actor,
) -> Charge:
    """Charges a one-off amount to a company, optionally for one of its subscriptions; the next billing
    run invoices it. A fee from the catalogue, or any billable line (a description and an amount).

    For the subscription creation guide: ``add_charge(subscription=s, fee=sim_fee, by=...)``.
    """
    if fee is None and (not description or amount is None):
        raise ValidationError(_("A charge needs a fee or a description and an amount."))
    if subscription is not None:
        if company is not None and subscription.company_id != company.pk:
            raise ValueError("The subscription belongs to another company.")  # a caller's bug, never shown
        company = subscription.company
    if company is None:
        raise TypeError("add_charge() needs a company or a subscription.")
    charge = Charge.objects.create(
        company=company,
        subscription=subscription,
        fee=fee,
        description=description or (fee.name if fee else ""),
        amount=amount if amount is not None else fee.price,  # type: ignore[union-attr]
        date=on or timezone.localdate(),
        source=source,
    )
    record(
        "invoice.charge_added",
        by=by,
        company=company,
        target=charge,
        details={"amount": charge.amount, "subscription": subscription.pk if subscription else None},
    )
    return charge


def on_charge_due(event: ChargeDue) -> dict[str, int]:
    """A lower area's amount due (registry.events; subscribed in InvoicingConfig.ready): it becomes a charge."""
    charge = add_charge(
        company=event.company,
        subscription=event.subscription,
        fee=event.fee,
        description=event.description,
        amount=event.amount,
        on=event.on,
        source=event.source,
        by=event.by,
    )
    return {"charge": charge.pk}


def _withdrawal_facts(withdrawal: ChargeWithdrawal) -> dict[str, int]:
    return {
        "withdrawal": withdrawal.pk,
        "credited": withdrawal.credited,
        "cancelled": withdrawal.cancelled,
        "reduced": withdrawal.reduced,
        "credit": withdrawal.credit,
        "withdrawn": withdrawal.withdrawn,
    }


@transaction.atomic
def on_charges_withdrawn(event: ChargesWithdrawn) -> dict[str, int]:
    """Takes back ``event.part`` of the charges of ``event.source`` (subscribed in InvoicingConfig.ready).

    The charges still open (not invoiced, positive) lose their share of the amount, proportionally, so a
    plan keeps its shape (deleted when nothing is left); the share of what was already settled (invoiced,
    or an earlier credit) comes back as one credit charge today. The total of the source's charges thus
    drops by exactly ``part`` of it. Once per ``event.key``: a second publication returns the first's facts.
    """
    numerator, denominator = event.part
    if not 0 < numerator <= denominator:
        raise ValueError("ChargesWithdrawn.part must be a share between 0 and 1.")  # a caller's bug
    done = ChargeWithdrawal.objects.unscoped().filter(key=event.key).first()
    if done is not None:
        return _withdrawal_facts(done) | {"repeated": 1}
    # Locked so that a billing run (which invoices open charges) and this withdrawal do not interleave.
    charges = list(
        Charge.objects.unscoped()
        .select_for_update()
        .filter(company=event.company, source=event.source)
        .order_by("date", "pk")
    )
    if not charges:
        return {"found": 0}  # nothing raised under this source (e.g. charges from before sources existed)
    open_charges = [c for c in charges if c.invoice_id is None and c.amount > 0]
    settled = [c for c in charges if not (c.invoice_id is None and c.amount > 0)]
    total = sum(c.amount for c in charges)
    settled_total = sum(c.amount for c in settled)
    open_total = total - settled_total
    share = total * numerator // denominator
    credit = max(0, settled_total * numerator // denominator)
    # What the open charges give up; anything they cannot cover (never in a consistent plan) is credited.
    withdrawn = min(open_total, max(0, share - credit))
    credit = share - withdrawn
    cancelled = reduced = 0
    if withdrawn:
        cuts = [c.amount * withdrawn // open_total for c in open_charges]
        cuts[0] += withdrawn - sum(cuts)  # the rounding rest on the earliest, as the plan's own split does
        for charge, cut in zip(open_charges, cuts, strict=True):
            if cut >= charge.amount:
                charge.delete()
                cancelled += 1
            elif cut:
                charge.amount -= cut
                charge.save(update_fields=["amount"])
                reduced += 1
    credit_charge = None
    if credit > 0:
        credit_charge = add_charge(
            company=event.company,
            subscription=charges[0].subscription,  # the same invoice section as the plan's charges
            description=event.credit_description[:200],
            amount=-credit,
            source=event.source,
            by=event.by,
        )
    withdrawal = ChargeWithdrawal.objects.create(
        company=event.company,
        key=event.key,
        source=event.source,
        credited=sum(1 for c in settled if c.invoice_id is not None and c.amount > 0),
        cancelled=cancelled,
        reduced=reduced,
        credit=credit,
        withdrawn=withdrawn,
        credit_charge=credit_charge,
    )
    record(
        "invoice.charges_withdrawn",
        by=event.by,
        company=event.company,
        target=withdrawal,
        details={"source": event.source, "key": event.key, "part": list(event.part), **_withdrawal_facts(withdrawal)},
    )
    return _withdrawal_facts(withdrawal) | {"found": len(charges)}


# File imports (usage, bank payments): see invoicing.imports ------------------------------


def import_usage(
    *, filename: str, by: Actor, text: str | None = None, path: Path | None = None, report: Report | None = None
) -> UsageImport:
    """Imports a usage file (its text or a path) all or nothing; see ``invoicing.imports``."""
    return run_usage_import(Source.of(filename=filename, text=text, path=path), by=by, report=report)


# eInvoice --------------------------------------------------------------------------------


def confirmation_token(recipient: EInvoiceRecipient) -> str:
    return signing.dumps({"r": recipient.pk, "e": recipient.email}, salt=CONFIRM_SALT)


def recipient_for_token(token: str) -> EInvoiceRecipient | None:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    return (
        EInvoiceRecipient.objects.unscoped()
        .filter(pk=data.get("r"), email=data.get("e"))
        .select_related("company")
        .first()
    )


def parse_addresses(value: str) -> list[str]:
    """Addresses separated by commas, semicolons or new lines; each validated."""
    raw = [part.strip() for part in value.replace(";", ",").replace("\n", ",").split(",")]
    addresses = [a.lower() for a in raw if a]
    if not addresses:
        raise ValidationError(_("Enter at least one e-mail address."), code="no_addresses")
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(
            _("Not valid e-mail addresses: %(list)s") % {"list": ", ".join(bad)}, code="invalid_addresses"
        )
    return list(dict.fromkeys(addresses))


@transaction.atomic
def sign_up_einvoice(
    *, company: Company, addresses: list[str], confirm_url: Callable[[str], str], language: str, by: Actor
) -> list[EInvoiceRecipient]:
    """Adds addresses; each gets a link to confirm before it receives invoices."""
    from invoicing.tasks import send_einvoice_confirmation

    existing = set(EInvoiceRecipient.objects.for_company(company).values_list("email", flat=True))
    added = [
        EInvoiceRecipient.objects.create(company=company, email=email) for email in addresses if email not in existing
    ]
    if not added:
        raise ValidationError(_("These addresses already receive or await confirmation."), code="already_signed_up")
    for recipient in added:
        url = confirm_url(confirmation_token(recipient))
        enqueue(send_einvoice_confirmation, recipient.pk, url, language)
    record("invoice.einvoice_added", by=by, company=company, details={"emails": [r.email for r in added]})
    return added


@transaction.atomic
def confirm_einvoice(*, recipient: EInvoiceRecipient, by: Actor) -> EInvoiceRecipient:
    if recipient.confirmed_at is None:
        recipient.confirmed_at = timezone.now()
        recipient.save(update_fields=["confirmed_at"])
        record("invoice.einvoice_confirmed", by=by, company=recipient.company, target=recipient)
    return recipient


@transaction.atomic
def remove_einvoice_recipient(*, recipient: EInvoiceRecipient, by: Actor) -> None:
    record("invoice.einvoice_removed", by=by, company=recipient.company, details={"email": recipient.email})
    recipient.delete()


@transaction.atomic
def opt_out_einvoice(*, company: Company, by: Actor) -> int:
    recipients = EInvoiceRecipient.objects.for_company(company)
    emails = list(recipients.values_list("email", flat=True))
    if not emails:
        raise ValidationError(_("The company is not signed up for eInvoice."), code="not_signed_up")
    recipients.delete()
    record("invoice.einvoice_opted_out", by=by, company=company, details={"emails": emails})
    return len(emails)


def update_einvoice_settings(
    *, company: Company, order_reference: str, contact_reference: str, accounting_cost: str, channel: str, by: Actor
) -> EInvoiceSettings:
    """The customer's references on its Peppol/OIOUBL invoices and how they are delivered."""
    values = {
        "order_reference": order_reference.strip(),
        "contact_reference": contact_reference.strip(),
        "accounting_cost": accounting_cost.strip(),
        "channel": channel,
    }
    if channel not in EInvoiceSettings.Channel.values:
        raise ValidationError(_("Choose how the invoices are delivered."))
    with transaction.atomic():
        current, _created = EInvoiceSettings.objects.select_for_update().get_or_create(company=company)
        before = {key: getattr(current, key) for key in values}
        for key, value in values.items():
            setattr(current, key, value)
        current.full_clean()
        current.save()
        changed = {key: [before[key], value] for key, value in values.items() if before[key] != value}
        if changed:
            record("invoice.einvoice_settings_changed", by=by, company=company, target=current, details=changed)
    return current


# Payments --------------------------------------------------------------------------------


@transaction.atomic
def register_payment(
    invoice: Invoice,
    *,
    amount: int,
    paid_on: dt.date,
    reference: str,
    by: Actor,
    method: str = Payment.Method.BANK_TRANSFER,
) -> Payment:
    """Registers money received for an invoice (staff): partially paid or paid.

    The invoice row is locked, so two payments at once cannot both fit the same outstanding
    amount. Overpayments, credit notes and credited invoices are refused. The stored PDF
    is not touched: it is the document as issued.
    """
    locked = Invoice.objects.unscoped().select_for_update().get(pk=invoice.pk)
    reference = reference.strip()[:100]
    credited = Invoice.objects.unscoped().filter(credited_invoice=locked).exists()
    problem = payment_problem(locked, amount=amount, paid_on=paid_on, credited=credited)
    if (
        not problem
        and reference
        and Payment.objects.unscoped()
        .filter(invoice=locked, amount=amount, paid_on=paid_on, reference=reference)
        .exists()
    ):
        problem = _("this payment is already registered")
    if problem:
        raise ValidationError(problem[:1].upper() + problem[1:] + ".")
    user = by.user if by.user is not None and by.user.is_authenticated else None
    payment = Payment.objects.create(
        company_id=locked.company_id,
        invoice=locked,
        amount=amount,
        paid_on=paid_on,
        reference=reference,
        method=method,
        created_by=user,
        created_by_label=by.display,
    )
    locked.paid_amount += amount
    locked.status = status_after_payment(locked)
    locked.save(update_fields=["paid_amount", "status"])
    invoice.paid_amount, invoice.status = locked.paid_amount, locked.status
    invoice._status_at_load = locked.status
    record(
        "invoice.payment_registered",
        by=by,
        company=invoice.company,
        target=payment,
        details=payment_details(payment, locked),
    )
    return payment


def import_payments(
    *, filename: str, by: Actor, text: str | None = None, path: Path | None = None, report: Report | None = None
) -> PaymentImport:
    """Imports a bank file of payments all or nothing; see ``invoicing.imports``."""
    return run_payment_import(Source.of(filename=filename, text=text, path=path), by=by, report=report)


@transaction.atomic
def queue_import(model: type[FileImport], *, file: Any, by: Actor) -> FileImport:
    """Stores a staff upload and queues its import (in this transaction: a crash cannot lose it)."""
    from invoicing.tasks import import_file_task

    upload = model(filename=str(file.name)[:200], imported_by=by.display, status=FileImport.Status.QUEUED)
    upload.upload.save(f"{uuid.uuid4().hex}.csv", file, save=False)
    upload.save()
    kind = "usage" if model is UsageImport else "payments"
    user_id = by.user.pk if by.user is not None and by.user.is_authenticated else None
    enqueue(import_file_task, kind, upload.pk, user_id)
    return upload


@transaction.atomic
def resend_einvoice(*, delivery: EInvoiceDelivery, by: Actor) -> EInvoiceDelivery:
    """A failed eInvoice e-mail goes out again (same message, same Message-ID); audited."""
    from invoicing.tasks import send_einvoice
    from jobs.queue import enqueue
    from outbox import sender

    locked = (
        EInvoiceDelivery.objects.select_for_update(of=("self",))
        .select_related("outbox_message")
        .get(pk=delivery.pk, company_id=delivery.company_id)
    )
    if locked.status != EInvoiceDelivery.Status.FAILED:
        raise ValidationError(_("Only a failed delivery can be sent again."))
    if locked.outbox_message is not None:
        sender.resend(locked.outbox_message)
    else:
        EInvoiceDelivery.objects.filter(pk=locked.pk, company_id=locked.company_id).update(
            status=EInvoiceDelivery.Status.PENDING
        )
        enqueue(send_einvoice, locked.pk)
    record(
        "invoice.einvoice_resent", by=by, company=locked.company, target=locked.invoice, details={"email": locked.email}
    )
    locked.refresh_from_db()
    return locked
