"""A grant may be limited to cost centres (empty: the whole company, as every grant was before)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0003_per_area_access_levels"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="cost_centres",
            field=models.JSONField(blank=True, default=list, verbose_name="cost centres"),
        ),
        migrations.AddField(
            model_name="invitation",
            name="cost_centres",
            field=models.JSONField(blank=True, default=list, verbose_name="cost centres"),
        ),
    ]
