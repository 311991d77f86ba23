"""The callee's behaviour on an answered call: a persona is a script the emulator plays.

Which persona answers (``outcomes.persona_for``):

1. ``customParameters["persona"]`` of the <ConversationRelay> (the contact's "persona"
   column), when it names one of ``PERSONA_NAMES``;
2. else the scenario file's entry for the number (``"persona": NAME`` or its ``"lines"``);
3. else the digits of To. The last digit keeps its meaning (outcomes.py): 0-4 a person,
   5 voicemail, 6 no answer, 7 busy, 8 fails, 9 opt-out. For a person (0-4) the tens digit
   chooses who:

   ===========  ===================  ==========================================================
   tens digit   persona              what they do
   ===========  ===================  ==========================================================
   0            cooperative          hello, yes, confirms, thanks and goodbye
   1            knowledge_question   asks "What are your opening hours?"
   2            unknown_question     asks something no knowledge base answers
   3            busy_callback        "I'm driving, call me tomorrow at 3 pm"
   4            not_interested       "No thanks, I'm not interested"
   5            robot_question       "Wait, are you a robot?"
   6            silent               says nothing at all, hangs up after SILENT_LINGER_S
   7            interrupter          barges in while the agent is speaking
   8            digits               presses 1 (reported only with dtmfDetection="true")
   9            wants_person         asks for a real person
   ===========  ===================  ==========================================================

   so numbers ending 00, 10, ..., 90 show every person, one ending 05 the voicemail and one
   ending 09 the opt-out.

Timing (relay.py): a person speaks first (~0.7 s after the socket opens; after the
welcomeGreeting in speak-first mode); each later turn comes once the agent's line (`text` up to
`last:true`) has been spoken (words at 150 wpm) plus TURN_GAP_S. After its last turn a persona
waits for the agent's goodbye (its next line), then hangs up; if none comes within
``linger_s`` it hangs up anyway. A voicemail speaks its greeting, beeps, records the agent's
message and hangs up after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TURN_GAP_S = 0.4  # silence between the agent's line ending and the callee's reply
FIRST_WORDS_S = 0.7  # a person says hello this long after picking up
BARGE_IN_S = 1.2  # how far into the agent's line an interrupter starts talking
GOODBYE_LINGER_S = 10.0  # how long a done persona waits for the agent's goodbye
SILENT_LINGER_S = 30.0  # a silent callee gives up after this much dead air
BEEP_S = 1.0  # the voicemail beep


@dataclass(frozen=True)
class Turn:
    say: str = ""  # what the callee says
    digits: str = ""  # keys the callee presses instead
    barge_in: bool = False  # starts while the agent is still speaking


@dataclass(frozen=True)
class Persona:
    name: str
    turns: tuple[Turn, ...] = field(default_factory=tuple)
    machine: bool = False  # an answering machine: greeting, beep, records the agent
    linger_s: float = GOODBYE_LINGER_S
    hangs_up_after_goodbye: bool = True  # False: stays on until linger_s runs out


def _says(*lines: str) -> tuple[Turn, ...]:
    return tuple(Turn(say=line) for line in lines)


PERSON_PERSONAS: tuple[Persona, ...] = (
    Persona(
        "cooperative",
        _says(
            "Hello?",
            "Yes, this is a good time, go ahead.",
            "Yes, that's right, I confirm.",
            "That sounds good to me, thank you. Goodbye.",
        ),
    ),
    Persona(
        "knowledge_question",
        _says("Hello?", "Sure. But first, what are your opening hours?", "Great, thanks. Bye."),
    ),
    Persona(
        "unknown_question",
        _says(
            "Hello?",
            "Before we go on, does the parking garage on Elm Street flood when it rains?",
            "Hm, okay. Goodbye.",
        ),
    ),
    Persona(
        "busy_callback",
        _says("Hello?", "Sorry, I'm driving right now. Call me tomorrow at 3 pm."),
    ),
    Persona("not_interested", _says("Hello?", "No thanks, I'm not interested.")),
    Persona("robot_question", _says("Hello?", "Wait, are you a robot?", "Okay. Goodbye.")),
    Persona("silent", (), linger_s=SILENT_LINGER_S, hangs_up_after_goodbye=False),
    Persona(
        "interrupter",
        (
            Turn(say="Hello?"),
            Turn(say="Sorry, sorry, who is this?", barge_in=True),
            Turn(say="Okay, fine, thank you. Goodbye."),
        ),
    ),
    Persona("digits", (Turn(say="Hello?"), Turn(digits="1"), Turn(say="Thanks. Goodbye."))),
    Persona("wants_person", _says("Hello?", "Can I talk to a real person, please?")),
)
VOICEMAIL = Persona(
    "voicemail",
    _says("Hi, you have reached my voicemail. Please leave a message after the beep."),
    machine=True,
)
OPT_OUT = Persona(
    "opt_out",
    _says("Hello, who is this?", "Please take me off your list and do not call me again."),
)
PERSONAS: dict[str, Persona] = {p.name: p for p in (*PERSON_PERSONAS, VOICEMAIL, OPT_OUT)}
PERSONA_NAMES: tuple[str, ...] = tuple(PERSONAS)


def person_for_digits(to: str) -> Persona:
    """The person persona a number's tens digit picks (for last digits 0-4)."""
    digits = [c for c in to if c.isdigit()]
    tens = int(digits[-2]) if len(digits) >= 2 else 0
    return PERSON_PERSONAS[tens]


def persona_named(name: str | None) -> Persona | None:
    return PERSONAS.get((name or "").strip().lower())


def scripted(lines: tuple[str, ...], *, machine: bool = False) -> Persona:
    """A scenario file's own lines, said one per turn."""
    return Persona("scripted", _says(*lines), machine=machine)
