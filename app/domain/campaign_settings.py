"""A campaign's dialling settings: their defaults, their allowed ranges and their checks.

Declared once here and read by the model's column defaults, the campaign dialog (spin box
ranges, messages, the pacing sentence) and `calldeck campaign create/edit`, so a campaign
edited anywhere is checked exactly like one created anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from app.domain.windows import (
    CallingWindow,
    describe_days,
    format_hhmm,
    normalize_days,
    parse_days,
    parse_hhmm,
)


class SettingsError(ValueError):
    """A campaign setting CallDeck cannot accept; the message is for the user."""


@dataclass(frozen=True)
class Bounds:
    """The whole numbers a setting accepts, and what the user calls the setting."""

    minimum: int
    maximum: int
    label: str

    def check(self, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"{self.label} must be a whole number, not {value!r}")
        if value < self.minimum:
            raise SettingsError(f"{self.label} must be at least {self.minimum}")
        if value > self.maximum:
            raise SettingsError(f"{self.label} must be at most {self.maximum}")


# What a campaign does when an answering machine takes the call (Twilio's async AMD):
# leave the agent's voicemail message after the beep, hang up and try again later, or not
# detect machines at all (no AMD charge; a machine then counts as an answered call).
VOICEMAIL_MODES: dict[str, str] = {
    "leave_message": "leave the agent's voicemail message after the beep",
    "hang_up_retry": "hang up on a machine and try again later",
    "no_detection": "no answering-machine detection",
}
# Twilio's MachineDetection for each mode: DetectMessageEnd waits for the beep; Enable
# answers at the greeting's start, which is all a hang-up needs.
MACHINE_DETECTION: dict[str, str | None] = {
    "leave_message": "DetectMessageEnd",
    "hang_up_retry": "Enable",
    "no_detection": None,
}


def machine_retries(voicemail_mode: str) -> bool:
    """Whether a machine-answered contact is dialled again (under the voicemail retry rule)."""
    return voicemail_mode == "hang_up_retry"


# The ranges of the numeric settings. 60,000 calls a minute is 1,000 per second, above any
# Twilio account's CPS; 0 minutes between attempts means "retry at the next chance".
BOUNDS: dict[str, Bounds] = {
    "concurrency": Bounds(1, 1000, "calls at once"),
    "per_minute": Bounds(1, 60_000, "calls per minute"),
    "max_attempts": Bounds(1, 100, "attempts per contact"),
    "retry_delay_min": Bounds(0, 365 * 24 * 60, "minutes between attempts"),
    "voicemail_max_attempts": Bounds(1, 100, "attempts per contact when a machine answers"),
    "voicemail_retry_delay_min": Bounds(
        0, 365 * 24 * 60, "minutes before calling back after a machine answered"
    ),
}


@dataclass(frozen=True)
class CampaignSettings:
    """How a campaign dials. Times are local to each contact ('HH:MM', end exclusive,
    '24:00' = midnight); days are stored as 'mon,tue,…' (any text `parse_days` accepts is
    normalised by `validate`)."""

    concurrency: int = 1
    per_minute: int = 10
    max_attempts: int = 3
    retry_delay_min: int = 30
    window_start: str = "08:00"
    window_end: str = "21:00"
    window_days: str = "mon,tue,wed,thu,fri,sat"
    voicemail_mode: str = "leave_message"
    # The machine-answered retry rule (hang_up_retry): attempts in all (max_attempts still
    # caps them) and the minutes between them.
    voicemail_max_attempts: int = 3
    voicemail_retry_delay_min: int = 120

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def validate(self) -> CampaignSettings:
        """Check every setting; return them in their stored form ('8:00' -> '08:00',
        'fri-mon' -> 'mon,fri,sat,sun'). Raises SettingsError with a message for the user."""
        for name, bounds in BOUNDS.items():
            bounds.check(getattr(self, name))
        if self.voicemail_mode not in VOICEMAIL_MODES:
            choices = ", ".join(VOICEMAIL_MODES)
            raise SettingsError(f"voicemail must be one of {choices}, not {self.voicemail_mode!r}")
        try:
            window = self.window()
            days = normalize_days(self.window_days)
        except ValueError as exc:  # WindowError: already worded for the user
            raise SettingsError(str(exc)) from exc
        return replace(
            self,
            window_start=format_hhmm(window.start_min),
            window_end=format_hhmm(window.end_min),
            window_days=days,
        )

    def window(self) -> CallingWindow:
        return CallingWindow(
            parse_hhmm(self.window_start), parse_hhmm(self.window_end), parse_days(self.window_days)
        )

    def describe(self) -> str:
        """The settings in plain words, e.g. for the CLI after a create or an edit."""
        days = describe_days(parse_days(self.window_days))
        if self.max_attempts == 1:
            retries = "one attempt per contact"
        elif self.retry_delay_min == 0:
            retries = f"up to {self.max_attempts} attempts per contact, retried at once"
        else:
            retries = (
                f"up to {self.max_attempts} attempts per contact, {self.retry_delay_min} min apart"
            )
        voicemail = VOICEMAIL_MODES.get(self.voicemail_mode, self.voicemail_mode)
        if machine_retries(self.voicemail_mode):
            voicemail += (
                f" (up to {min(self.voicemail_max_attempts, self.max_attempts)} attempts, "
                f"{self.voicemail_retry_delay_min} min apart)"
            )
        return (
            f"{pacing_sentence(self.concurrency, self.per_minute)} "
            f"Calls {self.window_start}-{self.window_end} {days}, in each contact's local "
            f"time; {retries}. Voicemail: {voicemail}."
        )


DEFAULTS = CampaignSettings()


def pacing_sentence(concurrency: int, per_minute: int) -> str:
    """The sentence the campaign dialog shows under the pacing fields."""
    spacing = 60 / per_minute  # per_minute is a whole number >= 1: at most 60 s
    calls = "call" if concurrency == 1 else "calls"
    return f"At most {concurrency} {calls} at once, a new call at most every {spacing:.3g} s."
