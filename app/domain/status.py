"""The contact lifecycle and the only transitions allowed between its states."""

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

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES

    @property
    def is_live(self) -> bool:
        """A call attempt is in flight: the provider owns what happens next."""
        return self in (ContactStatus.CALLING, ContactStatus.CONNECTED)


FINAL_STATUSES = frozenset(
    {ContactStatus.COMPLETED, ContactStatus.NO_ANSWER, ContactStatus.BUSY, ContactStatus.FAILED}
)

# Outcomes after which the dialer may try the contact again (within max attempts).
RETRYABLE_STATUSES = frozenset({ContactStatus.NO_ANSWER, ContactStatus.BUSY, ContactStatus.FAILED})

_S = ContactStatus
TRANSITIONS: dict[ContactStatus, frozenset[ContactStatus]] = {
    _S.QUEUED: frozenset({_S.CALLING}),
    # calling -> queued: reconciliation proved the provider never placed the call.
    # calling -> completed: a short call whose answer we never observed (polling gap).
    _S.CALLING: frozenset(
        {_S.CONNECTED, _S.COMPLETED, _S.NO_ANSWER, _S.BUSY, _S.FAILED, _S.QUEUED}
    ),
    _S.CONNECTED: frozenset({_S.COMPLETED, _S.FAILED}),
    _S.COMPLETED: frozenset(),
    # A retryable outcome is claimed again for the next attempt.
    _S.NO_ANSWER: frozenset({_S.CALLING}),
    _S.BUSY: frozenset({_S.CALLING}),
    _S.FAILED: frozenset({_S.CALLING}),
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
