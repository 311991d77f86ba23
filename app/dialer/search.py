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

# To + From + "no sid we already store" is specific, so the window can be wide: minutes
# before the claim, by Twilio's clock (the provider allows for its skew).
FIND_MARGIN = timedelta(minutes=3)
# Twilio's call list may lag behind a create (undocumented how much): "not placed" only after
# searching this long and this often. The searches back off up to MAX_SEARCH_INTERVAL_S.
UNKNOWN_CREATE_SETTLE_S = 60.0
UNKNOWN_CREATE_SEARCHES = 4
MAX_SEARCH_INTERVAL_S = 10.0
MAX_SEARCH_BACKOFF_S = 60.0  # between searches that failed (Twilio unreachable)


async def find_created_call(ctx: DialerContext, live: LiveCall) -> CallInfo | None:
    """The call the provider made for *live*, or None once it surely made none.

    "Not found" only counts once UNKNOWN_CREATE_SETTLE_S has passed and several searches
    agree: the provider's call list may lag behind a create.
    """
    clock = ctx.clock
    searches = 0
    failures = 0
    interval = ctx.poll_interval_s
    # The settle time runs from the first search Twilio answered, not from the claim: the
    # create may have spent a while in retries or offline, and Twilio's list lags behind
    # the create, not behind the claim.
    resolving_since: float | None = None
    while True:
        begun = ctx.connectivity.outages
        try:
            found = await _search_once(ctx, live)
            searches += 1
        except ProviderError as exc:
            failures += 1
            ctx.connectivity.observe(exc)
            log.warning("call %s: could not search for it (%s); will retry", live.call_id, exc)
            backoff = min(MAX_SEARCH_BACKOFF_S, ctx.poll_interval_s * 2 ** min(failures, 8))
            # Offline, search again the moment Twilio answers; only answered searches count.
            await ctx.connectivity.wait(clock, clock.monotonic() + backoff)
            continue
        ctx.connectivity.reached(begun)
        if found is not None:
            return found
        if resolving_since is None:
            resolving_since = clock.monotonic()
        settled = clock.monotonic() - resolving_since >= UNKNOWN_CREATE_SETTLE_S
        if settled and searches >= UNKNOWN_CREATE_SEARCHES:
            return None
        await clock.sleep_until(clock.monotonic() + interval)
        interval = min(MAX_SEARCH_INTERVAL_S, interval * 2)


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
