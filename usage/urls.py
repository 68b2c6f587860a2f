from django.urls import include, path

from usage import views

confirm_patterns = ([path("<str:token>/", views.report_confirm, name="confirm")], "report_recipient")
app_name = "usage"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("users/", views.users, name="users"),
    path("roaming/", views.users, {"roaming": True}, name="roaming"),
    path("line/<int:subscription_id>/", views.line, name="line"),
]
urlpatterns += [
    path("reports/", views.reports, name="reports"),
    path("reports/recipients/", views.report_recipient_add, name="report_recipient_add"),
    path(
        "reports/recipients/<int:report_recipient_id>/remove/",
        views.report_recipient_remove,
        name="report_recipient_remove",
    ),
    path("reports/<int:schedule_id>/delete/", views.report_delete, name="report_delete"),
    path("reports/file/<int:run_id>/", views.report_file, name="report_file"),
    # Public (the address's owner may have no account), in its own namespace so the route walkers leave it.
    path("reports/confirm/", include(confirm_patterns)),
]
