"""Access levels per area: ``read_only_areas`` lists the granted areas that are read-only.

Existing read-only memberships and invitations get every granted area read-only, full ones none: nobody can
do more or less than before.
"""

from typing import Any

from django.db import migrations, models


def levels_from_access(apps: Any, schema_editor: Any) -> None:
    for name in ("Membership", "Invitation"):
        model = apps.get_model("companies", name)
        manager = model._base_manager
        for row in manager.filter(access="read_only").only("pk", "areas"):
            manager.filter(pk=row.pk).update(read_only_areas=list(row.areas or []))


def access_from_levels(apps: Any, schema_editor: Any) -> None:
    for name in ("Membership", "Invitation"):
        model = apps.get_model("companies", name)
        manager = model._base_manager
        for row in manager.only("pk", "areas", "read_only_areas"):
            read_only = bool(row.areas) and set(row.areas) <= set(row.read_only_areas or [])
            # A mix of levels cannot be said with one level: the safe side is read-only.
            manager.filter(pk=row.pk).update(access="read_only" if read_only or row.read_only_areas else "full")


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_main_admins_invitations_access_requests"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="read_only_areas",
            field=models.JSONField(blank=True, default=list, verbose_name="read-only areas"),
        ),
        migrations.AddField(
            model_name="invitation",
            name="read_only_areas",
            field=models.JSONField(blank=True, default=list, verbose_name="read-only areas"),
        ),
        migrations.RunPython(levels_from_access, access_from_levels),
    ]
