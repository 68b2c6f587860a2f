from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import ean as stdnum_ean
from stdnum.dk import cvr as stdnum_cvr
from stdnum.exceptions import ValidationError as StdnumError


def validate_cvr(value: str) -> None:
    try:
        stdnum_cvr.validate(value)
    except StdnumError:
        raise ValidationError(
            _("%(value)s is not a valid CVR number (8 digits with a valid check digit)."),
            code="invalid_cvr",
            params={"value": value},
        ) from None


def validate_ean(value: str) -> None:
    try:
        stdnum_ean.validate(value)
    except StdnumError:
        valid = False
    else:
        valid = len(value) == 13
    if not valid:
        raise ValidationError(
            _("%(value)s is not a valid EAN/GLN number (13 digits with a valid check digit)."),
            code="invalid_ean",
            params={"value": value},
        )
