"""Ask eval: citation accuracy on answerable questions, refusal rate on unanswerable ones.

The question sets (``eval/ask/questions.yaml``; ``eval/ask/heldout.yaml`` was written after
tuning and is kept apart) list colloquial questions with the citation keys a person accepts as
their basis, and questions the corpus cannot answer.

* accuracy@1: share of answerable questions whose first citation is an expected key;
* accuracy@3: … one of whose first three citations is an expected key (a refusal is a miss);
  both also by document kind (条例, the other laws, work points, the format guide, and the
  questions where the 2007 text would mislead), from the first expected key;
* refusal recall (the “refusal rate”): share of unanswerable questions answered with
  “语料中未找到依据”; refusal precision: share of refusals that were of unanswerable questions.
* wrong answers (an unanswerable question answered, or an answerable one answered with none of
  its keys among the first three) and how many of them said they were unsure (“把握不大”,
  agent.ask.answer.unsure_answer); the rest are the silent ones, the worst outcome.

Offline (the extractive answer) unless an LLM is configured and ``offline`` is not set.
:func:`eval_settings` points the settings at the bundled-corpus index the retrieval eval uses,
so the user's own ingested files do not change the figures.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from agent.ask.answer import DEFAULT_K, ask, unsure_answer
from agent.ask.citations import normalize_key
from agent.errors import InputError
from agent.yamlfile import load_yaml

TARGET_ACCURACY_AT_3 = 0.9
TARGET_REFUSAL = 0.9  # issue 13: refusal ≥ 0.9 with accuracy@3 ≥ 0.9 (was 0.8, the first ask issue's)
KIND_ORDER = ("条例", "2007陷阱", "其他法律", "工作要点", "年报格式", "其他")


@dataclass(frozen=True)
class AskCase:
    question: str
    expect: tuple[str, ...]  # empty for an unanswerable question
    why: str = ""
    trap: str = ""  # what the superseded 2007 text would wrongly say

    @property
    def answerable(self) -> bool:
        return bool(self.expect)

    @property
    def kind(self) -> str:
        """The document kind the question is about (from its first expected key)."""
        if not self.expect:
            return "不可回答"
        if self.trap:
            return "2007陷阱"
        doc = self.expect[0].strip("[]［］").split(" ")[0]
        if doc == "条例":
            return "条例"
        if doc.startswith(("年报指南", "年报格式")):
            return "年报格式"
        if "工作要点" in doc:
            return "工作要点"
        return "其他法律" if doc else "其他"


@dataclass
class CaseResult:
    case: AskCase
    cited: list[str]
    refused: bool
    coverage: float
    hit_at_1: bool = False
    hit_at_3: bool = False
    listed_at_3: bool = False  # an expected passage is among the first three listed, refused or not
    unsure: bool = False  # answered with a notice that the decision was close

    @property
    def ok(self) -> bool:
        return self.hit_at_3 if self.case.answerable else self.refused

    @property
    def wrong_answer(self) -> bool:
        """Answered, and wrongly: the corpus does not answer it, or the keys cited are not its basis."""
        return not self.refused and not self.ok


@dataclass
class AskEvalResult:
    path: str
    mode: str
    answerable: int
    unanswerable: int
    accuracy_at_1: float
    accuracy_at_3: float
    refusal_rate: float  # refusal recall
    refusal_precision: float
    wrongly_refused: int  # answerable questions refused
    listed_at_3: float  # diagnostic: expected passage among the first three listed (refusals included)
    seconds: float
    wrong_answers: int = 0  # answered wrongly (unanswerable answered, or answerable with wrong keys)
    silent_wrong: int = 0  # … of which without a notice that the decision was close
    cases: list[CaseResult] = field(default_factory=list)

    def by_kind(self) -> list[tuple[str, int, float, float]]:
        """(kind, answerable questions, accuracy@1, accuracy@3) per document kind."""
        out = []
        for kind in KIND_ORDER:
            rs = [r for r in self.cases if r.case.answerable and r.case.kind == kind]
            if rs:
                out.append((kind, len(rs), _share(r.hit_at_1 for r in rs), _share(r.hit_at_3 for r in rs)))
        return out

    @property
    def meets_targets(self) -> bool:
        return self.accuracy_at_3 >= TARGET_ACCURACY_AT_3 and self.refusal_rate >= TARGET_REFUSAL


def split_of(question: str) -> str:
    """The development split a question belongs to: ``tune`` (2/3) or ``check`` (1/3), fixed by
    a hash of its text (so adding questions does not move the others)."""
    digest = hashlib.sha256(question.strip().encode("utf-8")).digest()
    return "check" if digest[0] % 3 == 0 else "tune"


def default_questions_path() -> Path:
    return Path(__file__).resolve().parents[2] / "eval" / "ask" / "questions.yaml"


def load_cases(path: Path) -> list[AskCase]:
    data = load_yaml(path, "问答评测问题集") or {}
    cases: list[AskCase] = []
    for i, entry in enumerate(data.get("answerable") or [], 1):
        expect = tuple(str(k) for k in (entry or {}).get("expect") or [])
        if not entry or not entry.get("q") or not expect:
            raise InputError(f"answerable 第 {i} 项需要 q 和 expect", path=str(path))
        cases.append(AskCase(str(entry["q"]), expect, trap=str(entry.get("trap") or "")))
    for i, entry in enumerate(data.get("unanswerable") or [], 1):
        if not entry or not entry.get("q"):
            raise InputError(f"unanswerable 第 {i} 项需要 q", path=str(path))
        cases.append(AskCase(str(entry["q"]), (), str(entry.get("why") or "")))
    if not cases:
        raise InputError("问答评测问题集是空的", path=str(path))
    return cases


def eval_settings(settings: Any) -> Any:
    """The settings with the index of the bundled corpus only (shared with the retrieval eval)."""
    from agent.corpus.embeddings import make_embedder
    from agent.evals.retrieval import eval_index_dir

    index = eval_index_dir(settings.home, make_embedder(settings).name)
    return settings.model_copy(update={"index_path": index})


def run_ask_eval(
    cases_path: Path | None, settings: Any, *, offline: bool | None = None, k: int = DEFAULT_K
) -> AskEvalResult:
    """Ask every question of the set and score the citations and refusals. ``offline=None``
    follows the settings (the LLM when one is configured and ``settings.offline`` is off)."""
    offline = bool(offline) or not settings.llm_configured
    path = cases_path or default_questions_path()
    cases = load_cases(path)
    start = time.perf_counter()
    results = [score_case(c, settings, offline=offline, k=k) for c in cases]
    answerable = [r for r in results if r.case.answerable]
    unanswerable = [r for r in results if not r.case.answerable]
    refused = [r for r in results if r.refused]
    return AskEvalResult(
        path=str(path),
        mode="offline" if offline else "llm",
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        accuracy_at_1=_share(r.hit_at_1 for r in answerable),
        accuracy_at_3=_share(r.hit_at_3 for r in answerable),
        refusal_rate=_share(r.refused for r in unanswerable),
        refusal_precision=_share(not r.case.answerable for r in refused),
        wrongly_refused=sum(1 for r in answerable if r.refused),
        listed_at_3=_share(r.listed_at_3 for r in answerable),
        seconds=time.perf_counter() - start,
        cases=results,
        wrong_answers=sum(1 for r in results if r.wrong_answer),
        silent_wrong=sum(1 for r in results if r.wrong_answer and not r.unsure),
    )


def score_case(
    case: AskCase, settings: Any, *, offline: bool | None = None, k: int = DEFAULT_K
) -> CaseResult:
    answer = ask(case.question, settings, offline=offline, k=k)
    cited = [c.key for c in answer.citations]
    expected = {normalize_key(e) for e in case.expect}
    hits = [normalize_key(key) in expected for key in cited]
    return CaseResult(
        case=case,
        cited=cited,
        refused=answer.refused,
        coverage=answer.evidence.probability if answer.evidence else 0.0,
        hit_at_1=bool(hits[:1]) and hits[0],
        hit_at_3=any(hits[:3]),
        listed_at_3=any(normalize_key(p.key) in expected for p in answer.passages[:3]),
        unsure=not answer.refused and answer.evidence is not None and unsure_answer(answer.evidence),
    )


def _share(flags: Any) -> float:
    values = list(flags)
    return sum(1 for v in values if v) / len(values) if values else 0.0


# --------------------------------------------------------------------------- output


def ask_eval_json(result: AskEvalResult) -> dict[str, Any]:
    return {
        "questions": result.path,
        "mode": result.mode,
        "answerable": result.answerable,
        "unanswerable": result.unanswerable,
        "accuracy@1": round(result.accuracy_at_1, 4),
        "accuracy@3": round(result.accuracy_at_3, 4),
        "refusal_rate": round(result.refusal_rate, 4),
        "refusal_recall": round(result.refusal_rate, 4),
        "refusal_precision": round(result.refusal_precision, 4),
        "by_kind": {
            k: {"n": n, "accuracy@1": round(a1, 4), "accuracy@3": round(a3, 4)}
            for k, n, a1, a3 in result.by_kind()
        },
        "wrongly_refused": result.wrongly_refused,
        "listed@3": round(result.listed_at_3, 4),
        "wrong_answers": result.wrong_answers,
        "silent_wrong_answers": result.silent_wrong,
        "targets": {"accuracy@3": TARGET_ACCURACY_AT_3, "refusal_rate": TARGET_REFUSAL},
        "meets_targets": result.meets_targets,
        "seconds": round(result.seconds, 2),
        "misses": [
            {
                "question": r.case.question,
                "expected": list(r.case.expect),
                "cited": r.cited,
                "refused": r.refused,
                "coverage": r.coverage,
                "unsure": r.unsure,
            }
            for r in result.cases
            if not r.ok
        ],
    }


def print_ask_eval(console: Console, result: AskEvalResult, *, show_misses: bool = True) -> None:
    """The figures against their targets, then the questions that missed."""
    mode = "离线摘录" if result.mode == "offline" else "大模型"
    table = Table(title=f"问答评测（{mode}模式，{Path(result.path).name}）", title_justify="left")
    table.add_column("指标")
    table.add_column("结果", justify="right")
    table.add_column("目标", justify="right")
    table.add_row("可回答问题数", str(result.answerable), "")
    table.add_row("引用准确率@1", f"{result.accuracy_at_1:.3f}", "")
    table.add_row("引用准确率@3", f"{result.accuracy_at_3:.3f}", f"≥ {TARGET_ACCURACY_AT_3}")
    table.add_row("其中被拒答", str(result.wrongly_refused), "")
    table.add_row("前三个检索段落含正确依据（含拒答）", f"{result.listed_at_3:.3f}", "")
    table.add_row("不可回答问题数", str(result.unanswerable), "")
    table.add_row("拒答召回率（不可回答的被拒答）", f"{result.refusal_rate:.3f}", f"≥ {TARGET_REFUSAL}")
    table.add_row("拒答精确率（拒答中确实不可回答）", f"{result.refusal_precision:.3f}", "")
    table.add_row("答错（不可回答却作答，或引用不对）", str(result.wrong_answers), "")
    table.add_row("其中未提示“把握不大”", str(result.silent_wrong), "")
    table.add_row("用时（秒）", f"{result.seconds:.1f}", "")
    console.print(table)
    kinds = Table(title="按文件类别", title_justify="left")
    for col in ("类别", "可回答问题数", "准确率@1", "准确率@3"):
        kinds.add_column(col, justify="left" if col == "类别" else "right")
    for kind, n, a1, a3 in result.by_kind():
        kinds.add_row(kind, str(n), f"{a1:.3f}", f"{a3:.3f}")
    console.print(kinds)
    misses = [r for r in result.cases if not r.ok]
    if show_misses and misses:
        mt = Table(title="未达预期的问题", title_justify="left")
        mt.add_column("问题")
        mt.add_column("期望")
        mt.add_column("实际")
        mt.add_column("把握度", justify="right")
        for r in misses:
            got = "拒答" if r.refused else "、".join(r.cited[:3])
            want = "、".join(r.case.expect) or "应拒答"
            mt.add_row(
                r.case.question, want, got + ("（已提示把握不大）" if r.unsure else ""), f"{r.coverage:.2f}"
            )
        console.print(mt)
    verdict = "达到目标" if result.meets_targets else "未达到目标"
    console.print(f"结论：{verdict}。", markup=False)
