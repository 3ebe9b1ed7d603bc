"""The drafting pipeline: notes + figures (+ last year's report) → draft.md, draft.docx,
draft.check.json, draft.sources.json.

Section by section: retrieve exemplar sections of the same type from other agencies → write
the narrative (LLM or offline) → assemble with the deterministic tables → run the checker.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.draft.assemble import default_preamble, report_markdown, report_title
from agent.draft.compose_offline import ComposeContext, Paragraph, compose_all, narratives, self_reference
from agent.draft.exemplars import find_exemplars
from agent.draft.facts import all_facts
from agent.draft.guards import DraftGuards, build_guards, sentence_sources
from agent.draft.notes import PART_BY_KEY, Bullet, Notes, load_notes
from agent.draft.progress import DraftProgress
from agent.draft.restate import Restated, dedupe_sentences, drop_restatements
from agent.errors import InputError
from agent.figures.reading import figures_warnings, load_figures
from agent.fsutil import publish_files, write_text
from agent.report.checks import check_report, narrative_facts, number_mismatches
from agent.report.findings_output import report_summary
from agent.report.model import AnnualReport, Figures, Finding
from agent.report.narrative import Sentence
from agent.report.parser import parse_report
from agent.report.reader import read_report
from agent.report.tables import complete_figures, validate_figures
from agent.settings import Settings

LLM_PARTS = (
    "proactive",
    "requests",
    "management",
    "platform",
    "oversight",
    "overview_other",
    "last_year",
    "problems",
    "improvements",
    "other",
)
OUTPUT_NAMES = ("draft.md", "draft.docx", "draft.check.json", "draft.sources.json")


class FiguresInvalid(InputError):
    """The figures break the table identities: nothing is drafted (exit 1)."""

    def __init__(self, path: str, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__(f"统计数据有 {len(findings)} 处问题，未生成草稿", path=path)


@dataclass
class DraftResult:
    out_dir: Path
    files: dict[str, Path]
    mode: str  # offline | llm
    findings: list[Finding]
    usage: str = ""
    fallbacks: list[str] = field(default_factory=list)  # titles of parts written offline in LLM mode
    backups: list[Path] = field(default_factory=list)
    usage_stats: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    fallback_reasons: dict[str, str] = field(default_factory=dict)  # title → why (timeout, 401, 429 …)
    removed: list[dict[str, Any]] = field(default_factory=list)  # sentences taken out of the model's text
    warnings: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")


def prepare_inputs(
    notes_path: Path, figures_path: Path, agency: str | None, year: int | None
) -> tuple[Notes, Figures, str, int]:
    notes = load_notes(notes_path)
    fig = load_figures(figures_path)
    complete_figures(fig)
    problems = validate_figures(fig)
    if problems:
        raise FiguresInvalid(str(figures_path), problems)
    agency = agency or notes.agency or fig.agency
    year = year or notes.year or fig.year
    if not agency:
        raise InputError("没有机关名称：请在要点文件开头写“机关: …”，或使用 --agency", path=str(notes_path))
    if not year:
        raise InputError("没有报告年度：请在要点文件开头写“年度: …”，或使用 --year", path=str(notes_path))
    if fig.year and fig.year != year:
        raise InputError(f"统计数据是{fig.year}年度的，而要点是{year}年度的", path=str(figures_path))
    fig.agency, fig.year = agency, year
    return notes, fig, agency, year


def notes_conflicts(notes: Notes, fig: Figures) -> tuple[list[Bullet], list[Finding]]:
    """Bullets whose numbers contradict the figures: flagged, and kept out of the draft."""
    pseudo = AnnualReport(table2=fig.table2, table3=fig.table3, table4=fig.table4)
    facts = narrative_facts(pseudo)
    bad: list[Bullet] = []
    findings: list[Finding] = []
    for b in notes.bullets:
        sent = Sentence(b.text, None, b.line)
        hits = number_mismatches(sent, facts)
        if hits:
            bad.append(b)
            for h in hits:
                findings.append(
                    h.model_copy(
                        update={
                            "location": f"要点 第{b.line}行（{b.id}）",
                            "message": h.message + "；该要点未写入草稿",
                        }
                    )
                )
    return bad, findings


def previous_problems(previous: AnnualReport | None) -> str | None:
    """Last year's problems (its section 五, first sentences), to say what was done about them."""
    if previous is None or previous.section("problems") is None:
        return None
    text = re.sub(r"\s+", "", previous.section_text("problems"))
    m = re.search(r"[^。]*(?:一是|主要表现在|存在)[^。]*。", text)
    return m.group(0) if m else None


def _exemplars(
    notes: Notes, agency: str, settings: Settings
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    hits: dict[str, list[dict[str, Any]]] = {}
    warnings: list[str] = []
    for part, (_, section, _, title) in PART_BY_KEY.items():
        query = title + " " + " ".join(b.text for b in notes.part(part))
        found, warning = find_exemplars(query, section=section, exclude_agency=agency, settings=settings)
        hits[part] = found
        if warning and warning not in warnings:
            warnings.append(warning)
    hits["overview"] = hits.get("proactive", [])
    return hits, warnings


@dataclass
class Composed:
    paragraphs: dict[str, list[Paragraph]]
    usage: str = ""
    stats: dict[str, int] = field(default_factory=dict)
    fallbacks: dict[str, str] = field(default_factory=dict)  # title → reason


def compose(
    ctx: ComposeContext,
    settings: Settings,
    guards: DraftGuards,
    *,
    use_llm: bool,
    progress: DraftProgress | None = None,
    client: Any = None,
) -> Composed:
    paragraphs = compose_all(ctx)
    if not use_llm:
        return Composed(paragraphs)
    from agent.draft.compose_llm import draft_parts_llm
    from agent.llm import LLMClient, UsageMeter

    deadline = settings.draft_deadline if settings.draft_deadline > 0 else None
    if client is None:
        bounded = settings.model_copy(
            update={"llm_timeout": min(settings.llm_timeout, deadline or settings.llm_timeout)}
        )
        bounded._layers = getattr(settings, "_layers", None)  # type: ignore[attr-defined]
        client = LLMClient(bounded, meter=UsageMeter())
    meter = client.meter
    parts = [p for p in LLM_PARTS if [b for b in ctx.notes.part(p) if b.text.strip() != "无"]]
    drafted = draft_parts_llm(
        ctx,
        parts,
        client,
        guards.guards,
        deadline=deadline,
        progress=progress,
        concurrency=settings.llm_concurrency,
    )
    fallbacks = {PART_BY_KEY[p][3]: para.reason for p, para in drafted.items() if para.origin == "fallback"}
    for section, paras in paragraphs.items():
        paragraphs[section] = [
            drafted.get(p.part, p) if p.part in drafted and not p.heading else p for p in paras
        ]
    snap = meter.snapshot()
    stats = {
        "calls": snap.calls,
        "prompt_tokens": snap.prompt_tokens,
        "completion_tokens": snap.completion_tokens,
    }
    return Composed(paragraphs, meter.summary(), stats, fallbacks)


def draft_report(
    notes_path: Path,
    figures_path: Path,
    out_dir: Path,
    settings: Settings,
    *,
    previous_path: Path | None = None,
    agency: str | None = None,
    year: int | None = None,
    offline: bool = False,
    place: str | None = None,
    progress: DraftProgress | None = None,
    client: Any = None,
) -> DraftResult:
    """``client``: an LLM client to use instead of the configured one (e.g. recorded replies,
    :class:`agent.draft.replay.ReplayClient`); it implies LLM mode."""
    started = time.perf_counter()
    notes, fig, agency, year = prepare_inputs(notes_path, figures_path, agency, year)
    previous = read_report(previous_path) if previous_path else None
    conflicting, conflict_findings = notes_conflicts(notes, fig)
    notes.bullets = [b for b in notes.bullets if b not in conflicting]
    restated = drop_restatements(
        notes.bullets, all_facts(fig), (agency, self_reference(agency), "本局", "我局")
    )
    notes.bullets = [b for b in notes.bullets if b.text]
    exemplars, warnings = _exemplars(notes, agency, settings)
    ctx = ComposeContext(notes, fig, agency, year, exemplars, previous_problems(previous))
    from agent.report.foreign import known_agencies

    guards = build_guards(ctx, place or notes.place, known_agencies())
    if guards.places.own.message:
        warnings.append(guards.places.own.message)
    use_llm = client is not None or (settings.llm_configured and not offline)
    composed = compose(ctx, settings, guards, use_llm=use_llm, progress=progress, client=client)
    paragraphs = composed.paragraphs
    removed = [r for ps in paragraphs.values() for p in ps for r in p.removed] + _dedupe(paragraphs)
    markdown = report_markdown(fig, narratives(paragraphs), agency=agency, year=year)
    report = parse_report(markdown, source=str(out_dir / "draft.md"))
    report.info_fee = fig.info_fee
    findings = conflict_findings + check_report(report, previous=previous)
    mode = "llm" if use_llm else "offline"
    warnings += notes.warnings + figures_warnings(fig)
    files, backups = _write_outputs(
        out_dir,
        markdown,
        docx=lambda path: _write_docx(path, agency, year, paragraphs, fig, settings),
        check=_check_json(report, findings, mode, warnings, composed.fallbacks, removed),
        sources=_sources_json(paragraphs, notes, conflicting, guards, restated),
    )
    return DraftResult(
        out_dir,
        files,
        mode,
        findings,
        composed.usage,
        list(composed.fallbacks),
        backups,
        usage_stats=composed.stats,
        seconds=time.perf_counter() - started,
        fallback_reasons=composed.fallbacks,
        removed=removed,
        warnings=warnings,
    )


def _write_outputs(
    out_dir: Path, markdown: str, *, docx: Callable[[Path], None], check: str, sources: str
) -> tuple[dict[str, Path], list[Path]]:
    """The four files, all or nothing (a temporary folder beside ``out_dir``, moved in when every
    file is complete); files already there are kept as backups with unique names."""
    writers: dict[str, Callable[[Path], None]] = {
        "draft.md": lambda path: write_text(path, markdown),
        "draft.docx": docx,
        "draft.check.json": lambda path: write_text(path, check),
        "draft.sources.json": lambda path: write_text(path, sources),
    }
    assert tuple(writers) == OUTPUT_NAMES
    return publish_files(out_dir, writers)


def _write_docx(
    path: Path,
    agency: str,
    year: int,
    paragraphs: dict[str, list[Paragraph]],
    fig: Figures,
    settings: Settings,
) -> None:
    from agent.draft.docx_report import write_report_docx

    write_report_docx(
        path,
        title=report_title(agency, year),
        preamble=default_preamble(year),
        paragraphs=paragraphs,
        figures=fig,
        settings=settings,
    )


def _check_json(
    report: AnnualReport,
    findings: list[Finding],
    mode: str,
    warnings: list[str],
    fallbacks: dict[str, str],
    removed: list[dict[str, Any]],
) -> str:
    data = {
        "report": report_summary(report),
        "mode": mode,
        "findings": [
            f.model_dump(include={"rule", "severity", "message", "location", "section"}) for f in findings
        ],
        "summary": {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")},
        "warnings": warnings,
        "llm_fallbacks": [{"part": title, "reason": reason} for title, reason in fallbacks.items()],
        "removed_sentences": removed,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _dedupe(paragraphs: dict[str, list[Paragraph]]) -> list[dict[str, Any]]:
    """No sentence twice anywhere in the draft: later repeats are removed (and listed)."""
    body = [p for ps in paragraphs.values() for p in ps if not p.heading]
    texts, removed = dedupe_sentences([p.text for p in body])
    for p, text in zip(body, texts, strict=True):
        p.text = text
    return [{"part": None, "text": t, "kind": "duplicate", "reason": "与前文重复"} for t in removed]


def _sources_json(
    paragraphs: dict[str, list[Paragraph]],
    notes: Notes,
    conflicting: list[Bullet],
    guards: DraftGuards,
    restated: list[Restated],
) -> str:
    by_id = {b.id: b for b in notes.bullets}
    items = []
    for section, paras in paragraphs.items():
        for i, p in enumerate(paras):
            if p.heading:
                continue
            guard = guards.for_part(p.part)
            items.append(
                {
                    "section": section,
                    "part": p.part,
                    "index": i,
                    "origin": p.origin,
                    "text": p.text,
                    "sentences": sentence_sources(p.text, guard),
                    "bullets": [
                        {"id": b, "text": by_id[b].text, "line": by_id[b].line}
                        for b in p.bullets
                        if b in by_id
                    ],
                    "figures": p.facts,
                    "exemplars": [
                        {k: h.get(k) for k in ("document", "title", "section_path", "agency", "score")}
                        for h in p.exemplars
                    ],
                    **({"offline_reason": p.reason} if p.reason else {}),
                }
            )
    data = {
        "paragraphs": items,
        "bullets_not_used": [
            {"id": b.id, "text": b.text, "line": b.line, "reason": "与统计数据矛盾"} for b in conflicting
        ]
        + [
            {"id": r.bullet.id, "text": r.original, "line": r.bullet.line, "reason": "统计数据句已写明"}
            for r in restated
            if r.whole
        ],
        "bullets_shortened": [
            {"id": r.bullet.id, "text": r.original, "kept": r.bullet.text, "dropped": r.dropped}
            for r in restated
            if not r.whole
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
