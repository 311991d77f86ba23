"""Passages and how a document's sections are cut into them.

A reader turns a file into `Section`s (a heading and its paragraphs, in order); `chunk`
packs each section's paragraphs into passages of at most `MAX_PASSAGE_TOKENS`, so a
passage stays small enough to speak or to hand to an LLM, and one long section never
drowns the others in the index. Tokens are counted the way most LLM tokenisers roughly
count them: each word and each punctuation mark is one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

MAX_PASSAGE_TOKENS = 500

_TOKEN = re.compile(r"\w+|[^\w\s]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class KnowledgeError(Exception):
    """A document that cannot become passages; the message is one line for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


@dataclass(frozen=True)
class Passage:
    document: str
    heading: str
    text: str


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def chunk(document: str, sections: Iterable[Section]) -> list[Passage]:
    """Each section's paragraphs packed into passages; a section with no text gives none."""
    passages = []
    for section in sections:
        paragraphs = [" ".join(p.split()) for p in section.paragraphs]
        pieces = [piece for p in paragraphs if p for piece in _fit(p)]
        for text in _pack(pieces):
            passages.append(Passage(document, section.heading.strip() or document, text))
    return passages


def _pack(pieces: list[str]) -> Iterator[str]:
    """Whole paragraphs together while they fit: a passage breaks only between them."""
    return _join_within_limit(pieces, "\n\n")


def _fit(paragraph: str) -> list[str]:
    """A paragraph over the limit is cut between sentences, and a sentence between words.

    Token counts add up over a whitespace join, so each piece is counted once.
    """
    if count_tokens(paragraph) <= MAX_PASSAGE_TOKENS:
        return [paragraph]
    pieces = [piece for s in _SENTENCE_END.split(paragraph) for piece in _split_words(s)]
    return list(_join_within_limit(pieces, " "))


def _split_words(sentence: str) -> list[str]:
    if count_tokens(sentence) <= MAX_PASSAGE_TOKENS:
        return [sentence]
    return list(_join_within_limit(sentence.split(), " "))


def _join_within_limit(pieces: list[str], separator: str) -> Iterator[str]:
    batch: list[str] = []
    size = 0
    for piece in pieces:
        tokens = count_tokens(piece)
        if batch and size + tokens > MAX_PASSAGE_TOKENS:
            yield separator.join(batch)
            batch, size = [], 0
        batch.append(piece)
        size += tokens
    if batch:
        yield separator.join(batch)
