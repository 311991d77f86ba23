"""Calling windows per contact time zone: parsing, DST, multi-zone numbers, next opening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.campaign_settings import DEFAULTS
from app.domain.windows import (
    CallingWindow,
    WindowError,
    is_open,
    next_open,
    parse_days,
    parse_hhmm,
    zones_for_number,
)

NY = ("America/New_York",)
DEFAULT = DEFAULTS.window()  # 08:00-21:00 mon-sat


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_parsing():
    assert parse_hhmm("08:30") == 510
    assert parse_hhmm("24:00") == 1440
    assert parse_days("mon-sat") == frozenset(range(6))
    assert parse_days("mon,wed") == frozenset({0, 2})
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0})
    for bad in ("25:00", "8h", "24:30"):
        with pytest.raises(WindowError):
            parse_hhmm(bad)
    with pytest.raises(WindowError):
        parse_days("funday")
    with pytest.raises(WindowError):
        CallingWindow.parse("21:00", "08:00", "mon-sat")


def test_default_window_in_new_york():
    # Wednesday 25 Nov 2026: New York is UTC-5.
    assert not is_open(DEFAULT, NY, utc(2026, 11, 25, 12, 59))  # 07:59 local
    assert is_open(DEFAULT, NY, utc(2026, 11, 25, 13, 0))  # 08:00 local
    assert is_open(DEFAULT, NY, utc(2026, 11, 26, 1, 59))  # 20:59 local
    assert not is_open(DEFAULT, NY, utc(2026, 11, 26, 2, 0))  # 21:00 local: closed
    # Saturday 22:00 local -> next opening is Monday 08:00 local (no Sundays by default).
    assert next_open(DEFAULT, NY, utc(2026, 11, 29, 3, 0)) == utc(2026, 11, 30, 13, 0)


def test_any_time_window_is_always_open():
    always = CallingWindow.parse("00:00", "24:00", "mon-sun")
    assert always.always_open
    moment = utc(2026, 11, 29, 3, 0)
    assert is_open(always, NY, moment)
    assert next_open(always, NY, moment) == moment


def test_dst_switch_moves_the_utc_opening():
    # New York leaves DST on Sunday 1 Nov 2026; Saturday 31 Oct opens at 12:00 UTC (EDT),
    # Monday 2 Nov at 13:00 UTC (EST).
    assert next_open(DEFAULT, NY, utc(2026, 10, 31, 2, 0)) == utc(2026, 10, 31, 12, 0)
    assert next_open(DEFAULT, NY, utc(2026, 11, 1, 2, 0)) == utc(2026, 11, 2, 13, 0)
    # Spring forward (Sunday 8 Mar 2026): Monday 9 Mar opens at 12:00 UTC again.
    assert next_open(DEFAULT, NY, utc(2026, 3, 8, 3, 0)) == utc(2026, 3, 9, 12, 0)


def test_multi_zone_numbers_need_every_zone_open():
    zones = ("America/New_York", "America/Los_Angeles")
    # 08:30 in New York is 05:30 in Los Angeles: not yet.
    assert not is_open(DEFAULT, zones, utc(2026, 11, 25, 13, 30))
    # It opens when Los Angeles reaches 08:00 (16:00 UTC).
    assert next_open(DEFAULT, zones, utc(2026, 11, 25, 13, 30)) == utc(2026, 11, 25, 16, 0)
    # And closes when New York reaches 21:00 (02:00 UTC).
    assert not is_open(DEFAULT, zones, utc(2026, 11, 26, 2, 0))


def test_zones_from_the_number():
    assert zones_for_number("+12125550100") == NY
    assert zones_for_number("+13105550100") == ("America/Los_Angeles",)
    assert len(zones_for_number("+18005550100")) > 5  # toll-free: the whole NANP
    assert zones_for_number("+999", fallback="Europe/London") == ("Europe/London",)


ZONES = [
    "America/New_York",
    "America/Los_Angeles",
    "Europe/London",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Honolulu",
]


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(0, 23 * 60),
    length=st.integers(15, 24 * 60),
    days=st.sets(st.integers(0, 6), min_size=1),
    zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True),
    at=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
)
def test_next_open_is_the_first_open_minute(start, length, days, zones, at):
    end = min(24 * 60, start + length)
    window = CallingWindow(start, end, frozenset(days))
    at = at.replace(tzinfo=UTC, second=0, microsecond=0)
    zones = tuple(zones)
    opening = next_open(window, zones, at)
    if is_open(window, zones, at):
        assert opening == at
        return
    if opening is None:
        return  # the zones' windows never overlap (possible for far-apart zones)
    assert opening > at
    assert is_open(window, zones, opening)
    # Nothing earlier was open: check every 5 minutes in between (windows start on minutes).
    probe = at
    while probe < opening - timedelta(minutes=5):
        probe += timedelta(minutes=5)
        assert not is_open(window, zones, probe) or probe >= opening


def test_hours_and_days_in_their_stored_form():
    from app.domain.windows import format_hhmm, normalize_days, parse_hours

    assert parse_hours("8:00-21:00") == ("08:00", "21:00")
    assert parse_hours(" 00:00-24:00 ") == ("00:00", "24:00")
    assert format_hhmm(510) == "08:30"
    assert normalize_days("fri-mon") == "mon,fri,sat,sun"
    assert normalize_days("sun,mon-wed") == "mon,tue,wed,sun"
    assert normalize_days("Mon - Sun") == "mon,tue,wed,thu,fri,sat,sun"
    for bad in ("21:00-08:00", "08:00", "09:00-09:00", "24:00-24:00", "x-y"):
        with pytest.raises(WindowError):
            parse_hours(bad)
    with pytest.raises(WindowError, match="Pick at least one calling day"):
        normalize_days(" , ")
