"""Features of a (question, passage) pair, for the re-ranker and the answerability decision.

Every feature is computed from the question and the evidence, never from which document a
passage comes from (no source bonus):

* retrieval — the fused rank score, the rank in each retriever's list (hashed n-grams, BM25,
  semantic), the BM25 score relative to the best candidate's;
* semantic — the multilingual-e5 cosine of the question (and its rewrites) to the passage's
  chunks and to each of its sentences (shipped sentence vectors);
* words — the key-term coverage of the passage, of its heading and of its best sentence, and
  the share matched by the question's own words (agent.ask.evidence);
* what is asked — whether the best sentence gives what the question asks for (agent.ask.asked);
* the document named — whether the question names or implies the passage's document
  (复议 → 行政复议法, 档案 → 档案法, 年报/表三 → the format guide …: :data:`DOCUMENT_CUES`), and
  whether it names another one instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from agent.ask.asked import Asked, gives, named_item
from agent.ask.citations import Passage, document_name, place_name
from agent.ask.evidence import Coverage, Term, coverage, heading, passage_context, sentences
from agent.ask.gather import HISTORY_CUES
from agent.ask.situated import NEAREST, SituationSummary, SituationView, item_of
from agent.ask.superseded import successor
from agent.corpus.situations import Item

RANK_OFFSET = 5
# The document a question names or implies, by the words a clerk uses for it. A key is the
# start of a citation key's document part.
DOCUMENT_CUES: dict[str, tuple[str, ...]] = {
    "行政复议法": ("复议",),
    "行政诉讼法": ("诉讼", "起诉", "告我们", "官司", "开庭", "法院", "答辩状", "判"),
    "最高法规定": ("法院", "起诉", "被告", "原告", "官司", "告我们", "开庭", "诉讼"),
    "保密法": ("保密", "秘密", "涉密", "密级", "定密", "解密"),
    "个人信息保护法": ("个人信息", "身份证号", "手机号", "隐私", "泄露", "拖库", "个人资料"),
    "档案法": ("档案",),
    "信访工作条例": ("信访", "上访", "走访", "复查", "复核"),
    "年报指南": (
        "年报",
        "年度报告",
        "表二",
        "表三",
        "表四",
        "第一部分",
        "第二部分",
        "第三部分",
        "第四部分",
        "第五部分",
        "第六部分",
        "勾稽",
        "报告",
    ),
    "年报格式": ("年报", "年度报告", "表二", "表三", "表四", "勾稽"),
    "政务公开工作要点": ("要点",),
    "2007条例": HISTORY_CUES,  # the superseded text, for a question about history
}


@dataclass
class Candidate:
    """A passage with everything the models read about it."""

    passage: Passage
    x: dict[str, float] = field(default_factory=dict)
    spans: list[tuple[int, int]] = field(default_factory=list)  # the answering sentences
    coverage_value: float = 0.0
    covered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    numbers_ok: bool = True
    gives: bool = True
    score: float = 0.0  # re-ranker probability

    @property
    def highlights(self) -> list[str]:
        return [self.passage.text[s:e] for s, e in self.spans]


def years_present(terms: Sequence[Term], cov: Coverage) -> bool:
    """Every year the question names (2022、2019) is in the passage or is its document's year.
    Other numbers of the question are claims to check (“15个工作日”), not search terms."""
    return all(t.text in cov.covered for t in terms if t.is_number and len(t.text) == 4)


def document_key(p: Passage) -> str | None:
    """The key of :data:`DOCUMENT_CUES` the passage's document answers to, if any."""
    name = document_name(p.kind, p.title, agency=p.agency, year=p.year, status=p.status)
    return next((key for key in DOCUMENT_CUES if key in name), None)


def document_cues(p: Passage) -> tuple[str, ...]:
    key = document_key(p)
    return DOCUMENT_CUES[key] if key else ()


def _cue_features(question: str, p: Passage) -> tuple[float, float, float]:
    """(the question names the passage's document, it names another one instead, the passage's
    document has words of its own and the question uses none of them)."""
    own = document_cues(p)
    match = any(c in question for c in own)
    named_other = any(any(c in question for c in cues) for cues in DOCUMENT_CUES.values() if cues != own)
    return float(match), float(named_other and not match), float(bool(own) and not match)


_TABLE = re.compile(r"表[二三四]")


def _table_named(question: str, p: Passage) -> bool | None:
    """The question names a table of the report (表三): True when the passage is that table's
    part, False when it is another table's, None otherwise."""
    named = set(_TABLE.findall(question))
    own = _TABLE.fullmatch(place_name(p.kind, p.locator, p.section_path))
    if not named or not own:
        return None
    return own.group(0) in named


def _sentence_semantic(p: Passage, sent_scores: dict[str, dict[str, float]]) -> dict[str, float]:
    """Sentence text → best cosine over the passage's chunks."""
    out: dict[str, float] = {}
    for cid in p.chunk_ids:
        for text, v in sent_scores.get(cid, {}).items():
            out[text] = max(out.get(text, -1.0), v)
    return out


def candidate(
    question: str,
    terms: Sequence[Term],
    p: Passage,
    *,
    asked: Asked,
    fused_max: float,
    ranks: dict[str, int],
    bm25: float,
    bm25_max: float,
    semantic: float,
    sent_scores: dict[str, dict[str, float]],
    history: bool = False,
) -> Candidate:
    ctx = passage_context(p)
    cov = coverage(terms, f"{ctx}\n{p.text}", year=p.year)
    sem_by_text = _sentence_semantic(p, sent_scores)
    spans = sentences(p.text)
    best_span, best_val, best_cov, best_gives = None, -1e9, 0.0, False
    sem_top = max(sem_by_text.values(), default=0.0)
    for sp in spans:
        sent = p.text[sp[0] : sp[1]]
        c = coverage(terms, f"{ctx} {sent}").value
        s = sem_by_text.get(sent.strip(), None)
        g = gives(asked, sent)
        val = (
            c
            + (2.0 * (s - sem_top) if s is not None else -0.1)
            + (0.3 if g else 0.0)
            - (0.3 if sent == heading(p) else 0.0)
        )
        if val > best_val:
            best_span, best_val, best_cov, best_gives = sp, val, c, g
    match, other, unnamed = _cue_features(question, p)
    item = named_item(question)
    item_bad = (item is not None and not p.locator.endswith(item)) or _table_named(question, p) is False
    item_named = (item is not None and p.locator.endswith(item)) or _table_named(question, p) is True
    x = {
        "fused": p.score / fused_max if fused_max > 0 else 0.0,
        "dense_rank": 1.0 / (ranks["dense"] + RANK_OFFSET) if "dense" in ranks else 0.0,
        "bm25_rank": 1.0 / (ranks["bm25"] + RANK_OFFSET) if "bm25" in ranks else 0.0,
        "semantic_rank": 1.0 / (ranks["semantic"] + RANK_OFFSET) if "semantic" in ranks else 0.0,
        "sentences_rank": 1.0 / (ranks["sentences"] + RANK_OFFSET) if "sentences" in ranks else 0.0,
        "bm25": bm25 / bm25_max if bm25_max > 0 else 0.0,
        "bm25_abs": math.log1p(max(0.0, bm25)),
        "semantic": semantic,
        "sentence": sem_top,
        "coverage": cov.value,
        "exact": cov.exact,
        "heading": coverage(terms, heading(p)).value,
        "sentence_coverage": best_cov,
        "gives": (1.0 if best_gives else -1.0) if asked.kind != "none" else 0.0,
        "asks": 0.0 if asked.kind == "none" else 1.0,
        "cue": match,
        "other_cue": other,
        "cue_missing": unnamed,
        "numbers": 0.0 if years_present(terms, cov) else -1.0,
        "item": -1.0 if item_bad else (1.0 if item_named else 0.0),
        "history": 1.0 if history and p.status == "superseded" else 0.0,
    }
    return Candidate(
        passage=p,
        x=x,
        spans=_spans_with(best_span, spans, terms, p, ctx, cov.missing),
        coverage_value=cov.value,
        covered=cov.covered,
        missing=cov.missing,
        numbers_ok=years_present(terms, cov),
        gives=best_gives or asked.kind == "none",
    )


def _spans_with(
    best: tuple[int, int] | None,
    spans: list[tuple[int, int]],
    terms: Sequence[Term],
    p: Passage,
    ctx: str,
    missing_in_passage: list[str],
) -> list[tuple[int, int]]:
    """The best sentence, plus one more when it adds question terms the first one lacks."""
    if best is None:
        return spans[:1]
    chosen = [best]
    first = coverage(terms, f"{ctx} {p.text[best[0] : best[1]]}")
    missing = [t for t in terms if t.text in first.missing and t.text not in missing_in_passage]
    if missing:
        rest = [sp for sp in spans if sp != best]
        if rest:
            extra = max(rest, key=lambda sp: (coverage(missing, p.text[sp[0] : sp[1]]).value, -sp[0]))
            if coverage(missing, p.text[extra[0] : extra[1]]).value >= 0.5:
                chosen.append(extra)
    return sorted(chosen)[:2]


SITUATION_GAP_FLOOR = -0.15  # cosine gap given to an item without situations (or far below the best)


def view_item(p: Passage, summary: SituationSummary) -> Item:
    """The item whose situations and limits speak for the passage: its own, or for a superseded
    article without situations of its own the article that replaced it."""
    item = item_of(p)
    if item not in summary.views and p.status == "superseded":
        return successor(p.doc_id, p.locator) or item
    return item


def situation_features(p: Passage, summary: SituationSummary) -> dict[str, float]:
    """What the situation view (agent.ask.situated) says about the passage's item, relative to
    the question's best item (so that a question near no situation at all gives no item a lead),
    and about the question as a whole (``sit_top``, ``sit_margin``: read by the decision)."""
    item = view_item(p, summary)
    v = summary.views.get(item)
    floor = SITUATION_GAP_FLOOR

    def gap(x: float) -> float:
        return max(floor, x - summary.top) if summary.semantic and x > -1.0 else floor

    asks = summary.asked != "none"
    return {
        "sit_has": 1.0 if v else 0.0,
        "sit_gap": gap(v.cosine) if v else floor,
        "sit_gap2": gap(v.cosine2) if v else floor,
        "sit_rank": 1.0 / (v.rank + RANK_OFFSET) if v and v.rank else 0.0,
        "sit_bm25_rank": 1.0 / (v.bm25_rank + RANK_OFFSET) if v and v.bm25_rank else 0.0,
        "sit_bm25": v.bm25 / summary.bm25_top if v and summary.bm25_top > 0 else 0.0,
        "sit_hits": v.hits / NEAREST if v else 0.0,
        "sit_first": 1.0 if summary.top_item == item and summary.semantic else 0.0,
        "sit_bm25_first": 1.0 if summary.bm25_item == item else 0.0,
        # the item's nearest situation that asks what the question asks (a time limit, an amount …)
        "sit_typed": (gap(v.typed) if v else floor) if asks else 0.0,
        "sit_top": summary.top,
        "sit_margin": summary.top - summary.second if summary.semantic else 0.0,
        **limit_features(item, v, summary),
    }


LIMIT_GAP_CAP = 0.15  # how far a limit may lead a situation in the features


def limit_features(item: Item, v: SituationView | None, summary: SituationSummary) -> dict[str, float]:
    """How much nearer the question is to what the corpus does NOT answer than to what it does
    (agent.corpus.situations, limits): ``lim_gap`` — the item's nearest limit against its nearest
    situation, counted only when the limit is nearer (a question far from both, off the corpus,
    is no nearer to an answer for being far from the gaps too); ``lim_lead`` — the question's three
    nearest limits against its three nearest situations, any items."""
    own = summary.limits.get(item)
    if not summary.semantic or not summary.limits:
        return {"lim_gap": 0.0, "lim_lead": 0.0}
    gap = own - v.cosine if own is not None and v is not None else 0.0
    cap = LIMIT_GAP_CAP
    return {"lim_gap": min(cap, max(0.0, gap)), "lim_lead": max(-cap, min(cap, summary.limit_lead))}
