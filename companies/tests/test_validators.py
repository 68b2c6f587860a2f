import pytest
from django.core.exceptions import ValidationError

from companies.tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cvr", ["12345678", "1234567", "abcdefgh", "13585629"])
def test_it_rejects_invalid_cvr_numbers(cvr):
    company = CompanyFactory.build(cvr=cvr)
    with pytest.raises(ValidationError) as error:
        company.full_clean()
    assert "cvr" in error.value.message_dict


def test_it_accepts_a_valid_cvr_number():
    CompanyFactory.build(cvr="13585628").full_clean()


@pytest.mark.parametrize("ean", ["5790001330584", "123", "57900013305830"])
def test_it_rejects_invalid_ean_numbers(ean):
    with pytest.raises(ValidationError) as error:
        CompanyFactory.build(ean=ean).full_clean()
    assert "ean" in error.value.message_dict


def test_it_accepts_a_valid_gln():
    CompanyFactory.build(ean="5790001330583").full_clean()
