"""The TwiML the emulator runs: what the agent says, how long it takes, and what comes next.

Verbs: <Say>, <Pause>, <Play>, <Dial> (number as text or a <Number> child; action, method,
timeout), <Hangup/>, <Start><Recording>, <Gather> (only the time its nested verbs take), and
<Connect action method><ConversationRelay ...> with every attribute kept and its <Parameter>s.

ConversationRelay's `url` must begin with wss:// (Twilio's docs). ONE documented departure:
ws:// to a loopback host (127.0.0.1, localhost, ::1) is accepted too, because demo mode runs
the app's relay server on the same machine, without TLS. Any other url fails the session with
64102, as an unreachable server does.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit

WORDS_PER_MINUTE = 150  # Twilio's <Say> voices speak at roughly this pace
PLAY_DEFAULT_S = 5.0  # we never fetch <Play> media, so assume a short clip
DIAL_TIMEOUT_S = 30.0  # <Dial timeout> default
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
INTERRUPT_MODES = ("none", "dtmf", "speech", "any")


def speaking_time(text: str) -> float:
    words = len(text.split())
    return max(1.0, words * 60.0 / WORDS_PER_MINUTE)


def interrupt_mode(value: str | None, default: str) -> str:
    """none/dtmf/speech/any; Twilio also takes true (= any) and false (= none)."""
    mode = (value or "").strip().lower()
    mode = {"true": "any", "false": "none"}.get(mode, mode)
    return mode if mode in INTERRUPT_MODES else default


def mode_allows(mode: str, kind: str) -> bool:
    """Whether an interrupt/report *mode* covers input of *kind* ("speech" or "dtmf")."""
    return mode in ("any", kind)


@dataclass(frozen=True)
class Relay:
    """<Connect><ConversationRelay>: its attributes as written, its <Parameter>s, the action."""

    url: str
    attributes: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    action: str = ""
    method: str = "POST"

    @property
    def welcome_greeting(self) -> str:
        return self.attributes.get("welcomeGreeting", "")

    @property
    def welcome_interruptible(self) -> str:
        return interrupt_mode(self.attributes.get("welcomeGreetingInterruptible"), "any")

    @property
    def interruptible(self) -> str:
        return interrupt_mode(self.attributes.get("interruptible"), "any")

    @property
    def report_input_during_agent_speech(self) -> str:
        return interrupt_mode(self.attributes.get("reportInputDuringAgentSpeech"), "none")

    @property
    def dtmf_detection(self) -> bool:
        return self.attributes.get("dtmfDetection", "").strip().lower() == "true"

    @property
    def language(self) -> str:
        return self.attributes.get("transcriptionLanguage") or self.attributes.get(
            "language", "en-US"
        )

    @property
    def debug(self) -> set[str]:
        return set(self.attributes.get("debug", "").split())


def relay_url_problem(url: str) -> str:
    """Why Twilio would not connect to this <ConversationRelay url>, or "" when it would."""
    parts = urlsplit(url)
    if parts.scheme == "wss" and parts.hostname:
        return ""
    if parts.scheme == "ws" and parts.hostname in LOOPBACK_HOSTS:
        return ""  # the emulator's one departure (see the module docstring)
    return f"Invalid WebSocket URL {url!r}: the url must begin with wss://"


@dataclass(frozen=True)
class Dial:
    number: str
    action: str = ""
    method: str = "POST"
    timeout_s: float = DIAL_TIMEOUT_S


@dataclass(frozen=True)
class StartRecording:
    channels: int = 2  # <Recording channels> defaults to dual
    callback: str = ""
    callback_method: str = "POST"
    callback_events: tuple[str, ...] = ("completed",)
    track: str = "both"
    trim: str = "trim-silence"


@dataclass(frozen=True)
class Step:
    kind: str  # "say" | "pause" | "play" | "dial" | "hangup" | "relay" | "record"
    text: str = ""
    seconds: float = 0.0
    relay: Relay | None = None
    dial: Dial | None = None
    recording: StartRecording | None = None


def _float(value: str | None, default: float) -> float:
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


def _tag(elem: ET.Element) -> str:
    return elem.tag.split("}")[-1]


def _dial(elem: ET.Element) -> Dial:
    number = (elem.text or "").strip()
    for sub in elem:
        if _tag(sub) in ("Number", "Client", "Sip"):
            number = (sub.text or "").strip()
    return Dial(
        number=number,
        action=elem.get("action", ""),
        method=elem.get("method", "POST").upper(),
        timeout_s=_float(elem.get("timeout"), DIAL_TIMEOUT_S),
    )


def _recording(elem: ET.Element) -> StartRecording:
    events = tuple(elem.get("recordingStatusCallbackEvent", "completed").replace(",", " ").split())
    return StartRecording(
        channels=1 if elem.get("channels", "dual").lower() in ("mono", "single") else 2,
        callback=elem.get("recordingStatusCallback", ""),
        callback_method=elem.get("recordingStatusCallbackMethod", "POST").upper(),
        callback_events=events or ("completed",),
        track=elem.get("track", "both"),
        trim=elem.get("trim", "trim-silence"),
    )


def _relay(connect: ET.Element, noun: ET.Element) -> Relay:
    params = {p.get("name", ""): p.get("value", "") for p in noun if _tag(p) == "Parameter"}
    return Relay(
        url=noun.get("url", ""),
        attributes=dict(noun.attrib),
        parameters={k: v for k, v in params.items() if k},
        action=connect.get("action", ""),
        method=connect.get("method", "POST").upper(),
    )


def _steps(elem: ET.Element) -> list[Step]:
    steps: list[Step] = []
    for child in elem:
        tag = _tag(child)
        if tag == "Say":
            text = "".join(child.itertext()).strip()
            loops = max(1, int(_float(child.get("loop"), 1)))
            steps.extend(Step("say", text=text, seconds=speaking_time(text)) for _ in range(loops))
        elif tag == "Pause":
            steps.append(Step("pause", seconds=_float(child.get("length"), 1.0)))
        elif tag == "Play":
            loops = max(1, int(_float(child.get("loop"), 1)))
            steps.append(
                Step("play", text=(child.text or "").strip(), seconds=PLAY_DEFAULT_S * loops)
            )
        elif tag == "Dial":
            steps.append(Step("dial", dial=_dial(child)))
        elif tag == "Hangup":
            steps.append(Step("hangup"))
            break
        elif tag == "Connect":
            for sub in child:
                if _tag(sub) == "ConversationRelay":
                    steps.append(Step("relay", relay=_relay(child, sub)))
        elif tag == "Start":
            for sub in child:
                if _tag(sub) == "Recording":
                    steps.append(Step("record", recording=_recording(sub)))
        elif tag == "Gather":
            # <Gather> may nest <Say>/<Play>; what it says still takes time.
            steps.extend(_steps(child))
    return steps


def parse(twiml: str) -> list[Step] | None:
    """The verbs of a <Response>, or None when the document is not valid TwiML (Twilio 12100)."""
    try:
        root = ET.fromstring(twiml.strip())
    except ET.ParseError:
        return None
    if _tag(root) != "Response":
        return None
    return _steps(root)


# What Twilio plays when it cannot fetch or parse the application's TwiML.
APPLICATION_ERROR = [Step("say", text="An application error has occurred.", seconds=2.0)]
