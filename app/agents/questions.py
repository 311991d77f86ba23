"""What a callee's turn asks: whether it is a question, and the words worth searching for.

`is_question` decides whether the knowledge base is consulted at all, so "yes", "okay",
"sure, go ahead" or "no thanks" never come back with a fact nobody asked for. A turn is a
question when one of its clauses ends with "?", opens with a question word or an inverted
auxiliary ("do you…", "is there…"), or asks indirectly ("tell me…", "I was wondering…"),
after leading fillers ("um", "okay so", "yes and").

`query_words` keeps the words of a turn that carry its meaning: letters and digits only
(quotes, asterisks and every other FTS5 operator character are gone, so no turn can be
read as query syntax), lower-cased, without stopwords. `question_intents` names what a
question's shape asks for when its words are all stopwords: "how much" a price, "when…?" /
"what time…?" hours, "where…?" a location.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_CLAUSE_BREAK = re.compile(r"[.!?;,:\n]+|\s+-+\s+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_QUESTION_OPENERS = _words(
    """what what's whats when when's where where's wheres which who who's whom whose why how
    how's hows do does did don't doesn't is isn't are aren't was were can can't could
    couldn't would will won't should shall may might have has any anything"""
)
_NEGATIONS = _words("not no never without isn't aren't don't doesn't didn't can't won't wasn't")
_INDIRECT_ASKS = (
    "tell me", "i wonder", "i was wondering", "i'd like to know", "i would like to know",
    "i want to know", "i need to know", "wanted to ask", "want to ask", "quick question",
    "let me know", "any idea", "do you know", "explain",
)  # fmt: skip
_FILLERS = _words(
    """um uh er erm hmm ah oh okay ok so and but well yes yeah yep no nope sure right also hi
    hello hey sorry actually alright great thanks thank you then just please listen look
    quick question one more thing excuse me"""
)
STOPWORDS = _words(
    """a about above after again against all am an and any anything are aren't as at be
    because been before being below between both but by can can't cannot could couldn't
    did didn't do does doesn't doing don't down during each few for from further get gets
    got had hadn't has hasn't have haven't having he her here hers herself him himself his
    how i i'd i'll i'm i've if in into is isn't it it's its itself just let's like me might
    more most much must mustn't my myself no nor not of off on once only or other ought our
    ours ourselves out over own please same shall she should shouldn't so some such than
    that that's the their theirs them themselves then there there's these they they're this
    those through to too under until up very was wasn't we we're were weren't what what's
    when where which while who whom why will with won't would wouldn't you you'd you'll
    you're you've your yours yourself yourselves also um uh er oh okay ok yes yeah hi hello
    hey thanks thank sorry well really actually know tell wondering wonder wanted want ask
    asking question quick need kind sort anyone someone something one ones thing things
    lot bit way maybe possibly roughly approximately exactly usually generally currently
    still ever even excuse say said mean give idea us guys folks able whether let lets go
    getting going gonna wanna there'd hear heard see look looking take takes taking offer offers
    offering bring provide provides available possible allowed okay fine sure happen happens
    work works come coming make made use using near nearby around often anywhere somewhere"""
)

# A spoken turn has a few words; a pasted essay must not cost one index lookup per word.
MAX_QUERY_WORDS = 24

_HOW_MUCH = re.compile(r"\bhow much\b|\bhow expensive\b")
_WHEN = re.compile(r"^(?:when|what time|what hours|what days)\b")
_WHERE = re.compile(r"^where\b")


def clauses(text: str) -> list[str]:
    return [c.strip().lower() for c in _CLAUSE_BREAK.split(text) if c.strip()]


def is_question(text: str) -> bool:
    """Whether a callee's turn asks something (see the module docstring)."""
    if "?" in text:
        before_mark = text.rsplit("?", 1)[0]
        asked = [w for w in _WORD.findall(before_mark.lower()) if w not in _FILLERS]
        if (
            any(w not in STOPWORDS for w in asked)
            or _opening_word(before_mark.lower()) in _QUESTION_OPENERS
        ):
            return True  # "Parking?" asks; "Okay?" and "Right?" only check in
    lowered = " ".join(_WORD.findall(text.lower().replace("\u2019", "'")))
    if any(ask in f" {lowered} " for ask in (f" {a} " for a in _INDIRECT_ASKS)):
        return True
    return any(_opening_word(clause) in _QUESTION_OPENERS for clause in clauses(text))


def _opening_word(clause: str) -> str:
    """The first word that is not a filler: "okay so do you…" opens with "do"."""
    return _after_fillers(clause).partition(" ")[0]


def query_words(text: str) -> list[str]:
    """The turn's meaningful words, in order, each once (see the module docstring)."""
    lowered = " ".join(_WORD.findall(text.lower().replace("\u2019", "'")))
    words = []
    for word in lowered.split():
        if word in _NEGATIONS:
            words.append("not")  # "isn't insured" asks about the uninsured: negation is meaning
        elif word not in STOPWORDS and not _is_filler_noise(word):
            words.append(word.removesuffix("'s"))
    return list(dict.fromkeys(words))[:MAX_QUERY_WORDS]


def question_intents(text: str) -> list[str]:
    """The word a question's shape stands for: "how much" a price, "when" hours, "where" a place."""
    lowered = " ".join(_WORD.findall(text.lower().replace("\u2019", "'")))
    openings = [_after_fillers(clause) for clause in clauses(text)]
    intents = []
    if _HOW_MUCH.search(lowered):
        intents.append("price")
    if any(_WHEN.match(opening) for opening in openings):
        intents.append("hours")
    if any(_WHERE.match(opening) for opening in openings):
        intents.append("location")
    return intents


def _after_fillers(clause: str) -> str:
    """ "okay and where do I park" -> "where do i park" """
    words = _WORD.findall(clause.replace("\u2019", "'"))
    while words and words[0] in _FILLERS:
        words.pop(0)
    return " ".join(words)


def _is_filler_noise(word: str) -> bool:
    """Single letters and contractions' leftovers carry no meaning for search."""
    return len(word) == 1 and not word.isdigit()
