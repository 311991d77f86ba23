"""Phone-number normalisation shared by import, CLI and DNC checks.

phonenumbers is imported on first use: its metadata costs tens of milliseconds, which the GUI
should not pay before its first paint.
"""

from __future__ import annotations


class InvalidPhone(ValueError):
    pass


class InvalidRegion(ValueError):
    pass


def check_region(region: str | None, default: str = "US") -> str:
    """The region (ISO country code) as phonenumbers spells it; an unknown one is refused."""
    import phonenumbers

    code = (region or default).strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidRegion(
            f"unknown region {code!r}: use a two-letter country code such as US, GB or DE"
        )
    return code


def to_e164(raw: str, region: str = "US") -> str:
    """Parse *raw* in *region* and return its E.164 form, or raise InvalidPhone with a reason."""
    import phonenumbers

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
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
