from django.urls import path

from tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("request-access/", views.request_access, name="request_access"),
    path("<int:ticket_id>/", views.detail, name="detail"),
    path("<int:ticket_id>/reply/", views.reply, name="reply"),
    path("<int:ticket_id>/attach/", views.attach, name="attach"),
    path("<int:ticket_id>/close/", views.close, name="close"),
    path("<int:ticket_id>/reopen/", views.reopen, name="reopen"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("messages/<int:message_id>/", views.message, name="message"),
    path("staff/", views.staff_queue, name="staff_queue"),
    path("staff/<int:ticket_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:ticket_id>/assign/", views.staff_assign, name="staff_assign"),
    path("staff/<int:ticket_id>/reply/", views.staff_reply, name="staff_reply"),
    path("staff/<int:ticket_id>/status/", views.staff_status, name="staff_status"),
    path("staff/attachments/<int:attachment_id>/", views.staff_attachment, name="staff_attachment"),
]
