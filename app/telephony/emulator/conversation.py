"""Lay out who says what, when, from the TwiML and the callee persona.

Times are in call seconds from the moment of answer; the recording and the transcript use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.telephony.emulator.outcomes import Outcome
from app.telephony.emulator.twiml import Step, speaking_time

TURN_GAP_S = 0.4  # silence between turns, so the sentences do not overlap
BEEP_S = 1.0  # the voicemail beep


@dataclass(frozen=True)
class Segment:
    speaker: str  # "agent" | "callee"
    text: str
    start: float
    end: float


@dataclass
class Conversation:
    segments: list[Segment] = field(default_factory=list)
    duration: float = 0.0
    relay: Step | None = None  # a <ConversationRelay> to run after the laid-out part
    remaining_lines: list[str] = field(default_factory=list)  # persona lines not yet spoken

    def say(self, speaker: str, text: str) -> None:
        start = self.duration + (TURN_GAP_S if self.segments else 0.5)
        end = start + speaking_time(text)
        self.segments.append(Segment(speaker, text, round(start, 2), round(end, 2)))
        self.duration = end

    def wait(self, seconds: float) -> None:
        self.duration += max(0.0, seconds)


def lay_out(steps: list[Step], outcome: Outcome) -> Conversation:
    conv = Conversation()
    lines = list(outcome.lines)
    voicemail = outcome.kind == "voicemail"
    if voicemail:
        for line in lines:
            conv.say("callee", line)
        lines = []
        conv.wait(BEEP_S)
    elif lines:
        conv.say("callee", lines.pop(0))  # the person picks up and speaks first
    hung_up = False
    for step in steps:
        if step.kind == "say":
            conv.say("agent", step.text)
            if lines:
                conv.say("callee", lines.pop(0))
        elif step.kind in ("pause", "play", "dial"):
            conv.wait(step.seconds)
        elif step.kind == "hangup":
            hung_up = True
            break
        elif step.kind == "relay":
            conv.relay = step
            break
    if conv.relay is not None:
        conv.remaining_lines = lines
    elif not hung_up:
        for line in lines:  # the callee gets their last words in before the line closes
            conv.say("callee", line)
    conv.duration = round(conv.duration + 0.5, 2)
    return conv
