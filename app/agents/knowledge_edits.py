"""The knowledge base as the Agents page edits it: documents in, documents out, and what the
agent would retrieve for a question. Plain Python over AgentDefinition (the JSON stays the
truth: each passage of an added document is a knowledge item naming its document)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.agents.definition import AgentDefinition, KnowledgeItem
from app.agents.documents import read_document
from app.agents.knowledge import KnowledgeIndex
from app.agents.passages import KnowledgeError, Passage

TYPED = "(typed in the agent)"  # the source shown for an inline knowledge item


@dataclass(frozen=True)
class KnowledgeSource:
    """A row of the pane: a document and its passage count, or an inline item."""

    name: str  # the document's file name, or the inline item's title
    passages: int
    document: bool


@dataclass(frozen=True)
class DocumentRead:
    name: str
    passages: list[Passage]
    error: str | None = None


def sources(definition: AgentDefinition | None) -> list[KnowledgeSource]:
    counts: dict[str, int] = {}
    rows: list[KnowledgeSource] = []
    for item in definition.knowledge if definition else []:
        if item.document:
            if item.document not in counts:
                rows.append(KnowledgeSource(item.document, 0, True))
            counts[item.document] = counts.get(item.document, 0) + 1
        else:
            rows.append(KnowledgeSource(item.title, 1, False))
    return [KnowledgeSource(r.name, counts.get(r.name, r.passages), r.document) for r in rows]


def read_documents(
    paths: Sequence[Path], progress: Callable[[int, int], None] | None = None
) -> list[DocumentRead]:
    """Each file's passages, or its one-line error (the others still go in)."""
    reads = []
    for done, path in enumerate(paths):
        if progress is not None:
            progress(done, len(paths))
        try:
            reads.append(DocumentRead(path.name, read_document(path)))
        except KnowledgeError as exc:
            reads.append(DocumentRead(path.name, [], str(exc)))
    if progress is not None:
        progress(len(paths), len(paths))
    return reads


def with_documents(definition: AgentDefinition, reads: Sequence[DocumentRead]) -> AgentDefinition:
    """The definition with these documents' passages (a document added again replaces itself)."""
    added = [r for r in reads if r.error is None]
    names = {r.name for r in added}
    kept = [item for item in definition.knowledge if item.document not in names]
    new = [
        KnowledgeItem(title=p.heading, text=p.text, document=p.document)
        for r in added
        for p in r.passages
    ]
    return definition.model_copy(update={"knowledge": [*kept, *new]})


def without_source(definition: AgentDefinition, source: KnowledgeSource) -> AgentDefinition:
    def removed(item: KnowledgeItem) -> bool:
        if source.document:
            return item.document == source.name
        return item.document is None and item.title == source.name

    kept = [item for item in definition.knowledge if not removed(item)]
    return definition.model_copy(update={"knowledge": kept})


def knowledge_index(definition: AgentDefinition) -> KnowledgeIndex:
    """The index the agent answers from (search it for what it would retrieve, with scores:
    knowledge.py's share of the question a passage covers, only those over its floor)."""
    from app.agents.grounding import IndexGrounding

    return IndexGrounding(definition).index
