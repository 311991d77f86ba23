"""The knowledge base: passages in an in-memory SQLite FTS5 index, searched with BM25.

Documents become passages in `documents.py` (readers) and `passages.py` (chunking); this
module indexes them and answers a callee's question with the passage that answers it, or
with nothing, so the agent says "I don't have that information" instead of a wrong fact.

Query. The turn's words without punctuation or FTS5 syntax, stopwords dropped
(`questions.py`); each word, with its synonyms (`synonyms.py`: cost / price / fee), is one
term, every word quoted so that "NEAR", "AND" or "*" is only a word; the terms are ORed.

Scoring. FTS5 ranks the candidates with BM25 (Porter stemming; a word in the heading
counts twice, the document's name once, like the body), but a raw BM25 value cannot carry
a floor: it grows with the corpus's size and the query's length, so a floor that suits 5
passages is wrong for 1,000. The score of a hit is instead the share of the question that
the passage covers: the sum of the IDF weights of the query's terms that occur in the
passage over the sum for all its terms. It lies in 0..1 whatever the corpus, and it judges
an answer the way a listener does: a passage about parking covers "where can I park"
entirely; one that merely mentions dogs covers little of "do you groom dogs", because the
word no passage contains ("groom") is the point of the question. Such a word weighs
`UNKNOWN_WORD_FACTOR` times the rarest word one passage has, a fixed ratio, where BM25's
own IDF for an unseen word would tilt the balance with the corpus's size. A hit must
cover `SCORE_FLOOR`; hits are ordered by their share, then by BM25 among equals. The
retrieval-quality tests hold the same floor for the sample clinic alone, within 1,000
passages, and for 5 passages.

Embeddings (optional, with a language model whose endpoint embeds: `set_vectors`, and a
query vector given to `search`). BM25's hits above the floor and the passages whose cosine
similarity to the question reaches `EMBEDDING_FLOOR` are fused by reciprocal rank
(`RRF_K`); a hit keeps its share as its score, or its cosine when only the embedding found
it. Without vectors, retrieval is exactly the above.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from app.agents.documents import passages_from_text, read_document
from app.agents.passages import KnowledgeError, Passage
from app.agents.questions import clauses, is_question, query_words, question_intents
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

SCORE_FLOOR = 0.5
# A word no passage contains is likely what the question is about ("wifi" in "is there wifi
# in the waiting room?"): it weighs this many times the rarest word that one passage has. A
# fixed factor over a corpus word keeps the balance the same whatever the corpus's size
# (BM25's own IDF for an unseen word is not: log(2N + 2) against log(N) or so).
UNKNOWN_WORD_FACTOR = 2.0
# BM25 column weights: a word in the heading says more about a passage than one in its body,
# and the document's name ("prices.html") says what each of its passages is about.
HEADING_WEIGHT = 2.0
DOCUMENT_WEIGHT = 1.0
BODY_WEIGHT = 1.0
# Embeddings: how close a passage must be to answer on similarity alone (a cautious floor:
# an unrelated passage must not answer), and the usual reciprocal-rank-fusion constant.
EMBEDDING_FLOOR = 0.5
RRF_K = 60
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
    literal_rowids: frozenset[int]  # passages with the caller's own word, not only a synonym


class KnowledgeIndex:
    """An in-memory FTS5 index over passages; safe to search from several threads."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._passages = list(passages)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.executescript(
            f"""
            CREATE VIRTUAL TABLE kb USING fts5(document, heading, body, tokenize='{_TOKENIZER}');
            CREATE VIRTUAL TABLE probe USING fts5(word, tokenize='{_TOKENIZER}');
            CREATE VIRTUAL TABLE probe_terms USING fts5vocab(probe, 'instance');
            """
        )
        self._db.executemany(
            "INSERT INTO kb (rowid, document, heading, body) VALUES (?, ?, ?, ?)",
            (
                (n, _name_words(p.document), p.heading, p.text)
                for n, p in enumerate(self._passages, start=1)
            ),
        )
        self._vectors: list[list[float]] | None = None
        self._stems: dict[str, str] = {}
        self._groups: dict[str, frozenset[str]] = {}
        for group in SYNONYM_GROUPS:
            for stem in self._stem_all(list(group)).values():
                self._groups[stem] = self._groups.get(stem, frozenset()) | group

    def __len__(self) -> int:
        return len(self._passages)

    @property
    def passages(self) -> list[Passage]:
        return list(self._passages)

    @property
    def has_vectors(self) -> bool:
        return self._vectors is not None

    def set_vectors(self, vectors: Sequence[Sequence[float]]) -> None:
        """The passages' embeddings, in order (from the language model's endpoint)."""
        if len(vectors) != len(self._passages):
            raise ValueError("one vector per passage")
        self._vectors = [_unit(v) for v in vectors]

    def search(
        self, query: str, limit: int = 3, query_vector: Sequence[float] | None = None
    ) -> list[Hit]:
        """The best passages for the query, best first, each covering at least SCORE_FLOOR.

        The share of the question's words covered is the score. Among equal shares, a
        passage that also has what the question's shape asks for ("how much" -> a price)
        comes first, then one with the caller's own words over their synonyms, then BM25.
        """
        if limit <= 0 or not self._passages:
            return []
        words, intents = query_words(query), question_intents(query)
        if not words:
            words, intents = intents, []  # "how much is it?" is all about the price
        with self._lock:
            terms = self._terms(words)
            if not terms:
                return []
            ideas = {t.words for t in terms}
            hints = [t for t in self._terms(intents) if t.words not in ideas]
            ranked = self._rank(terms + hints, max(20, limit * 5))
        order = sorted(
            (
                (
                    _share(terms, rowid),
                    _share(hints, rowid),
                    _share(terms, rowid, literal=True),
                    bm25,
                    rowid,
                )
                for rowid, bm25 in ranked
            ),
            reverse=True,
        )
        shares = {rowid: covered for covered, *_, rowid in order if covered >= SCORE_FLOOR}
        if query_vector is not None and self._vectors is not None:
            return self._fused(list(shares.items()), _unit(query_vector), limit)
        return [Hit(self._passages[rowid - 1], round(share, 4)) for rowid, share in shares.items()][
            :limit
        ]

    def answer_for(self, turn: str, query_vector: Sequence[float] | None = None) -> Hit | None:
        """The best hit for a question-like turn; None for anything else or nothing good enough."""
        if not is_question(turn):
            return None
        hits = self.search(turn, limit=1, query_vector=query_vector)
        if hits:
            return hits[0]
        # "Sure. But first, what are your opening hours?": the asking clause on its own,
        # since the rest of the turn dilutes the share of its words a passage covers.
        parts = clauses(turn)
        for part in parts if len(parts) > 1 else ():
            if is_question(part + "?"):
                hits = self.search(part, limit=1)
                if hits:
                    return hits[0]
        return None

    def _fused(self, lexical: list[tuple[int, float]], query: list[float], limit: int) -> list[Hit]:
        """BM25's hits and the close-enough embeddings' by reciprocal rank, best first."""
        assert self._vectors is not None
        closeness = {
            rowid: sum(a * b for a, b in zip(query, vector, strict=True))
            for rowid, vector in enumerate(self._vectors, start=1)
        }
        semantic = sorted(
            (rowid for rowid, cosine in closeness.items() if cosine >= EMBEDDING_FLOOR),
            key=lambda rowid: -closeness[rowid],
        )
        fused: dict[int, float] = {}
        for ranking in ([rowid for rowid, _ in lexical], semantic):
            for rank, rowid in enumerate(ranking, start=1):
                fused[rowid] = fused.get(rowid, 0.0) + 1 / (RRF_K + rank)
        shares = dict(lexical)
        best = sorted(fused, key=lambda rowid: (-fused[rowid], rowid))[:limit]
        return [
            Hit(self._passages[rowid - 1], round(shares.get(rowid, closeness[rowid]), 4))
            for rowid in best
        ]

    def _terms(self, words: list[str]) -> list[_Term]:
        stems = self._stem_all(words)
        by_idea: dict[frozenset[str], set[str]] = {}
        for word in words:
            idea = self._groups.get(stems[word], frozenset([word]))
            by_idea.setdefault(idea, set()).add(word)
        count = len(self._passages)
        terms = []
        for idea, own_words in by_idea.items():
            rowids = self._matching(idea)
            frequency = max(len(rowids), 1)
            weight = math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))
            if not rowids:
                weight *= UNKNOWN_WORD_FACTOR
            literal = rowids if len(idea) == 1 else self._matching(frozenset(own_words))
            terms.append(_Term(idea, rowids, weight, literal))
        return terms

    def _matching(self, words: frozenset[str]) -> frozenset[int]:
        rows = self._db.execute("SELECT rowid FROM kb WHERE kb MATCH ?", (_any_of(words),))
        return frozenset(row[0] for row in rows)

    def _rank(self, terms: list[_Term], limit: int) -> list[tuple[int, float]]:
        """Candidates by BM25, as positive numbers (FTS5 reports better as more negative)."""
        expression = " OR ".join(_any_of(t.words) for t in terms)
        weights = f"{DOCUMENT_WEIGHT}, {HEADING_WEIGHT}, {BODY_WEIGHT}"
        rows = self._db.execute(
            f"SELECT rowid, -bm25(kb, {weights}) AS score FROM kb WHERE kb MATCH ?"
            " ORDER BY score DESC LIMIT ?",
            (expression, limit),
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


def _share(terms: list[_Term], rowid: int, literal: bool = False) -> float:
    """The IDF-weighted share of the terms the passage has (0 when there are none)."""
    total = sum(t.weight for t in terms)
    found = sum(t.weight for t in terms if rowid in (t.literal_rowids if literal else t.rowids))
    return found / total if total else 0.0


def _unit(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def _name_words(document: str) -> str:
    """ "prices.html" -> "prices": a file's name, without its type, as words."""
    stem, dot, suffix = document.rpartition(".")
    return (stem if dot and suffix.isalnum() and len(suffix) <= 8 else document).replace("_", " ")


def _any_of(words: frozenset[str]) -> str:
    """An FTS5 expression matching any of the words; each quoted, so none is an operator."""
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in sorted(words))
