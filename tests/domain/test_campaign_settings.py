"""Campaign settings: the defaults, the ranges, the checks and the sentences, declared once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.domain.campaign_settings import (
    BOUNDS,
    DEFAULTS,
    CampaignSettings,
    SettingsError,
    pacing_sentence,
)
from app.domain.windows import describe_days, parse_days


def test_the_defaults_are_the_documented_ones():
    assert (
        CampaignSettings(
            concurrency=1,
            per_minute=10,
            max_attempts=3,
            retry_delay_min=30,
            window_start="08:00",
            window_end="21:00",
            window_days="mon,tue,wed,thu,fri,sat",
        )
        == DEFAULTS
    )
    assert DEFAULTS.validate() == DEFAULTS  # already in the stored form


def test_the_model_defaults_come_from_the_settings(store):
    from app.store.models import Campaign

    with store.session.begin() as session:
        campaign = Campaign(name="Bare")  # no settings given: the columns' defaults
        session.add(campaign)
        session.flush()
        stored = CampaignSettings(**{n: getattr(campaign, n) for n in CampaignSettings.names()})
    assert stored == DEFAULTS


def test_validate_normalises_hours_and_days():
    given = replace(DEFAULTS, window_start="8:00", window_end="9", window_days="fri-mon")
    assert given.validate() == replace(
        DEFAULTS, window_start="08:00", window_end="09:00", window_days="mon,fri,sat,sun"
    )
    assert replace(DEFAULTS, window_days="mon, wed-fri,sun").validate().window_days == (
        "mon,wed,thu,fri,sun"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"concurrency": 0}, "calls at once must be at least 1"),
        ({"concurrency": 1001}, "calls at once must be at most 1000"),
        ({"per_minute": 0}, "calls per minute must be at least 1"),
        ({"per_minute": 60_001}, "calls per minute must be at most 60000"),
        ({"max_attempts": 0}, "attempts per contact must be at least 1"),
        ({"max_attempts": 101}, "attempts per contact must be at most 100"),
        ({"retry_delay_min": -1}, "minutes between attempts must be at least 0"),
        ({"retry_delay_min": 365 * 24 * 60 + 1}, "minutes between attempts must be at most"),
        ({"concurrency": 2.5}, "calls at once must be a whole number"),
        ({"concurrency": True}, "calls at once must be a whole number"),
        ({"window_days": ""}, "Pick at least one calling day."),
        ({"window_days": "funday"}, "'funday' is not a day"),
        ({"window_start": "21:00", "window_end": "08:00"}, "must start before they end"),
        ({"window_start": "09:00", "window_end": "09:00"}, "must start before they end"),
        ({"window_start": "24:30"}, "is not a time of day"),
        ({"window_end": "noon"}, "is not a time of day"),
    ],
)
def test_validate_refuses_with_one_user_facing_error(changes, message):
    with pytest.raises(SettingsError) as refused:
        replace(DEFAULTS, **changes).validate()
    assert message in str(refused.value)
    assert isinstance(refused.value, ValueError)


def test_the_bounds_accept_their_ends():
    for name, bounds in BOUNDS.items():
        for value in (bounds.minimum, bounds.maximum):
            assert getattr(replace(DEFAULTS, **{name: value}).validate(), name) == value


def test_pacing_is_explained_in_words():
    assert pacing_sentence(5, 30) == "At most 5 calls at once, a new call at most every 2 s."
    assert pacing_sentence(1, 40) == "At most 1 call at once, a new call at most every 1.5 s."
    assert pacing_sentence(1, 1) == "At most 1 call at once, a new call at most every 60 s."
    assert pacing_sentence(3, 7).endswith("every 8.57 s.")
    assert pacing_sentence(50, 60_000).endswith("every 0.001 s.")


def test_describe_says_everything_in_plain_words():
    assert DEFAULTS.describe() == (
        "At most 1 call at once, a new call at most every 6 s. Calls 08:00-21:00 mon-sat, "
        "in each contact's local time; up to 3 attempts per contact, 30 min apart. "
        "Voicemail: leave the agent's voicemail message after the beep."
    )
    weekend = replace(DEFAULTS, window_days="fri-mon", max_attempts=1).validate()
    assert "Calls 08:00-21:00 fri-mon," in weekend.describe()
    assert "; one attempt per contact. Voicemail" in weekend.describe()
    at_once = replace(DEFAULTS, retry_delay_min=0)
    assert "up to 3 attempts per contact, retried at once." in at_once.describe()
    retry = replace(DEFAULTS, voicemail_mode="hang_up_retry", max_attempts=2).validate()
    # The machine-answered rule is capped by the attempts per contact.
    assert retry.describe().endswith(
        "Voicemail: hang up on a machine and try again later (up to 2 attempts, 120 min apart)."
    )


def test_voicemail_mode_is_one_of_three():
    with pytest.raises(SettingsError, match="voicemail must be one of leave_message"):
        replace(DEFAULTS, voicemail_mode="beep").validate()
    with pytest.raises(SettingsError, match="minutes before calling back"):
        replace(DEFAULTS, voicemail_retry_delay_min=-1).validate()


def test_days_in_words():
    assert describe_days(parse_days("mon-sun")) == "every day"
    assert describe_days(parse_days("mon,wed-fri")) == "mon, wed-fri"
    assert describe_days(parse_days("sat-mon,wed")) == "wed, sat-mon"
    assert describe_days(parse_days("sun")) == "sun"
