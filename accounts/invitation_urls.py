from django.urls import path

from accounts import views

# Public, like the eInvoice confirmation: the invitee has no account yet. Its own namespace, which the
# company route walkers leave out (a token belongs to no signed-in company); accounts/tests cover it.
app_name = "invitation"
urlpatterns = [path("<str:token>/", views.accept_invitation, name="accept")]
