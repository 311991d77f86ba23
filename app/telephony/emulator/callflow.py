"""Running an answered call's TwiML, verb by verb, the way Twilio does.

Plain verbs are laid out ahead of time and lived through later; before anything that talks
to the application (a relay session, an action URL) the call first lives up to that moment.
<Connect> runs a ConversationRelay session, then requests its action URL (SessionStatus
ended/failed: the call goes on with the TwiML it answers; completed: the call is over). With
no action the call goes on with the next verb. <Dial> rings the number (its outcome by the
number, like any call) and requests its action URL with DialCallStatus. When the TwiML runs
out the call hangs up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.telephony.emulator import twiml
from app.telephony.emulator.conversation import (
    Conversation,
    PersonaCursor,
    close_plain,
    lay_out_step,
    pick_up,
)
from app.telephony.emulator.personas import persona_named
from app.telephony.emulator.relay import CallClock, RelaySession, SessionResult
from app.telephony.emulator.state import CallRecord, RecordingRecord, new_sid

if TYPE_CHECKING:
    from app.telephony.emulator.lifecycle import CallEngine

TRANSFER_TALK_S = 10.0  # a <Dial>ed leg that answers talks this long before hanging up
# Twilio's enum has no value for <Start><Recording>; StartCallRecordingAPI is the nearest.
TWIML_RECORDING_SOURCE = "StartCallRecordingAPI"


class TwimlRunner:
    def __init__(self, engine: CallEngine, call: CallRecord) -> None:
        self.engine = engine
        self.call = call
        self.clock = CallClock(engine.speed)
        self.conv = Conversation()
        self.cursor = PersonaCursor(call.outcome.persona)
        self.relayed = False  # a relay session ran: the persona lives there, not in <Say>s
        self.over = False  # hung up (by REST, the callee or the time limit)

    async def redirected(self, steps: list[twiml.Step]) -> Conversation:
        """An update(Twiml/Url) on the live call: what was laid out ahead is cut at this
        moment, and *steps* run from here."""
        self._cut_here()
        return await self.run(steps)

    def _cut_here(self) -> None:
        now = self.clock.now()
        self.conv = self.conv.until(now)
        self.conv.duration = max(self.conv.duration, now)

    async def run(self, steps: list[twiml.Step]) -> Conversation:
        queue = list(steps)
        hung_up = False
        while (queue or self.call.redirect is not None) and not self.over:
            if self.call.redirect is not None:  # came during a relay session or a <Dial>
                self._cut_here()
                queue = self.call.take_redirect() or []
                continue
            step = queue.pop(0)
            if step.kind in ("say", "pause", "play"):
                if not self.cursor.picked_up:
                    pick_up(self.conv, self.cursor)
                lay_out_step(self.conv, step, self.cursor)
            elif step.kind == "record" and step.recording is not None:
                self._start_recording(step.recording)
            elif step.kind == "hangup":
                hung_up = True
                break
            elif step.kind == "dial" and step.dial is not None:
                if await self._catch_up():
                    break
                then = await self._dial(step.dial)
                if then is not None:
                    queue = then
            elif step.kind == "relay" and step.relay is not None:
                if await self._catch_up():
                    break
                then = await self._relay(step.relay)
                if then is not None:
                    queue = then
        if not self.relayed:
            close_plain(self.conv, self.cursor, hung_up=hung_up)
        return self.conv

    async def _catch_up(self) -> bool:
        """Live until the laid-out part has happened; True when the call ended meanwhile."""
        until = min(self.conv.duration, self.call.time_limit_s)
        hung_up = await self.engine.sleep(self.call, until - self.clock.now())
        self.over = hung_up or self.clock.now() >= self.call.time_limit_s
        return self.over

    # -- <Start><Recording> -----------------------------------------------------------------
    def _start_recording(self, spec: twiml.StartRecording) -> None:
        if self.call.recording_sid:
            return  # one recording per call is all CallDeck reads
        rec = RecordingRecord(
            new_sid("RE"),
            self.call.account_sid,
            self.call.sid,
            channels=spec.channels,
            source=TWIML_RECORDING_SOURCE,
            offset_s=self.conv.duration,
            status_callback=spec.callback or None,
            status_callback_method=spec.callback_method,
            status_callback_events=spec.callback_events,
        )
        self.engine.account.recordings[rec.sid] = rec
        self.call.recording_sid = rec.sid
        if "in-progress" in rec.status_callback_events:
            self.engine.recording_callback(self.call, rec, "in-progress")

    # -- <Connect><ConversationRelay> -------------------------------------------------------
    async def _relay(self, relay: twiml.Relay) -> list[twiml.Step] | None:
        """The action's TwiML to go on with, or None (no action, or the call is over)."""
        self.relayed = True
        named = persona_named(relay.parameters.get("persona"))
        if named is not None and named is not self.cursor.persona:
            self.cursor = PersonaCursor(named, picked_up=self.cursor.picked_up)
        session = RelaySession(
            self.engine.session(),
            self.call,
            relay,
            self.cursor,
            self.conv,
            self.clock,
            auth_token=self.engine.account.auth_token,
            deadline=self.call.time_limit_s,
        )
        result = await session.run()
        self.over = result.status == "completed" or self.call.hangup.is_set()
        if not relay.action or result.status == "redirected":
            return None  # a redirect replaces the TwiML: no action is requested
        params = self._session_params(result, "completed" if self.over else "in-progress")
        if self.over:
            self.engine.post_webhook(relay.action, relay.method, params)
            return None
        return await self.engine.request_twiml(relay.action, relay.method, params)

    def _session_params(self, result: SessionResult, call_status: str) -> dict[str, str]:
        params = self.engine.call_params(self.call, call_status)
        params.update(
            SessionId=result.session_id,
            SessionStatus=result.status,
            SessionDuration=str(result.duration_s),
        )
        if result.handoff_data is not None:
            params["HandoffData"] = result.handoff_data
        if result.error_code is not None:
            params.update(ErrorCode=str(result.error_code), ErrorMessage=result.error_message)
        return params

    # -- <Dial> -----------------------------------------------------------------------------
    async def _dial(self, dial: twiml.Dial) -> list[twiml.Step] | None:
        """The transfer leg; the action's TwiML when there is an action, else None."""
        leg = self.engine.scenario.outcome_for(dial.number)
        talked = 0.0
        if leg.kind in ("failed", "busy"):
            wait, status = leg.ring_s, leg.kind
        elif not leg.answers or leg.ring_s >= dial.timeout_s:
            wait, status = dial.timeout_s, "no-answer"
        else:
            talked = TRANSFER_TALK_S
            wait, status = leg.ring_s + talked, "completed"
        self.conv.wait(wait)
        if await self._catch_up():
            return None
        if not dial.action:
            return None
        params = self.engine.call_params(self.call, "in-progress")
        params.update(
            DialCallSid=new_sid("CA"),
            DialCallStatus=status,
            DialCallDuration=str(round(talked)),
            DialBridged="true" if status == "completed" else "false",
        )
        return await self.engine.request_twiml(dial.action, dial.method, params)
