"""Recovery: settling the attempts a previous run (or a lost request) left open.

Mixed into DialerService; it uses the service's store, writer, provider, clock, pacer and live-call
table. The rule throughout: ask the provider, never dial again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from app.dialer import records
from app.dialer.events import CallEnded, ContactChanged
from app.domain.status import ContactStatus
from app.telephony.errors import NotFound, ProviderError

log = logging.getLogger(__name__)

FIND_MARGIN = timedelta(seconds=5)  # clock skew + Twilio's whole-second created dates
UNKNOWN_CREATE_SEARCHES = 2  # searches that must find nothing before "not placed"
UNKNOWN_CREATE_SETTLE = timedelta(seconds=5)  # and how old the claim must be by then
MAX_SEARCH_BACKOFF_S = 60.0


class RecoveryMixin:
    # -- recovery --------------------------------------------------------------------------------

    async def _reconcile(self) -> None:
        """Settle every attempt a previous run left without a final status, by asking the
        provider (never by dialling again), and fetch results that were never fetched."""
        now_wall, now_mono = self.clock.now(), self.clock.monotonic()
        with self.store.session() as session:
            open_calls = records.open_calls(session)
            pending = records.pending_results(session)
            for cid, at in records.last_starts(session).items():
                # Keep pacing across a restart: the last start happened that long ago.
                ago = (now_wall - at).total_seconds()
                if 0 <= ago < 3600:
                    self._pacer.started(cid, now_mono - ago)
                    self._pacer.sent(cid, now_mono - ago)
                    self._pacer.ended(cid)
        for call in open_calls:
            self._pacer.adopt(call.campaign_id)
            self._live[call.call_id] = records.Tracked(
                call.call_id,
                call.campaign_id,
                call.contact_id,
                call.contact_status,
                call.attempts,
                call.max_attempts,
                call.retry_delay_min,
                answered=call.answered,
            )
            if call.sid is None:
                self._spawn(
                    self._resolve_unknown_create(
                        call.call_id, call.to, call.from_, call.created_at
                    ),
                    f"reconcile claim {call.call_id}",
                )
            else:
                self._spawn(self._resume(call), f"reconcile call {call.call_id}")
        for call_id, campaign_id, contact_id, sid in pending:
            self._results_pending[call_id] = campaign_id
            self._spawn(self._finish_results(call_id, campaign_id, contact_id, sid), "results")
        if open_calls:
            log.info("reconciled %d call(s) left open by the previous run", len(open_calls))

    async def _resume(self, call: records.OpenCall) -> None:
        assert call.sid is not None
        try:
            info = await self.provider.fetch_call(call.sid)
        except NotFound:
            info = None
        except ProviderError:
            log.warning("call %s: could not check it now; polling", call.call_id)
            await self._follow(call.call_id, call.sid)
            return
        if info is None:
            with self.store.session.begin() as session:
                update = records.fail_unknown_call(
                    session,
                    call.call_id,
                    "the provider has no record of this call",
                    self.clock.now(),
                )
            self._after_final(call.call_id, update)
            self._live.pop(call.call_id, None)
            self._hub.publish(CallEnded(call.campaign_id, call.call_id, call.contact_id))
            return
        await self._follow(call.call_id, call.sid, first_info=info)

    async def _finish_results(self, call_id: int, campaign_id: int, contact_id: int, sid: str):
        await self._fetch_results(call_id, sid)
        self._results_pending.pop(call_id, None)
        self._hub.publish(CallEnded(campaign_id, call_id, contact_id))
        self._progress.set()

    async def _resolve_unknown_create(
        self,
        call_id: int,
        to: str,
        from_: str | None,
        claimed_at: datetime,
        *,
        not_placed_reason: str = records.NOT_PLACED,
    ) -> None:
        """A Call without a sid: find the call the provider made for it, or declare the
        attempt never placed (the contact goes back to the queue). Never dials.

        "Not found" only counts once the claim is UNKNOWN_CREATE_SETTLE old and several
        searches agree: the provider's call list may lag a moment behind a create.
        """
        searches = 0
        failures = 0
        # The settle time runs from now, not from the claim: the create may have spent a
        # while in retries, and Twilio's list lags behind the create, not behind the claim.
        resolving_since = self.clock.now()
        while True:
            try:
                found = await self._search_for(to, from_, claimed_at)
                searches += 1
            except ProviderError as exc:
                failures += 1
                log.warning("call %s: could not search for it (%s); will retry", call_id, exc)
                backoff = min(MAX_SEARCH_BACKOFF_S, self.poll_interval_s * 2 ** min(failures, 8))
                await self.clock.sleep_until(self.clock.monotonic() + backoff)
                continue
            if found is not None:
                break
            settled = self.clock.now() - resolving_since >= UNKNOWN_CREATE_SETTLE
            if settled and searches >= UNKNOWN_CREATE_SEARCHES:
                self._give_back_unplaced(call_id, not_placed_reason)
                return
            await self.clock.sleep_until(self.clock.monotonic() + self.poll_interval_s)
        self.calls_placed += 1
        with self._writer.transaction() as tx:
            records.record_placed(tx, call_id, found)
        await self._follow(call_id, found.sid, first_info=found)

    def _give_back_unplaced(self, call_id: int, reason: str) -> None:
        with self.store.session.begin() as session:
            contact_id = records.give_back(session, call_id, reason, self.clock.now())
            campaign_id = session.get_one(records.Call, call_id).campaign_id
        self._line_freed(call_id)
        run = self._runs.get(campaign_id)
        if run is not None:
            run.needs_load = True
        self._hub.publish(ContactChanged(campaign_id, contact_id, ContactStatus.QUEUED.value))

    async def _search_for(self, to: str, from_: str | None, claimed_at: datetime):
        if from_ is None:
            return None
        matches = await self.provider.find_calls(to, from_, claimed_at - FIND_MARGIN)
        if not matches:
            return None
        with self.store.session() as session:
            taken = records.known_sids(session, [m.sid for m in matches])
        fresh = [m for m in matches if m.sid not in taken]
        if not fresh:
            return None
        fresh.sort(key=lambda m: (m.created_at is None, m.created_at))
        return fresh[0]
