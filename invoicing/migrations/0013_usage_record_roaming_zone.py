"""Usage records say where roaming was made (EU/EEA or the rest of the world).

Roaming already stored came from files without a zone: it counts as rest of the world, as the import
counts such files from now on.
"""

from django.db import migrations, models


def roaming_was_world(apps, schema_editor):
    UsageRecord = apps.get_model("invoicing", "UsageRecord")
    UsageRecord.all_companies.filter(type="roaming", zone="").update(zone="world")


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0012_line_description_in_both_languages")]

    operations = [
        migrations.AddField(
            model_name="usagerecord",
            name="zone",
            field=models.CharField(
                blank=True,
                choices=[("", "Not roaming"), ("eu", "EU/EEA"), ("world", "Rest of the world")],
                default="",
                max_length=8,
                verbose_name="roaming zone",
            ),
        ),
        migrations.RunPython(roaming_was_world, migrations.RunPython.noop),
    ]
