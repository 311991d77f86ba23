"""The knowledge base: passages in an in-memory SQLite FTS5 index, searched with BM25.

Documents become passages in `documents.py` (readers) and `passages.py` (chunking); this
module indexes them and answers a callee's question with the passage that answers it, or
with nothing, so the agent says "I don't have that information" instead of a wrong fact.

Scoring. FTS5 ranks the candidates with BM25 (Porter stemming, heading weighted above the
body), but a raw BM25 value cannot carry a floor: it grows with the corpus's size and the
query's length, so a floor that suits 5 passages is wrong for 1,000. The score of a hit is
instead the share of the question that the passage covers: the sum of the IDF weights of
the query's terms that occur in the passage over the sum for all the query's terms,
ignoring stopwords. It lies in 0..1 whatever the corpus, and it behaves the way a listener
judges an answer: a passage about parking covers "where can I park" entirely; one that
merely mentions "dogs" covers little of "do you groom dogs", because the word nobody
wrote ("groom", never seen, so the rarest and heaviest) is the point of the question.
`SCORE_FLOOR` is the share a passage must cover. Hits are ordered by that share, then by
BM25 among equals.

Synonyms (`synonyms.py`): a term is a group of everyday words for one idea (cost / price
/ fee), matched as one, so callers' wording reaches the documents' wording.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from app.agents.documents import passages_from_text, read_document
from app.agents.passages import KnowledgeError, Passage
from app.agents.questions import is_question, query_words
from app.agents.synonyms import SYNONYM_GROUPS

__all__ = [
    "SCORE_FLOOR",
    "Hit",
    "KnowledgeError",
    "KnowledgeIndex",
    "Passage",
    "is_question",
    "passages_from_text",
    "read_document",
]

SCORE_FLOOR = 0.6
HEADING_WEIGHT = 2.0
_TOKENIZER = "porter unicode61 remove_diacritics 2"
_STEM_CACHE_MAX = 20_000


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


@dataclass(frozen=True)
class _Term:
    """One idea of the query: the words that express it and the passages that contain one."""

    words: frozenset[str]
    rowids: frozenset[int]
    weight: float


class KnowledgeIndex:
    """An in-memory FTS5 index over passages; safe to search from several threads."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._passages = list(passages)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.executescript(
            f"""
            CREATE VIRTUAL TABLE kb USING fts5(heading, body, tokenize='{_TOKENIZER}');
            CREATE VIRTUAL TABLE probe USING fts5(word, tokenize='{_TOKENIZER}');
            CREATE VIRTUAL TABLE probe_terms USING fts5vocab(probe, 'instance');
            """
        )
        self._db.executemany(
            "INSERT INTO kb (rowid, heading, body) VALUES (?, ?, ?)",
            ((n, p.heading, p.text) for n, p in enumerate(self._passages, start=1)),
        )
        self._stems: dict[str, str] = {}
        self._groups: dict[str, frozenset[str]] = {}
        for group in SYNONYM_GROUPS:
            for word in group:
                self._groups[self._stem_all([word])[word]] = group

    def __len__(self) -> int:
        return len(self._passages)

    def search(self, query: str, limit: int = 3) -> list[Hit]:
        """The best passages for the query, best first, each covering at least SCORE_FLOOR."""
        if limit <= 0 or not self._passages:
            return []
        with self._lock:
            terms = self._terms(query_words(query))
            if not terms:
                return []
            ranked = self._rank(terms, max(20, limit * 5))
        total = sum(t.weight for t in terms)
        hits = []
        for rowid, bm25 in ranked:
            covered = sum(t.weight for t in terms if rowid in t.rowids) / total
            hits.append((covered, bm25, rowid))
        hits.sort(key=lambda h: (-h[0], -h[1]))
        return [
            Hit(self._passages[rowid - 1], round(covered, 4))
            for covered, _, rowid in hits[:limit]
            if covered >= SCORE_FLOOR
        ]

    def answer_for(self, turn: str) -> Hit | None:
        """The best hit for a question-like turn; None for anything else or nothing good enough."""
        if not is_question(turn):
            return None
        hits = self.search(turn, limit=1)
        return hits[0] if hits else None

    def _terms(self, words: list[str]) -> list[_Term]:
        stems = self._stem_all(words)
        by_idea: dict[frozenset[str], None] = {}
        for word in words:
            by_idea.setdefault(self._groups.get(stems[word], frozenset([word])))
        count = len(self._passages)
        terms = []
        for idea in by_idea:
            rows = self._db.execute("SELECT rowid FROM kb WHERE kb MATCH ?", (_any_of(idea),))
            rowids = frozenset(row[0] for row in rows)
            frequency = len(rowids)
            weight = math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))
            terms.append(_Term(idea, rowids, weight))
        return terms

    def _rank(self, terms: list[_Term], limit: int) -> list[tuple[int, float]]:
        """Candidates by BM25, as positive numbers (FTS5 reports better as more negative)."""
        expression = " OR ".join(_any_of(t.words) for t in terms)
        rows = self._db.execute(
            f"SELECT rowid, -bm25(kb, {HEADING_WEIGHT}, 1.0) FROM kb WHERE kb MATCH ?"
            " ORDER BY bm25(kb, ?, 1.0) LIMIT ?",
            (expression, HEADING_WEIGHT, limit),
        )
        return rows.fetchall()

    def _stem_all(self, words: list[str]) -> dict[str, str]:
        """Porter stems as FTS5 computes them, through a scratch table; cached per word."""
        missing = [w for w in dict.fromkeys(words) if w not in self._stems]
        if missing:
            if len(self._stems) > _STEM_CACHE_MAX:
                self._stems.clear()
            self._db.execute("DELETE FROM probe")
            self._db.executemany(
                "INSERT INTO probe (rowid, word) VALUES (?, ?)", enumerate(missing, start=1)
            )
            stems: dict[int, list[str]] = {}
            for term, rowid in self._db.execute(
                "SELECT term, doc FROM probe_terms ORDER BY doc, offset"
            ):
                stems.setdefault(rowid, []).append(term)
            for rowid, word in enumerate(missing, start=1):
                self._stems[word] = " ".join(stems.get(rowid, [word]))
        return {w: self._stems[w] for w in words}


def _any_of(words: frozenset[str]) -> str:
    """An FTS5 expression matching any of the words; each quoted, so none is an operator."""
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in sorted(words))
