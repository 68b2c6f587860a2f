"""Danish telephony facts every area may use: the operators, the numbering plan's mobile series, and
parsing and formatting numbers (pure functions, no models). The porting rules are the Numbers area's
(``numbering/porting.py``)."""

from typing import TYPE_CHECKING

import phonenumbers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import formats

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The operators a Danish business number is most often ported from.
OPERATORS: "list[tuple[str, StrOrPromise]]" = [
    ("tdc", "TDC Erhverv / Nuuday"),
    ("telenor", "Telenor"),
    ("telia", "Telia"),
    ("3", "3 (Hi3G)"),
    ("norlys", "Norlys"),
    ("globalconnect", "GlobalConnect"),
    ("stofa", "Stofa"),
    ("waoo", "Waoo"),
    ("ipvision", "ipvision"),
    ("flexfone", "Flexfone"),
    ("other", gettext_lazy("Another operator")),
]
OPERATOR_LABELS: "dict[str, StrOrPromise]" = dict(OPERATORS)

# The Danish numbering plan (SDFI) sets aside these two-digit series for mobile services.
# Landline and mobile numbers cannot be ported into each other (Teleloven § 28a).
MOBILE_PREFIXES = {f"{n}" for n in range(20, 32)} | {
    "40",
    "41",
    "42",
    "50",
    "51",
    "52",
    "53",
    "60",
    "61",
    "71",
    "81",
    "91",
    "92",
    "93",
}
PREMIUM_PREFIXES = {"90"}


class NumberError(ValueError):
    pass


def parse_landline(text: str) -> str:
    """One Danish landline number in E.164, or NumberError with a reason the customer understands."""
    raw = text.strip()
    try:
        parsed = phonenumbers.parse(raw, "DK")
    except phonenumbers.NumberParseException:
        raise NumberError(_("“%(number)s” is not a phone number.") % {"number": raw}) from None
    if parsed.country_code != 45 or not phonenumbers.is_valid_number(parsed):
        raise NumberError(_("“%(number)s” is not a valid Danish phone number.") % {"number": raw})
    national = str(parsed.national_number)
    if national[:2] in MOBILE_PREFIXES:
        raise NumberError(
            _(
                "%(number)s is a mobile number. Landline and mobile numbers cannot be ported into each other; "
                "port mobile numbers by ordering a subscription with number transfer."
            )
            % {"number": formats.phone(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))}
        )
    if national[:2] in PREMIUM_PREFIXES:
        raise NumberError(_("%(number)s is a premium-rate number, which we cannot port.") % {"number": raw})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def parse_mobile(text: str) -> str:
    """One Danish mobile number in E.164 (a mobile port request), or NumberError with the reason."""
    raw = text.strip()
    try:
        parsed = phonenumbers.parse(raw, "DK")
    except phonenumbers.NumberParseException:
        raise NumberError(_("“%(number)s” is not a phone number.") % {"number": raw}) from None
    if parsed.country_code != 45 or not phonenumbers.is_valid_number(parsed):
        raise NumberError(_("“%(number)s” is not a valid Danish phone number.") % {"number": raw})
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if str(parsed.national_number)[:2] not in MOBILE_PREFIXES:
        raise NumberError(
            _(
                "%(number)s is not a mobile number. Landline and mobile numbers cannot be ported into each other; "
                "port landline numbers under Numbers → Port numbers to us."
            )
            % {"number": formats.phone(e164)}
        )
    return e164
