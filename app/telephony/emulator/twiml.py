"""Just enough TwiML to know what the agent says and how long the call takes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

WORDS_PER_MINUTE = 150  # Twilio's <Say> voices speak at roughly this pace
PLAY_DEFAULT_S = 5.0  # we never fetch <Play> media, so assume a short clip
DIAL_DEFAULT_S = 10.0  # a <Dial>ed leg that answers and talks briefly


@dataclass(frozen=True)
class Step:
    kind: str  # "say" | "pause" | "play" | "dial" | "hangup" | "relay"
    text: str = ""
    seconds: float = 0.0
    url: str = ""  # <ConversationRelay url>
    welcome: str = ""  # <ConversationRelay welcomeGreeting>


def speaking_time(text: str) -> float:
    words = len(text.split())
    return max(1.0, words * 60.0 / WORDS_PER_MINUTE)


def _float(value: str | None, default: float) -> float:
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


def _steps(elem: ET.Element) -> list[Step]:
    steps: list[Step] = []
    for child in elem:
        tag = child.tag.split("}")[-1]
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
            steps.append(Step("dial", text=(child.text or "").strip(), seconds=DIAL_DEFAULT_S))
        elif tag == "Hangup":
            steps.append(Step("hangup"))
            break
        elif tag == "Connect":
            for sub in child:
                if sub.tag.split("}")[-1] == "ConversationRelay":
                    steps.append(
                        Step(
                            "relay", url=sub.get("url", ""), welcome=sub.get("welcomeGreeting", "")
                        )
                    )
        elif tag in ("Gather", "Start"):
            # <Gather> may nest <Say>/<Play>; what it says still takes time.
            steps.extend(_steps(child))
    return steps


def parse(twiml: str) -> list[Step] | None:
    """The verbs of a <Response>, or None when the document is not valid TwiML (Twilio 12100)."""
    try:
        root = ET.fromstring(twiml.strip())
    except ET.ParseError:
        return None
    if root.tag.split("}")[-1] != "Response":
        return None
    return _steps(root)


# What Twilio plays when it cannot fetch or parse the application's TwiML.
APPLICATION_ERROR = [Step("say", text="An application error has occurred.", seconds=2.0)]
