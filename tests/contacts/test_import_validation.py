"""PhoneValidator: its shortcuts (digits cache, home-region check) never change an answer."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.contacts.validation import PhoneValidator
from app.domain.phone import InvalidPhone, to_e164


def reference(cell: str, region: str) -> str | None:
    """The plain rule: app.domain.phone, then the same digits with a "+".

    A whole number written as a float ("4155550100.0", as exports write numbers) is that
    whole number: its ".0" is not a digit.
    """
    text = re.sub(r"^(\+?\d+)\.0+$", r"\1", cell.strip())
    try:
        return to_e164(text, region)
    except InvalidPhone:
        pass
    digits = re.sub(r"\D", "", text)
    if text.startswith("+") or not digits:
        return None
    for candidate in ([f"+{digits[2:]}"] if digits.startswith("00") else []) + [f"+{digits}"]:
        try:
            return to_e164(candidate, region)
        except InvalidPhone:
            pass
    return None


phone_like = st.one_of(
    st.from_regex(r"\+?[0-9 ()\-./]{0,18}", fullmatch=True),
    st.builds(
        lambda cc, rest, sep: f"{cc}{sep}{rest}",
        st.sampled_from(["", "+1", "+44", "0044", "+49", "1", "0", "+33", "011 44"]),
        st.from_regex(r"[2-9][0-9]{6,10}", fullmatch=True),
        st.sampled_from(["", " ", "-", "."]),
    ),
)


@settings(max_examples=300, deadline=None)
@given(cell=phone_like, region=st.sampled_from(["US", "GB", "DE", "FR", "CA"]))
def test_same_answer_as_the_plain_rule(cell, region):
    e164, reason = PhoneValidator(region).check(cell)
    assert e164 == reference(cell, region)
    assert (reason is None) == (e164 is not None)


@settings(max_examples=200, deadline=None)
@given(cell=st.text(max_size=30))
def test_any_text_gets_an_answer(cell):
    e164, reason = PhoneValidator("US").check(cell)
    assert (e164 is None) != (reason is None)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("4.15867E+09", "scientific notation"),
        ("4,15867e9", "scientific notation"),
        ("", "no phone number"),
        ("  ", "no phone number"),
        ("call me", "not a phone number"),
        ("12345", "12345: not a valid US number"),
    ],
)
def test_reasons(cell, reason):
    assert reason in PhoneValidator("US").check(cell)[1]


def test_whole_number_floats_and_tel_prefix():
    validator = PhoneValidator("US")
    assert validator.check("4155550100.0") == ("+14155550100", None)
    assert validator.check("tel:+1-415-555-0100") == ("+14155550100", None)


def test_an_extension_is_kept_with_the_number():
    validator = PhoneValidator("US")
    assert validator.check("415-555-0100 x12") == ("+14155550100;ext=12", None)
    assert validator.check("+1 415 555 0100 ext. 34") == ("+14155550100;ext=34", None)


def test_a_double_zero_prefix_is_international_whatever_the_region():
    assert PhoneValidator("US").check("0044 20 7946 0958") == ("+442079460958", None)
    assert PhoneValidator("FR").check("+44 7700 900123") == (
        None,
        "+44 7700 900123: not a valid UK number",
    )
