from django.urls import include, path

from invoicing import views

app_name = "invoice"

# The confirmation link is public (the address may belong to someone without a portal
# login); the signed token, not the session, is its authority. Its own namespace keeps it
# out of the company route walker, which assumes company-scoped ids; it has its own tests.
confirm_patterns = ([path("<str:token>/", views.einvoice_confirm, name="confirm")], "einvoice")

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:invoice_id>/", views.detail, name="detail"),
    path("<int:invoice_id>/details.csv", views.details_csv, name="details_csv"),
    path("<int:invoice_id>/pdf/", views.pdf, name="pdf"),
    path("<int:invoice_id>/ubl.xml", views.ubl, name="ubl"),
    path("<int:invoice_id>/oioubl.xml", views.oioubl, name="oioubl"),
    path("einvoice/references/", views.einvoice_references, name="einvoice_references"),
    path("einvoice/", views.einvoice, name="einvoice"),
    path("einvoice/<int:recipient_id>/remove/", views.einvoice_remove, name="einvoice_remove"),
    path("einvoice/<int:recipient_id>/resend/", views.einvoice_resend, name="einvoice_resend"),
    path(
        "einvoice/deliveries/<int:delivery_id>/resend/", views.einvoice_delivery_resend, name="einvoice_delivery_resend"
    ),
    path("einvoice/opt-out/", views.einvoice_opt_out, name="einvoice_opt_out"),
    path("einvoice/confirm/", include(confirm_patterns)),
    path("staff/", views.staff_index, name="staff"),
    path("staff/<int:invoice_id>/", views.staff_invoice, name="staff_invoice"),
    path("staff/usage-imports/<int:usage_import_id>/", views.staff_usage_import, name="staff_usage_import"),
    path("staff/payment-imports/<int:payment_import_id>/", views.staff_payment_import, name="staff_payment_import"),
]
