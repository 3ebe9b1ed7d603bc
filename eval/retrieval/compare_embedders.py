"""Compare offline dense embedders on the retrieval eval (figures for RESULTS.md).

    python eval/retrieval/compare_embedders.py [--k 5]

For each candidate (hashed character n-grams of several orders and dimensions, and an exact
character 1–2-gram TF-IDF as a reference that needs corpus statistics) the bundled corpus is
indexed in a temporary folder and dense, BM25 and hybrid (RRF) are scored on
eval/retrieval/queries.yaml. Also prints the hash embedder's throughput.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agent.corpus.embeddings import HashEmbedder, normalize_for_hash  # noqa: E402
from agent.corpus.ingest import ingest  # noqa: E402
from agent.corpus.retrieval import Filters, Retriever  # noqa: E402
from agent.corpus.store import Store  # noqa: E402
from agent.evals.retrieval import evaluate, load_queries  # noqa: E402


class TfidfRetriever(Retriever):
    """Dense side replaced by exact char 1–2-gram TF-IDF (log tf, smoothed idf, cosine)."""

    def __init__(self, store: Store):
        super().__init__(store)
        rows = store.registry.db.execute("SELECT id, meta, text FROM chunks").fetchall()
        self.ids = [r[0] for r in rows]
        self.meta = [json.loads(r[1]) for r in rows]
        self.docs = [r[2] for r in rows]
        texts = [
            f"{m.get('title', '')} {m.get('context', '')} {m.get('section_path', '')}\n{d}"
            for m, d in zip(self.meta, self.docs, strict=True)
        ]
        grams = [self._grams(t) for t in texts]
        df: Counter[str] = Counter()
        for g in grams:
            df.update(g.keys())
        self.vocab = {t: i for i, t in enumerate(df)}
        n = len(texts)
        self.idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in self.vocab], dtype=np.float32)
        self.matrix = np.zeros((n, len(self.vocab)), dtype=np.float32)
        for r, g in enumerate(grams):
            for t, c in g.items():
                self.matrix[r, self.vocab[t]] = math.log1p(c) * self.idf[self.vocab[t]]
        self.matrix /= np.linalg.norm(self.matrix, axis=1, keepdims=True) + 1e-9

    @staticmethod
    def _grams(text: str) -> Counter[str]:
        s = normalize_for_hash(text)
        return Counter(list(s) + [s[i : i + 2] for i in range(len(s) - 1)])

    def _dense_raw(self, vec: Any, filters: Filters, n: int) -> list[tuple[str, float]]:
        q = vec
        scores = self.matrix @ q
        order = np.argsort(-scores)
        out = []
        for i in order:
            if _accepts(filters, self.meta[i]):
                out.append((self.ids[i], float(scores[i])))
                if len(out) >= n:
                    break
        return out

    def embed(self, query: str) -> np.ndarray:
        v = np.zeros(len(self.vocab), dtype=np.float32)
        for t, c in self._grams(query).items():
            if t in self.vocab:
                v[self.vocab[t]] = math.log1p(c) * self.idf[self.vocab[t]]
        return v / (np.linalg.norm(v) + 1e-9)


def _accepts(filters: Filters, md: dict[str, Any]) -> bool:
    """The eval uses default filters only: superseded documents are left out."""
    return filters.include_superseded or md.get("status") != "superseded"


class _QueryEmbedder:
    def __init__(self, r: TfidfRetriever, base: Any):
        self.r, self.base = r, base
        self.name, self.dim = "tfidf-char12", len(r.vocab)

    def embed_query(self, text: str) -> np.ndarray:
        return self.r.embed(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--k", type=int, default=5)
    args = ap.parse_args()
    queries = load_queries()
    candidates: list[tuple[str, HashEmbedder | None]] = [
        ("hash 1–2-gram, 512-d", HashEmbedder(512, (1, 2))),
        ("hash 1–2-gram, 1024-d (default)", HashEmbedder(1024, (1, 2))),
        ("hash 1–2-gram, 2048-d", HashEmbedder(2048, (1, 2))),
        ("hash 1–2-gram, 4096-d", HashEmbedder(4096, (1, 2))),
        ("hash 1–3-gram, 1024-d", HashEmbedder(1024, (1, 2, 3))),
        ("hash 1–3-gram, 2048-d", HashEmbedder(2048, (1, 2, 3))),
        ("hash 2-gram only, 1024-d", HashEmbedder(1024, (2,))),
        ("hash 1–2-gram, unigram weight 0.5, 1024-d", HashEmbedder(1024, (1, 2), (0.5, 1.0))),
        ("TF-IDF char 1–2-gram, exact vocabulary (reference)", None),
    ]
    print(f"{len(queries)} queries, recall@{args.k} / MRR@10 / hit@1\n")
    print(
        f"| embedder | dense R@{args.k} | dense MRR | BM25 R@{args.k} | BM25 MRR | hybrid R@{args.k} | hybrid MRR | hybrid hit@1 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for label, emb in candidates:
            e = emb or HashEmbedder(1024, (1, 2))
            store = Store(Path(tmp) / e.name, e)
            ingest(store)
            retriever: Retriever = Retriever(store, e)
            if emb is None:
                tf = TfidfRetriever(store)
                tf.embedder = _QueryEmbedder(tf, e)  # type: ignore[assignment]
                retriever = tf
            res = {r.method: r for r in evaluate(retriever, queries, k=args.k)}
            d, b, h = res["dense"], res["bm25"], res["hybrid"]
            print(
                f"| {label} | {d.recall:.3f} | {d.mrr:.3f} | {b.recall:.3f} | {b.mrr:.3f} | {h.recall:.3f} | {h.mrr:.3f} | {h.hit_at_1:.3f} |"
            )
            store.close()
    texts = [q.query * 20 for q in queries] * 100
    for emb in (HashEmbedder(1024, (1, 2)), HashEmbedder(1024, (1, 2, 3)), HashEmbedder(2048, (1, 2))):
        t = time.perf_counter()
        emb.embed(texts)
        dt = time.perf_counter() - t
        print(
            f"\n{emb.name}: {len(texts) / dt:,.0f} texts/s ({sum(map(len, texts)) / len(texts):.0f} chars each)",
            end="",
        )
    print()


if __name__ == "__main__":
    main()
