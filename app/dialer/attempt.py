"""CallAttempt: one live call attempt, from its claim to its stored results.

dial → follow (poll to the end) → apply each change → fetch results; or give the contact back
when the call was never placed. The attempt holds one line of its campaign and releases it
exactly once, however it ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Protocol, TypeVar

from app.agents.twiml import twiml_for, voicemail_twiml
from app.dialer import failures, writes
from app.dialer.aftercall import DiskFull, fetch_results
from app.dialer.callbacks import SAFETY_NET_FACTOR, Mailbox
from app.dialer.context import DialerContext
from app.dialer.errors import GIVE_BACKS, Action, action_for
from app.dialer.events import CallEnded, ContactChanged
from app.dialer.live_call import LiveCall
from app.dialer.plans import CampaignPlan
from app.dialer.search import find_created_call
from app.domain.campaign_settings import MACHINE_DETECTION
from app.domain.clock import Clock
from app.domain.polling import poll_delay_s
from app.domain.status import MACHINE_ANSWERS, MESSAGE_END_ANSWERS, ContactStatus
from app.store.writer import WRITE_REFUSED
from app.telephony.base import TWILIO_TO_CONTACT_STATUS, CallInfo, CallRequest
from app.telephony.errors import CallAlreadyEnded, NotFound, ProviderError, is_unreachable

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_POLL_BACKOFF_S = 60.0
# A status Twilio may add one day is not polled forever: after this long it ends the attempt.
UNKNOWN_STATUS_FINAL_S = 600.0
MAX_PERSIST_BACKOFF_S = 30.0
YOUNG_CALL_S = 60.0  # claimed this recently, a call Twilio says it does not know is retried
RESULTS_RETRY_S = (30.0, 600.0)  # first and longest wait: a full disk, or Twilio busy (429, 5xx)
QUEUED = ContactStatus.QUEUED.value
LOST = "not placed (the create request never reached the provider)"


class AttemptHost(Protocol):
    """What an attempt asks of the scheduler around it."""

    def may_dial(self, campaign_id: int) -> bool: ...
    def create_answered(self, campaign_id: int) -> None: ...
    def line_released(self, campaign_id: int) -> None: ...
    def given_back(self, campaign_id: int) -> None: ...
    def back_off(self, campaign_id: int) -> None: ...
    def stop_campaign(self, campaign_id: int, message: str) -> None: ...
    def note_retry(self, campaign_id: int, retry_at: datetime | None) -> None: ...
    def attempt_over(self, attempt: CallAttempt) -> None: ...
    def results_waiting(self, reason: str | None) -> None: ...


async def persist(clock: Clock, what: str, write: Callable[[], T]) -> T:
    """Run a write that must not be lost, retrying while the database refuses it
    (locked, disk full). The line stays held meanwhile: the call is real."""
    delay = 0.5
    while True:
        try:
            return write()
        except WRITE_REFUSED as exc:
            log.warning("%s failed (%s); retrying in %.1f s", what, exc, delay)
            await clock.sleep_until(clock.monotonic() + delay)
            delay = min(delay * 2, MAX_PERSIST_BACKOFF_S)


class CallAttempt:
    """One claimed contact's call, driven by the task the scheduler (or recovery) runs it in."""

    def __init__(self, live: LiveCall, ctx: DialerContext, host: AttemptHost) -> None:
        self.live = live
        self._ctx = ctx
        self._host = host
        self._token: str | None = None  # the relay ticket of a fresh dial
        self._box: Mailbox | None = None  # the call's callbacks, when they are requested
        self._amd = False  # the create asked for async AMD (a verdict will come)
        self._voicemail_mode = "no_detection"
        self._voicemail_twiml: str | None = None  # what a machine hears (leave_message)

    # -- the ways in: a fresh claim, or what recovery found ---------------------------------

    async def dial(self, plan: CampaignPlan, due: float) -> None:
        """Send the create request (paced to *due*), then follow the call to its end."""
        ctx, live, host = self._ctx, self.live, self._host
        urls = ctx.callbacks.urls() if ctx.callbacks is not None else None
        # Async AMD only with its callback: without one Twilio logs warning 21262 and the
        # verdict comes after the call, too late to act on.
        amd = MACHINE_DETECTION[plan.voicemail_mode] if urls is not None else None
        self._amd, self._voicemail_mode = amd is not None, plan.voicemail_mode
        if ctx.agent_calls is not None:
            prepared, live.agent_version_id = ctx.agent_calls.prepare(
                live, plan.agent_id, amd=self._amd
            )
            self._token = prepared.token
            # The recording is <Start><Recording> in the TwiML: Twilio ignores record=true
            # on a ConversationRelay call.
            twiml, record, message = prepared.twiml, False, prepared.voicemail
        else:
            message = twiml_for(plan.greeting, live.identity.variables)
            twiml, record = message, True
        if plan.voicemail_mode == "leave_message" and message:
            self._voicemail_twiml = voicemail_twiml(message)
        request = CallRequest(
            to=live.identity.to,
            from_=live.identity.from_,
            twiml=twiml,
            record=record,
            machine_detection=amd,
            status_callback=urls.status if urls else None,
            recording_status_callback=urls.recording if urls else None,
            amd_status_callback=urls.amd if amd and urls else None,
            # Pause or Ctrl-C while the provider waits out a 429 abandons the call.
            may_proceed=lambda: host.may_dial(live.campaign_id),
        )
        if due != float("-inf"):
            ctx.stats.pacing_lateness_s.append(ctx.clock.monotonic() - due)
        if not ctx.connectivity.online:  # went offline since the claim: nothing was sent
            host.create_answered(live.campaign_id)
            self.give_back(f"not placed: {ctx.connectivity.message}")
            return
        begun = ctx.connectivity.outages
        try:
            try:
                info = await ctx.provider.place_call(request)
            finally:
                host.create_answered(live.campaign_id)
        except asyncio.CancelledError:
            raise  # stop(): the claim stays "calling" and is reconciled next start
        except Exception as exc:
            ctx.connectivity.observe(exc)
            await self._create_failed(exc)
            return
        ctx.connectivity.reached(begun)
        ctx.stats.calls_placed += 1
        await self._persist("saving its sid", partial(self._record_placed, info))
        await self.follow(info)

    async def resume(self) -> None:
        """A call a previous run placed (its sid is known): follow it from where it is now."""
        assert self.live.sid is not None
        try:
            info = await self._ctx.provider.fetch_call(self.live.sid)
        except NotFound:
            if self._old_enough_to_be_gone():
                await self._end_unknown("the provider has no record of this call")
                return
            info = None  # too young to be gone: polled like any other
        except ProviderError:
            log.warning("call %s: could not check it now; polling", self.live.call_id)
            info = None
        await self.follow(info)

    async def resolve_unknown_create(self, not_placed_reason: str = failures.NOT_PLACED) -> None:
        """A claim without a sid: find the call the provider made for it, or give the
        contact back as never placed. Never dials."""
        found = await find_created_call(self._ctx, self.live)
        if found is None:
            self.give_back(not_placed_reason)
            return
        self._ctx.stats.calls_placed += 1
        await self._persist("saving its sid", partial(self._record_placed, found))
        await self.follow(found)

    async def finish_results(self) -> None:
        """A call that ended before a restart without its recording/transcript stored."""
        assert self.live.sid is not None
        await self._fetch_results()
        self._over(self.live.contact_id)

    # -- create refused or lost ---------------------------------------------------------------

    async def _create_failed(self, error: Exception) -> None:
        action = action_for(error)
        live = self.live
        if action is Action.RESOLVE_UNKNOWN_CREATE:
            if isinstance(error, ProviderError):  # lost, or a 5xx: it may have been placed
                log.warning("call %s: %s; reconciling, never redialling", live.call_id, error)
            else:
                log.error(
                    "call %s: unexpected error placing the call", live.call_id, exc_info=error
                )
            await self.resolve_unknown_create(LOST)
            return
        assert isinstance(error, ProviderError)  # only those have another action
        if action is Action.GIVE_BACK_AND_BACK_OFF:
            self._host.back_off(live.campaign_id)
        if action in GIVE_BACKS:
            self.give_back(f"not placed: {error.user_message}")
        if action is Action.GIVE_BACK_AND_PAUSE:
            self._host.stop_campaign(live.campaign_id, error.user_message)
        if action in (Action.FAIL_PERMANENT, Action.FAIL_RETRYABLE):
            self._fail(error, permanent=action is Action.FAIL_PERMANENT)

    def give_back(self, reason: str) -> None:
        """The call was never placed: the contact goes back to the queue."""
        ctx, live = self._ctx, self.live
        self._forget_token()
        with ctx.store.session.begin() as session:
            failures.give_back(session, live.call_id, reason, ctx.clock.now())
        self.release_line()
        self._host.attempt_over(self)
        self._host.given_back(live.campaign_id)
        ctx.hub.publish(ContactChanged(live.campaign_id, live.contact_id, QUEUED))

    def _fail(self, error: ProviderError, *, permanent: bool) -> None:
        ctx, live = self._ctx, self.live
        self._forget_token()
        with ctx.store.session.begin() as session:
            _, status, retry_at = failures.fail_attempt(
                session,
                live.call_id,
                error.user_message,
                error.code,
                ctx.clock.now(),
                permanent=permanent,
            )
        self._host.note_retry(live.campaign_id, retry_at)
        self.release_line()
        self._host.attempt_over(self)
        ctx.hub.publish(ContactChanged(live.campaign_id, live.contact_id, status))
        ctx.hub.publish(CallEnded(live.campaign_id, live.call_id, live.contact_id))

    # -- a placed call ------------------------------------------------------------------------

    async def follow(self, info: CallInfo | None) -> None:
        """Follow the call to its end (callbacks, polls), store the outcome, then its results."""
        inbox, sid = self._ctx.inbox, self.live.sid
        if inbox is not None and sid is not None:
            self._box = inbox.open(sid, amd_expected=self._amd)
        try:
            update = await self._poll_to_the_end(info)
            if self._box is not None:
                self._box.amd_known.set()  # over: the agent waits for no verdict now
            if update is None:
                return  # the provider forgot it; already ended
            if update.answered:
                await self._fetch_results()
            self._over(update.contact_id)
        finally:
            if inbox is not None and sid is not None:
                inbox.close(sid)

    async def _poll_to_the_end(self, info: CallInfo | None) -> writes.StatusUpdate | None:
        ctx, sid = self._ctx, self.live.sid
        assert sid is not None
        errors = 0
        unknown_since: float | None = None
        in_progress_since: float | None = None
        last_status: str | None = None
        while True:
            if info is not None and info.provider_status not in TWILIO_TO_CONTACT_STATUS:
                if unknown_since is None:
                    unknown_since = ctx.clock.monotonic()
                if ctx.clock.monotonic() - unknown_since >= UNKNOWN_STATUS_FINAL_S:
                    await self._end_unknown(
                        f"Twilio kept reporting the status {info.provider_status!r}, which "
                        f"CallDeck does not know, for {UNKNOWN_STATUS_FINAL_S / 60:.0f} minutes"
                    )
                    return None
            elif info is not None:
                unknown_since = None
            if info is not None and self._worth_writing(info):
                update = await self._persist("saving its status", partial(self._apply, info))
                if update.final:
                    return update
            if info is not None:
                last_status = info.provider_status
                if last_status == "in-progress" and in_progress_since is None:
                    in_progress_since = ctx.clock.monotonic()
            talking_s = (
                0.0 if in_progress_since is None else ctx.clock.monotonic() - in_progress_since
            )
            reported = await self._wait_for_news(
                poll_delay_s(last_status, talking_s, ctx.poll_interval_s)
            )
            if reported is not None:
                info = reported
                continue  # a callback said it: applied like a poll's answer, no request
            begun = ctx.connectivity.outages
            try:
                info = await ctx.provider.fetch_call(sid)
                ctx.connectivity.reached(begun)
                errors = 0
            except NotFound as exc:
                if not self._old_enough_to_be_gone():
                    info = None  # UNCERTAIN whether Twilio 404s a brand-new call: ask again
                    log.warning("call %s: not found yet (%s); asking again", self.live.call_id, exc)
                    continue
                await self._end_unknown("the provider has no record of this call any more")
                return None
            except Exception as exc:  # a poll that fails must not strand the line
                info = None
                errors += 1
                ctx.connectivity.observe(exc)
                log.warning("call %s: status check failed (%s)", self.live.call_id, exc)
                # Keep asking (the line stays held), but less often while the provider
                # struggles; offline, ask again as soon as the network is back.
                backoff = min(MAX_POLL_BACKOFF_S, ctx.poll_interval_s * 2 ** min(errors, 8))
                await ctx.connectivity.wait(ctx.clock, ctx.clock.monotonic() + backoff)

    async def _wait_for_news(self, poll_delay: float) -> CallInfo | None:
        """The next status callback's report, or None when it is time to poll (after
        *poll_delay*). While callbacks arrive, polls are only a safety net against a lost one."""
        ctx, box = self._ctx, self._box
        if box is None:
            await ctx.clock.sleep_until(ctx.clock.monotonic() + poll_delay)
            return None
        every = poll_delay * (SAFETY_NET_FACTOR if box.heard else 1)
        deadline = ctx.clock.monotonic() + every
        while True:
            if box.reports:
                return box.reports.popleft()
            if box.answered_by is not None and self.live.answered_by is None:
                await self._machine_or_human(box.answered_by)
                continue
            box.wake.clear()
            if not await ctx.clock.sleep_until(deadline, box.wake):
                return None

    async def _machine_or_human(self, verdict: str) -> None:
        """The async-AMD verdict: a person talks to the agent (the relay holds until now);
        a machine hears the voicemail message after its beep (leave_message), or is hung up
        on to be tried again later (hang_up_retry)."""
        live, provider = self.live, self._ctx.provider
        live.answered_by = verdict
        assert live.sid is not None
        if verdict not in MACHINE_ANSWERS:
            return
        try:
            if self._voicemail_mode == "hang_up_retry":
                log.info("call %s: a machine answered (%s); hanging up", live.call_id, verdict)
                await provider.hang_up(live.sid)
            elif self._voicemail_twiml is not None and verdict in MESSAGE_END_ANSWERS:
                log.info("call %s: leaving the voicemail message (%s)", live.call_id, verdict)
                await provider.redirect(live.sid, self._voicemail_twiml)
            elif self._voicemail_mode == "leave_message":
                await provider.hang_up(live.sid)  # the agent leaves no message: just hang up
        except CallAlreadyEnded:
            pass  # the machine hung up first
        except ProviderError as exc:
            log.warning("call %s: could not act on the machine (%s)", live.call_id, exc)

    def _old_enough_to_be_gone(self) -> bool:
        """A 404 for a call this old means it is gone; a younger one may not be visible yet,
        and ending it would make the contact dialable again while it rings."""
        age = self._ctx.clock.now() - self.live.identity.claimed_at
        return age.total_seconds() >= YOUNG_CALL_S

    def _worth_writing(self, info: CallInfo) -> bool:
        """Only what changes the contact (answered, ended) is written; "ringing" is not."""
        if info.is_final:
            return True
        return info.status == ContactStatus.CONNECTED and not self.live.answered

    def _record_placed(self, info: CallInfo) -> None:
        draft = self.live.draft()
        with self._ctx.writer.transaction() as tx:
            writes.record_placed(tx, draft, info)
        self.live.keep(draft)
        if self._token is not None and self._ctx.agent_calls is not None:
            self._ctx.agent_calls.relay.bind(self._token, info.sid)

    def _apply(self, info: CallInfo) -> writes.StatusUpdate:
        live = self.live
        # Work on a copy: if the transaction fails, what we remember must match the database.
        draft = live.draft()
        with self._ctx.writer.transaction() as tx:
            update = writes.apply_call_info(tx, draft, info, self._ctx.clock.now())
        live.keep(draft)
        if update.final:
            self._ended(update)
        elif update.contact_status is not None:
            self._ctx.hub.publish(
                ContactChanged(live.campaign_id, live.contact_id, update.contact_status)
            )
        return update

    async def _end_unknown(self, message: str) -> None:
        ctx = self._ctx
        with ctx.store.session.begin() as session:
            update = failures.fail_unknown_call(
                session, self.live.call_id, message, ctx.clock.now()
            )
        self._ended(update)
        self._over(update.contact_id)

    def _ended(self, update: writes.StatusUpdate) -> None:
        live = self.live
        self._host.note_retry(live.campaign_id, update.retry_at)
        self.release_line()
        if update.contact_status is not None:
            self._ctx.hub.publish(
                ContactChanged(live.campaign_id, live.contact_id, update.contact_status)
            )

    async def _fetch_results(self) -> None:
        """Store the recording and transcript; while the disk is full or Twilio cannot be
        reached, keep trying (the line is free meanwhile, and the state stays pending for a
        restart to pick up)."""
        delay, longest = RESULTS_RETRY_S
        while True:
            await self._ctx.connectivity.wait_online()
            try:
                await self._fetch_results_once()
                self._host.results_waiting(None)
                return
            except DiskFull as exc:
                log.warning("call %s: %s; trying again in %.0f s", self.live.call_id, exc, delay)
                self._host.results_waiting(str(exc))
                await self._ctx.clock.sleep_until(self._ctx.clock.monotonic() + delay)
                delay = min(delay * 2, longest)
            except ProviderError as exc:  # unreachable or busy: not a reason to give up on them
                log.warning("call %s: results wait for Twilio (%s)", self.live.call_id, exc)
                self._ctx.connectivity.observe(exc)
                if not is_unreachable(exc):  # a rate limit or server error: back off
                    await self._ctx.clock.sleep_until(self._ctx.clock.monotonic() + delay)
                    delay = min(delay * 2, longest)

    async def _fetch_results_once(self) -> None:
        ctx, live = self._ctx, self.live
        assert live.sid is not None
        try:
            await fetch_results(
                ctx.writer,
                ctx.provider,
                live.call_id,
                live.sid,
                recordings_dir=ctx.recordings_dir,
                clock=ctx.clock,
                poll_interval_s=ctx.poll_interval_s,
                recording_ready=self._box.recording_ready if self._box else None,
            )
        except (asyncio.CancelledError, DiskFull):
            raise
        except Exception as exc:
            if is_unreachable(exc) or (isinstance(exc, ProviderError) and exc.retryable):
                raise  # _fetch_results tries again
            log.exception("call %s: could not store its recording/transcript", live.call_id)
            with ctx.store.session.begin() as session:
                failures.mark_results_unavailable(session, live.call_id)

    # -- bookkeeping --------------------------------------------------------------------------

    def _forget_token(self) -> None:
        """The call was not placed: its relay ticket must open nothing."""
        if self._token is not None and self._ctx.agent_calls is not None:
            self._ctx.agent_calls.relay.discard(self._token)

    def release_line(self) -> None:
        """The call no longer counts against its campaign's concurrency (exactly once)."""
        if self.live.line_held:
            self.live.line_held = False
            self._host.line_released(self.live.campaign_id)

    def _over(self, contact_id: int) -> None:
        self._host.attempt_over(self)
        live = self.live
        self._ctx.hub.publish(CallEnded(live.campaign_id, live.call_id, contact_id))

    async def _persist(self, what: str, write: Callable[[], T]) -> T:
        return await persist(self._ctx.clock, f"call {self.live.call_id}: {what}", write)
