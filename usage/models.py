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
    # Read through a cost-centre-limited admin's company: only their lines (registry.scoping).
    cost_centre_scope = "subscription__cost_centre"

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
    cost_centre_scope = "subscription__cost_centre"

    subscription = models.ForeignKey("subscriptions.Subscription", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))  # its first day

    class Meta:
        verbose_name = _("monthly usage")
        verbose_name_plural = _("monthly usage")
        constraints = [models.UniqueConstraint(fields=["subscription", "month"], name="usage_monthly_key")]
        # One per sortable column of the user tables: the page is read from the index, not sorted.
        indexes = [
            models.Index(fields=["company", "month", "-charge"], name="usage_monthly_top"),
            models.Index(fields=["company", "month", "-roaming_world_charge"], name="usage_monthly_roamers"),
            models.Index(fields=["company", "month", "-roaming_eu_charge"], name="usage_monthly_roam_eu"),
            models.Index(fields=["company", "month", "-voice_quantity"], name="usage_monthly_voice"),
            models.Index(fields=["company", "month", "-sms_quantity"], name="usage_monthly_sms"),
            models.Index(fields=["company", "month", "-data_quantity"], name="usage_monthly_data"),
            models.Index(fields=["company", "month", "-premium_charge"], name="usage_monthly_premium"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.month:%Y-%m}"


class CostCentreMonthlyUsage(CompanyOwned, Buckets):
    cost_centre_scope = "cost_centre"

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


class ReportRecipient(CompanyOwned):
    """An address scheduled reports may go to, once its owner confirmed it (the eInvoice pattern)."""

    email = models.EmailField(_("e-mail"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    added_by = models.CharField(_("added by"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("report recipient")
        verbose_name_plural = _("report recipients")
        constraints = [models.UniqueConstraint(fields=["company", "email"], name="usage_report_recipient_once")]
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class ReportSchedule(CompanyOwned):
    class Kind(models.TextChoices):
        COST_CENTRES = "cost_centres", _("Usage by cost centre")
        TOP_USERS = "top_users", _("Top users")
        ROAMING = "roaming", _("Roaming")
        INVOICES = "invoices", _("Invoice summary")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly (the month before, on the 1st)")
        WEEKLY = "weekly", _("Weekly (the week before, on Mondays)")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV (opens in Excel)")
        PDF = "pdf", _("PDF")

    kind = models.CharField(_("report"), max_length=20, choices=Kind.choices)
    frequency = models.CharField(_("how often"), max_length=10, choices=Frequency.choices)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=8, default="da")
    recipients = models.ManyToManyField(ReportRecipient, verbose_name=_("send to"), related_name="schedules")
    created_by = models.CharField(_("created by"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # A cost-centre-limited admin's schedule: its scope (within their grant when made) and their membership, whose
    # grant as it is at build time cuts the report again (narrowed: narrower report; gone: the schedule stops).
    cost_centres = models.JSONField(_("cost centres"), default=list, blank=True)
    scheduled_by = models.ForeignKey(
        "companies.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    stop_reason = models.CharField(_("stopped because"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")
        ordering = ["kind", "frequency", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_frequency_display()}"


class ReportRun(CompanyOwned):
    """One period of one schedule: made once (unique), built by a task, sent once."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Building")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="runs")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))  # inclusive
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    sent_to = models.JSONField(_("sent to"), default=list, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-period_start", "-pk"]
        constraints = [
            # Sent once per period, however often the scheduler runs.
            models.UniqueConstraint(fields=["schedule", "period_start"], name="usage_report_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.period_start}..{self.period_end}"
