from django.urls import path

from jobs import views

app_name = "jobs"
urlpatterns = [
    path("staff/", views.staff_tasks, name="staff"),
    path("staff/<uuid:task_id>/retry/", views.staff_retry, name="staff_retry"),
]
