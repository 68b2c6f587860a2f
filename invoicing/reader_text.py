"""An invoice's texts in the reader's language on the invoice page and in its details CSV.

An invoice is written once, in its ``language`` (the company's invoice language): its sections keep the
product's name as billed ("Mobil 30 GB") and its lines say "Mobil 30 GB, 10 af 30 dage", "Tale (minutter)".
The PDF and the XML stay as issued. Each line also keeps its text in both languages
(``InvoiceLine.description_en``/``_da``, written by the billing run), and the page and the CSV show the
reader's. Lines billed before those were kept fall back to the catalogue: the product is named in the
reader's language when the billed name is still the product's own (in either language), and usage by its
type. The product comes with the sections query (``select_related("subscription__product")``), so this
costs no query.
"""

import re
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext as _

from invoicing.models import InvoiceLine, InvoiceSection, UsageRecord

PRO_RATA = "%(name)s, %(days)s of %(month_days)s days"
OTHER_CHARGES = "Other charges"


@lru_cache(maxsize=8)
def _in(language: str, message: str) -> str:
    with translation.override(language):
        return _(message)


@lru_cache(maxsize=32)
def _usage_label(language: str, usage_type: str) -> str:
    with translation.override(language):
        return str(UsageRecord.Type(usage_type).label)


@lru_cache(maxsize=8)
def _pro_rata_pattern(language: str) -> re.Pattern[str]:
    with translation.override(language):
        text = _(PRO_RATA)
    pattern = re.escape(text)
    for key in ("name", "days", "month_days"):
        pattern = pattern.replace(re.escape(f"%({key})s"), f"(?P<{key}>.+?)" if key == "name" else f"(?P<{key}>\\d+)")
    return re.compile(f"^{pattern}$")


def localise_section(section: InvoiceSection, language: str) -> None:
    """Sets ``product_display`` on the section and ``display_description`` on each of its lines."""
    product = section.subscription.product if section.subscription_id and section.subscription else None
    known = product is not None and section.product_name in (product.name, product.name_da)
    name = product.display_name if known and product is not None else section.product_name
    section.product_display = name  # type: ignore[attr-defined]
    if section.subscription_id is None and section.user_name == _in(language, OTHER_CHARGES):
        section.user_name = _(OTHER_CHARGES)  # the company's own section, named by the billing run
    pattern = _pro_rata_pattern(language)
    reader = translation.get_language() or "en"
    for line in section.lines.all():
        description = line.description
        if line.description_en:  # kept in both languages
            description = line.description_in(reader)
        elif line.kind == InvoiceLine.Kind.USAGE and line.usage_type in UsageRecord.Type.values:
            if description == _usage_label(language, line.usage_type):
                description = _usage_label(reader, line.usage_type)
        elif known and line.kind == InvoiceLine.Kind.SUBSCRIPTION:
            if description == section.product_name:
                description = name
            elif (match := pattern.match(description)) and match.group("name") == section.product_name:
                description = _(PRO_RATA) % {"name": name, "days": match["days"], "month_days": match["month_days"]}
        line.display_description = description  # type: ignore[attr-defined]
