"""Keeps the usage totals (``usage.models``) as usage records arrive.

``on_usage_imported`` listens to ``invoicing.events.UsageImported``, published in the usage import's
transaction: it writes the file's records into the three totals tables with one set-based
``INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE`` each (PostgreSQL and SQLite alike), never a
statement per row, so the totals commit or roll back with the file. A file is counted once: the
import refuses the same content twice, and ``AggregatedBatch`` makes a second event for one file a no-op.

``rebuild`` recounts a company's totals from its records (records made outside the import: the demo
data, or after a repair): ``manage.py rebuild_usage_totals``.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, DateField, DecimalField, F, Model, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from invoicing.events import UsageImported
from invoicing.models import UsageRecord
from registry.demo import DemoContext
from registry.events import publish
from usage.events import UsageAggregated
from usage.models import BUCKETS, AggregatedBatch, CostCentreMonthlyUsage, DailyUsage, MonthlyUsage

ROAMING = UsageRecord.Type.ROAMING

# A roaming record without a zone (made before zones, or by hand) counts as rest of the world.
_ZONE = Case(
    When(type=ROAMING, zone=UsageRecord.Zone.EU, then=Value(UsageRecord.Zone.EU)),
    When(type=ROAMING, then=Value(UsageRecord.Zone.WORLD)),
    default=Value(""),
    output_field=CharField(),
)


def _bucket_filter(usage_type: str, zones: tuple[str, ...]) -> Q:
    condition = Q(type=usage_type)
    if usage_type == ROAMING:
        condition &= Q(zone__in=zones)
    return condition


def _bucket_sums() -> dict[str, Any]:
    sums: dict[str, Any] = {}
    for key, usage_type, zones in BUCKETS:
        condition = _bucket_filter(usage_type, zones)
        sums[f"{key}_quantity"] = Sum(
            Case(When(condition, then=F("quantity")), default=Value(Decimal(0)), output_field=DecimalField())
        )
        sums[f"{key}_charge"] = Sum(Case(When(condition, then=F("charge")), default=Value(0)))
        sums[f"{key}_count"] = Count("id", filter=condition)
    sums["charge"] = Sum("charge")
    sums["records"] = Count("id")
    return sums


def _day() -> TruncDate:
    return TruncDate("time", tzinfo=timezone.get_current_timezone())


def _upsert(model: type[Model], key: list[str], queryset: QuerySet[Any], add: list[str], conflict: list[str]) -> None:
    """``INSERT INTO model (key + add) SELECT … ON CONFLICT (key) DO UPDATE SET col = col + new``.

    ``queryset`` is a ``values(*key).annotate(*add)`` of usage records: its columns come out in that order;
    ``conflict`` names the table's unique key (the key without the company, when the subscription implies it).
    """
    table = model._meta.db_table
    columns = [*key, *add]
    select, params = queryset.query.sql_with_params()
    quoted = connection.ops.quote_name
    names = ", ".join(quoted(c) for c in columns)
    sql = (
        f"INSERT INTO {quoted(table)} ({names}) "
        f"SELECT {', '.join('agg.' + quoted('k_' + c) for c in columns)} FROM ({select}) agg WHERE true "
        f"ON CONFLICT ({', '.join(quoted(c) for c in conflict)}) DO UPDATE SET "
        + ", ".join(f"{quoted(c)} = {quoted(table)}.{quoted(c)} + excluded.{quoted(c)}" for c in add)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _grouped(records: QuerySet[UsageRecord], keys: dict[str, Any], sums: dict[str, Any]) -> QuerySet[Any]:
    """``records`` grouped by ``keys`` with ``sums``, every column aliased ``k_<name>`` for ``_upsert``."""
    return (
        records.order_by()
        .annotate(**{f"k_{name}": expression for name, expression in keys.items()})
        .values(*(f"k_{name}" for name in keys))
        .annotate(**{f"k_{name}": expression for name, expression in sums.items()})
    )


def aggregate(records: QuerySet[UsageRecord]) -> None:
    """Adds ``records`` to the three totals tables: three set-based statements, whatever their number."""
    _upsert(
        DailyUsage,
        ["company_id", "subscription_id", "day", "type", "zone"],
        _grouped(
            records,
            {
                "company_id": F("company_id"),
                "subscription_id": F("subscription_id"),
                "day": _day(),
                "type": F("type"),
                "zone": _ZONE,
            },
            {"quantity": Sum("quantity"), "charge": Sum("charge"), "count": Count("id")},
        ),
        ["quantity", "charge", "count"],
        ["subscription_id", "day", "type", "zone"],
    )
    sums = _bucket_sums()
    _upsert(
        MonthlyUsage,
        ["company_id", "subscription_id", "month"],
        _grouped(
            records,
            {
                "company_id": F("company_id"),
                "subscription_id": F("subscription_id"),
                "month": TruncMonth(_day(), output_field=DateField()),
            },
            sums,
        ),
        list(sums),
        ["subscription_id", "month"],
    )
    _upsert(
        CostCentreMonthlyUsage,
        ["company_id", "cost_centre", "month"],
        _grouped(
            records,
            {
                "company_id": F("company_id"),
                "cost_centre": F("subscription__cost_centre"),
                "month": TruncMonth(_day(), output_field=DateField()),
            },
            sums,
        ),
        list(sums),
        ["company_id", "month", "cost_centre"],
    )


def on_usage_imported(event: UsageImported) -> dict[str, Any]:
    """Counts an imported file into the totals (in its transaction), then says so per company and month."""
    _, created = AggregatedBatch.objects.get_or_create(batch_id=event.batch_id)
    if not created:
        return {}
    aggregate(UsageRecord.objects.unscoped().filter(batch_id=event.batch_id))
    touched: defaultdict[tuple[int, dt.date], set[int]] = defaultdict(set)
    for company_id, subscription_id, month in event.touched:
        touched[company_id, month].add(subscription_id)
    for (company_id, month), subscription_ids in sorted(touched.items()):
        publish(UsageAggregated(company_id=company_id, subscription_ids=frozenset(subscription_ids), month=month))
    return {"usage_totals": len(touched)}


def rebuild(company_id: int) -> None:
    """Recounts one company's totals from all its usage records (deletes them first), in one transaction."""
    with transaction.atomic():
        for model in (DailyUsage, MonthlyUsage, CostCentreMonthlyUsage):
            model.objects.filter(company_id=company_id).delete()
        aggregate(UsageRecord.objects.filter(company_id=company_id))


def seed_usage_totals(ctx: DemoContext) -> None:
    """Demo data: the invoicing seeder writes usage records directly (not through the import)."""
    for company in ctx.companies.values():
        rebuild(company.pk)
    ctx.log(f"{DailyUsage.objects.unscoped().count()} daily usage totals")
