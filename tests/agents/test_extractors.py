from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.agents import extractors
from app.agents.extractors import extract

# Tuesday 1 December 2026, 10:00 in New York.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("Yes", True),
        ("yeah, I'll be there", True),
        ("Sure, no problem", True),
        ("That's right", True),
        ("No", False),
        ("nope", False),
        ("I can't make it", False),
        ("I don't think so", False),
        ("1", True),
        ("2", False),
        ("what?", None),
        ("purple", None),
    ],
)
def test_yes_no(said, value):
    assert extract("yes_no", said, now=NOW) is value


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("about 180 dollars", 180),
        ("twenty five", 25),
        ("a hundred and twenty", 120),
        ("one hundred fifty", 150),
        ("2.5", 2.5),
        ("1,200", 1200),
        ("I have three kids", 3),
        ("none of your business", None),
    ],
)
def test_number(said, value):
    assert extract("number", said, now=NOW) == value


def test_choice_by_words_and_by_key():
    options = ["asphalt shingle", "tile", "metal", "flat"]
    assert extract("choice", "It's a metal roof", now=NOW, choices=options) == "metal"
    assert (
        extract("choice", "Asphalt shingle I think", now=NOW, choices=options) == "asphalt shingle"
    )
    assert extract("choice", "3", now=NOW, choices=options) == "metal"
    assert extract("choice", "thatch", now=NOW, choices=options) is None
    assert extract("choice", "9", now=NOW, choices=options) is None


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("tomorrow", "2026-12-02"),
        ("the day after tomorrow", "2026-12-03"),
        ("today", "2026-12-01"),
        ("on Friday", "2026-12-04"),
        ("Tuesday", "2026-12-08"),  # the next one, not today
        ("December 24th", "2026-12-24"),
        ("the 3rd of January", "2027-01-03"),  # already past this year
        ("2026-12-15", "2026-12-15"),
        ("sometime", None),
    ],
)
def test_date_relative_to_the_contacts_today(said, value):
    assert extract("date", said, now=NOW) == value


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("3 pm", "15:00"),
        ("at 9:30 am", "09:30"),
        ("15:45", "15:45"),
        ("at 4", "16:00"),  # a business call's "at 4" is the afternoon
        ("at five o'clock", "17:00"),
        ("noon", "12:00"),
        ("in the morning", "09:00"),
        ("12 am", "00:00"),
        ("I have 2 dogs", None),
    ],
)
def test_time(said, value):
    assert extract("time", said, now=NOW) == value


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("tomorrow at 3 pm", "2026-12-02T15:00:00-05:00"),
        ("Friday morning", "2026-12-04T09:00:00-05:00"),
        ("at 4", "2026-12-01T16:00:00-05:00"),  # later today
        ("at 9 am", "2026-12-02T09:00:00-05:00"),  # already past today: tomorrow
        ("tomorrow", "2026-12-02T10:00:00-05:00"),  # a day alone means 10 am
        ("in an hour", "2026-12-01T11:00:00-05:00"),
        ("whenever", None),
    ],
)
def test_datetime_is_in_the_contacts_time_zone(said, value):
    assert extract("datetime", said, now=NOW) == value


def test_datetime_follows_the_zone_of_now():
    tokyo = NOW.astimezone(ZoneInfo("Asia/Tokyo"))  # 00:00 on 2 December there
    assert extract("datetime", "tomorrow at 3 pm", now=tokyo) == "2026-12-03T15:00:00+09:00"


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("my number is 415 555 0100", "+14155550100"),
        ("four one five, five five five, oh one hundred", None),  # "oh one hundred" is ambiguous
        ("four one five five five five zero one zero zero", "+14155550100"),
        ("+44 20 7946 0958", "+442079460958"),
        ("twelve", None),
    ],
)
def test_phone(said, value):
    assert extract("phone", said, now=NOW) == value


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("it's jane.doe@example.com", "jane.doe@example.com"),
        ("jane at example dot com", "jane@example.com"),
        ("J A N E at gmail dot com", "jane@gmail.com"),
        ("I'd rather not", None),
    ],
)
def test_email(said, value):
    assert extract("email", said, now=NOW) == value


def test_free_text_keeps_the_words():
    assert extract("text", "  The side door, please ", now=NOW) == "The side door, please"
    assert extract("text", "   ", now=NOW) is None


def test_every_documented_type_has_an_extractor():
    from typing import get_args

    from app.agents.definition import FieldType

    for kind in get_args(FieldType):
        extract(kind, "yes", now=NOW, choices=["yes"])
    assert extractors.DEFAULT_HOUR == 10
