"""Phone-number normalisation shared by import, CLI and DNC checks.

phonenumbers is imported on first use: its metadata costs tens of milliseconds, which the GUI
should not pay before its first paint.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable

# A number with an extension is carried as "+14155550100;ext=12" (RFC 3966's spelling) until
# it is stored: the E.164 part in contacts.phone, the digits in contacts.extension.
EXTENSION_MARK = ";ext="
# How a country is named when the English one is long or not what people say.
_SHORT_NAMES = {"GB": "UK", "US": "US", "AE": "UAE"}


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


def country_name(region: str) -> str:
    """The region's English name ("France"), or the short one people use ("UK", "US")."""
    from phonenumbers.geodata.locale import LOCALE_DATA

    code = region.upper()
    names = LOCALE_DATA.get(code, {})
    english = names.get("en") or ""
    if english.startswith("*"):  # the data shares one spelling between languages: "*aa"
        english = names.get(english[1:], "")
    return _SHORT_NAMES.get(code) or english or code


def regions() -> list[tuple[str, str, int]]:
    """Every region numbers can be read in, as (code, name, calling code), by name."""
    import phonenumbers

    found = [
        (r, country_name(r), phonenumbers.country_code_for_region(r))
        for r in phonenumbers.SUPPORTED_REGIONS
    ]
    return sorted(found, key=_by_name)


def _by_name(item: tuple[str, str, int]) -> str:
    return item[1].casefold()


def is_international(text: str) -> bool:
    """Written with its country code: "+44 …" or "0044 …" (read so in any region)."""
    stripped = text.strip()
    return stripped.startswith("+") or stripped.startswith("00")


def international_form(text: str) -> str:
    """ "0044 20 …" as "+44 20 …"; other text unchanged."""
    stripped = text.strip()
    return "+" + stripped[2:] if stripped.startswith("00") else stripped


def region_written(text: str) -> str | None:
    """The region of an internationally written number, from its country code."""
    import phonenumbers

    if not is_international(text):
        return None
    try:
        number = phonenumbers.parse(international_form(text), None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number)
    if region in (None, "ZZ"):
        region = phonenumbers.region_code_for_country_code(number.country_code)
    return None if region in (None, "ZZ", "001") else region


def invalid_reason(shown: str, region: str) -> str:
    """ "+44 7700 900123: not a valid UK number": the country the number was read as."""
    read_as = region_written(shown) or region
    return f"{shown.strip()}: not a valid {country_name(read_as)} number"


def to_e164(raw: str, region: str = "US") -> str:
    """Parse *raw* in *region* and return its E.164 form, or raise InvalidPhone with a reason.

    A "+" or "00" prefix makes the number international whatever the region."""
    import phonenumbers

    text = str(raw).strip()
    if not text:
        raise InvalidPhone("empty phone number")
    try:
        number = phonenumbers.parse(international_form(text), region.upper())
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"{text}: not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(invalid_reason(text, region))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def split_extension(value: str) -> tuple[str, str | None]:
    """ "+14155550100;ext=12" -> ("+14155550100", "12"); a plain number has no extension."""
    phone, mark, extension = value.partition(EXTENSION_MARK)
    return phone, (extension or None) if mark else None


def guess_region(cells: Iterable[str], default: str) -> str:
    """The region a list's numbers are most likely written in.

    Numbers written with a country code name candidate regions; the candidate under which most
    of the other numbers are valid wins, the default on a tie (or when every number has a "+").
    """
    import phonenumbers

    sample = [c.strip() for c in cells if c and c.strip()]
    written = Counter(r for c in sample if (r := region_written(c)))
    national = [c for c in sample if not is_international(c)]
    if not written:
        return default
    if not national:
        region, count = written.most_common(1)[0]
        return region if count * 2 > len(sample) else default

    def valid_in(region: str) -> int:
        valid = 0
        for cell in national:
            with contextlib.suppress(phonenumbers.NumberParseException):
                valid += phonenumbers.is_valid_number(phonenumbers.parse(cell, region))
        return valid

    best, best_valid = default, valid_in(default)
    for region, _count in written.most_common(5):
        if region != default and (valid := valid_in(region)) > best_valid:
            best, best_valid = region, valid
    return best


def format_international(e164: str) -> str:
    """ "+44 20 7946 0958": for lists that mix countries."""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def format_national(e164: str) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
