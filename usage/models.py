"""Usage totals kept as usage arrives, so no page ever sums usage records.

``usage.aggregates`` keeps three tables, all written in the usage import's transaction by set-based
statements (one per table per imported file):

- ``DailyUsage``: per subscription, day, type and roaming zone: quantity, charge and record count (the
  finest grain; what guardrails and reports read per day);
- ``MonthlyUsage``: per subscription and month, one wide row (a column pair per bucket): what
  ``usage.selectors.month_to_date`` and the dashboard's user tables read;
- ``CostCentreMonthlyUsage``: per company, cost centre and month, one wide row: the dashboard's chart,
  forecast, trend and cost-centre table (a few hundred rows a month, however many lines). Use counts to
  the cost centre the line had when it arrived, as on the invoice.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from invoicing.models import UsageImport, UsageRecord
from registry.scoping import CompanyOwned

# The dashboard's buckets: (key, usage type, zones). Roaming is split by zone.
BUCKETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("voice", UsageRecord.Type.VOICE, ("",)),
    ("sms", UsageRecord.Type.SMS, ("",)),
    ("data", UsageRecord.Type.DATA, ("",)),
    ("roaming_eu", UsageRecord.Type.ROAMING, (UsageRecord.Zone.EU,)),
    ("roaming_world", UsageRecord.Type.ROAMING, (UsageRecord.Zone.WORLD, "")),
    ("premium", UsageRecord.Type.PREMIUM, ("",)),
)
BUCKET_KEYS = tuple(key for key, _type, _zones in BUCKETS)


def _quantity() -> models.DecimalField:
    return models.DecimalField(max_digits=16, decimal_places=2, default=0)


class Buckets(models.Model):
    """Quantity, charge (øre excl. VAT) and record count per bucket, and the totals."""

    voice_quantity = _quantity()
    voice_charge = models.BigIntegerField(default=0)
    voice_count = models.BigIntegerField(default=0)
    sms_quantity = _quantity()
    sms_charge = models.BigIntegerField(default=0)
    sms_count = models.BigIntegerField(default=0)
    data_quantity = _quantity()
    data_charge = models.BigIntegerField(default=0)
    data_count = models.BigIntegerField(default=0)
    roaming_eu_quantity = _quantity()
    roaming_eu_charge = models.BigIntegerField(default=0)
    roaming_eu_count = models.BigIntegerField(default=0)
    roaming_world_quantity = _quantity()
    roaming_world_charge = models.BigIntegerField(default=0)
    roaming_world_count = models.BigIntegerField(default=0)
    premium_quantity = _quantity()
    premium_charge = models.BigIntegerField(default=0)
    premium_count = models.BigIntegerField(default=0)
    charge = models.BigIntegerField(_("charge (øre, excl. VAT)"), default=0)
    records = models.BigIntegerField(_("records"), default=0)

    class Meta:
        abstract = True


class DailyUsage(CompanyOwned):
    subscription = models.ForeignKey("subscriptions.Subscription", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    type = models.CharField(_("type"), max_length=10, choices=UsageRecord.Type.choices)
    zone = models.CharField(_("roaming zone"), max_length=8, choices=UsageRecord.Zone.choices, blank=True)
    quantity = _quantity()
    charge = models.BigIntegerField(_("charge (øre, excl. VAT)"), default=0)
    count = models.BigIntegerField(_("records"), default=0)

    class Meta:
        verbose_name = _("daily usage")
        verbose_name_plural = _("daily usage")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "day", "type", "zone"], name="usage_daily_key"),
        ]
        indexes = [models.Index(fields=["company", "day"], name="usage_daily_company_day")]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.day} {self.type}{'/' + self.zone if self.zone else ''}"


class MonthlyUsage(CompanyOwned, Buckets):
    subscription = models.ForeignKey("subscriptions.Subscription", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))  # its first day

    class Meta:
        verbose_name = _("monthly usage")
        verbose_name_plural = _("monthly usage")
        constraints = [models.UniqueConstraint(fields=["subscription", "month"], name="usage_monthly_key")]
        indexes = [
            models.Index(fields=["company", "month", "-charge"], name="usage_monthly_top"),
            models.Index(
                fields=["company", "month", "-roaming_world_charge"],
                name="usage_monthly_roamers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.month:%Y-%m}"


class CostCentreMonthlyUsage(CompanyOwned, Buckets):
    cost_centre = models.CharField(_("cost centre"), max_length=40, blank=True)
    month = models.DateField(_("month"))  # its first day

    class Meta:
        verbose_name = _("usage per cost centre and month")
        verbose_name_plural = _("usage per cost centre and month")
        constraints = [
            models.UniqueConstraint(fields=["company", "month", "cost_centre"], name="usage_cc_monthly_key"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.cost_centre or '-'} {self.month:%Y-%m}"


class AggregatedBatch(models.Model):
    """A usage import already counted in the totals: a second event for the same file counts nothing."""

    batch = models.OneToOneField(UsageImport, on_delete=models.CASCADE, primary_key=True, related_name="+")
    aggregated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("aggregated usage import")
        verbose_name_plural = _("aggregated usage imports")

    def __str__(self) -> str:
        return str(self.batch_id)
