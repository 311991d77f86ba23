"""The Twilio side of a <ConversationRelay> websocket: setup, a prompt per callee line, and
collect the agent's `text` tokens until `last`."""

from __future__ import annotations

import json
import uuid

import aiohttp

from app.telephony.emulator.conversation import Conversation
from app.telephony.emulator.state import CallRecord

TURN_TIMEOUT_S = 10.0  # how long we wait for the agent's reply to one prompt


async def _agent_reply(ws: aiohttp.ClientWebSocketResponse) -> tuple[str, bool]:
    """(text, ended): the agent's tokens up to `last`, and whether it sent `end`."""
    tokens: list[str] = []
    while True:
        msg = await ws.receive(timeout=TURN_TIMEOUT_S)
        if msg.type != aiohttp.WSMsgType.TEXT:
            return "".join(tokens).strip(), True
        try:
            data = json.loads(msg.data)
        except ValueError:
            continue
        kind = data.get("type")
        if kind == "text":
            tokens.append(str(data.get("token", "")))
            if data.get("last"):
                return "".join(tokens).strip(), False
        elif kind == "end":
            return "".join(tokens).strip(), True


async def run_relay(
    session: aiohttp.ClientSession,
    call: CallRecord,
    url: str,
    welcome: str,
    lines: list[str],
    conv: Conversation,
) -> None:
    """Append the relayed conversation to *conv*; on any failure Twilio's error line."""
    try:
        async with session.ws_connect(url, timeout=aiohttp.ClientWSTimeout(ws_close=5)) as ws:
            await ws.send_json(
                {
                    "type": "setup",
                    "sessionId": "VX" + uuid.uuid4().hex,
                    "accountSid": call.account_sid,
                    "parentCallSid": "",
                    "callSid": call.sid,
                    "from": call.from_,
                    "to": call.to,
                    "forwardedFrom": "",
                    "callType": "PSTN",
                    "callerName": "",
                    "direction": "outbound-api",
                    "callStatus": "in-progress",
                    "customParameters": {},
                }
            )
            if welcome:
                conv.say("agent", welcome)
            for line in lines:
                conv.say("callee", line)
                await ws.send_json(
                    {"type": "prompt", "voicePrompt": line, "lang": "en-US", "last": True}
                )
                text, ended = await _agent_reply(ws)
                if text:
                    conv.say("agent", text)
                if ended or call.hangup.is_set():
                    break
    except (TimeoutError, aiohttp.ClientError, OSError, ValueError):
        conv.say("agent", "An application error has occurred.")
