from django.urls import path

from portal import admins, views

app_name = "portal"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("company/switch/", views.switch_company, name="switch_company"),
    # Managing the company's admins (main admins only).
    path("admins/", admins.admin_list, name="admins"),
    path("admins/invite/", admins.invite, name="admins_invite"),
    path("admins/review/", admins.review, name="admins_review"),
    path("admins/review/<int:review_row_id>/confirm/", admins.review_confirm, name="admins_review_confirm"),
    path("admins/review/<int:review_row_id>/remove/", admins.review_remove, name="admins_review_remove"),
    path("admins/<int:membership_id>/", admins.admin_detail, name="admin_detail"),
    path("admins/<int:membership_id>/remove/", admins.remove, name="admin_remove"),
    path("admins/invitations/<int:invitation_id>/resend/", admins.resend, name="invitation_resend"),
    path("admins/invitations/<int:invitation_id>/withdraw/", admins.withdraw, name="invitation_withdraw"),
    path("admins/requests/<int:access_request_id>/approve/", admins.approve, name="access_request_approve"),
    path("admins/requests/<int:access_request_id>/refuse/", admins.refuse, name="access_request_refuse"),
    path("staff/main-admins/", admins.staff_main_admins, name="staff_main_admins"),
    path("staff/main-admins/<int:company_id>/", admins.staff_appoint, name="staff_appoint"),
]
