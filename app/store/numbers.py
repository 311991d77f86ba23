"""Phone number (caller-ID) queries and commands for the Phone numbers page and the CLI.

The table is a cache of the account's numbers (IncomingPhoneNumbers and OutgoingCallerIds),
kept for offline viewing: `replace_account_numbers` makes it what the account in use lists,
and records when (`last_refreshed`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.models import Campaign, PhoneNumber, Setting
from app.store.types import utcnow

# The settings row that says when the cache was last refreshed (declared in app.settings).
REFRESHED_KEY = "numbers_refreshed_at"
ACCOUNT_KINDS = ("owned", "verified")


@dataclass(frozen=True)
class NumberRecord:
    e164: str
    friendly_name: str
    kind: str  # owned | verified | manual
    verified: bool

    @property
    def can_call_from(self) -> bool:
        """Owned or verified: Twilio accepts it as a From number."""
        return self.verified or self.kind == "owned"

    @property
    def label(self) -> str:
        return f"{self.e164}  {self.friendly_name}".strip()


class AccountNumber(Protocol):
    """A number as the provider lists it (app.telephony.base.OwnedNumber fits)."""

    @property
    def phone_number(self) -> str: ...
    @property
    def friendly_name(self) -> str: ...
    @property
    def sid(self) -> str: ...
    @property
    def kind(self) -> str: ...


def list_numbers(session: Session) -> list[NumberRecord]:
    return [
        NumberRecord(n.e164, n.friendly_name, n.kind, n.verified)
        for n in session.scalars(select(PhoneNumber).order_by(PhoneNumber.e164))
    ]


def _find(session: Session, e164: str) -> PhoneNumber | None:
    return session.scalar(select(PhoneNumber).where(PhoneNumber.e164 == e164))


def add_manual_number(session: Session, e164: str) -> bool:
    """Add a caller-ID typed by the user (unverified); False if it is already there."""
    if _find(session, e164) is not None:
        return False
    session.add(PhoneNumber(e164=e164, friendly_name="", kind="manual"))
    return True


def record_account_numbers(session: Session, numbers: Iterable[AccountNumber]) -> int:
    """Add or update the numbers the provider account owns or has verified."""
    count = 0
    for n in numbers:
        row = _find(session, n.phone_number)
        if row is None:
            row = PhoneNumber(e164=n.phone_number)
            session.add(row)
        row.friendly_name = n.friendly_name
        row.provider_sid = n.sid
        row.kind = n.kind
        row.verified = True
        count += 1
    return count


def replace_account_numbers(
    session: Session, numbers: Iterable[AccountNumber], now: datetime | None = None
) -> int:
    """Make the cache what the account in use lists now: numbers it no longer lists (released,
    removed, or another account's) stay for the campaigns that name them, but cannot be called
    from. Records the time of the refresh."""
    listed = list(numbers)
    on_account = {n.phone_number for n in listed}
    for row in session.scalars(select(PhoneNumber).where(PhoneNumber.kind.in_(ACCOUNT_KINDS))):
        if row.e164 not in on_account:
            _no_longer_on_account(row)
    count = record_account_numbers(session, listed)
    at = (now or utcnow()).isoformat(timespec="seconds")
    row = session.get(Setting, REFRESHED_KEY)
    if row is None:
        session.add(Setting(key=REFRESHED_KEY, value={"v": at}))
    else:
        row.value = {"v": at}
    return count


def last_refreshed(session: Session) -> datetime | None:
    """When the account's numbers were last read from Twilio (None: never)."""
    row = session.get(Setting, REFRESHED_KEY)
    text = row.value.get("v") if row is not None else None
    return datetime.fromisoformat(text) if text else None


def _no_longer_on_account(row: PhoneNumber) -> None:
    row.kind = "manual"
    row.verified = False
    row.provider_sid = None


def forget_from_account(session: Session, e164: str) -> None:
    """The number was released or its caller-ID removed: it can no longer be called from."""
    if (row := _find(session, e164)) is not None:
        _no_longer_on_account(row)


def provider_sid_of(session: Session, e164: str) -> str | None:
    row = _find(session, e164)
    return row.provider_sid if row else None


def campaigns_using(session: Session, e164: str) -> list[str]:
    """The names of the campaigns that dial from *e164*."""
    return list(
        session.scalars(
            select(Campaign.name)
            .join(PhoneNumber, Campaign.caller_id_id == PhoneNumber.id)
            .where(PhoneNumber.e164 == e164)
            .order_by(Campaign.name)
        )
    )
