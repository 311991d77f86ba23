"""Calling windows: the local hours and days in which a contact may be called.

Hours and days are parsed here and only here: the CLI, the campaign dialog and the dialer
all read a window through `parse_hours` / `parse_days`. Days are stored as a comma list in
week order ('mon,tue,wed'), see `normalize_days`. The default window is part of
`app.domain.campaign_settings.CampaignSettings`.

A number's local time zones come from phonenumbers; where a number spans several zones (a
toll-free or non-geographic number), the window must hold in every one of them.
DST is zoneinfo's job: local times are always derived from the UTC instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
UNKNOWN_ZONE = "Etc/Unknown"


class WindowError(ValueError):
    """A window setting that cannot be understood; the message is for the user."""


def parse_hhmm(text: str) -> int:
    """'08:30' -> 510 minutes after midnight; '24:00' is the end of the day."""
    hours, sep, minutes = text.strip().partition(":")
    try:
        h, m = int(hours), int(minutes if sep else "0")
    except ValueError:
        raise WindowError(f"{text!r} is not a time of day like 08:00") from None
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise WindowError(f"{text!r} is not a time of day between 00:00 and 24:00")
    return h * 60 + m


def parse_days(text: str) -> frozenset[int]:
    """'mon,tue,wed' or 'mon-sat' or 'mon-fri,sun' (ranges may wrap: 'fri-mon') -> weekdays."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        if not part:
            continue
        first, sep, last = part.partition("-")
        try:
            a = DAY_NAMES.index(first[:3])
            b = DAY_NAMES.index(last[:3]) if sep else a
        except ValueError:
            raise WindowError(f"{part!r} is not a day or range of days like mon-sat") from None
        days.update((a + i) % 7 for i in range((b - a) % 7 + 1))
    if not days:
        raise WindowError("Pick at least one calling day.")
    return frozenset(days)


def format_days(days: frozenset[int] | set[int]) -> str:
    """Weekdays -> the stored form, in week order: {4, 0} -> 'mon,fri'."""
    return ",".join(DAY_NAMES[d] for d in sorted(days))


def normalize_days(text: str) -> str:
    """Any accepted day text -> the stored form: 'fri-mon' -> 'mon,fri,sat,sun'."""
    return format_days(parse_days(text))


def describe_days(days: frozenset[int]) -> str:
    """Weekdays in words, runs as ranges (wrapping over the weekend): 'mon, wed-fri'."""
    if len(days) == 7:
        return "every day"
    # Start just after a day off, so a run over the weekend (fri-mon) stays one range.
    first = next(d for d in range(7) if d in days and (d - 1) % 7 not in days)
    runs: list[list[int]] = []
    for day in ((first + i) % 7 for i in range(7)):
        if day not in days:
            continue
        if runs and (runs[-1][-1] + 1) % 7 == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(
        DAY_NAMES[r[0]] if len(r) == 1 else f"{DAY_NAMES[r[0]]}-{DAY_NAMES[r[-1]]}" for r in runs
    )


def format_hhmm(minutes: int) -> str:
    """510 -> '08:30' (the stored form of a time of day)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hours(text: str) -> tuple[str, str]:
    """'8:00-21:00' -> ('08:00', '21:00'): a start before an end within one day."""
    start, sep, end = text.strip().partition("-")
    if not sep:
        raise WindowError(f"{text!r} is not a span of hours like 08:00-21:00")
    window = CallingWindow(parse_hhmm(start), parse_hhmm(end), frozenset(range(7)))
    return format_hhmm(window.start_min), format_hhmm(window.end_min)


@dataclass(frozen=True)
class CallingWindow:
    start_min: int
    end_min: int  # exclusive
    days: frozenset[int]

    def __post_init__(self) -> None:
        if not 0 <= self.start_min < self.end_min <= 24 * 60:
            raise WindowError("Calling hours must start before they end.")

    @classmethod
    def parse(cls, start: str, end: str, days: str) -> CallingWindow:
        return cls(parse_hhmm(start), parse_hhmm(end), parse_days(days))

    @property
    def always_open(self) -> bool:
        return self.start_min == 0 and self.end_min == 24 * 60 and len(self.days) == 7

    def open_at_local(self, local: datetime) -> bool:
        if local.weekday() not in self.days:
            return False
        minute = local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 6e7
        return self.start_min <= minute < self.end_min

    @property
    def start_time(self) -> time:
        return time(self.start_min // 60, self.start_min % 60)


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=65536)
def zones_for_number(e164: str, fallback: str = "UTC") -> tuple[str, ...]:
    """The IANA zones a number may ring in; *fallback* when phonenumbers cannot tell."""
    # Imported on first use: the store's models read the default window from this module,
    # and phonenumbers' metadata costs tens of milliseconds that start-up need not pay.
    import phonenumbers
    from phonenumbers import timezone as pn_timezone

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return (fallback,)
    zones = tuple(z for z in pn_timezone.time_zones_for_number(number) if z != UNKNOWN_ZONE)
    return zones or (fallback,)


def is_open(window: CallingWindow, zones: tuple[str, ...], at: datetime) -> bool:
    if window.always_open:
        return True
    if at.tzinfo is None:
        raise ValueError("is_open needs an aware datetime")
    return all(window.open_at_local(at.astimezone(_zone(z))) for z in zones)


def next_open(window: CallingWindow, zones: tuple[str, ...], at: datetime) -> datetime | None:
    """The first instant >= *at* when the window is open in all *zones* (None: never)."""
    if is_open(window, zones, at):
        return at
    # The intersection of the zones' windows starts where one of them opens, so the only
    # candidates are each zone's local opening times in the coming week (plus a day of slack).
    candidates: set[datetime] = set()
    for name in zones:
        zone = _zone(name)
        first_day = at.astimezone(zone).date()
        for offset in range(9):
            day = first_day + timedelta(days=offset)
            if day.weekday() in window.days:
                opening = _local_opening(day, window.start_time, zone)
                if opening > at:
                    candidates.add(opening)
    for candidate in sorted(candidates):
        if is_open(window, zones, candidate):
            return candidate
    return None


def _local_opening(day: date, start: time, zone: ZoneInfo) -> datetime:
    # A start inside a DST gap (02:30 on the spring-forward night) resolves with the old
    # offset, i.e. a little after the gap: late rather than early, which is the safe side.
    return datetime.combine(day, start, tzinfo=zone).astimezone(UTC)


def window_for(start: str, end: str, days: str) -> CallingWindow:
    """The campaign's window, cached: the dialer asks for it on every claim."""
    return _cached_window(start, end, days)


@lru_cache(maxsize=256)
def _cached_window(start: str, end: str, days: str) -> CallingWindow:
    return CallingWindow.parse(start, end, days)
