from django.urls import path

from subscriptions import views

app_name = "subscriptions"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export, name="export"),
    path("bulk/", views.bulk, name="bulk"),
    path("bulk/<int:bulk_job_id>/", views.bulk_job, name="bulk_job"),
    path("new/", views.create, {"step": "user"}, name="create_user"),
    path("new/type/", views.create, {"step": "product"}, name="create_product"),
    path("new/number/", views.create, {"step": "number"}, name="create_number"),
    path("new/sim/", views.create, {"step": "sim"}, name="create_sim"),
    path("new/summary/", views.create, {"step": "summary"}, name="create_summary"),
    path("<int:subscription_id>/", views.detail, name="detail"),
    path("<int:subscription_id>/reveal/", views.reveal, name="reveal"),
    path("<int:subscription_id>/change-type/", views.change_product, name="change_product"),
    path("<int:subscription_id>/cancel/", views.cancel, name="cancel"),
    path("<int:subscription_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:subscription_id>/sim/", views.sim, name="sim"),
    path("<int:subscription_id>/add-ons/", views.add_ons, name="add_ons"),
    path("<int:subscription_id>/blocks/", views.blocks, name="blocks"),
    path("<int:subscription_id>/suspend/", views.suspend, name="suspend"),
    path("<int:subscription_id>/resume/", views.resume, name="resume"),
]
