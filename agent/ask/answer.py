"""`report-agent ask`: compliance questions answered from the corpus, with citations the code checks.

    from agent.ask.answer import ask
    answer = ask("行政机关不能当场答复的，多少个工作日内答复？", settings)
    answer.citations[0].key  # "[条例 第三十三条]"

1. **Retrieval.** The question, and the question widened with synonyms, are searched (hybrid)
   over the regulations (one passage per article, 款 and 项 kept), the work-point notices (one
   per item) and the format spec (one per part); past reports only with ``include_reports``.
   The superseded 2007 条例 only when the question is about history (2007、旧条例、修订前 …).
   The best work-point items and spec parts are always added as candidates, so a question about
   表三 or 今年的要点 meets them even when the laws outrank them.
2. **Keys.** Every passage gets a key issued by the code (:mod:`agent.ask.citations`).
3. **Evidence.** Candidates are re-ranked by how much of the question's key terms they cover;
   the question is answerable only when the best passage covers enough of them
   (:mod:`agent.ask.evidence` explains the measure, its two thresholds and their calibration).
   Otherwise the answer is “语料中未找到依据” followed by the closest passages with their keys —
   and no LLM is called.
4. **Answer.** Offline (no LLM configured, or ``offline``): extractive — the answering
   sentences of the best passage (and of up to two others that cover the question almost as
   well), quoted in 【】 after their keys; nothing is invented. With an LLM: the top ``k``
   passages go to the model inside <资料> delimiters with their keys (angle brackets in the
   passage text are neutralised, so a passage cannot close its delimiter; the system prompt
   says the material is data, not instructions); the reply's citations are checked against the
   keys of the passages it was given: unknown ones are removed and reported; a reply with no
   valid citation becomes the refusal. An LLM failure falls back to the offline answer (under
   the offline threshold) and says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.ask.citations import REFUSAL, Passage, check_citations, keyed_passages
from agent.ask.evidence import (
    LLM_THRESHOLD,
    THRESHOLD,
    Scored,
    Term,
    expanded_query,
    key_terms,
    rank_passages,
)
from agent.ask.limits import DEFAULT_K, MAX_K
from agent.corpus.retrieval import RRF_K, Hit, retrieve
from agent.errors import InputError
from agent.llm import LLMClient, LLMError, UsageMeter
from agent.prompt_templates import load_prompt

Mode = Literal["offline", "llm"]
ASK_KINDS: tuple[str, ...] = ("regulation", "work_points", "spec")
REPORT_KINDS: tuple[str, ...] = ("annual_report", "implementation_report")
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
    "变化",
    "区别",
    "新旧",
    "以前的条例",
    "原来的条例",
)
CANDIDATES = 30  # chunks fetched per search before re-ranking
PER_KIND_EXTRA = 3  # best work-point items / spec parts always considered
MAX_CITED = 3  # passages quoted by an offline answer
CLOSE_MARGIN = 0.15  # a further passage is quoted offline when its coverage is this close to the best
REFUSAL_SHOWN = 3  # closest passages listed after a refusal
SNIPPET_CHARS = 120
MAX_QUESTION_CHARS = 500
VAGUE_NOTICE = "问题中没有可用来查找依据的关键词，请把问题说具体一些，例如：“申请内容不明确怎么处理？”"


class Citation(BaseModel):
    key: str
    document: str
    locator: str
    text: str
    title: str = ""
    section_path: str = ""
    highlights: list[str] = Field(default_factory=list)  # the answering sentences (substrings of text)


class PassageView(Citation):
    score: float = 0.0  # re-ranking score (coverage + rank bonus)
    coverage: float = 0.0  # share of the question's key-term weight the passage covers


class Evidence(BaseModel):
    terms: list[str]
    covered: list[str]
    missing: list[str]
    coverage: float
    threshold: float
    answerable: bool


class Answer(BaseModel):
    question: str
    answer: str
    mode: Mode
    refused: bool = False
    citations: list[Citation] = Field(default_factory=list)  # best first
    rejected: list[str] = Field(default_factory=list)  # citations of the LLM reply that were dropped
    passages: list[PassageView] = Field(default_factory=list)  # what was retrieved, best first
    evidence: Evidence | None = None
    notices: list[str] = Field(default_factory=list)
    fallback: bool = False  # the LLM failed and the offline answer is given
    usage: str | None = None


# --------------------------------------------------------------------------- the one call


def ask(
    question: str,
    settings: Any,
    *,
    include_reports: bool = False,
    k: int = DEFAULT_K,
    offline: bool | None = None,
    client: LLMClient | None = None,
) -> Answer:
    """Answer ``question`` from the corpus with checked citations (see the module docstring)."""
    q = clean_question(question)
    if not 1 <= k <= MAX_K:
        raise InputError(f"-k 应在 1 到 {MAX_K} 之间，而不是 {k}")
    terms = key_terms(q)
    history = is_history_question(q)
    passages = gather_passages(q, settings, include_reports=include_reports, history=history)
    ranked = rank_passages(terms, passages, history=history)
    use_llm = bool(settings.llm_configured) and not offline
    vague = [] if terms else [VAGUE_NOTICE]
    if not use_llm:
        evidence = judge(terms, ranked, THRESHOLD)
        if not evidence.answerable:
            return refusal(q, ranked, k, evidence, "offline", notices=vague)
        return offline_answer(q, terms, ranked, k, evidence)
    evidence = judge(terms, ranked, LLM_THRESHOLD)
    if not evidence.answerable:
        return refusal(q, ranked, k, evidence, "llm", notices=vague or ["依据不足，未调用大模型。"])
    try:
        return llm_answer(q, ranked, k, evidence, settings, client)
    except LLMError as exc:
        return _fallback(q, terms, ranked, k, exc)


def _fallback(
    question: str, terms: Sequence[Term], ranked: Sequence[Scored], k: int, exc: LLMError
) -> Answer:
    """The offline answer (or refusal, under the stricter extractive threshold) after an LLM failure."""
    evidence = judge(terms, ranked, THRESHOLD)
    if evidence.answerable:
        answer = offline_answer(question, terms, ranked, k, evidence)
    else:
        answer = refusal(question, ranked, k, evidence, "offline")
    answer.fallback = True
    answer.notices.insert(0, f"大模型调用失败（{exc.message}），已改用离线摘录答案。")
    return answer


def clean_question(question: str) -> str:
    q = re.sub(r"\s+", " ", question or "").strip()
    if not q:
        raise InputError("问题不能为空，例如：report-agent ask “年报必须在什么时候前公布？”")
    if len(q) > MAX_QUESTION_CHARS:
        raise InputError(f"问题太长（{len(q)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内")
    return q


def is_history_question(question: str) -> bool:
    return any(cue in question for cue in HISTORY_CUES)


# --------------------------------------------------------------------------- retrieval


def gather_passages(
    question: str, settings: Any, *, include_reports: bool = False, history: bool = False
) -> list[Passage]:
    """Candidates of the question and of its synonym-widened form (fused by reciprocal rank),
    plus the best work-point items and spec parts; keyed, best first."""
    kinds = ASK_KINDS + (REPORT_KINDS if include_reports else ())
    wide = expanded_query(question)
    lists = [
        retrieve(q, kinds=list(kinds), include_superseded=history, k=CANDIDATES, settings=settings)
        for q in dict.fromkeys((question, wide))
    ]
    hits = _fuse(lists)
    for kind in ("work_points", "spec"):
        hits += retrieve(wide, kinds=[kind], k=PER_KIND_EXTRA, settings=settings)
    return keyed_passages(_unique(hits))


def _fuse(lists: Sequence[list[Hit]]) -> list[Hit]:
    score: dict[str, float] = {}
    first: dict[str, Hit] = {}
    for hits in lists:
        for rank, h in enumerate(hits, 1):
            score[h.id] = score.get(h.id, 0.0) + 1.0 / (RRF_K + rank)
            first.setdefault(h.id, h)
    order = sorted(score, key=lambda cid: (-score[cid], cid))
    return [first[cid].model_copy(update={"score": score[cid]}) for cid in order]


def _unique(hits: list[Hit]) -> list[Hit]:
    seen: set[str] = set()
    out = []
    for h in hits:
        if h.id not in seen:
            seen.add(h.id)
            out.append(h)
    return out


# --------------------------------------------------------------------------- evidence


def judge(terms: Sequence[Term], ranked: Sequence[Scored], threshold: float = THRESHOLD) -> Evidence:
    """Answerable when the best passage covers ``threshold`` of the key-term weight and every
    number of the question (THRESHOLD for extractive answers, LLM_THRESHOLD when a model reads
    the passages and can still refuse)."""
    names = [t.text for t in terms]
    if not ranked or not terms:
        return Evidence(
            terms=names, covered=[], missing=names, coverage=0.0, threshold=threshold, answerable=False
        )
    best = ranked[0]
    return Evidence(
        terms=names,
        covered=best.coverage.covered,
        missing=best.coverage.missing,
        coverage=round(best.coverage.value, 4),
        threshold=threshold,
        answerable=best.supports(terms, threshold),
    )


# --------------------------------------------------------------------------- answers


def offline_answer(
    question: str, terms: Sequence[Term], ranked: Sequence[Scored], k: int, evidence: Evidence
) -> Answer:
    """Extractive: the answering sentences of the best passage (and of close seconds), quoted."""
    cited = quoted_passages(terms, ranked)
    lines = []
    for i, s in enumerate(cited):
        quote = "……".join(s.highlights) or s.passage.text[:SNIPPET_CHARS]
        lines.append(f"{'根据' if i == 0 else '另见'}{s.passage.key}：【{quote}】")
    return Answer(
        question=question,
        answer="\n".join(lines),
        mode="offline",
        citations=[citation(s) for s in cited],
        passages=[view(s) for s in ranked[:k]],
        evidence=evidence,
        notices=["离线模式：以上为语料原文摘录，【】内为回答问题的句子，未经大模型归纳。"],
    )


def quoted_passages(terms: Sequence[Term], ranked: Sequence[Scored]) -> list[Scored]:
    best = ranked[0]
    out = [best]
    for s in ranked[1:]:
        if len(out) >= MAX_CITED:
            break
        if s.supports(terms) and s.coverage.value >= best.coverage.value - CLOSE_MARGIN:
            out.append(s)
    return out


def refusal(
    question: str,
    ranked: Sequence[Scored],
    k: int,
    evidence: Evidence,
    mode: Mode,
    *,
    rejected: Sequence[str] = (),
    notices: Sequence[str] = (),
) -> Answer:
    """“语料中未找到依据”, then the closest passages with their keys (not cited as a basis)."""
    lines = [f"{REFUSAL}。"]
    if ranked:
        lines.append("最接近的段落（仅供参考，不能作为依据）：")
        for s in ranked[:REFUSAL_SHOWN]:
            lines.append(f"{s.passage.key} {s.passage.label}：{snippet(s.passage.text)}")
    return Answer(
        question=question,
        answer="\n".join(lines),
        mode=mode,
        refused=True,
        rejected=list(rejected),
        passages=[view(s) for s in ranked[:k]],
        evidence=evidence,
        notices=list(notices),
    )


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[:limit] + "……"


def citation(s: Scored) -> Citation:
    p = s.passage
    return Citation(
        key=p.key,
        document=p.document,
        locator=p.locator,
        text=p.text,
        title=p.title,
        section_path=p.section_path,
        highlights=s.highlights,
    )


def view(s: Scored) -> PassageView:
    return PassageView(
        **citation(s).model_dump(), score=round(s.score, 4), coverage=round(s.coverage.value, 4)
    )


# --------------------------------------------------------------------------- LLM mode


def _data(text: str) -> str:
    """Passage or question text as data: no angle brackets that could close the delimiters."""
    return text.replace("<", "＜").replace(">", "＞")


def passages_block(passages: Sequence[Passage]) -> str:
    return "\n\n".join(
        f'<资料 编号="{p.key}" 出处="{_data(p.label).replace(chr(34), "＂")}">\n{_data(p.text)}\n</资料>'
        for p in passages
    )


def ask_messages(question: str, passages: Sequence[Passage]) -> list[dict[str, str]]:
    system = load_prompt("ask_system").render(refusal=REFUSAL)
    user = load_prompt("ask_user").render(question=_data(question), passages=passages_block(passages))
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def llm_answer(
    question: str,
    ranked: Sequence[Scored],
    k: int,
    evidence: Evidence,
    settings: Any,
    client: LLMClient | None = None,
) -> Answer:
    """The model answers from the top k passages; its citations are checked against their keys."""
    shown = list(ranked[:k])
    client = client or LLMClient(settings, meter=UsageMeter())
    reply = client.complete(
        ask_messages(question, [s.passage for s in shown]), purpose="ask", plain_text=True
    )
    usage = client.meter.summary()
    check = check_citations(reply.text, [s.passage for s in shown])
    if not check.valid:
        note = (
            "大模型认为资料不能回答这个问题。"
            if REFUSAL in reply.text
            else "大模型的回答没有引用检索到的段落，已改为未找到依据。"
        )
        notes = [note] + ([_rejected_note(check.rejected)] if check.rejected else [])
        answer = refusal(question, ranked, k, evidence, "llm", rejected=check.rejected, notices=notes)
        answer.usage = usage
        return answer
    by_key = {s.passage.key: s for s in shown}
    answer = Answer(
        question=question,
        answer=check.text,
        mode="llm",
        citations=[citation(by_key[key]) for key in check.valid],
        rejected=check.rejected,
        passages=[view(s) for s in shown],
        evidence=evidence,
        notices=[_rejected_note(check.rejected)] if check.rejected else [],
        usage=usage,
    )
    return answer


def _rejected_note(rejected: Sequence[str]) -> str:
    return f"已删除 {len(rejected)} 处无法核实的引用（不是本次检索到的段落）：{'、'.join(rejected)}"


# --------------------------------------------------------------------------- output


def answer_json(answer: Answer) -> dict[str, Any]:
    """The JSON shape of ``report-agent ask --format json``."""
    return {
        "question": answer.question,
        "answer": answer.answer,
        "mode": answer.mode,
        "refused": answer.refused,
        "citations": [c.model_dump() for c in answer.citations],
        "rejected_citations": answer.rejected,
        "passages": [p.model_dump() for p in answer.passages],
        "evidence": answer.evidence.model_dump() if answer.evidence else None,
        "notices": answer.notices,
        "fallback": answer.fallback,
        "usage": answer.usage,
    }
