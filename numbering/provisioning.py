"""Provisioning: a saved call flow version handed to the operator's call platform, and the platform's answer.

``provision`` builds the version's ``selfservice.callflow/v1`` export, checks it against the schema and gives
it to the platform (``settings.CALLFLOW_PLATFORM``: a dotted path to a callable taking the export and raising
``PlatformRefused`` with the platform's reason). The default platform accepts every valid export: the real
network adapter is the operator's (see docs/numbers.md). Runs as a task after the save's commit; safe to run
twice (a version already answered is left as it is).
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from numbering import export
from numbering.models import CallFlowVersion, PhoneNumber
from subscriptions.models import Subscription


class PlatformRefused(Exception):
    """The platform did not take the flow; the message is its reason, shown to the admin."""


def accept(payload: dict[str, Any]) -> None:
    """The default platform: takes every export that passed the schema."""


def platform() -> Callable[[dict[str, Any]], None]:
    return import_string(getattr(settings, "CALLFLOW_PLATFORM", "numbering.provisioning.accept"))


def provision(version_id: int) -> str:
    P = CallFlowVersion.Provisioning
    with transaction.atomic():
        version = CallFlowVersion.objects.unscoped().select_for_update().select_related("company").get(pk=version_id)
        if version.provisioning_status != P.PENDING:
            return version.provisioning_status
        # Tasks may run out of order (two workers, a retry): a newer version already on the network stays there.
        if (
            CallFlowVersion.objects.unscoped()
            .filter(company=version.company, provisioning_status=P.ACTIVE, version__gt=version.version)
            .exists()
        ):
            version.provisioning_status = P.SUPERSEDED
            version.provisioned_at = timezone.now()
            version.save(update_fields=["provisioning_status", "provisioned_at"])
            return version.provisioning_status
        main = PhoneNumber.objects.unscoped().filter(company=version.company, kind="main").first()
        payload = export.export(version, company=version.company, main_number=main.number if main else None)
        # The rules a save ran, run again on what leaves: a member's subscription may have ended since, and a
        # version saved before the rules were this strict is refused here rather than by the network.
        ids = set(Subscription.objects.for_company(version.company).values_list("id", flat=True))
        found = export.problems(payload, subscription_ids=ids)
        reason = ""
        if found:
            reason = _("Not sent: the export does not pass the %(format)s rules: %(problems)s") % {
                "format": export.FORMAT,
                "problems": "; ".join(found),
            }
        else:
            try:
                platform()(payload)
            except PlatformRefused as exc:
                reason = str(exc) or "refused"
        version.provisioning_status = P.FAILED if reason else P.ACTIVE
        version.provisioning_reason = reason[:500]
        version.provisioned_at = timezone.now()
        version.save(update_fields=["provisioning_status", "provisioning_reason", "provisioned_at"])
        if not reason:  # the platform runs one flow per number: the one before is replaced
            CallFlowVersion.objects.unscoped().filter(
                company=version.company, provisioning_status=P.ACTIVE, version__lt=version.version
            ).update(provisioning_status=P.SUPERSEDED)
        return version.provisioning_status
