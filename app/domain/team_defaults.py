"""The team's defaults in Settings › Defaults: the account-wide CPS cap, the disposition list
and the recording notice. Their rules live here; app.settings keeps the values.

"Do not call" is special (it puts the number on the DNC list, app.results.edits): the list
always holds it. A disposition that calls already carry is renamed with them, never dropped
silently (app.results.dispositions).
"""

from __future__ import annotations

DEFAULT_CPS = 1.0  # Twilio's default for an account (5 with a business profile)
CPS_MIN, CPS_MAX = 0.1, 100.0

DO_NOT_CALL = "Do not call"
DEFAULT_DISPOSITIONS = (
    "Interested",
    "Not interested",
    "Call back",
    "Wrong number",
    "Voicemail",
    DO_NOT_CALL,
)
DISPOSITION_MAX_CHARS = 40

DEFAULT_RECORDING_NOTICE = "This call may be recorded for quality and training."
RECORDING_NOTICE_MAX_CHARS = 200


class DefaultsError(ValueError):
    """A team default CallDeck cannot accept; the message is for the user."""


def check_cps(value: float) -> float:
    if not CPS_MIN <= value <= CPS_MAX:
        raise DefaultsError(
            f"Calls per second: between {CPS_MIN:g} and {CPS_MAX:g} (Twilio's default for an "
            f"account is {DEFAULT_CPS:g}; ask Twilio before going above your account's limit)."
        )
    return float(value)


def check_disposition_name(name: str, others: list[str]) -> str:
    """*name* tidied, or DefaultsError: empty, too long, or already in *others*."""
    name = " ".join(name.split())
    if not name:
        raise DefaultsError("A disposition needs a name.")
    if len(name) > DISPOSITION_MAX_CHARS:
        raise DefaultsError(f"A disposition has at most {DISPOSITION_MAX_CHARS} characters.")
    if name.casefold() in {other.casefold() for other in others}:
        raise DefaultsError(f"{name!r} is already in the list.")
    return name


def check_dispositions(names: list[str]) -> list[str]:
    """The whole list: each name valid and once, "Do not call" in it."""
    checked: list[str] = []
    for name in names:
        checked.append(check_disposition_name(name, checked))
    if DO_NOT_CALL not in checked:
        raise DefaultsError(f"{DO_NOT_CALL!r} stays in the list: it keeps numbers off calls.")
    return checked


def check_recording_notice(text: str, recording: bool) -> str:
    text = " ".join(text.split())
    if recording and not text:
        raise DefaultsError("Calls are recorded: the notice tells the callee so.")
    if len(text) > RECORDING_NOTICE_MAX_CHARS:
        raise DefaultsError(f"The notice has at most {RECORDING_NOTICE_MAX_CHARS} characters.")
    return text
