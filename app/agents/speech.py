"""Text made for a voice: numbers spelled out, phone numbers digit by digit, no markdown."""

from __future__ import annotations

import re
from datetime import datetime

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand"))

_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MARKDOWN_MARKS = re.compile(r"(\*\*|__|[*_`#>]|^\s*[-+]\s+|^\s*\d+\.\s+)", re.M)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_MONEY = re.compile(r"\$(\d+(?:\.\d{2})?)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_DECIMAL = re.compile(r"\b(\d+)\.(\d+)\b")
_INTEGER = re.compile(r"\b\d{1,12}\b")
_ORDINAL = re.compile(r"\b(\d{1,2})(st|nd|rd|th)\b")
_ORDINAL_WORDS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def number_words(n: int) -> str:
    """1234 -> 'one thousand two hundred thirty-four'."""
    if n < 0:
        return "minus " + number_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")
    for size, word in _SCALES:
        if n >= size:
            high, rest = divmod(n, size)
            return f"{number_words(high)} {word}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError("unreachable")


def ordinal_words(n: int) -> str:
    words = number_words(n)
    head, _, last = words.rpartition("-") if "-" in words else words.rpartition(" ")
    sep = "-" if "-" in words else " "
    if last in _ORDINAL_WORDS:
        last = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}{sep}{last}" if head else last


def digits_spoken(text: str) -> str:
    """'+1 500-555-0006' -> 'one, five zero zero, five five five, zero zero zero six'
    (grouped the way people read a North American number, else in threes)."""
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        groups = [digits[0], digits[1:4], digits[4:7], digits[7:]]
    elif len(digits) == 10:
        groups = [digits[:3], digits[3:6], digits[6:]]
    else:
        groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return ", ".join(" ".join(_ONES[int(d)] for d in group) for group in groups)


def _clock_words(match: re.Match[str]) -> str:
    hour, minute = int(match.group(1)), int(match.group(2))
    if minute == 0:
        return number_words(hour)
    if minute < 10:
        return f"{number_words(hour)} oh {number_words(minute)}"
    return f"{number_words(hour)} {number_words(minute)}"


def for_speech(text: str) -> str:
    """What a text-to-speech voice should read: markdown gone, numbers as words."""
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = _EMAIL.sub(lambda m: m.group(0).replace("@", " at ").replace(".", " dot "), text)
    text = _MARKDOWN_MARKS.sub("", text)
    text = _ISO_DATE.sub(_date_words, text)  # before phones: 2026-12-01 is not a number to dial
    text = _PHONE.sub(lambda m: digits_spoken(m.group(0)), text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 12,000 -> 12000
    text = _CLOCK.sub(_clock_words, text)
    text = _MONEY.sub(lambda m: _money(m.group(1)), text)
    text = _PERCENT.sub(lambda m: f"{m.group(1)} percent", text)
    text = _ORDINAL.sub(lambda m: ordinal_words(int(m.group(1))), text)
    text = _DECIMAL.sub(
        lambda m: (
            f"{number_words(int(m.group(1)))} point " + " ".join(_ONES[int(d)] for d in m.group(2))
        ),
        text,
    )
    text = _INTEGER.sub(lambda m: number_words(int(m.group(0))), text)
    return re.sub(r"\s+", " ", text).strip()


def _date_words(match: re.Match[str]) -> str:
    try:
        day = datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return match.group(0).replace("-", " ")
    return f"{day:%B} {ordinal_words(day.day)}, {number_words(day.year)}"


def _money(amount: str) -> str:
    dollars, _, cents = amount.partition(".")
    words = f"{number_words(int(dollars))} dollar" + ("" if dollars == "1" else "s")
    if cents and int(cents):
        words += f" and {number_words(int(cents))} cents"
    return words


def when_spoken(moment: datetime) -> str:
    """A callback time as said on the phone: 'Wednesday, December second at three pm'."""
    hour = moment.hour % 12 or 12
    clock = (
        number_words(hour)
        if moment.minute == 0
        else _clock_words(
            re.match(r"(\d+):(\d+)", f"{hour}:{moment.minute:02d}")  # type: ignore[arg-type]
        )
    )
    half = "am" if moment.hour < 12 else "pm"
    return f"{moment:%A}, {moment:%B} {ordinal_words(moment.day)} at {clock} {half}"


# -- ConversationRelay's voices (the Agents page's choices) ----------------------------------
# Twilio's defaults (docs: twiml/connect/conversationrelay): an agent whose speech leaves a
# provider or voice unset gets these, so the page preselects them.
DEFAULT_TTS_PROVIDER = "ElevenLabs"
DEFAULT_TRANSCRIPTION_PROVIDER = "Deepgram"
TTS_VOICES = {  # provider -> voices, the provider's default first
    "ElevenLabs": ("UgBBYS2sOqTuMpoF3BR0",),
    "Google": ("en-US-Journey-O", "en-US-Journey-D", "en-US-Journey-F", "es-US-Journey-F"),
    "Amazon": ("Joanna-Neural", "Matthew-Neural", "Amy-Neural"),
}
TRANSCRIPTION_PROVIDERS = ("Deepgram", "Google")
LANGUAGES = ("en-US", "en-GB", "en-AU", "es-US", "es-ES", "fr-FR", "de-DE", "it-IT", "pt-BR")


def default_voice(provider: str | None) -> str:
    """The voice Twilio uses for *provider* (None: Twilio's default provider)."""
    return TTS_VOICES[provider or DEFAULT_TTS_PROVIDER][0]
