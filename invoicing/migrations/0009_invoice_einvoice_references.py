from django.db import migrations, models
from django.db.models import Q

REFERENCES = ("order_reference", "contact_reference", "accounting_cost")


def fill_from_current_references(apps, schema_editor):
    # Invoices issued before this migration never stored their references: the documents were made
    # from the company's settings of the moment. The company's current references are the best we
    # know of what its old invoices carried (and what their downloads showed until now).
    Invoice = apps.get_model("invoicing", "Invoice")
    EInvoiceSettings = apps.get_model("invoicing", "EInvoiceSettings")
    anything_set = ~Q(order_reference="") | ~Q(contact_reference="") | ~Q(accounting_cost="")
    # _default_manager: the historical models have `objects`, the live ones (tests) the plain `all_companies`.
    for settings in EInvoiceSettings._default_manager.filter(anything_set).values("company_id", *REFERENCES):
        company_id = settings.pop("company_id")
        Invoice.objects.filter(company_id=company_id).update(**settings)


class Migration(migrations.Migration):

    dependencies = [
        ('invoicing', '0008_merge_outbox_and_access_point'),
    ]

    operations = [
        migrations.AddField(
            model_name='invoice',
            name='accounting_cost',
            field=models.CharField(blank=True, default='', max_length=40, verbose_name='cost centre or account'),
        ),
        migrations.AddField(
            model_name='invoice',
            name='contact_reference',
            field=models.CharField(blank=True, default='', max_length=40, verbose_name='contact person or reference'),
        ),
        migrations.AddField(
            model_name='invoice',
            name='order_reference',
            field=models.CharField(blank=True, default='', max_length=35, verbose_name='order number'),
        ),
        migrations.RunPython(fill_from_current_references, migrations.RunPython.noop),
    ]
