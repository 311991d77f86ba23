from datetime import datetime

import pytest

from app.agents.expressions import ExpressionError, compile_expression, evaluate, field_names
from app.agents.speech import digits_spoken, for_speech, number_words, ordinal_words, when_spoken

FIELDS = {"budget": 1500, "owner": True, "roof": "metal", "name": "Ana"}


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("budget >= 1000 and owner == true", True),
        ("budget > 2000 or roof == 'metal'", True),
        ("not owner", False),
        ("roof in ['tile', 'metal']", True),
        ("roof not in ('tile',)", True),
        ("budget * 12 > 10000", True),
        ("100 < budget < 1000", False),
        ("missing > 3", False),  # a field not captured is null, and null is not more than 3
        ("missing == null", True),
        ("name > 3", False),  # text against a number: false, not an error mid-call
        ("budget / 0 > 1", False),
    ],
)
def test_evaluate(expression, value):
    assert evaluate(expression, FIELDS) is value


@pytest.mark.parametrize(
    "expression",
    ["__import__('os')", "name.upper()", "FIELDS['x']", "lambda: 1", "[x for x in y]", "a := 1"],
)
def test_only_a_small_language_is_accepted(expression):
    with pytest.raises(ExpressionError):
        compile_expression(expression)
    assert evaluate(expression, FIELDS) is False


def test_field_names():
    assert field_names("budget > 3 and owner == true and roof != null") == {
        "budget",
        "owner",
        "roof",
    }


def test_numbers_in_words():
    assert number_words(0) == "zero"
    assert number_words(42) == "forty-two"
    assert number_words(115) == "one hundred fifteen"
    assert number_words(20_000) == "twenty thousand"
    assert (
        number_words(1_234_567)
        == "one million two hundred thirty-four thousand five hundred sixty-seven"
    )
    assert [ordinal_words(n) for n in (1, 2, 3, 12, 20, 21)] == [
        "first",
        "second",
        "third",
        "twelfth",
        "twentieth",
        "twenty-first",
    ]


def test_phone_numbers_are_read_digit_by_digit():
    assert (
        digits_spoken("+15005550006") == "one, five zero zero, five five five, zero zero zero six"
    )
    assert digits_spoken("020 7946 0958").startswith("zero two zero")


def test_for_speech_has_no_markdown_and_no_digits():
    text = for_speech(
        "# Hours\n**Open** 8:30 to 6 pm, *Mon*-Fri. Call +1 500 555 0006 or [email](mailto:a@b.com) "
        "a@b.com. Fee: $40, 10% off on 2026-12-24."
    )
    assert not any(ch.isdigit() for ch in text)
    assert not any(ch in text for ch in "*#[]()`")
    assert "eight thirty" in text
    assert "one, five zero zero, five five five, zero zero zero six" in text
    assert "a at b dot com" in text
    assert "forty dollars" in text and "ten percent" in text
    assert "December twenty-fourth, two thousand twenty-six" in text


def test_a_callback_time_as_said():
    assert when_spoken(datetime(2026, 12, 2, 15, 0)) == "Wednesday, December second at three pm"
    assert (
        when_spoken(datetime(2026, 12, 2, 9, 5)) == "Wednesday, December second at nine oh five am"
    )
