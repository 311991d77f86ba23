"""The app's ConversationRelay server: Twilio's websocket and the `<Connect action>` endpoint.

Both are checked like every Twilio request: `X-Twilio-Signature` over the URL as configured
(the public address, never the Host header, which a tunnel rewrites), and the websocket's
one-time token against the CallSid in `setup`. Each call's session runs on this loop (the
dialer's), and its result goes to *on_result* when the session ends.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from html import escape
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from app.agents.actions import CallResult, Say
from app.agents.flow import Conversation
from app.agents.grounding import Grounding, knowledge_for
from app.agents.relay.session import RelaySession, ScaledClock, SessionEnd
from app.agents.relay.tickets import CallTicket, TicketBook
from app.agents.responder import Responder
from app.agents.twiml import relay_twiml
from app.domain.status import MACHINE_ANSWERS, MESSAGE_END_ANSWERS
from app.telephony.callbacks import is_valid_signature
from app.telephony.public_address import HEALTH_PATH

log = logging.getLogger(__name__)

RELAY_PATH = "/relay"
ACTION_PATH = "/relay/action"
DIAL_PATH = "/relay/dial-result"
TRANSFER_RING_S = 20  # how long the person being transferred to may take to answer
SETUP_WAIT_S = 10.0
PING_EVERY_S = 25.0  # keeps proxies and tunnels from cutting a quiet socket (ALB: 60 s)
SORRY = "Sorry, we are having technical trouble. We will call you back. Goodbye."
# How long (call seconds) the agent holds for the AMD verdict: Twilio's MachineDetectionTimeout
# (30 s by default) and a margin for the callback's trip.
AMD_HOLD_S = 35.0

ResultSink = Callable[[CallTicket, CallResult], None]
RouteAdder = Callable[[web.Application], None]
ResponderFactory = Callable[[Conversation], Responder]
AnsweredBy = Callable[[str], Awaitable[str | None]]


@dataclass(frozen=True)
class PreparedCall:
    token: str
    twiml: str
    voicemail: str | None = None  # the agent's message for a machine (None: it hangs up)


@dataclass
class _Call:
    """One call's agent, across its sessions (a failed transfer opens a second one)."""

    ticket: CallTicket
    responder: Responder
    clock: ScaledClock
    session: RelaySession | None = None
    failed_transfer: str | None = None  # the tool whose transfer failed, to resume with


def public_bases(public_url: str) -> tuple[str, str]:
    """(ws base, http base) of a public address: https://x → wss://x, http://x → ws://x."""
    parts = urlsplit(public_url.strip().rstrip("/"))
    scheme = parts.scheme.lower()
    if scheme in ("https", "wss"):
        return f"wss://{parts.netloc}{parts.path}", f"https://{parts.netloc}{parts.path}"
    if scheme in ("http", "ws"):
        return f"ws://{parts.netloc}{parts.path}", f"http://{parts.netloc}{parts.path}"
    raise ValueError(f"public address {public_url!r}: use an https:// address")


class RelayServer:
    def __init__(
        self,
        *,
        auth_token: str,
        on_result: ResultSink | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        time_scale: float = 1.0,
        answered_by: AnsweredBy | None = None,
        responder: ResponderFactory = Responder,
        routes: tuple[RouteAdder, ...] = (),
    ) -> None:
        self._auth_token = auth_token
        self.on_result = on_result  # where each session's result goes (the dialer, once built)
        self._host, self._port = host, port
        self.time_scale = time_scale
        self.answered_by = answered_by  # the AMD verdict of a call sid (the dialer sets it)
        self._responder = responder
        self._routes = routes  # more of Twilio's requests on this server (its callbacks)
        self.tickets = TicketBook()
        self._calls: dict[str, _Call] = {}
        self._knowledge: dict[int | None, Grounding | None] = {}
        self._runner: web.AppRunner | None = None
        self.ws_base = self.http_base = ""
        self.port = 0
        self.relay_id = secrets.token_hex(8)  # the health page's answer

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(RELAY_PATH, self._relay)
        app.router.add_post(ACTION_PATH, self._action)
        app.router.add_post(DIAL_PATH, self._dial_result)
        app.router.add_get(HEALTH_PATH, self._health)
        for add_routes in self._routes:
            add_routes(app)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = self._runner.addresses[0][1]  # the one the OS gave, for port 0
        self.use_public_url(None)

    def use_public_url(self, public_url: str | None) -> None:
        """Where Twilio reaches this server (None: this machine only, for the emulator)."""
        self.ws_base, self.http_base = public_bases(
            public_url or f"http://{self._host}:{self.port}"
        )

    async def close(self) -> None:
        for call in list(self._calls.values()):
            if call.session is not None:
                await call.session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- what the dialer asks ---------------------------------------------------------------

    def prepare_call(self, ticket: CallTicket, *, record: bool) -> PreparedCall:
        """A token for *ticket* and the call's TwiML (the greeting in it when the agent
        speaks first, so Twilio plays it the moment the socket opens; not with AMD, where
        it would play over a voicemail greeting: the session says it once a person is there)."""
        token = self.tickets.issue(ticket)
        greeting = None
        if ticket.definition.opening.mode == "speak_first" and not ticket.amd:
            first = Conversation(ticket.definition, ticket.variables).start()
            greeting = next((a.text for a in first if isinstance(a, Say)), None)
        message = Conversation(ticket.definition, ticket.variables).on_voicemail()
        voicemail = next((a.text for a in message if isinstance(a, Say)), None)
        twiml = relay_twiml(
            ticket.definition,
            ws_url=f"{self.ws_base}{RELAY_PATH}?t={token}",
            action_url=f"{self.http_base}{ACTION_PATH}",
            welcome_greeting=greeting,
            parameters={"call_id": ticket.call_id, **ticket.variables},
            record=record,
        )
        return PreparedCall(token, twiml, voicemail)

    def bind(self, token: str, call_sid: str) -> None:
        self.tickets.bind(token, call_sid)

    def discard(self, token: str) -> None:
        self.tickets.discard(token)

    # -- Twilio's requests ------------------------------------------------------------------

    def _signed(self, base: str, request: web.Request, params: dict[str, str]) -> bool:
        url = f"{base}{request.path_qs}"
        signature = request.headers.get("X-Twilio-Signature")
        return is_valid_signature(self._auth_token, url, params, signature)

    async def _relay(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("t", "")
        if not self._signed(self.ws_base, request, {}):
            log.warning("relay: refused an upgrade without a valid Twilio signature")
            raise web.HTTPForbidden(text="signature")
        if not self.tickets.usable(token):
            log.warning("relay: refused an upgrade with an unknown or spent token")
            raise web.HTTPForbidden(text="token")
        ws = web.WebSocketResponse(heartbeat=PING_EVERY_S)
        await ws.prepare(request)
        setup = await self._setup(ws)
        call_sid = str(setup.get("callSid") or "") if setup else ""
        ticket = await self.tickets.redeem(token, call_sid) if call_sid else None
        if ticket is None:
            log.warning("relay: the setup's CallSid does not match its token; closing")
            await ws.close(code=1008, message=b"token")
            return ws
        await self._serve(ws, ticket, call_sid)
        return ws

    async def _setup(self, ws: web.WebSocketResponse) -> dict | None:
        try:
            msg = await ws.receive(timeout=SETUP_WAIT_S)
            data = json.loads(msg.data) if msg.type == WSMsgType.TEXT else None
        except (TimeoutError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("type") == "setup" else None

    async def _serve(self, ws: web.WebSocketResponse, ticket: CallTicket, call_sid: str) -> None:
        if self.answered_by is not None and ticket.answered_by is None:
            # With AMD the agent holds until the verdict (Twilio already runs the TwiML).
            wait_s = (AMD_HOLD_S if ticket.amd else 3.0) / max(self.time_scale, 1e-6)
            try:
                verdict = await asyncio.wait_for(self.answered_by(call_sid), wait_s)
            except Exception as exc:  # the agent talks to whoever it is rather than wait
                log.info("call %s: answered-by unknown (%s)", ticket.call_id, exc)
                verdict = None
            if verdict:
                ticket = replace(ticket, answered_by=verdict)
        if ticket.amd and ticket.answered_by in MACHINE_ANSWERS:
            await self._machine_answered(ws, ticket)
            return
        call = self._calls.get(call_sid)  # set when a failed transfer comes back to the agent
        if call is None:
            clock = ScaledClock(self.time_scale)
            conversation = Conversation(
                ticket.definition, ticket.variables, self._knowledge_of(ticket), clock
            )
            call = self._calls[call_sid] = _Call(ticket, self._responder(conversation), clock)
        session = RelaySession(
            ws,
            ticket,
            call.responder,
            clock=call.clock,
            time_scale=self.time_scale,
            greeting_played=ticket.definition.opening.mode == "speak_first" and not ticket.amd,
            resume_after=call.failed_transfer,
        )
        call.session, call.failed_transfer = session, None
        end: SessionEnd | None = None
        try:
            end = await session.run()
        except Exception:
            log.exception("call %s: the agent's session failed", ticket.call_id)
        finally:
            if end is not None and end.result is not None and self.on_result is not None:
                try:
                    self.on_result(ticket, end.result)
                except Exception:
                    log.exception("call %s: could not store the agent's result", ticket.call_id)

    async def _machine_answered(self, ws: web.WebSocketResponse, ticket: CallTicket) -> None:
        """Async AMD says a machine: the agent says nothing here. After the beep (machine_end_*)
        the dialer redirects the call to the agent's voicemail message; at machine_start it
        hangs up to call again later. Twilio then closes this socket; the result says which."""
        log.info("call %s: %s answered; the agent stays silent", ticket.call_id, ticket.answered_by)
        conversation = Conversation(
            ticket.definition, ticket.variables, None, ScaledClock(self.time_scale)
        )
        responder = self._responder(conversation)
        conversation.on_voicemail(leave_message=ticket.answered_by in MESSAGE_END_ANSWERS)
        async for _ in ws:
            pass
        if self.on_result is not None:
            try:
                self.on_result(ticket, await responder.finish())
            except Exception:
                log.exception("call %s: could not store the agent's result", ticket.call_id)

    def _knowledge_of(self, ticket: CallTicket) -> Grounding | None:
        """Each published version's index is built once (a KB can hold thousands of passages)."""
        key = ticket.version_id
        if key is None or key not in self._knowledge:
            grounding = knowledge_for(ticket.definition) if ticket.definition.knowledge else None
            if key is None:
                return grounding
            self._knowledge[key] = grounding
        return self._knowledge[key]

    async def _health(self, request: web.Request) -> web.Response:
        """What `check_reachable` fetches through the public address."""
        return web.json_response({"relay": self.relay_id})

    async def _action(self, request: web.Request) -> web.Response:
        """The `<Connect action>`: the session is over; a transfer dials the person, the rest
        hang up (the call is still live in the `ended` and `failed` cases)."""
        params = await self._signed_form(request)
        call_sid = params.get("CallSid", "")
        call = self._calls.get(call_sid)
        self.tickets.close(call_sid)
        status = params.get("SessionStatus", "")
        transfer = call.session.end.transfer if call and call.session else None
        body = "<Response/>"  # completed: the callee hung up, nothing more runs
        if status == "ended" and transfer is not None:
            dial_action = f"{self.http_base}{DIAL_PATH}"
            body = (
                f'<Response><Dial action="{escape(dial_action)}" timeout="{TRANSFER_RING_S}">'
                f"{escape(transfer.number)}</Dial></Response>"
            )
        elif status == "ended":
            body = "<Response><Hangup/></Response>"
        elif status == "failed":
            log.warning(
                "call %s: ConversationRelay failed (%s %s)",
                call_sid,
                params.get("ErrorCode"),
                params.get("ErrorMessage"),
            )
            body = f"<Response><Say>{SORRY}</Say><Hangup/></Response>"
        if transfer is None:
            self._calls.pop(call_sid, None)
        return web.Response(text=body, content_type="text/xml")

    async def _dial_result(self, request: web.Request) -> web.Response:
        """The transfer's `<Dial action>`: answered, the call is over; not answered, the
        agent takes the callee back (a new session on the same conversation, which routes
        to the transfer's fallback step)."""
        params = await self._signed_form(request)
        call_sid = params.get("CallSid", "")
        call = self._calls.pop(call_sid, None)
        transfer = call.session.end.transfer if call and call.session else None
        if transfer is None or params.get("DialCallStatus") in ("completed", "answered"):
            return web.Response(text="<Response><Hangup/></Response>", content_type="text/xml")
        log.info("call %s: the transfer was %s", call.ticket.call_id, params.get("DialCallStatus"))
        call.failed_transfer = transfer.tool
        self._calls[call_sid] = call
        token = self.tickets.issue(call.ticket)
        self.tickets.bind(token, call_sid)
        twiml = relay_twiml(
            call.ticket.definition,
            ws_url=f"{self.ws_base}{RELAY_PATH}?t={token}",
            action_url=f"{self.http_base}{ACTION_PATH}",
            welcome_greeting=None,
            parameters={"call_id": call.ticket.call_id},
            record=False,  # the call's recording goes on
        )
        return web.Response(text=twiml, content_type="text/xml")

    async def _signed_form(self, request: web.Request) -> dict[str, str]:
        params = {k: str(v) for k, v in (await request.post()).items()}
        if not self._signed(self.http_base, request, params):
            raise web.HTTPForbidden(text="signature")
        return params
