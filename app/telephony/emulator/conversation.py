"""Who says what, when: the call's record, in call seconds from the moment of answer.

Plain TwiML (<Say>, <Pause>, <Play>) is laid out ahead of time against the persona's lines;
a ConversationRelay session adds its segments live (relay.py). The recording and the
transcript are made from these segments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.telephony.emulator.personas import BEEP_S, TURN_GAP_S, Persona
from app.telephony.emulator.twiml import Step, speaking_time

PICK_UP_S = 0.5  # the first words come this long after the answer


@dataclass(frozen=True)
class Segment:
    speaker: str  # "agent" | "callee"
    text: str
    start: float
    end: float
    kind: str = "speech"  # "speech" | "dtmf" (text is then the digits pressed)


@dataclass
class Conversation:
    segments: list[Segment] = field(default_factory=list)
    duration: float = 0.0

    def say(self, speaker: str, text: str) -> None:
        """*text* right after what was said last (a turn gap later)."""
        start = self.duration + (TURN_GAP_S if self.segments else PICK_UP_S)
        self.add(Segment(speaker, text, round(start, 2), round(start + speaking_time(text), 2)))

    def add(self, segment: Segment) -> None:
        self.segments.append(segment)
        self.segments.sort(key=lambda s: s.start)
        self.duration = max(self.duration, segment.end)

    def wait(self, seconds: float) -> None:
        self.duration += max(0.0, seconds)

    def until(self, seconds: float) -> Conversation:
        """The part that happened before a hang-up at *seconds*."""
        kept = [
            Segment(s.speaker, s.text, s.start, min(s.end, seconds), s.kind)
            for s in self.segments
            if s.start < seconds
        ]
        return Conversation(segments=kept, duration=min(self.duration, seconds))

    def heard_from(self, offset: float) -> list[Segment]:
        """The segments as a recording started at *offset* call seconds has them."""
        return [
            Segment(s.speaker, s.text, max(0.0, s.start - offset), s.end - offset, s.kind)
            for s in self.segments
            if s.end > offset
        ]


@dataclass
class PersonaCursor:
    """How far into its script the callee is; plain TwiML and relay sessions share it."""

    persona: Persona
    next_turn: int = 0
    picked_up: bool = False
    # Synchronous AMD: the TwiML waits for the machine's beep. Otherwise (no AMD, or async
    # AMD) it runs at once, and the agent talks over the machine's greeting, as on Twilio.
    waits_for_beep: bool = False

    def next_line(self) -> str | None:
        turns = self.persona.turns
        while self.next_turn < len(turns):
            turn = turns[self.next_turn]
            self.next_turn += 1
            if turn.say:
                return turn.say
        return None


def greeting_length(persona: Persona) -> float:
    """Call seconds from the answer to the end of a machine's greeting (its beep follows)."""
    lines = [turn.say for turn in persona.turns if turn.say]
    return (
        PICK_UP_S + sum(speaking_time(line) for line in lines) + TURN_GAP_S * max(0, len(lines) - 1)
    )


def pick_up(conv: Conversation, cursor: PersonaCursor) -> None:
    """The callee's first words on a plain TwiML call (a machine: its greeting and beep)."""
    cursor.picked_up = True
    if cursor.persona.machine:
        before = conv.duration
        while (line := cursor.next_line()) is not None:
            conv.say("callee", line)
        conv.wait(BEEP_S)
        if not cursor.waits_for_beep:
            conv.duration = before  # the TwiML does not wait: it plays over the greeting
    elif (line := cursor.next_line()) is not None:
        conv.say("callee", line)  # the person picks up and speaks first


def lay_out_step(conv: Conversation, step: Step, cursor: PersonaCursor) -> None:
    """One plain verb: the agent speaks (and the callee answers) or time passes."""
    if step.kind == "say":
        conv.say("agent", step.text)
        if not cursor.persona.machine and (line := cursor.next_line()) is not None:
            conv.say("callee", line)
    elif step.kind in ("pause", "play"):
        conv.wait(step.seconds)


def close_plain(conv: Conversation, cursor: PersonaCursor, *, hung_up: bool) -> None:
    """The end of a call that had no relay session: unless the TwiML hung up, the callee
    gets their last words in before the line closes."""
    if not cursor.picked_up:
        pick_up(conv, cursor)
    if not hung_up:
        while (line := cursor.next_line()) is not None:
            conv.say("callee", line)
    conv.duration = round(conv.duration + PICK_UP_S, 2)
