"""Each call's TwiML.

An agent's call is `<Connect action=…><ConversationRelay url=wss://…?t=TOKEN …>`, with the
contact's variables as `<Parameter>`s, after `<Start><Recording channels="dual">` when the call
is recorded (Twilio ignores `record=true` on the create for a ConversationRelay call).
`twiml_for` is the plain `<Say>` of a greeting, for a dialer that has no agent runtime
(its own tests); it hangs up when the greeting ends, as Twilio would.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from app.agents.definition import AgentDefinition
from app.domain.template import render
from app.telephony.base import TWIML_MAX_CHARS

DEFAULT_GREETING = "Hello, this is an automated call. Thank you for your time. Goodbye."
PARAMETER_MAX_CHARS = 200  # one <Parameter> value; longer ones are left out


def twiml_for(greeting: str | None, variables: dict | None = None) -> str:
    """The TwiML of one call: *greeting* with its {{placeholders}} filled from *variables*."""
    text = escape(render((greeting or "").strip(), variables or {}) or DEFAULT_GREETING)
    return f"<Response><Say>{text}</Say></Response>"


def voicemail_twiml(message_or_twiml: str) -> str:
    """What a machine hears after its beep: the message, then the call hangs up. A plain
    call's own `<Say>` TwiML is its message already."""
    if message_or_twiml.startswith("<Response>"):
        return message_or_twiml.replace("</Response>", "<Hangup/></Response>")
    return f"<Response><Say>{escape(message_or_twiml)}</Say><Hangup/></Response>"


def relay_twiml(
    definition: AgentDefinition,
    *,
    ws_url: str,
    action_url: str,
    welcome_greeting: str | None,
    parameters: Mapping[str, object],
    record: bool,
) -> str:
    """The call's TwiML; parameters that would take it past Twilio's 4,000 characters are left
    out (the relay server has them all from the ticket anyway)."""
    from twilio.twiml.voice_response import Connect, Start, VoiceResponse

    def build(params: list[tuple[str, str]]) -> str:
        response = VoiceResponse()
        if record:
            start = Start()
            start.recording(channels="dual")
            response.append(start)
        connect = Connect(action=action_url, method="POST")
        speech = definition.speech
        attributes: dict[str, object] = {
            "url": ws_url,
            "interruptible": "speech",
            "dtmf_detection": True,
            # agentSpeaking on/off: the session knows when its goodbye has been heard.
            "debug": "speaker-events",
            "language": speech.language,
        }
        if speech.tts_provider:
            attributes["tts_provider"] = speech.tts_provider
        if speech.voice:
            attributes["voice"] = speech.voice
        if speech.transcription_provider:
            attributes["transcription_provider"] = speech.transcription_provider
        if welcome_greeting:
            # Not interruptible: the callee's "hello?" echoing over it must not cut it off.
            attributes["welcome_greeting"] = welcome_greeting
            attributes["welcome_greeting_interruptible"] = "none"
        relay = connect.conversation_relay(**attributes)
        for name, value in params:
            relay.parameter(name=name, value=value)
        response.append(connect)
        return response.to_xml(xml_declaration=False)

    params = [
        (str(name), str(value))
        for name, value in parameters.items()
        if value not in (None, "") and len(str(value)) <= PARAMETER_MAX_CHARS
    ]
    twiml = build(params)
    while len(twiml) > TWIML_MAX_CHARS and params:
        params.pop()
        twiml = build(params)
    return twiml
