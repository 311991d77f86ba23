"""What the agent does (the runtime's answers to each event) and what a call comes to.

The caller (the relay server, `calldeck agent chat`, tests) performs each action in order:
speak, end, transfer, press keys, schedule the callback, put the number on the DNC list, or
run a webhook and answer with Conversation.on_tool_result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

OUTCOMES = (
    "completed",
    "voicemail",
    "voicemail_left",
    "dnc",
    "callback",
    "transferred",
    "unresponsive",
    "error",
)
DISPOSITION_FOR_OUTCOME = {
    "dnc": "Do not call",
    "voicemail": "Voicemail",
    "voicemail_left": "Voicemail",
    "callback": "Call back",
    "transferred": "Interested",
}


@dataclass(frozen=True)
class LineSource:
    """Where a line comes from, so the LLM path can write it anew (and store what it said)."""

    kind: str  # "step": a step's `say`; "answer": a knowledge answer
    step: str
    turn: int  # the line's index in Conversation.turns
    question: str = ""  # an answer's question and the passage it was read from
    passage: str = ""


@dataclass(frozen=True)
class Say:
    text: str
    interruptible: bool = True
    source: LineSource | None = field(default=None, compare=False, repr=False)
    kind = "say"


@dataclass(frozen=True)
class EndCall:
    outcome: str
    kind = "end_call"


@dataclass(frozen=True)
class Transfer:
    tool: str
    number: str
    mode: str  # cold | warm
    summary: str  # the one line handed to the person (handoffData)
    kind = "transfer"


@dataclass(frozen=True)
class SendDtmf:
    digits: str
    kind = "send_dtmf"


@dataclass(frozen=True)
class ScheduleCallback:
    at: str  # ISO 8601 with the contact's UTC offset
    timezone: str
    kind = "schedule_callback"


@dataclass(frozen=True)
class AddToDnc:
    evidence: str  # the callee's own words
    offset_s: float  # when they said them, in seconds from the start of the call
    kind = "add_to_dnc"


@dataclass(frozen=True)
class CallWebhook:
    """Run the request, then call on_tool_result(tool, ok, data); the filler line was said."""

    tool: str
    method: str
    url: str
    headers: dict[str, str]
    timeout_s: float
    body: dict[str, Any]
    kind = "webhook"


def webhook_request(tool: Any, known: dict[str, Any], missing: Any = None) -> CallWebhook:
    """The request a webhook tool sends: each of its parameters from *known* (the contact's
    variables and the captured fields), *missing* for one they lack."""
    names = tool.parameters.get("properties", {}).keys()
    body = {name: known.get(name, missing) for name in names}
    return CallWebhook(tool.name, tool.method, tool.url, dict(tool.headers), tool.timeout_s, body)


def response_mapping(tool: Any, data: Any) -> dict[str, Any]:
    """What each of the tool's response_fields captures from the reply *data* (None: absent)."""
    return {field: dig(data, path) for field, path in tool.response_fields.items()}


def dig(data: Any, path: str) -> Any:
    """data["a"]["b"][0] for "a.b.0"; None when the path is not there."""
    for key in path.split("."):
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        else:
            return None
    return data


AgentAction = Say | EndCall | Transfer | SendDtmf | ScheduleCallback | AddToDnc | CallWebhook


def action_json(action: AgentAction) -> dict[str, Any]:
    return {"type": action.kind, **asdict(action)}


@dataclass(frozen=True)
class Turn:
    speaker: str  # agent | callee
    text: str
    step: str
    offset_s: float


@dataclass(frozen=True)
class CallResult:
    outcome: str
    fields: dict[str, Any]
    step_path: list[str]
    dnc: bool
    dnc_evidence: str | None
    dnc_offset_s: float | None
    callback_at: str | None
    suggested_disposition: str | None
    summary: str
    turns: list[Turn]
    tools_called: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["turns"] = [
            {"speaker": t.speaker, "text": t.text, "step": t.step, "offset_s": round(t.offset_s, 2)}
            for t in self.turns
        ]
        return data


def summarize(outcome: str, fields: dict[str, Any], dnc_evidence: str | None) -> str:
    """One paragraph built from the outcome and the fields (the LLM path may write its own)."""
    words = {
        "completed": "The call was completed.",
        "voicemail": "The call reached voicemail; no message was left.",
        "voicemail_left": "The call reached voicemail and a message was left.",
        "dnc": "The callee asked not to be called again; the number was put on the do-not-call list.",
        "callback": "The callee asked to be called back.",
        "transferred": "The callee was transferred to a person.",
        "unresponsive": "The callee did not respond.",
        "error": "The call ended with an error.",
    }
    parts = [words.get(outcome, f"Outcome: {outcome}.")]
    if fields:
        shown = "; ".join(f"{k.replace('_', ' ')}: {_shown(v)}" for k, v in fields.items())
        parts.append(f"Captured {shown}.")
    if dnc_evidence:
        parts.append(f'They said: "{dnc_evidence}".')
    return " ".join(parts)


def _shown(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)
