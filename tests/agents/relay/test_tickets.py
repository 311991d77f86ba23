"""One-time tickets: a token opens one session, for the call it was issued for."""

from __future__ import annotations

import asyncio

from app.agents.relay.tickets import TICKET_TTL_S, CallTicket, TicketBook
from tests.agents.conftest import definition

SID = "CA" + "1" * 32


def ticket() -> CallTicket:
    return CallTicket(1, 2, "+15551230000", definition(), None)


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_token_is_redeemed_once_and_only_for_its_call():
    async def go() -> None:
        book = TicketBook(Clock())
        token = book.issue(ticket())
        book.bind(token, SID)
        assert await book.redeem(token, "CA" + "2" * 32) is None  # another call's setup
        assert book.usable(token)
        assert await book.redeem(token, SID) == ticket()
        assert not book.usable(token) and await book.redeem(token, SID) is None  # a replay
        assert book.for_call(SID) == ticket()
        book.close(SID)
        assert book.for_call(SID) is None and len(book) == 0

    asyncio.run(go())


def test_an_upgrade_that_races_the_sid_being_saved_waits_for_it():
    async def go() -> None:
        book = TicketBook(Clock())
        token = book.issue(ticket())
        redeeming = asyncio.create_task(book.redeem(token, SID))
        await asyncio.sleep(0.01)
        book.bind(token, SID)
        assert await redeeming == ticket()

    asyncio.run(go())


def test_a_call_never_placed_or_long_gone_opens_nothing():
    clock = Clock()
    book = TicketBook(clock)
    discarded, stale = book.issue(ticket()), book.issue(ticket())
    book.discard(discarded)
    assert not book.usable(discarded)
    clock.now = TICKET_TTL_S + 1
    fresh = book.issue(ticket())  # issuing forgets the stale ones
    assert not book.usable(stale) and book.usable(fresh) and len(book) == 1
