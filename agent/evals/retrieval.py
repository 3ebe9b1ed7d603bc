"""Retrieval eval: recall@k and MRR of dense, BM25 and hybrid retrieval on labelled queries.

The queries (``eval/retrieval/queries.yaml``) name the passages a person would call relevant by
document and article / item / section / contained words, independently of how the chunker cuts.
The eval runs on its own index of the bundled corpus (``<home>/eval/retrieval-<embedder>``), so
the user's own files do not change the figures. Reproduce: ``report-agent eval retrieval``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.corpus.meta import BUNDLED_PREFIX
from agent.corpus.retrieval import METHODS, Filters, Hit, Method, Retriever
from agent.errors import InputError
from agent.yamlfile import load_yaml

MRR_DEPTH = 10
_WS = re.compile(r"\s+")


def default_queries_path() -> Path:
    return Path(__file__).resolve().parents[2] / "eval" / "retrieval" / "queries.yaml"


@dataclass(frozen=True)
class Label:
    doc: str  # path inside corpus/
    article: str | None = None
    item: str | None = None
    section: str | None = None
    contains: str | None = None

    def matches(self, hit: Hit) -> bool:
        if hit.doc_id != BUNDLED_PREFIX + self.doc:
            return False
        if self.article and hit.locator != self.article:
            return False
        if self.item and hit.locator != self.item:
            return False
        if self.section and hit.section != self.section:
            return False
        return not (self.contains and _WS.sub("", self.contains) not in _WS.sub("", hit.text))

    def describe(self) -> str:
        where = self.article or self.item or self.section or (f"含“{self.contains}”" if self.contains else "")
        return f"{Path(self.doc).name} {where}".strip()


@dataclass(frozen=True)
class EvalQuery:
    query: str
    relevant: tuple[Label, ...]


@dataclass
class QueryResult:
    query: str
    recall: float
    rr: float
    first_rank: int | None
    missed: list[str]
    top: list[str]


@dataclass
class MethodResult:
    method: str
    k: int
    recall: float
    mrr: float
    hit_at_1: float
    queries: list[QueryResult] = field(default_factory=list)


def load_queries(path: Path | None = None) -> list[EvalQuery]:
    path = path or default_queries_path()
    data = load_yaml(path, "检索评测问题集（可用 --queries 指定）") or {}
    out: list[EvalQuery] = []
    for i, entry in enumerate(data.get("queries", []), 1):
        try:
            labels = tuple(Label(**lab) for lab in entry["relevant"])
            out.append(EvalQuery(str(entry["query"]), labels))
        except (KeyError, TypeError) as exc:
            raise InputError(f"第 {i} 个问题格式错误：{exc}", path=str(path)) from exc
        if not labels:
            raise InputError(f"第 {i} 个问题没有标注相关段落", path=str(path))
    return out


def evaluate(
    retriever: Retriever, queries: list[EvalQuery], k: int = 5, methods: tuple[str, ...] = METHODS
) -> list[MethodResult]:
    """recall@k (share of labels found in the top k), MRR (first relevant rank, up to 10) and
    hit@1, per method, with default filters (superseded documents left out)."""
    results: list[MethodResult] = []
    depth = max(k, MRR_DEPTH)
    for method in methods:
        per: list[QueryResult] = []
        for q in queries:
            hits = retriever.search(q.query, method=_method(method), k=depth, filters=Filters())
            top_k = hits[:k]
            found = [lab for lab in q.relevant if any(lab.matches(h) for h in top_k)]
            first = next(
                (r for r, h in enumerate(hits, 1) if any(lab.matches(h) for lab in q.relevant)), None
            )
            per.append(
                QueryResult(
                    query=q.query,
                    recall=len(found) / len(q.relevant),
                    rr=1.0 / first if first else 0.0,
                    first_rank=first,
                    missed=[lab.describe() for lab in q.relevant if lab not in found],
                    top=[f"{h.document} {h.section_path}" for h in top_k],
                )
            )
        n = max(1, len(per))
        results.append(
            MethodResult(
                method=method,
                k=k,
                recall=sum(r.recall for r in per) / n,
                mrr=sum(r.rr for r in per) / n,
                hit_at_1=sum(1 for r in per if r.first_rank == 1) / n,
                queries=per,
            )
        )
    return results


def _method(name: str) -> Method:
    if name not in METHODS:
        raise InputError(f"检索方式只能是 {'、'.join(METHODS)}")
    return name  # type: ignore[return-value]


def eval_index_dir(home: Path, embedder_name: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", embedder_name)
    return home / "eval" / f"retrieval-{safe}"


def run_retrieval_eval(
    settings: Any, *, k: int = 5, queries_path: Path | None = None, embedder: Any = None
) -> tuple[list[MethodResult], int]:
    """Index the bundled corpus (once; later runs reuse it) and evaluate. Returns the results
    and the number of chunks indexed."""
    from agent.corpus.embeddings import make_embedder
    from agent.corpus.ingest import ingest
    from agent.corpus.store import Store

    queries = load_queries(queries_path)
    embedder = embedder or make_embedder(settings)
    store = Store(eval_index_dir(settings.home, embedder.name), embedder)
    try:
        ingest(store, prune=True)
        return evaluate(Retriever(store, embedder), queries, k=k), store.count()
    finally:
        store.close()


def results_json(results: list[MethodResult]) -> list[dict[str, Any]]:
    return [
        {
            "method": r.method,
            "k": r.k,
            f"recall@{r.k}": round(r.recall, 4),
            "mrr": round(r.mrr, 4),
            "hit@1": round(r.hit_at_1, 4),
            "misses": [
                {"query": q.query, "missed": q.missed, "first_rank": q.first_rank, "top": q.top}
                for q in r.queries
                if q.missed
            ],
        }
        for r in results
    ]
