import json

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def settings_script(settings_json: str, element_id: str) -> SafeString:
    """django-ninja hands the Swagger settings over as JSON text; write them as an escaped data block."""
    return json_script(json.loads(settings_json), element_id)
