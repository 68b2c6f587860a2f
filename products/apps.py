from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("Products")

    def ready(self) -> None:
        from audit.labels import register
        from products import checks  # noqa: F401  (registers the zero-touch configuration check)
        from products.demo import seed_products
        from products.overview import overview_context
        from registry.areas import Area, registry
        from registry.demo import Seeder, register_seeder
        from registry.overview import OverviewSection, register_section

        registry.register(
            Area(
                key="products",
                title=_("Products"),
                url_name="products:index",
                description=_("Order SIM cards, eSIMs, phones and other hardware, and follow the delivery."),
                icon="box-open",
                order=45,
                staff_url_name="products:staff_queue",
                staff_title=_("Product orders"),
                urls="products.urls",
                url_prefix="products/",
            )
        )
        register_section(
            OverviewSection(
                area_key="products",
                template="products/overview_section.html",
                context=overview_context,
                order=45,
                changes_with=("products.Order",),  # an order's state changes through save()
            )
        )
        register_seeder(Seeder("products", seed_products, order=70))
        register(
            {
                "products.item_saved": _("Saved a catalogue item"),
                "products.order_placed": _("Placed a product order"),
                "products.order_approved": _("Approved a product order"),
                "products.order_refused": _("Refused a product order"),
                "products.order_cancelled": _("Cancelled a product order"),
                "products.order_picked": _("Picked a product order"),
                "products.order_shipped": _("Shipped a product order"),
                "products.order_completed": _("Completed a product order"),
                "products.return_requested": _("Registered a return"),
                "products.esim_sent": _("Sent an eSIM activation"),
                "products.esim_opened": _("Opened an eSIM activation"),
                "products.settings_saved": _("Changed the ordering rules"),
                "products.device_enrolled": _("Registered a device for zero-touch enrolment"),
            }
        )
