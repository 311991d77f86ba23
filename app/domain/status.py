"""The contact lifecycle and the only transitions allowed between its states; which campaign
states may be paused; which of Twilio's call statuses are final. Each rule is declared here
once, and the store, the dialer, the telephony layer and the UI ask these names."""

from __future__ import annotations

from enum import StrEnum


class ContactStatus(StrEnum):
    QUEUED = "queued"
    CALLING = "calling"
    CONNECTED = "connected"
    COMPLETED = "completed"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    VOICEMAIL = "voicemail"  # an answering machine took the call (answered_by machine_*)

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES

    @property
    def is_live(self) -> bool:
        """A call attempt is in flight: the provider owns what happens next."""
        return self in LIVE_STATUSES


FINAL_STATUSES = frozenset(
    {
        ContactStatus.COMPLETED,
        ContactStatus.NO_ANSWER,
        ContactStatus.BUSY,
        ContactStatus.FAILED,
        ContactStatus.VOICEMAIL,
    }
)
# A call attempt in flight holds a line: it counts against the campaign's concurrency.
# A tuple (not a set) so that queries built from it are the same statement every time.
LIVE_STATUSES = (ContactStatus.CALLING, ContactStatus.CONNECTED)

# Outcomes after which the dialer may try the contact again (within max attempts).
RETRYABLE_STATUSES = frozenset({ContactStatus.NO_ANSWER, ContactStatus.BUSY, ContactStatus.FAILED})
# Dialled again once their next_attempt_at comes: a retry, (completed) a callback the agent
# agreed with the callee, or (voicemail) a machine-answered retry (app.domain.retry).
REDIAL_STATUSES = RETRYABLE_STATUSES | {ContactStatus.COMPLETED, ContactStatus.VOICEMAIL}

_S = ContactStatus
TRANSITIONS: dict[ContactStatus, frozenset[ContactStatus]] = {
    _S.QUEUED: frozenset({_S.CALLING}),
    # calling -> queued: reconciliation proved the provider never placed the call.
    # calling -> completed: a short call whose answer we never observed (polling gap).
    _S.CALLING: frozenset(
        {_S.CONNECTED, _S.COMPLETED, _S.NO_ANSWER, _S.BUSY, _S.FAILED, _S.QUEUED, _S.VOICEMAIL}
    ),
    # connected -> voicemail: what answered was a machine (async AMD says so after the answer).
    _S.CONNECTED: frozenset({_S.COMPLETED, _S.FAILED, _S.VOICEMAIL}),
    _S.COMPLETED: frozenset({_S.CALLING}),  # only at a booked callback (next_attempt_at)
    # A retryable outcome is claimed again for the next attempt.
    _S.NO_ANSWER: frozenset({_S.CALLING}),
    _S.BUSY: frozenset({_S.CALLING}),
    _S.FAILED: frozenset({_S.CALLING}),
    _S.VOICEMAIL: frozenset({_S.CALLING}),  # only under the machine-answered retry rule
}


class IllegalTransition(ValueError):
    def __init__(self, current: ContactStatus, new: ContactStatus) -> None:
        super().__init__(f"a contact cannot go from {current.value!r} to {new.value!r}")
        self.current = current
        self.new = new


def can_transition(current: ContactStatus | str, new: ContactStatus | str) -> bool:
    return ContactStatus(new) in TRANSITIONS[ContactStatus(current)]


def transition(current: ContactStatus | str, new: ContactStatus | str) -> ContactStatus:
    """Return the new status, or raise IllegalTransition."""
    current, new = ContactStatus(current), ContactStatus(new)
    if new not in TRANSITIONS[current]:
        raise IllegalTransition(current, new)
    return new


class CampaignState(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"

    @property
    def is_pausable(self) -> bool:
        """Pause applies: the campaign dials now, or will at its start time."""
        return self in PAUSABLE_STATES


# The states the dialer works for (running ones dial, scheduled ones wait for their start);
# "Pause" moves either to paused, and the UI offers Pause for exactly these.
PAUSABLE_STATES = (CampaignState.RUNNING, CampaignState.SCHEDULED)


# Twilio's call statuses (the Call resource's `status`), in lifecycle order. The final ones
# never change again: a status callback with one ends the call, and polling stops.
TWILIO_CALL_STATUSES = (
    "queued",
    "initiated",
    "ringing",
    "in-progress",
    "completed",
    "busy",
    "no-answer",
    "canceled",
    "failed",
)
TWILIO_FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})

# Twilio's AnsweredBy values that mean a machine took the call; machine_end_* come only with
# MachineDetection=DetectMessageEnd, once the greeting ended (the beep): a message fits then.
MACHINE_ANSWERS = frozenset(
    {"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"}
)
MESSAGE_END_ANSWERS = frozenset({"machine_end_beep", "machine_end_silence", "machine_end_other"})
