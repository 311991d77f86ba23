"""Whether a campaign can dial, asked before Start or Schedule, by the window and the CLI alike.

Each refusal names the reason and the fix, so nothing starts that Twilio would refuse on the
first call: no caller-ID; a caller-ID the account in use neither owns nor has verified; a trial
account and contacts that are not verified numbers; the dialer's own refusal (live calls with
no public address for the agent).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.campaigns import dialable_clause, get_by_id
from app.store.models import Contact, PhoneNumber

EXAMPLES_SHOWN = 3


@dataclass(frozen=True)
class AccountInUse:
    """What the checks need to know about where calls go."""

    live: bool
    trial: bool = False
    dialer_refusal: str | None = None  # why the running dialer would refuse every campaign
    # The account's numbers were read (app.store.numbers.last_refreshed): until then the
    # caller-ID is not judged here (the dialer pauses the campaign on Twilio's 21210).
    numbers_known: bool = True


@dataclass(frozen=True)
class StartRefusal:
    reason: str
    fix: str

    def __str__(self) -> str:
        return " ".join(part for part in (self.reason, self.fix) if part)


def start_refusal(session: Session, campaign_id: int, account: AccountInUse) -> StartRefusal | None:
    """Why campaign *campaign_id* may not start (or be scheduled) now, or None."""
    campaign = get_by_id(session, campaign_id)
    number = campaign.caller_id
    if number is None:
        return StartRefusal(
            f"Campaign {campaign.name!r} has no caller-ID, so Twilio has no number to call from.",
            "Edit the campaign and pick one of your numbers (the Phone numbers page buys or "
            "verifies one).",
        )
    if account.numbers_known and not (number.verified or number.kind == "owned"):
        where = "this Twilio account" if account.live else "the demo account"
        return StartRefusal(
            f"The caller-ID {number.e164} is not a number {where} owns or has verified: "
            "Twilio would refuse every call (error 21210).",
            "Verify it on the Phone numbers page (Verify…), or edit the campaign to use a number "
            "you own.",
        )
    if account.trial and account.numbers_known:
        unverified = _unverified_contacts(session, campaign_id, campaign.max_attempts)
        if unverified:
            examples = ", ".join(unverified[:EXAMPLES_SHOWN])
            return StartRefusal(
                f"This is a trial Twilio account: it may call only numbers verified on it, and "
                f"{len(unverified)} contact(s) of {campaign.name!r} are not ({examples}).",
                "Verify them on the Phone numbers page, or upgrade the account in the Twilio "
                "Console.",
            )
    if account.dialer_refusal:
        return StartRefusal(account.dialer_refusal, "")
    return None


def _unverified_contacts(session: Session, campaign_id: int, max_attempts: int) -> list[str]:
    """The dialable contacts whose number is not a verified caller-ID of the account (what a
    trial account may call)."""
    verified = select(PhoneNumber.e164).where(
        PhoneNumber.verified.is_(True), PhoneNumber.kind == "verified"
    )
    return list(
        session.scalars(
            select(Contact.phone)
            .where(
                Contact.campaign_id == campaign_id,
                dialable_clause(max_attempts),
                Contact.phone.not_in(verified),
            )
            .order_by(Contact.id)
        )
    )
