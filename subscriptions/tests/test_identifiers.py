import pytest

from common.formats import phone as display_phone
from subscriptions.identifiers import iccid_with_check, is_valid_iccid, normalise_phone, search_phone


@pytest.mark.parametrize(
    "value", ["20 12 34 56", "+4520123456", "4520123456", "20123456", "+45 20 12 34 56", "0045 20123456"]
)
def test_it_normalises_danish_numbers_to_e164(value):
    assert normalise_phone(value) == "+4520123456"


@pytest.mark.parametrize("value", ["", "123", "abc", "+4512", "+45999999999999"])
def test_it_rejects_what_is_not_a_phone_number(value):
    assert normalise_phone(value) is None


def test_it_searches_a_danish_looking_number_the_metadata_does_not_know():
    assert normalise_phone("+4510000000") is None
    assert search_phone("+4510000000") == search_phone("4510000000") == search_phone("10 00 00 00") == "+4510000000"


def test_it_displays_danish_numbers_in_pairs():
    assert display_phone("+4520123456") == "20 12 34 56"


def test_it_validates_iccids_with_luhn():
    good = iccid_with_check("894501000000000001")
    assert is_valid_iccid(good)
    assert not is_valid_iccid(good[:-1] + str((int(good[-1]) + 1) % 10))
    assert not is_valid_iccid("12" + good[2:])
    assert not is_valid_iccid(good[:15])


def test_only_the_operators_own_sim_ranges_are_accepted(settings):
    from subscriptions.identifiers import is_operator_iccid

    assert is_operator_iccid(iccid_with_check("894501000000000001"))
    assert not is_operator_iccid(iccid_with_check("894601000000000001"))  # Sweden (46)
    assert not is_operator_iccid(iccid_with_check("894520000000000001"))  # another Danish issuer
    settings.OPERATOR_ICCID_PREFIXES = ("894520",)
    assert is_operator_iccid(iccid_with_check("894520000000000001"))
