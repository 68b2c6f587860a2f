"""Invoice lines keep their text in both languages; lines already issued get it where the catalogue still
knows it (add-ons, fees, full-month subscription fees by their product's name, usage by its type).

Only the two new text columns are written: amounts, totals and the text as issued stay as they are. Lines
that match nothing (pro-rata fees, late usage, charges typed by staff) keep empty columns and are shown as
issued, or as ``invoicing.reader_text`` reads them.
"""

from django.db import migrations, models
from django.utils import translation
from django.utils.translation import gettext

# The usage types' labels as the billing run wrote them (invoicing.models.UsageRecord.Type).
USAGE_LABELS = {
    "voice": "Voice (minutes)",
    "sms": "SMS",
    "data": "Data (MB)",
    "roaming": "Roaming",
    "premium": "Premium services",
}


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    line = apps.get_model("invoicing", "InvoiceLine")
    catalogue = [
        ("add_on", apps.get_model("subscriptions", "AddOn")),
        ("one_off", apps.get_model("subscriptions", "OneOffFee")),
        ("subscription", apps.get_model("subscriptions", "Product")),
    ]
    for kind, model in catalogue:
        for name, name_da in model.objects.values_list("name", "name_da"):
            line.objects.filter(kind=kind, description__in={name, name_da or name}, description_en="").update(
                description_en=name[:200], description_da=(name_da or name)[:200]
            )
    for usage_type, label in USAGE_LABELS.items():
        en, da = _in("en", label), _in("da", label)
        line.objects.filter(kind="usage", usage_type=usage_type, description__in={en, da}, description_en="").update(
            description_en=en[:200], description_da=da[:200]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0011_all_companies_default_manager"),
        ("subscriptions", "0012_subscription_count_scoped_managers"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoiceline",
            name="description_da",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="description in Danish"),
        ),
        migrations.AddField(
            model_name="invoiceline",
            name="description_en",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="description in English"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
