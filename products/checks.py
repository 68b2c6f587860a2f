from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)  # production only (`check --deploy`): development and the demo use the fake
def check_zero_touch(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Devices for a provider without credentials wait (pending, "not configured"): say so at start."""
    from products.models import ProductSettings
    from products.zerotouch import ProviderRouter

    path = getattr(settings, "PRODUCTS_ZERO_TOUCH_ADAPTER", "products.zerotouch.ProviderRouter")
    if path != "products.zerotouch.ProviderRouter":
        return []
    labels = dict(ProductSettings.Provider.choices)
    return [
        Warning(
            f"Zero-touch enrolment with {labels[provider]} is not configured: its devices stay pending.",
            hint="Set the ZERO_TOUCH_* variables for it (README, Configuration; docs/products.md).",
            id="products.W001",
        )
        for provider in ProviderRouter.ADAPTERS
        if not ProviderRouter.configured(provider)
    ]
