"""Phone-number normalisation shared by import, CLI and DNC checks."""

from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    pass


def to_e164(raw: str, region: str = "US") -> str:
    """Parse *raw* in *region* and return its E.164 form, or raise InvalidPhone with a reason."""
    text = str(raw).strip()
    if not text:
        raise InvalidPhone("empty phone number")
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"not a phone number ({exc.args[0] if exc.args else exc})") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid number for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_national(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
