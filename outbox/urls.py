from django.urls import path

from outbox import views

app_name = "outbox"
urlpatterns = [
    path("", views.staff_index, name="staff"),
    path("<int:message_id>/resend/", views.staff_resend, name="staff_resend"),
    path("<int:message_id>/mark-sent/", views.staff_mark_sent, name="staff_mark_sent"),
]
