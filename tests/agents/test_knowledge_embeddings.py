"""Optional embeddings fused with BM25 by reciprocal rank; without vectors, nothing changes."""

from __future__ import annotations

import asyncio

import pytest

from app.agents.grounding import knowledge_for
from app.agents.knowledge import EMBEDDING_FLOOR, KnowledgeIndex, Passage
from app.agents.llm import LlmConfig, LlmResponder

from .conftest import CONTACT, FakeClock, definition
from .fake_openai import Reply

PASSAGES = [
    Passage("clinic.md", "Parking", "Free parking is behind the building on Elm Street."),
    Passage("clinic.md", "Street parking", "Parking on Main Street needs a city permit."),
    Passage("clinic.md", "Payment", "We accept cash, debit and credit cards."),
]
QUESTION = "Where can I park?"


def axis(n: int, size: int = 3) -> list[float]:
    return [1.0 if i == n else 0.0 for i in range(size)]


def test_embeddings_reorder_bm25s_hits_by_reciprocal_rank():
    index = KnowledgeIndex(PASSAGES)
    lexical = [h.passage for h in index.search(QUESTION)]
    assert len(lexical) == 2  # both parking passages, in BM25's order
    second = PASSAGES.index(lexical[1])
    index.set_vectors([axis(n) for n in range(3)])
    fused = index.search(QUESTION, query_vector=axis(second))
    assert [h.passage for h in fused] == [lexical[1], lexical[0]]
    assert index.search(QUESTION) == index.search(QUESTION, query_vector=None)  # unchanged


def test_only_a_close_embedding_answers_what_bm25_cannot():
    index = KnowledgeIndex(PASSAGES)
    index.set_vectors([axis(n) for n in range(3)])
    question = "Do you take plastic?"
    assert index.search(question) == []
    near_parking = [0.9, 0.1, EMBEDDING_FLOOR * 0.5]
    assert index.search(question, query_vector=near_parking)[0].passage == PASSAGES[0]
    assert index.answer_for(question, query_vector=[0.0, 0.0, 0.0]) is None
    [hit] = index.search(question, limit=1, query_vector=axis(2))
    assert hit.passage == PASSAGES[2] and hit.score == 1.0
    with pytest.raises(ValueError):
        index.set_vectors([axis(0)])


@pytest.mark.parametrize("embedding_model", ["fake-embedder", None])
def test_the_llm_path_embeds_the_passages_once_and_each_question(fake_llm, embedding_model):
    knowledge = [{"title": p.heading, "text": p.text} for p in PASSAGES]
    defn = definition(knowledge=knowledge)
    grounding = knowledge_for(defn)
    config = LlmConfig(fake_llm.base_url, "fake-model", embedding_model=embedding_model)
    fake_llm.default_line = Reply("Behind the building, on Elm Street.")

    async def run():
        from app.agents.flow import Conversation

        conversation = Conversation(defn, CONTACT, grounding, FakeClock(), "America/New_York")
        responder = LlmResponder(conversation, config)
        for line in ["Hello?", QUESTION, "And where can I park a van?"]:
            [o async for o in responder.prompt(line)]
        return await responder.finish()

    result = asyncio.run(run())
    embedded = [r["input"] for r in fake_llm.requests if "input" in r]
    if embedding_model is None:
        assert embedded == [] and not grounding.index.has_vectors
    else:
        assert len(embedded[0]) == 3 and embedded[1:] == [
            [QUESTION],
            ["And where can I park a van?"],
        ]
    assert "kb_search" in result.tools_called
