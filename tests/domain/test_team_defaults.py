"""The team defaults' rules: the CPS bounds, the disposition list, the recording notice."""

from __future__ import annotations

import pytest

from app.agents.compliance import with_recording_notice
from app.domain.team_defaults import (
    CPS_MAX,
    CPS_MIN,
    DEFAULT_DISPOSITIONS,
    DO_NOT_CALL,
    DefaultsError,
    check_cps,
    check_disposition_name,
    check_dispositions,
    check_recording_notice,
)


def test_cps_is_bounded_once_here():
    assert check_cps(CPS_MIN) == CPS_MIN and check_cps(CPS_MAX) == CPS_MAX
    for bad in (0, CPS_MIN / 2, CPS_MAX + 1):
        with pytest.raises(DefaultsError, match="Twilio's default for an account is 1"):
            check_cps(bad)


def test_the_default_list_is_valid_and_keeps_do_not_call():
    assert check_dispositions(list(DEFAULT_DISPOSITIONS)) == list(DEFAULT_DISPOSITIONS)
    with pytest.raises(DefaultsError, match="'Do not call' stays"):
        check_dispositions(["Interested", "Voicemail"])


@pytest.mark.parametrize(
    ("name", "others", "message"),
    [
        ("   ", [], "needs a name"),
        ("x" * 41, [], "at most 40"),
        ("voicemail", ["Voicemail"], "already in the list"),
    ],
)
def test_a_disposition_name_is_refused_with_the_reason(name, others, message):
    with pytest.raises(DefaultsError, match=message):
        check_disposition_name(name, others)


def test_a_disposition_name_is_tidied():
    assert check_disposition_name("  Sent   brochure ", [DO_NOT_CALL]) == "Sent brochure"


def test_recorded_calls_need_a_notice_and_unrecorded_ones_may_have_none():
    assert check_recording_notice("  Calls   are recorded. ", True) == "Calls are recorded."
    assert check_recording_notice("", False) == ""
    with pytest.raises(DefaultsError, match="tells the callee"):
        check_recording_notice(" ", True)


def test_the_notice_follows_a_greeting_that_does_not_already_say_so():
    notice = "This call is recorded."
    assert (
        with_recording_notice("Hi, this is Ava.", notice)
        == "Hi, this is Ava. This call is recorded."
    )
    said = "Hi, this call may be recorded."
    assert with_recording_notice(said, notice) == said
