"""LiveCall: the one record of a call in flight, from its claim to its stored results.

The claim creates it, the attempt that follows the call updates it, and recovery rebuilds it
from the database after a restart. What it remembers spares the status writes any reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime


@dataclass(frozen=True)
class CallIdentity:
    """What never changes about an attempt once it is claimed."""

    call_id: int
    campaign_id: int
    contact_id: int
    attempt: int
    to: str
    from_: str | None  # the caller-ID it is dialled from (None only on very old rows)
    claimed_at: datetime
    attempts: int  # the contact's attempts, this one included
    max_attempts: int
    retry_delay_min: float
    # For the agent's {{placeholders}}; only a fresh claim needs them (recovery never dials).
    variables: dict = field(default_factory=dict, compare=False, hash=False)
    extension: str | None = None  # digits to press once the number answers ("x12")
    # The campaign's machine-answered retry rule (attempts, minutes); None: voicemail is final.
    voicemail_rule: tuple[int, float] | None = None


@dataclass
class LiveCall:
    identity: CallIdentity
    contact_status: str  # what the contact's row says, as far as this dialer knows
    sid: str | None = None  # the provider's id, once the create was answered
    answered: bool = False
    line_held: bool = True  # counts against the campaign's concurrency until it ends
    agent_version_id: int | None = None  # the published agent version the call uses
    answered_by: str | None = None  # the async AMD callback's verdict, before the call ends

    @property
    def call_id(self) -> int:
        return self.identity.call_id

    @property
    def campaign_id(self) -> int:
        return self.identity.campaign_id

    @property
    def contact_id(self) -> int:
        return self.identity.contact_id

    def draft(self) -> LiveCall:
        """A copy to write with: kept (see `keep`) only once its transaction committed."""
        return replace(self)

    def keep(self, draft: LiveCall) -> None:
        self.contact_status = draft.contact_status
        self.sid = draft.sid
        self.answered = draft.answered
        self.answered_by = draft.answered_by
