from django.urls import path

from employees import views

# The employee's own pages: public sign-in, then the signed-in employee's (session.employee_view). Outside the
# company route walkers (an employee has no company membership); employees/tests walk them.
app_name = "employees"
urlpatterns = [
    path("", views.index, name="index"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/<str:token>/", views.confirm, name="confirm"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("<int:subscription_id>/", views.subscription, name="subscription"),
    path("<int:subscription_id>/pin/", views.reveal, name="reveal"),
    path("<int:subscription_id>/ask/", views.ask, name="ask"),
    path("<int:subscription_id>/hardware/", views.hardware, name="hardware"),
]
