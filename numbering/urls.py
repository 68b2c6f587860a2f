from django.urls import path

from numbering import staff_views, views

app_name = "numbers"
urlpatterns = [
    path("", views.index, name="index"),
    path("mobile/", views.mobile_numbers, name="mobile_numbers"),
    path("ports/", views.port_list, name="port_list"),
    path("ports/new/", views.port_new, name="port_new"),
    path("ports/<int:port_id>/", views.port_detail, name="port_detail"),
    path("ports/<int:port_id>/edit/", views.port_edit, name="port_edit"),
    path("ports/<int:port_id>/submit/", views.port_submit, name="port_submit"),
    path("ports/<int:port_id>/cancel/", views.port_cancel, name="port_cancel"),
    path("ports/<int:port_id>/comment/", views.port_comment, name="port_comment"),
    path("ports/<int:port_id>/authorisation/", views.port_authorisation, name="port_authorisation"),
    path("flow/", views.flow, name="flow"),
    path("flow/design/", views.flow_design, name="flow_design"),
    path("flow/hours/", views.flow_hours, name="flow_hours"),
    path("flow/edit/", views.flow_edit, name="flow_edit"),
    path("flow/versions/", views.flow_versions, name="flow_versions"),
    path("flow/versions/<int:version_id>/", views.flow_version, name="flow_version"),
    path("flow/versions/<int:version_id>/rollback/", views.flow_rollback, name="flow_rollback"),
    path("flow/versions/<int:version_id>/schedule/", views.flow_schedule, name="flow_schedule"),
    path("flow/versions/compare/", views.flow_compare, name="flow_compare"),
    path("flow/scheduled/<int:change_id>/cancel/", views.flow_schedule_cancel, name="flow_schedule_cancel"),
    path("flow/export.json", views.flow_export, name="flow_export"),
    path("staff/", staff_views.queue, name="staff_queue"),
    path("staff/ports/<int:port_id>/", staff_views.port_detail, name="staff_port"),
    path("staff/ports/<int:port_id>/authorisation/", staff_views.port_authorisation, name="staff_port_authorisation"),
]
