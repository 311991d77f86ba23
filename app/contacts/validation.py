"""Phone cells to E.164, each distinct number parsed once (phonenumbers is the slow part)."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from app.domain.phone import EXTENSION_MARK, InvalidPhone, international_form, to_e164

_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_WHOLE_FLOAT = re.compile(r"^(\+?\d+)\.0+$")  # 4155550100.0, as some exports write numbers
# Digits with the punctuation people put in phone numbers, and nothing else.
_PLAIN = re.compile(r"\+?[\d \t().\-/\u00a0]+")
_PUNCTUATION = str.maketrans("", "", " \t().-/\u00a0")

# (E.164, None) or (None, reason); the E.164 may end in ";ext=12" (app.domain.phone).
PhoneResult = tuple[str | None, str | None]


class PhoneValidator:
    """Validates phone cells in one region.

    Results are cached by cell text, and plain cells also by their digits, so that
    "(415) 555-0100" and "415.555.0100" cost one phonenumbers parse between them.
    """

    def __init__(self, region: str = "US") -> None:
        self.region = (region or "US").upper()
        self._country_code = phonenumbers.country_code_for_region(self.region)
        self._by_cell: dict[str, PhoneResult] = {}
        self._by_digits: dict[str, PhoneResult] = {}

    def check(self, cell: str) -> PhoneResult:
        result = self._by_cell.get(cell)
        if result is None:
            result = self._by_cell[cell] = self._check(cell)
        return result

    def _check(self, cell: str) -> PhoneResult:
        text = cell.strip()
        if "." in text:
            whole = _WHOLE_FLOAT.match(text)
            if whole:
                text = whole.group(1)
        if _PLAIN.fullmatch(text):
            digits = text.translate(_PUNCTUATION)
            result = self._by_digits.get(digits)
            if result is None:
                result = self._by_digits[digits] = self._check_text(digits, text)
            return result
        if text[:4].lower() == "tel:":
            text = text[4:].strip()
        if not text:
            return None, "no phone number"
        if _SCIENTIFIC.match(text):
            return None, (
                f"{text} is in scientific notation: the spreadsheet dropped digits; "
                "format the phone column as Text and export again"
            )
        return self._check_text(text, text)

    def _check_text(self, text: str, shown: str) -> PhoneResult:
        """*text* is what is parsed (punctuation may be gone); *shown* is for the reason."""
        digits = "".join(ch for ch in text if ch.isdigit()) if not text.isdigit() else text
        if not digits:
            return None, f"{shown!r} is not a phone number (no digits)"
        international = text.startswith(("+", "00"))
        e164 = self._fast_e164(international_form(text))
        if e164:
            return e164, None
        # International numbers whose "+" was lost (Excel stores them as integers).
        if not international and (e164 := self._fast_e164(f"+{digits}")):
            return e164, None
        try:  # only to get app.domain.phone's wording of the reason
            return to_e164(shown, self.region), None
        except InvalidPhone as exc:
            return None, str(exc)

    def _fast_e164(self, text: str) -> str | None:
        """to_e164 without its slowest step for home-country numbers.

        is_valid_number first looks up the number's region among every region sharing the
        country code (25 for +1); a number valid for the campaign's own region needs none of that.
        """
        try:
            number = phonenumbers.parse(text, self.region)
        except NumberParseException:
            return None
        if (
            number.country_code == self._country_code
            and phonenumbers.is_valid_number_for_region(number, self.region)
        ) or phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            # Kept, not dropped: the dialer can send it as digits once the call is answered.
            return f"{e164}{EXTENSION_MARK}{number.extension}" if number.extension else e164
        return None
