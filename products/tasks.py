"""E-mails and zero-touch registration of the Products area, run after the order's transaction commits."""

import datetime as dt
import io
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from products.models import Enrolment, EsimActivation, Order, Shipment

if TYPE_CHECKING:
    from products.zerotouch import Adapter

logger = logging.getLogger(__name__)


def _language(user: object) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def _send(to: str, language: str, subject: str, template: str, context: dict[str, object]) -> None:
    with translation.override(language):
        body = render_to_string(template, context)
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()


@task
def send_approval_request(order_id: int, user_id: int, url: str) -> None:
    from accounts.models import User

    order = Order.objects.unscoped().select_related("company", "placed_by").filter(pk=order_id).first()
    user = User.objects.filter(pk=user_id).first()
    if order is None or user is None:
        return
    lines = list(order.lines.select_related("item"))
    language = _language(user)
    with translation.override(language):
        subject = _("Approve order %(order)s for %(company)s") % {
            "order": order.reference,
            "company": order.company.name,
        }
    _send(
        user.email,
        language,
        subject,
        "products/email/approval_request.txt",
        {"order": order, "lines": lines, "url": url},
    )


def _recipient(order: Order) -> tuple[str, str] | None:
    """Who hears about the order, in which language: the employee who asked for it, or the admin who placed it."""
    if order.by_employee:
        return order.requested_by_email, order.requested_language or order.company.invoice_language
    if order.placed_by is None:
        return None
    return order.placed_by.email, _language(order.placed_by)


@task
def send_decision(order_id: int) -> None:
    order = Order.objects.unscoped().select_related("company", "placed_by", "decided_by").filter(pk=order_id).first()
    found = _recipient(order) if order is not None else None
    if order is None or found is None:
        return
    to, language = found
    with translation.override(language):
        if order.refused:
            subject = _("Your order %(order)s was refused") % {"order": order.reference}
        else:
            subject = _("Your order %(order)s was approved") % {"order": order.reference}
    _send(to, language, subject, "products/email/decision.txt", {"order": order})


@task
def send_shipped(shipment_id: int) -> None:
    shipment = Shipment.objects.select_related("order__company", "order__placed_by").filter(pk=shipment_id).first()
    found = _recipient(shipment.order) if shipment is not None else None
    if shipment is None or found is None:
        return
    order = shipment.order
    to, language = found
    with translation.override(language):
        subject = _("Your order %(order)s is on its way") % {"order": order.reference}
    _send(to, language, subject, "products/email/shipped.txt", {"order": order, "shipment": shipment})


@task
def send_esim_activation(activation_id: int) -> None:
    from django.urls import reverse

    from products.actions import activation_token

    activation = (
        EsimActivation.objects.select_related("line__order__company", "line__item").filter(pk=activation_id).first()
    )
    if activation is None or activation.superseded_at is not None:
        return
    path = reverse("products:esim:confirm", args=[activation_token(activation)])
    url = settings.PORTAL_BASE_URL + path
    language = activation.line.order.company.invoice_language
    with translation.override(language):
        subject = _("Your eSIM from %(company)s") % {"company": activation.line.order.company.name}
    _send(activation.email, language, subject, "products/email/esim.txt", {"activation": activation, "url": url})


def _zero_touch_setting(name: str, default: int) -> int:
    return int(getattr(settings, f"PRODUCTS_ZERO_TOUCH_{name}", default))


def _retry_delay(attempts: int) -> dt.timedelta:
    """Backoff after the ``attempts``-th temporary failure: base, 2 x base, 4 x base, … at most an hour."""
    base = _zero_touch_setting("RETRY_SECONDS", 60)
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def _register_one(service: "Adapter", enrolment_id: int) -> tuple[str, dt.timedelta | None]:
    """One device, under its row lock (a second run of the task waits, then finds it done).

    Returns what happened and, when it must be tried or polled again, after how long."""
    from audit.actor import Actor
    from audit.events import record
    from products.zerotouch import Device, EnrolmentError, NotConfigured, TransientError

    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("line__order__company")
            .filter(pk=enrolment_id, status=Enrolment.Status.PENDING)
            .first()
        )
        if enrolment is None:
            return "skipped", None  # registered or failed by an earlier run: never sent twice
        order = enrolment.line.order
        device = Device(
            provider=enrolment.provider,
            org_id=enrolment.org_id,
            serial=enrolment.serial,
            key=f"{order.reference}-{enrolment.pk}",
            transaction=enrolment.transaction_id,
        )
        fields = ["status", "external_id", "registered_at", "error", "attempts", "transaction_id", "polls"]
        again: dt.timedelta | None = None
        try:
            outcome = service.register(device)
        except NotConfigured:
            # Waits for the operator's credentials (products.W001); `manage.py register_devices` tries again.
            enrolment.error, result = Enrolment.NOT_CONFIGURED, "waiting"
        except TransientError as error:
            enrolment.attempts += 1
            enrolment.error = str(error)[:200]
            if enrolment.attempts >= _zero_touch_setting("MAX_ATTEMPTS", 8):
                enrolment.status, result = Enrolment.Status.FAILED, "failed"
            else:
                result, again = "retry", _retry_delay(enrolment.attempts)
        except EnrolmentError as error:
            enrolment.status, enrolment.error, result = Enrolment.Status.FAILED, str(error)[:200], "failed"
        else:
            if outcome.pending:
                enrolment.transaction_id, enrolment.error = outcome.reference[:80], ""
                enrolment.polls += 1
                if enrolment.polls > _zero_touch_setting("MAX_POLLS", 60):
                    enrolment.status, result = Enrolment.Status.FAILED, "failed"
                    enrolment.error = f"{enrolment.get_provider_display()}: the transaction did not complete"
                else:
                    result = "polling"
                    again = dt.timedelta(seconds=_zero_touch_setting("POLL_SECONDS", 60))
            else:
                enrolment.status, enrolment.error, result = Enrolment.Status.REGISTERED, "", "registered"
                enrolment.external_id, enrolment.registered_at = outcome.reference[:80], timezone.now()
                record(
                    "products.device_enrolled",
                    by=Actor.system("zero-touch"),
                    company=order.company,
                    target=order,
                    details={
                        "provider": enrolment.provider,
                        "serial": enrolment.serial,
                        "reference": outcome.reference,
                    },
                )
        enrolment.save(update_fields=fields)
    return result, again


@task
def register_devices(enrolment_ids: list[int]) -> dict[str, int]:
    """Registers devices for zero-touch enrolment; safe to run again (done devices are skipped).

    Temporary failures and Apple's unfinished transactions are queued again (the task engine's run_after)."""
    from jobs.queue import enqueue
    from products.zerotouch import adapter

    service = adapter()
    counts: dict[str, int] = {}
    for enrolment_id in sorted(enrolment_ids):
        result, again = _register_one(service, enrolment_id)
        counts[result] = counts.get(result, 0) + 1
        if again is not None:
            task = register_devices
            if again and task.get_backend().supports_defer:
                task = task.using(run_after=timezone.now() + again)
            enqueue(task, [enrolment_id])
    return counts


def qr_svg(data: str) -> str:
    """The activation code as an inline SVG QR code (no file, no external service)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()
