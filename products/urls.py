from django.urls import include, path

from products import staff_views, views

app_name = "products"

# The approval and eSIM links in e-mails are public (the signed token, not the session, is their
# authority), and catalogue images are the operator's, not a company's: their own namespaces keep them
# out of the company route walker; products/tests cover them.
approval_patterns = ([path("<str:token>/", views.approval_confirm, name="confirm")], "approval")
esim_patterns = ([path("<str:token>/", views.esim_confirm, name="confirm")], "esim")
media_patterns = ([path("<int:item_id>/", views.image, name="image")], "media")

urlpatterns = [
    path("", views.index, name="index"),
    path("basket/", views.basket_view, name="basket"),
    path("basket/add/", views.basket_add, name="basket_add"),
    path("basket/remove/", views.basket_remove, name="basket_remove"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:order_id>/decide/", views.order_decide, name="order_decide"),
    path("orders/<int:order_id>/return/", views.order_return, name="order_return"),
    path("orders/<int:order_id>/esim/reissue/", views.order_reissue, name="order_reissue"),
    path("settings/", views.settings_view, name="settings"),
    path("approve/", include(approval_patterns)),
    path("esim/", include(esim_patterns)),
    path("images/", include(media_patterns)),
    path("staff/", staff_views.queue, name="staff_queue"),
    path("staff/orders/<int:order_id>/", staff_views.order_detail, name="staff_order"),
    path("staff/catalogue/", staff_views.catalogue, name="staff_catalogue"),
    path("staff/catalogue/new/", staff_views.item_new, name="staff_item_new"),
    path("staff/catalogue/<int:item_id>/", staff_views.item_edit, name="staff_item"),
]
