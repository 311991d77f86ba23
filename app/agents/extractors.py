"""Typed fields from what the callee said, without an LLM.

Each extractor returns a JSON-ready value (bool, number, str; dates and times as ISO text, a
datetime with the contact's UTC offset) or None when the words hold no such value. Dates are
read relative to *now*, which is already in the contact's time zone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import phonenumbers

from app.agents.speech import _ONES, _TENS

DEFAULT_HOUR = 10  # "tomorrow" alone, for a datetime, means tomorrow at 10 am
DTMF_YES, DTMF_NO = "1", "2"

_NO = re.compile(
    r"\b(no|nope|nah|not really|negative|can't|cannot|can not|won't|wouldn't|couldn't|"
    r"unable|not able|i don't think so|no way)\b"
)
_YES = re.compile(
    r"\b(yes|yeah|yep|yup|ya|sure|certainly|absolutely|definitely|of course|correct|"
    r"that's right|right|i can|i will|i do|i am|i'll be there|sounds good|affirmative|ok|okay|"
    r"fine|works for me|that works)\b"
)
_WORD_NUMBERS = {w: i for i, w in enumerate(_ONES)} | {
    w: i * 10 for i, w in enumerate(_TENS) if w != "_"
}
_SCALE_WORDS = {"hundred": 100, "thousand": 1000}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_PARTS_OF_DAY = {
    "morning": 9,
    "noon": 12,
    "midday": 12,
    "lunchtime": 12,
    "afternoon": 14,
    "evening": 18,
    "tonight": 19,
}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_CLOCK = re.compile(r"\b(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?(?=\W|$)", re.I)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("’", "'")).strip()


def yes_no(text: str) -> bool | None:
    said = _clean(text)
    if said == DTMF_YES:
        return True
    if said == DTMF_NO:
        return False
    if re.search(r"\bno problem\b", said) and not re.search(r"\b(can't|cannot)\b", said):
        return True
    if _NO.search(said):
        return False
    return True if _YES.search(said) else None


def _words_to_digits(text: str) -> str:
    """'twenty five' -> '25', 'a hundred' -> '100', 'five five five' -> '5 5 5'."""
    out: list[str] = []
    current: int | None = None
    for word in re.split(r"[\s-]+", text):
        if word == "and" and current is not None and current >= 100:
            continue  # "a hundred and twenty"
        if word in _WORD_NUMBERS:
            value = _WORD_NUMBERS[word]
            if (
                current is not None
                and value < 10 <= current
                and current % 10 == 0
                and current % 100
            ):
                current += value  # twenty + five
            elif current is not None and current >= 100 and current % 100 == 0 and value < 100:
                current += value  # a hundred + twenty
            else:
                if current is not None:
                    out.append(str(current))
                current = value
        elif word in _SCALE_WORDS and (current is not None or out[-1:] in (["a"], ["an"])):
            if current is None:
                out.pop()
            current = (current or 1) * _SCALE_WORDS[word]
        else:
            if current is not None:
                out.append(str(current))
                current = None
            out.append(word)
    if current is not None:
        out.append(str(current))
    return " ".join(w for w in out if w)


def number(text: str) -> int | float | None:
    said = _words_to_digits(_clean(text)).replace(",", "")
    found = re.search(r"-?\d+(?:\.\d+)?", said)
    if not found:
        return None
    value = float(found.group(0))
    return int(value) if value.is_integer() else value


def choice(text: str, choices: list[str]) -> str | None:
    said = _clean(text)
    if said.isdigit() and 1 <= int(said) <= len(choices):  # a key press picks by position
        return choices[int(said) - 1]
    for option in sorted(choices, key=len, reverse=True):
        if re.search(rf"\b{re.escape(option.lower())}\b", said):
            return option
    return None


def _date_in(said: str, today: date) -> date | None:
    if "day after tomorrow" in said:
        return today + timedelta(days=2)
    if re.search(r"\btomorrow\b", said):
        return today + timedelta(days=1)
    if re.search(r"\b(today|tonight|this (morning|afternoon|evening)|later)\b", said):
        return today
    iso = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", said)
    if iso:
        return _safe_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    for index, month in enumerate(_MONTHS, start=1):
        found = re.search(
            rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{month}|{month}\s+(\d{{1,2}})(?:st|nd|rd|th)?)\b",
            said,
        )
        if found:
            day = int(found.group(1) or found.group(2))
            candidate = _safe_date(today.year, index, day)
            if candidate and candidate < today:
                candidate = _safe_date(today.year + 1, index, day)
            return candidate
    for index, weekday in enumerate(_WEEKDAYS):
        if re.search(rf"\b{weekday}\b", said):
            ahead = (index - today.weekday()) % 7 or 7
            if re.search(rf"\bnext (week )?{weekday}\b", said) and ahead < 7:
                ahead += 7 if (index - today.weekday()) % 7 == 0 else 0
            return today + timedelta(days=ahead)
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _time_in(said: str) -> time | None:
    said = _words_to_digits(said)
    for match in _CLOCK.finditer(said):
        hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
        if (
            not half
            and not match.group(2)
            and not re.search(rf"\bat {hour}\b|\b{hour} o'?clock", said)
        ):
            continue  # a bare number ("in 2 weeks") is not a time
        if half and half[0] == "p" and hour < 12:
            hour += 12
        elif half and half[0] == "a" and hour == 12:
            hour = 0
        elif not half and 1 <= hour <= 7:
            hour += 12  # "at 3" on a business call is the afternoon
        if hour < 24 and minute < 60:
            return time(hour, minute)
    for word, hour in _PARTS_OF_DAY.items():
        if re.search(rf"\b{word}\b", said):
            return time(hour)
    return None


def date_value(text: str, now: datetime) -> str | None:
    found = _date_in(_clean(text), now.date())
    return found.isoformat() if found else None


def time_value(text: str, now: datetime) -> str | None:
    found = _time_in(_clean(text))
    return found.strftime("%H:%M") if found else None


def datetime_value(text: str, now: datetime) -> str | None:
    """A moment in the contact's time zone (now's), as ISO text with its offset."""
    said = _clean(text)
    day, clock = _date_in(said, now.date()), _time_in(said)
    if day is None and clock is None:
        if re.search(r"\bin an hour\b|\bin one hour\b", said):
            return (now + timedelta(hours=1)).replace(second=0, microsecond=0).isoformat()
        return None
    if day is None:
        day = now.date() if clock and clock > now.time() else now.date() + timedelta(days=1)
    moment = datetime.combine(day, clock or time(DEFAULT_HOUR), tzinfo=now.tzinfo)
    if "later" in said and clock is None:
        moment = (now + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    return moment.isoformat()


def phone(text: str, region: str = "US") -> str | None:
    said = _words_to_digits(re.sub(r"\boh\b", "zero", _clean(text)))
    digits = re.sub(r"[^\d+]", "", said)
    if len(re.sub(r"\D", "", digits)) < 7:
        return None
    try:
        parsed = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def email(text: str) -> str | None:
    said = _clean(text)
    spelled = re.sub(r"\b(\w)\s+(?=\w\b)", r"\1", said)  # "j a n e" -> "jane"
    spoken = re.sub(r"\s+at\s+", "@", spelled)
    spoken = re.sub(r"\s+dot\s+", ".", spoken)
    for candidate in (said, spoken, spoken.replace(" ", "")):
        found = _EMAIL.search(candidate)
        if found:
            return found.group(0).strip(".")
    return None


def free_text(text: str) -> str | None:
    said = text.strip()
    return said or None


def extract(kind: str, text: str, *, now: datetime, choices: list[str] | None = None) -> Any:
    """The value of a field of type *kind* in *text*, or None."""
    extractors: dict[str, Callable[[], Any]] = {
        "yes_no": lambda: yes_no(text),
        "number": lambda: number(text),
        "choice": lambda: choice(text, choices or []),
        "date": lambda: date_value(text, now),
        "time": lambda: time_value(text, now),
        "datetime": lambda: datetime_value(text, now),
        "phone": lambda: phone(text),
        "email": lambda: email(text),
        "text": lambda: free_text(text),
    }
    return extractors[kind]()
