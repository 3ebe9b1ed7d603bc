"""Regression evaluation of drafts (and answers): cases, assertions, baseline, gate.

A case (``eval/cases/*.yaml``) names its inputs and its assertions::

    name: minimal-notes
    kind: annual            # annual | implementation | ask
    mode: offline           # offline | llm (llm cases run only when an LLM is configured)
                            # | replay (LLM mode on recorded replies: inputs.replies, agent.draft.replay)
    inputs: {notes: data/minimal.md, figures: data/figures.yaml, previous: …, requirements: …, question: …}
    assertions:
      - {type: sections_complete}
      - {type: numbers_grounded, min: 1.0}
      - {type: notes_covered, min: 0.9}
      - {type: contains, text: "收到政府信息公开申请"}

Paths in ``inputs`` are relative to the case file. Every assertion yields a score in [0, 1]
(or a count for max_* assertions) and passes or fails; the gate is per case: a case fails
when one of its assertions fails or its score fell more than ``tolerance`` (default 0.02)
below the baseline.
"""

from __future__ import annotations

import json
import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import InputError
from agent.settings import Settings
from agent.yamlfile import load_yaml

ASSERTION_TYPES = (
    "sections_complete",
    "tables_valid",
    "numbers_grounded",
    "notes_covered",
    "no_foreign_names",
    "no_placeholders",
    "contains",
    "not_contains",
    "max_llm_calls",
    "max_tokens",
    "rouge_l",
    "citation",
    "coverage_status",
    "findings",
    "removed_sentences",
)
DEFAULT_TOLERANCE = 0.02


@dataclass
class Case:
    name: str
    path: Path
    kind: str
    mode: str
    inputs: dict[str, Any]
    assertions: list[dict[str, Any]]
    description: str = ""

    def input_path(self, key: str) -> Path | None:
        value = self.inputs.get(key)
        return (self.path.parent / str(value)).resolve() if value else None


@dataclass
class AssertionResult:
    id: str  # type, or type:detail when a case has several of a type
    type: str
    passed: bool
    score: float
    detail: str = ""
    baseline: float | None = None
    regressed: bool = False


@dataclass
class CaseResult:
    case: str
    kind: str
    mode: str
    status: str  # passed | failed | skipped | error
    assertions: list[AssertionResult] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("passed", "skipped")


@dataclass
class Outcome:
    """What a case run produced, for the assertions to look at."""

    text: str = ""  # the draft markdown or the answer
    findings: list[dict[str, Any]] = field(default_factory=list)
    numbers: tuple[int, int] = (0, 0)  # grounded, total
    bullets: tuple[int, int] = (0, 0)  # used, total
    llm_calls: int = 0
    tokens: int = 0
    citations: list[str] = field(default_factory=list)
    refused: bool = False
    coverage: dict[str, str] = field(default_factory=dict)
    removed: list[dict[str, Any]] = field(default_factory=list)  # sentences the guard took out


# --------------------------------------------------------------------------- loading


def load_case(path: Path) -> Case:
    data = load_yaml(path, "评测用例")
    if not isinstance(data, dict) or "assertions" not in data:
        raise InputError("评测用例应包含 name、kind、inputs 和 assertions", path=str(path))
    for a in data["assertions"]:
        if not isinstance(a, dict) or a.get("type") not in ASSERTION_TYPES:
            raise InputError(f"未知的断言类型：{a!r}；可用：{'、'.join(ASSERTION_TYPES)}", path=str(path))
    return Case(
        name=str(data.get("name") or path.stem),
        path=path,
        kind=str(data.get("kind", "annual")),
        mode=str(data.get("mode", "offline")),
        inputs=dict(data.get("inputs") or {}),
        assertions=list(data["assertions"]),
        description=str(data.get("description", "")),
    )


def discover(paths: list[Path]) -> list[Case]:
    files: list[Path] = []
    for p in paths:
        files += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    if not files:
        raise InputError("没有找到评测用例（*.yaml）", path=", ".join(str(p) for p in paths))
    return [load_case(f) for f in files]


# --------------------------------------------------------------------------- running


def run_case(case: Case, settings: Settings, work: Path) -> tuple[Outcome, str]:
    """(outcome, mode actually used)."""
    offline = case.mode != "llm"
    if case.kind == "annual":
        return _run_annual(case, settings, work, offline)
    if case.kind == "implementation":
        return _run_implementation(case, settings, work, offline)
    if case.kind == "ask":
        return _run_ask(case, settings, offline)
    raise InputError(f"未知的用例类型“{case.kind}”（annual / implementation / ask）", path=str(case.path))


def _run_annual(case: Case, settings: Settings, work: Path, offline: bool) -> tuple[Outcome, str]:
    from agent.draft.guardrails import allowed_numbers, bullet_used, numbers_in
    from agent.draft.notes import load_notes
    from agent.draft.pipeline import draft_report
    from agent.figures.reading import load_figures
    from agent.report.tables import complete_figures

    notes_path, figures_path = case.input_path("notes"), case.input_path("figures")
    assert notes_path and figures_path, "annual cases need notes and figures"
    replies = case.input_path("replies")
    client = None
    if case.mode == "replay" and replies:
        from agent.draft.replay import ReplayClient

        client = ReplayClient.from_file(replies)
    result = draft_report(
        notes_path,
        figures_path,
        work,
        settings,
        previous_path=case.input_path("previous"),
        offline=offline,
        place=case.inputs.get("place"),
        client=client,
    )
    text = result.files["draft.md"].read_text(encoding="utf-8")
    narrative = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(("|", "#")))
    narrative = re.sub(r"第二十条第（[一二三四五六七八九十]+）项", "", narrative)
    notes = load_notes(notes_path)
    fig = load_figures(figures_path)
    complete_figures(fig)
    allowed = allowed_numbers(fig, fig.year or notes.year or 0, [b.text for b in notes.bullets])
    nums = numbers_in(narrative)
    sources = json.loads(result.files["draft.sources.json"].read_text(encoding="utf-8"))
    excluded = {b["id"] for b in sources["bullets_not_used"]}
    usable = [b for b in notes.bullets if b.id not in excluded and b.text.strip() != "无"]
    outcome = Outcome(
        text=text,
        findings=[f.model_dump() for f in result.findings],
        numbers=(sum(1 for n in nums if allowed.ok(n)), len(nums)),
        bullets=(sum(1 for b in usable if bullet_used(b, narrative)), len(usable)),
        llm_calls=result.usage_stats.get("calls", 0),
        tokens=result.usage_stats.get("prompt_tokens", 0) + result.usage_stats.get("completion_tokens", 0),
        removed=list(result.removed),
    )
    return outcome, "replay" if client is not None else result.mode


def _run_implementation(case: Case, settings: Settings, work: Path, offline: bool) -> tuple[Outcome, str]:
    from agent.draft.guardrails import bullet_used, numbers_in
    from agent.draft.implementation import draft_implementation, load_impl_notes
    from agent.workpoints.requirements import read_notice

    notes_path, notice_path = case.input_path("notes"), case.input_path("requirements")
    assert notes_path and notice_path, "implementation cases need notes and requirements"
    result = draft_implementation(notes_path, notice_path, work, settings, offline=offline)
    text = result.files["draft.md"].read_text(encoding="utf-8")
    check = json.loads(result.files["draft.check.json"].read_text(encoding="utf-8"))
    notes = load_impl_notes(notes_path, read_notice(notice_path))
    grounded = {n for b in notes.bullets for n in numbers_in(b.text)} | {float(notes.year or 0)}
    body = re.sub(
        r"^\d+、", "", "\n".join(line for line in text.split("\n") if not line.startswith("#")), flags=re.M
    )
    nums = numbers_in(body)
    outcome = Outcome(
        text=text,
        findings=check["findings"],
        numbers=(sum(1 for n in nums if n in grounded), len(nums)),
        bullets=(sum(1 for b in notes.bullets if bullet_used(b, text)), len(notes.bullets)),
        coverage={i["id"]: i["status"] for i in check["coverage"]["items"]},
    )
    return outcome, result.mode


def _run_ask(case: Case, settings: Settings, offline: bool) -> tuple[Outcome, str]:
    from agent.ask.answer import ask

    question = str(case.inputs.get("question", ""))
    answer = ask(question, settings.model_copy(update={"offline": offline or settings.offline}))
    keys = [c.key for c in answer.citations]
    refused = bool(getattr(answer, "refused", False)) or answer.answer.startswith("语料中未找到依据")
    return Outcome(text=answer.answer, citations=keys, refused=refused), answer.mode


# --------------------------------------------------------------------------- assertions


def _ratio(pair: tuple[int, int]) -> float:
    return 1.0 if pair[1] == 0 else pair[0] / pair[1]


def _rules(outcome: Outcome, prefixes: tuple[str, ...]) -> list[dict[str, Any]]:
    return [f for f in outcome.findings if f["severity"] == "error" and f["rule"].startswith(prefixes)]


def evaluate_assertion(spec: dict[str, Any], outcome: Outcome, case: Case) -> AssertionResult:
    kind = spec["type"]
    checker = _CHECKERS[kind]
    passed, score, detail = checker(spec, outcome, case)
    tag = (
        spec.get("id")
        or spec.get("text")
        or (spec.get("rule") if kind == "findings" and "max" in spec else None)
    )
    ident = kind + (f":{tag}" if tag else "")
    return AssertionResult(ident, kind, passed, round(score, 4), detail)


def _sections(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
    bad = _rules(o, ("SECTION-MISSING", "SECTION-ORDER"))
    found = len(re.findall(r"^## [一二三四五六]、", o.text, flags=re.M))
    return not bad and found == 6, found / 6, "；".join(f["message"] for f in bad)


def _tables(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
    bad = _rules(o, ("T2-", "T3-", "T4-", "TABLE-MISSING", "X-CARRY"))
    return not bad, 0.0 if bad else 1.0, "；".join(f"{f['rule']} {f['location']}" for f in bad[:5])


def _threshold(spec: dict[str, Any], score: float, detail: str) -> tuple[bool, float, str]:
    return score >= float(spec.get("min", 1.0)), score, detail


def _numbers(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
    return _threshold(spec, _ratio(o.numbers), f"{o.numbers[0]}/{o.numbers[1]} 个数字有依据")


def _notes(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
    return _threshold(spec, _ratio(o.bullets), f"{o.bullets[0]}/{o.bullets[1]} 条要点写入")


def _count_rule(rule: str) -> Callable[[dict[str, Any], Outcome, Case], tuple[bool, float, str]]:
    def check(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
        hits = [f for f in o.findings if f["rule"] == rule]
        return not hits, 0.0 if hits else 1.0, "；".join(f["message"][:60] for f in hits[:3])

    return check


def _contains(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
    ok = str(spec["text"]) in o.text
    return ok, float(ok), "" if ok else f"未找到“{spec['text']}”"


def _not_contains(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
    ok = str(spec["text"]) not in o.text
    return ok, float(ok), "" if ok else f"出现了“{spec['text']}”"


def _max_calls(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
    return o.llm_calls <= int(spec["max"]), float(o.llm_calls), f"{o.llm_calls} 次调用"


def _max_tokens(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
    return o.tokens <= int(spec["max"]), float(o.tokens), f"{o.tokens} tokens"


def _rouge(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
    reference = (case.path.parent / str(spec["reference"])).read_text(encoding="utf-8")
    score = rouge_l(o.text, reference)
    return score >= float(spec.get("min", 0.0)), score, f"ROUGE-L F = {score:.3f}"


def _citation(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
    expected = spec.get("expected") or []
    if not expected:  # an unanswerable question: it must be refused
        return o.refused, float(o.refused), "已拒答" if o.refused else f"未拒答：{o.citations[:3]}"
    at = int(spec.get("at", 3))
    norm = [re.sub(r"[\s\[\]]", "", c) for c in o.citations[:at]]
    hit = any(re.sub(r"[\s\[\]]", "", e) in norm for e in expected)
    return hit, float(hit), f"前{at}条引用：{o.citations[:at]}"


def _coverage(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
    want = dict(spec["expected"])
    got = {k: o.coverage.get(k, "missing") for k in want}
    right = sum(1 for k in want if got[k] == want[k])
    return right == len(want), right / max(1, len(want)), f"{got}"


def _findings(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
    rule, count = str(spec["rule"]), [f for f in o.findings if f["rule"] == spec["rule"]]
    if "max" in spec:  # at most this many (max: 0 — the rule must not fire)
        ok = len(count) <= int(spec["max"])
        return ok, float(ok), f"{rule} × {len(count)}" + "".join(f"；{f['message'][:50]}" for f in count[:2])
    minimum = int(spec.get("min", 1))
    return len(count) >= minimum, float(len(count) >= minimum), f"{rule} × {len(count)}"


def _removed(spec: dict[str, Any], o: Outcome, case: Case) -> tuple[bool, float, str]:
    """Sentences the guard removed from the model's text (of ``kind`` when given), at least ``min``;
    ``text``: one of them must contain it."""
    found = [r for r in o.removed if "kind" not in spec or r["kind"] == spec["kind"]]
    if "text" in spec:
        found = [r for r in found if str(spec["text"]) in r["text"]]
    ok = len(found) >= int(spec.get("min", 1))
    return (
        ok,
        float(ok),
        f"删除 {len(found)} 处" + (f"（{found[0]['kind']}：{found[0]['text'][:30]}）" if found else ""),
    )


_CHECKERS: dict[str, Callable[[dict[str, Any], Outcome, Case], tuple[bool, float, str]]] = {
    "sections_complete": _sections,
    "tables_valid": _tables,
    "numbers_grounded": _numbers,
    "notes_covered": _notes,
    "no_foreign_names": _count_rule("FOREIGN-AGENCY"),
    "no_placeholders": _count_rule("PLACEHOLDER"),
    "contains": _contains,
    "not_contains": _not_contains,
    "max_llm_calls": _max_calls,
    "max_tokens": _max_tokens,
    "rouge_l": _rouge,
    "citation": _citation,
    "coverage_status": _coverage,
    "findings": _findings,
    "removed_sentences": _removed,
}


def rouge_l(hypothesis: str, reference: str) -> float:
    """ROUGE-L F1 over jieba tokens (rouge-chinese), punctuation and markup removed."""
    import logging

    import jieba
    from rouge_chinese import Rouge

    jieba.setLogLevel(logging.WARNING)

    def tokens(text: str) -> str:
        text = re.sub(r"[|#\-\s，。；：、（）“”《》【】]+", " ", text)
        return " ".join(t for t in jieba.cut(text) if t.strip())

    hyp, ref = tokens(hypothesis), tokens(reference)
    if not hyp or not ref:
        return 0.0
    return float(Rouge().get_scores(hyp, ref)[0]["rouge-l"]["f"])


# --------------------------------------------------------------------------- the gate


def run_cases(
    cases: list[Case], settings: Settings, work_root: Path, baseline: dict[str, Any] | None
) -> list[CaseResult]:
    results = []
    for case in cases:
        results.append(_run_one(case, settings, work_root / case.name, baseline or {}))
    return results


def _run_one(case: Case, settings: Settings, work: Path, baseline: dict[str, Any]) -> CaseResult:
    started = time.perf_counter()
    if case.mode == "llm" and not settings.llm_configured:
        return CaseResult(case.name, case.kind, case.mode, "skipped", error="未配置大模型，跳过")
    try:
        outcome, mode = run_case(case, settings, work)
    except Exception as exc:  # noqa: BLE001 - a crash is a result (exit 2), with its trace
        return CaseResult(
            case.name,
            case.kind,
            case.mode,
            "error",
            error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}",
        )
    results = [evaluate_assertion(spec, outcome, case) for spec in case.assertions]
    for r, spec in zip(results, case.assertions, strict=True):
        _compare(r, spec, baseline.get(case.name, {}))
    status = "passed" if all(r.passed and not r.regressed for r in results) else "failed"
    return CaseResult(case.name, case.kind, mode, status, results, seconds=time.perf_counter() - started)


def _compare(result: AssertionResult, spec: dict[str, Any], base: dict[str, float]) -> None:
    if result.id not in base or result.type in ("max_llm_calls", "max_tokens"):
        return
    result.baseline = float(base[result.id])
    tolerance = float(spec.get("tolerance", DEFAULT_TOLERANCE))
    result.regressed = result.score < result.baseline - tolerance


def baseline_of(results: list[CaseResult]) -> dict[str, dict[str, float]]:
    return {
        r.case: {a.id: a.score for a in r.assertions} for r in results if r.status in ("passed", "failed")
    }


def exit_code(results: list[CaseResult]) -> int:
    if any(r.status == "error" for r in results):
        return 2
    return 0 if all(r.ok for r in results) else 1


def results_json(results: list[CaseResult]) -> str:
    data = [
        {
            "case": r.case,
            "kind": r.kind,
            "mode": r.mode,
            "status": r.status,
            "seconds": round(r.seconds, 2),
            "error": r.error,
            "assertions": [a.__dict__ for a in r.assertions],
        }
        for r in results
    ]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
