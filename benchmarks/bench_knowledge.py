"""The knowledge base at 1,000 passages: building the index, and answering a turn.

Passages are the sample clinic's (tests/data/knowledge/) plus generated ones of 150-450
words drawn from a Zipf-like 5,000-word vocabulary, so posting lists look like real text.
Figures: index build time (best of several); answer_for latency p50/p99 over the retrieval
test's questions (what callers ask), and separately over salads of the corpus's 800
commonest words (a stress case: every posting list is nearly the whole corpus); each beside
its floor, one bare FTS5 BM25 query for the same words on the same table, in the same run.

Run: python -m benchmarks.bench_knowledge  (prints JSON; a few seconds)
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from benchmarks.common import best_of, emit, ms

ROOT = Path(__file__).resolve().parents[1]
PASSAGES = 1_000
QUERIES = 3_000
VOCABULARY = 5_000


def corpus(rng: random.Random):
    from app.agents.knowledge import Passage, read_document

    folder = ROOT / "tests" / "data" / "knowledge"
    passages = [p for f in sorted(folder.iterdir()) if f.suffix != ".py" for p in read_document(f)]
    words = [f"w{n}" for n in range(VOCABULARY)]
    weights = [1 / (rank + 1) for rank in range(VOCABULARY)]
    while len(passages) < PASSAGES:
        text = " ".join(rng.choices(words, weights, k=rng.randint(150, 450)))
        passages.append(Passage(f"doc{len(passages) // 10}.md", f"Section {len(passages)}", text))
    return passages, words


def callers_questions() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from tests.agents.test_retrieval_quality import ANSWERABLE, UNANSWERABLE

    return [q for q, _, _ in ANSWERABLE] + UNANSWERABLE


def common_word_salads(rng: random.Random, words: list[str], count: int) -> list[str]:
    return [f"what about {' '.join(rng.sample(words[:800], 4))}?" for _ in range(count)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bare_fts5_floor(passages, queries: list[str]) -> list[float]:
    from app.agents.questions import query_words

    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE kb USING fts5(heading, body, tokenize='porter unicode61')")
    db.executemany("INSERT INTO kb VALUES (?, ?)", ((p.heading, p.text) for p in passages))
    times = []
    for query in queries:
        expression = " OR ".join(f'"{w}"' for w in query_words(query)) or '"nothing"'
        start = time.perf_counter()
        db.execute(
            "SELECT rowid FROM kb WHERE kb MATCH ? ORDER BY rank LIMIT 3", (expression,)
        ).fetchall()
        times.append(time.perf_counter() - start)
    return times


def answer_latencies(index, queries: list[str]) -> tuple[list[float], int]:
    for query in set(queries):  # warm the stem cache, as a running call soon would
        index.answer_for(query)
    latencies, answered = [], 0
    for query in queries:
        start = time.perf_counter()
        hit = index.answer_for(query)
        latencies.append(time.perf_counter() - start)
        answered += hit is not None
    return latencies, answered


def figures(prefix: str, latencies: list[float], floor: list[float]) -> dict[str, float]:
    return {
        f"{prefix}_p50_ms": ms(statistics.median(latencies)),
        f"{prefix}_p99_ms": ms(percentile(latencies, 0.99)),
        f"{prefix}_bare_fts5_p50_ms": ms(statistics.median(floor)),
        f"{prefix}_bare_fts5_p99_ms": ms(percentile(floor, 0.99)),
    }


def main() -> None:
    from app.agents.knowledge import KnowledgeIndex

    rng = random.Random(10)
    passages, words = corpus(rng)
    build_s = best_of(lambda: KnowledgeIndex(passages), repeat=5)
    index = KnowledgeIndex(passages)
    asked = callers_questions()
    questions = [rng.choice(asked) for _ in range(QUERIES)]
    salads = common_word_salads(rng, words, QUERIES // 10)
    question_times, answered = answer_latencies(index, questions)
    salad_times, _ = answer_latencies(index, salads)
    emit(
        {
            "passages": len(passages),
            "build_ms": ms(build_s),
            **figures("answer", question_times, bare_fts5_floor(passages, questions)),
            **figures("salad", salad_times, bare_fts5_floor(passages, salads)),
            "questions": len(questions),
            "questions_answered_share": round(answered / len(questions), 3),
        }
    )


if __name__ == "__main__":
    main()
