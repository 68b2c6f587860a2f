"""Danish phone numbers and ICCIDs."""

import phonenumbers
from stdnum import luhn


def normalise_phone(value: str) -> str | None:
    """E.164 for a valid Danish (or international) number, else None."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = phonenumbers.parse(value, "DK")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        # "4520123456" without a plus: try it as an international number.
        digits = "".join(c for c in value if c.isdigit())
        if not value.startswith("+") and digits.startswith("45") and len(digits) == 10:
            return normalise_phone("+" + digits)
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def search_phone(value: str) -> str | None:
    """E.164 for a search: like normalise_phone, but also a Danish-looking number the metadata does not know."""
    phone = normalise_phone(value)
    if phone:
        return phone
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) == 8:
        return "+45" + digits
    if len(digits) == 10 and digits.startswith("45"):
        return "+" + digits
    if len(digits) == 12 and digits.startswith("0045"):
        return "+" + digits[2:]
    return None


def is_valid_iccid(value: str) -> bool:
    return value.isdigit() and 19 <= len(value) <= 20 and value.startswith("89") and luhn.is_valid(value)


def operator_iccid_prefixes() -> tuple[str, ...]:
    """The operator's own SIM ranges: 89 (telecom) 45 (Denmark) and its issuer id(s), from
    ``settings.OPERATOR_ICCID_PREFIXES``."""
    from django.conf import settings

    return tuple(getattr(settings, "OPERATOR_ICCID_PREFIXES", ("894501", "894502", "894503")))


def is_operator_iccid(value: str) -> bool:
    """A valid ICCID in one of the operator's ranges (another operator's SIM, e.g. a Swedish 8946…, is not)."""
    return is_valid_iccid(value) and value.startswith(operator_iccid_prefixes())


def iccid_with_check(body: str) -> str:
    return body + luhn.calc_check_digit(body)
