"""What the callee said that the agent must act on in any step, whatever the flow says:
an opt-out, "are you a robot?", "let me talk to a person", "not a good time", and the
backchannels ("uh-huh") that must not move the conversation.

"No thanks, not interested" is a refusal, not an opt-out: the flow handles it.
"""

from __future__ import annotations

import re

_CALL = r"(call|calling|ring|ringing|phone|phoning|contact|contacting|dial|dialing|dialling)"
# "Don't call me before noon" asks for another time; it is not an opt-out.
_NOT_A_TIME = r"(?! (before|after|until|till|at|on|during|in the|between|this|tomorrow|today|so))"
_OPT_OUT = [
    rf"\b(stop|quit|cease) (\w+ (and|or) )?{_CALL}\b",
    r"\b(stop|quit) (with )?(these|the|your|all these|all the) (\w+ )?calls\b",
    rf"\b(don'?t|do not|never) (ever )?{_CALL} (me|us|this number|here|this line|my number)"
    rf"( again)?\b{_NOT_A_TIME}",
    rf"\bno (more|further) (phone )?(calls|{_CALL})\b",
    r"\b(take|get|remove|delete|erase|scratch|cross) (me|my (phone )?number|this number|my name|us)\b"
    r".{0,30}\b(off|from|out of)\b",
    r"\b(remove|delete|erase) (me|my (phone )?number|this number|my details|my name)\b",
    r"\b(be|get|been|being) (removed|taken off|deleted)\b",
    r"\bdo[- ]not[- ]call (list|registry|register)\b",
    r"\b(put|add) (me|my number|this number) (on|to) (your|the) (dnc|no[- ]call) list\b",
    r"\bunsubscribe\b",
    r"\blose (my|this) number\b",
    rf"\bi don'?t want (you|anyone|any of you|to be) (to )?{_CALL}",
    r"\bi don'?t want (any )?(more )?(of these |your )?calls\b",
    r"\bnever want to hear from (you|your company|you people)\b",
    rf"\b(leave|let) me alone\b.*\b{_CALL}\b|\b{_CALL}\b.*\b(leave|let) me alone\b",
    r"\bopt(ing)? out\b",
    r"\bnever (call|ring|phone) (here|again)\b",
    r"\b(harass|harassing)\b",
]
_OPT_OUT_RE = re.compile("|".join(f"(?:{p})" for p in _OPT_OUT))

_ROBOT = re.compile(
    r"\b(are you|is this|am i (talking|speaking) (to|with)|is that|is it)\b.{0,25}"
    r"\b(a |an )?(robot|bot|machine|computer|recording|real person|real human|human|person|"
    r"ai|a\.i\.|automated|artificial|real|live person)\b"
)
_HUMAN = re.compile(
    r"\b(talk|speak|chat|connect me|put me through|transfer me)\b.{0,25}"
    r"\b(person|human|someone|somebody|agent|representative|rep|operator|manager|staff|"
    r"real person|live person|people)\b|\boperator\b|\brepresentative\b|\btransfer me\b|"
    r"\b(want|need|get me|give me)\b.{0,15}\b(real|live|actual) (person|human)\b"
)
_BUSY = re.compile(
    r"\b(not a good time|bad time|not a great time|busy( right now)?|in a meeting|"
    r"(i'm|i am) (driving|at work)|call (me )?(back )?later|call back|can you call|try (me )?(again )?later|"
    r"another time|not now|can't talk|cannot talk|can't speak)\b"
)
_WHO = re.compile(
    r"\b(who( is|'s) (this|calling|that|speaking|on the line)|who are you|"
    r"(where|what company) (are you|is this) (calling )?(from|with)|who do you (work for|represent)|"
    r"what is this (about|regarding))\b"
)
# An answering machine's greeting, heard in place of a person's hello (no AMD verdict).
_VOICEMAIL = re.compile(
    r"\b(leave (me |us )?(a |your )?(message|voicemail|name and number)|after the (tone|beep)|"
    r"(reached|this is) (the )?(voicemail|voice mail|mailbox)|(not|isn't) available|"
    r"can'?t (come to|take) the phone|record your message)\b"
)
_BACKCHANNELS = {
    "uh-huh",
    "uh huh",
    "uhhuh",
    "mm-hmm",
    "mm hmm",
    "mhm",
    "mmhmm",
    "hmm",
    "mm",
    "um",
    "uh",
    "okay",
    "ok",
    "right",
    "i see",
    "got it",
    "sure sure",
    "yeah yeah",
    "aha",
    "ah",
    "oh",
    "alright",
    "all right",
    "go on",
}


def normalize(text: str) -> str:
    said = text.lower().replace("’", "'").replace("dont ", "don't ")
    return re.sub(r"\s+", " ", re.sub(r"[^\w'\-\s.]", " ", said)).strip()


def is_opt_out(text: str) -> bool:
    return bool(_OPT_OUT_RE.search(normalize(text)))


def is_robot_question(text: str) -> bool:
    return bool(_ROBOT.search(normalize(text)))


def wants_human(text: str) -> bool:
    return not is_robot_question(text) and bool(_HUMAN.search(normalize(text)))


def is_busy(text: str) -> bool:
    return bool(_BUSY.search(normalize(text)))


def is_voicemail_greeting(text: str) -> bool:
    return bool(_VOICEMAIL.search(normalize(text)))


def is_identity_question(text: str) -> bool:
    """ "Who is this?", "who's calling?", "where are you calling from?"."""
    return bool(_WHO.search(normalize(text)))


def is_backchannel(text: str) -> bool:
    return normalize(text).strip(" .") in _BACKCHANNELS


_RECORDED = re.compile(r"\brecord", re.I)


def says_recorded(text: str) -> bool:
    """Whether *text* tells the callee the call is (or may be) recorded."""
    return bool(_RECORDED.search(text))


def with_recording_notice(greeting: str, notice: str) -> str:
    """The greeting with the team's recording notice after it, unless it already says so."""
    if not notice or says_recorded(greeting):
        return greeting
    return f"{greeting} {notice}"
