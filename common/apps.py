from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Small shared tools; an app only so its template filters (``{% load formats %}``) are found."""

    name = "common"
    verbose_name = "Common"
