from django.urls import path

from employees import views

# The admins' side: the company's employee requests (the Subscriptions area), walked by portal/tests.
app_name = "employee_requests"
urlpatterns = [
    path("", views.requests_list, name="list"),
    path("<int:request_id>/", views.request_detail, name="detail"),
]
