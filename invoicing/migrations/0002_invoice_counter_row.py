from django.db import migrations


def create_counter(apps, schema_editor):
    apps.get_model("invoicing", "InvoiceCounter").objects.get_or_create(name="invoice")


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]
    operations = [migrations.RunPython(create_counter, migrations.RunPython.noop)]
