"""How the runtime reaches the knowledge base: question detection and the best passage.

The flow engine needs only `Grounding` (two methods), so it runs, and is tested, without an
index; `knowledge_for(definition)` builds the real one from app.agents.knowledge (FTS5).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from app.agents.definition import AgentDefinition
    from app.agents.knowledge import Hit

MAX_ANSWER_SENTENCES = 2
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "do",
        "does",
        "you",
        "your",
        "we",
        "our",
        "i",
        "to",
        "of",
        "for",
        "and",
        "or",
        "in",
        "on",
        "at",
        "what",
        "when",
        "where",
        "how",
        "can",
        "it",
        "be",
    ]
)


class Grounding(Protocol):
    def is_question(self, text: str) -> bool: ...

    def answer_for(self, turn: str) -> Hit | None: ...


def spoken_answer(passage_text: str, question: str) -> str:
    """The passage's sentences that share the most words with the question (at most two, in
    their order; the opening ones when none does), so the agent says what the document
    says and nothing it made up."""
    sentences = [s.strip() for s in _SENTENCE.split(passage_text.strip()) if s.strip()]
    asked = set(_WORD.findall(question.lower())) - _STOP

    def overlap(sentence: str) -> int:
        return len(asked & set(_WORD.findall(sentence.lower())))

    ranked = sorted(range(len(sentences)), key=lambda i: (-overlap(sentences[i]), i))
    relevant = [i for i in ranked[:MAX_ANSWER_SENTENCES] if overlap(sentences[i]) > 0]
    chosen = sorted(relevant) or list(range(min(MAX_ANSWER_SENTENCES, len(sentences))))
    return " ".join(sentences[i] for i in chosen)


class IndexGrounding:
    """Grounding over a KnowledgeIndex built from a definition's knowledge items."""

    def __init__(self, definition: AgentDefinition) -> None:
        from app.agents import knowledge

        self._knowledge = knowledge
        passages: list[knowledge.Passage] = []
        for item in definition.knowledge:
            if item.document:  # a passage of an added document, stored as it was read
                passages.append(knowledge.Passage(item.document, item.title, item.text))
            else:
                passages.extend(knowledge.passages_from_text(item.title, item.text))
        self.index = knowledge.KnowledgeIndex(passages)
        # The LLM path embeds a question before the turn, when it has embeddings.
        self.query_vectors: dict[str, list[float]] = {}

    def is_question(self, text: str) -> bool:
        return self._knowledge.is_question(text)

    def answer_for(self, turn: str) -> Hit | None:
        return self.index.answer_for(turn, self.query_vectors.get(turn))


def knowledge_for(definition: AgentDefinition) -> Grounding | None:
    """The definition's knowledge base, or None while app.agents.knowledge is not installed."""
    try:
        return IndexGrounding(definition)
    except ModuleNotFoundError as exc:
        if exc.name != "app.agents.knowledge":
            raise
        return None


def answer_question(definition: AgentDefinition, question: str) -> dict[str, object]:
    """`calldeck agent ask`: what the agent would say, whether a passage grounds it, and the
    passages it came from (best first)."""
    from app.agents import lines
    from app.agents.speech import digits_spoken, for_speech
    from app.domain.template import render

    grounding = IndexGrounding(definition)
    hit = grounding.answer_for(question)
    if hit is None:
        business = definition.business
        variables = {
            "company": business.company,
            "callback_number": digits_spoken(business.callback_number),
        }
        return {
            "answer": for_speech(render(lines.DONT_KNOW, variables)),
            "grounded": False,
            "sources": [],
        }
    hits = [hit] + [h for h in grounding.index.search(question) if h.passage != hit.passage]
    return {
        "answer": for_speech(spoken_answer(hit.passage.text, question)),
        "grounded": True,
        "sources": [
            {
                "document": h.passage.document,
                "heading": h.passage.heading,
                "score": round(h.score, 3),
            }
            for h in hits
        ],
    }
