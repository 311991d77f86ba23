"""Reading numbers from any country: the country is named, "+"/"00" always international."""

from __future__ import annotations

import pytest

from app.domain.phone import (
    InvalidPhone,
    country_name,
    format_international,
    guess_region,
    invalid_reason,
    regions,
    split_extension,
    to_e164,
)


@pytest.mark.parametrize("region", ["US", "FR", "DE"])
@pytest.mark.parametrize("written", ["+44 20 7946 0958", "0044 20 7946 0958"])
def test_a_number_with_its_country_code_is_international_in_any_region(written, region):
    assert to_e164(written, region) == "+442079460958"


def test_a_reject_names_the_country_the_number_was_read_as():
    assert invalid_reason("+44 7700 900123", "FR") == "+44 7700 900123: not a valid UK number"
    assert invalid_reason("0049 12", "US") == "0049 12: not a valid Germany number"
    assert invalid_reason("12345", "FR") == "12345: not a valid France number"
    with pytest.raises(InvalidPhone, match="06 12: not a valid France number"):
        to_e164("06 12", "FR")


def test_country_names_and_the_picker_list():
    assert (country_name("GB"), country_name("FR"), country_name("us")) == ("UK", "France", "US")
    names = {code: (name, dial) for code, name, dial in regions()}
    assert names["DE"] == ("Germany", 49) and len(names) > 200


def test_an_extension_is_split_off_the_number():
    assert split_extension("+14155550100;ext=12") == ("+14155550100", "12")
    assert split_extension("+14155550100") == ("+14155550100", None)


def test_the_region_is_guessed_from_the_numbers_written_with_a_country_code():
    french = ["+33 6 12 34 56 78", "06 12 34 56 79", "06 12 34 56 70"]
    assert guess_region(french, "US") == "FR"
    assert guess_region(["+44 20 7946 0958", "+44 20 7946 0959"], "US") == "GB"
    # No hint in the numbers, or a hint the rest do not bear out: the default stays.
    assert guess_region(["415 555 0100", "(415) 555-0101"], "US") == "US"
    assert guess_region(["+33 6 12 34 56 78", "415 555 0100", "415 555 0101"], "US") == "US"


def test_a_mixed_list_shows_numbers_with_their_country_code():
    assert format_international("+442079460958") == "+44 20 7946 0958"
