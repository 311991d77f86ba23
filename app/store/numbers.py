"""Phone number (caller-ID) queries and commands for the Phone numbers page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.models import PhoneNumber


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


def record_bought_number(session: Session, e164: str, friendly_name: str, sid: str) -> None:
    session.add(
        PhoneNumber(
            e164=e164, friendly_name=friendly_name, provider_sid=sid, kind="owned", verified=True
        )
    )
