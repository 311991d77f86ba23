"""Finding the call a create made when its answer never came (a lost request, a crash).

The rule: ask the provider, never dial again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from app.dialer.context import DialerContext
from app.dialer.live_call import LiveCall
from app.dialer.recovery_queries import known_sids
from app.telephony.base import CallInfo
from app.telephony.errors import ProviderError

log = logging.getLogger(__name__)

FIND_MARGIN = timedelta(seconds=5)  # clock skew + Twilio's whole-second created dates
UNKNOWN_CREATE_SEARCHES = 2  # searches that must find nothing before "not placed"
UNKNOWN_CREATE_SETTLE = timedelta(seconds=5)  # and how long they must span
MAX_SEARCH_BACKOFF_S = 60.0


async def find_created_call(ctx: DialerContext, live: LiveCall) -> CallInfo | None:
    """The call the provider made for *live*, or None once it surely made none.

    "Not found" only counts once UNKNOWN_CREATE_SETTLE has passed and several searches
    agree: the provider's call list may lag a moment behind a create.
    """
    searches = 0
    failures = 0
    # The settle time runs from now, not from the claim: the create may have spent a
    # while in retries, and Twilio's list lags behind the create, not behind the claim.
    resolving_since = ctx.clock.now()
    while True:
        try:
            found = await _search_once(ctx, live)
            searches += 1
        except ProviderError as exc:
            failures += 1
            log.warning("call %s: could not search for it (%s); will retry", live.call_id, exc)
            backoff = min(MAX_SEARCH_BACKOFF_S, ctx.poll_interval_s * 2 ** min(failures, 8))
            await ctx.clock.sleep_until(ctx.clock.monotonic() + backoff)
            continue
        if found is not None:
            return found
        settled = ctx.clock.now() - resolving_since >= UNKNOWN_CREATE_SETTLE
        if settled and searches >= UNKNOWN_CREATE_SEARCHES:
            return None
        await ctx.clock.sleep_until(ctx.clock.monotonic() + ctx.poll_interval_s)


async def _search_once(ctx: DialerContext, live: LiveCall) -> CallInfo | None:
    to, from_ = live.identity.to, live.identity.from_
    if from_ is None:
        return None
    matches = await ctx.provider.find_calls(to, from_, live.identity.claimed_at - FIND_MARGIN)
    if not matches:
        return None
    with ctx.store.session() as session:
        taken = known_sids(session, [m.sid for m in matches])
    fresh = [m for m in matches if m.sid not in taken]
    if not fresh:
        return None
    fresh.sort(key=lambda m: (m.created_at is None, m.created_at))
    return fresh[0]
