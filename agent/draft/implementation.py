"""政务公开工作要点落实情况的报告: answered item by item, in the register of seed 000.

Notes name the notice items they answer, by id or by title::

    ---
    机关: 示例县民族宗教事务局
    年度: 2022
    ---
    # 三（二） 强化政务公开平台建设
    - 门户网站于11月完成IPv6改造
    # 主要领导听取汇报        ← matched to the item by its words
    - 局长办公会2次听取政务公开工作汇报
    # 下一步工作打算
    - 加强培训

The draft has a title, an opening paragraph, 一、工作开展情况 with one paragraph per item
(grouped under the notice's own headings), and 二、下一步工作打算. Items without bullets are
marked 【待补充：…】. The same guardrails as the annual report hold (grounded numbers, no
other agency or place, no placeholders), and draft.check.json carries the coverage matrix.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.draft.compose_offline import CN_ORDINALS, Paragraph, enumerate_clauses, formalize, self_reference
from agent.draft.guard import Guard
from agent.draft.guardrails import Allowed, all_violations, bigrams, numbers_in
from agent.draft.notes import Bullet, read_note_lines
from agent.draft.notes_input import read_notes_text
from agent.draft.ownplace import PlaceRule, place_rule
from agent.errors import InputError
from agent.fsutil import publish_files, write_text
from agent.settings import Settings
from agent.workpoints.requirements import Notice, Requirement, read_notice

NEXT_WORDS = ("下一步", "打算", "改进措施", "工作计划")
_ID_RE = re.compile(r"([一二三四五六七八九十]+)\s*[（(]\s*([一二三四五六七八九十]+)\s*[)）]")


@dataclass
class ImplNotes:
    agency: str | None = None
    year: int | None = None
    items: dict[str, list[Bullet]] = field(default_factory=dict)  # requirement id → bullets
    next_steps: list[Bullet] = field(default_factory=list)
    unmatched: list[Bullet] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def bullets(self) -> list[Bullet]:
        return [b for bs in self.items.values() for b in bs] + self.next_steps + self.unmatched


def match_requirement(heading: str, notice: Notice) -> Requirement | None:
    """By printed id (三（二）), else by the largest bigram overlap with an item's title (≥ 0.3)."""
    m = _ID_RE.search(heading)
    if m:
        found = notice.get(f"{m.group(1)}（{m.group(2)}）")
        if found:
            return found
    grams = bigrams(heading)
    best, score = None, 0.0
    for req in notice.requirements:
        title = bigrams(req.title)
        overlap = len(grams & title) / max(1, min(len(grams), len(title)))
        if overlap > score:
            best, score = req, overlap
    return best if score >= 0.3 else None


def parse_impl_notes(text: str, notice: Notice, source: str = "") -> ImplNotes:
    holder, lines = read_note_lines(text, source)
    notes = ImplNotes(agency=holder.agency, year=holder.year)
    target: str | None = None  # requirement id, "next" or None
    for nl in lines:
        if nl.level:
            target = _heading_target(nl.text, notice, notes, nl.line)
            continue
        bullet = Bullet(
            id=f"B{len(notes.bullets) + 1}", text=nl.text, part=target or "unmatched", line=nl.line
        )
        if target == "next":
            notes.next_steps.append(bullet)
        elif target:
            notes.items.setdefault(target, []).append(bullet)
        else:
            notes.unmatched.append(bullet)
    return notes


def _heading_target(title: str, notice: Notice, notes: ImplNotes, line: int) -> str | None:
    if any(w in title for w in NEXT_WORDS):
        return "next"
    req = match_requirement(title, notice)
    if req is None:
        notes.warnings.append(
            f"第{line}行：标题“{title}”对应不上工作要点中的任何一项，其下要点写入“其他工作”"
        )
        return None
    return req.id


def load_impl_notes(path: Path, notice: Notice) -> ImplNotes:
    text, warnings = read_notes_text(path)  # type, size, encoding, control characters, HTML
    notes = parse_impl_notes(text, notice, str(path))
    notes.warnings[:0] = warnings
    if not notes.bullets:
        raise InputError("没有找到任何要点（以“- ”开头的行）", path=str(path))
    return notes


# --------------------------------------------------------------------------- composing


@dataclass
class ImplDraft:
    title: str
    paragraphs: list[Paragraph]

    def markdown(self) -> str:
        lines = [f"# {self.title}", ""]
        for p in self.paragraphs:
            if p.heading and p.part == "h1":
                lines += [f"## {p.text}", ""]
            elif p.heading:
                lines += [f"### {p.text}", ""]
            else:
                lines += [p.text, ""]
        return "\n".join(lines).rstrip() + "\n"


def impl_title(agency: str, year: int) -> str:
    return f"{agency}关于{year}年政务公开工作要点落实情况的报告"


def _item_paragraph(req: Requirement, bullets: list[Bullet], n: int, we: str) -> Paragraph:
    clauses = [formalize(b.text, we) for b in bullets]
    title = req.title.rstrip("。；，")
    if not clauses:
        return Paragraph("items", req.id, f"{n}、{title}。【待补充：第{req.id}项的落实情况】")
    text = f"{n}、{title}。{enumerate_clauses(clauses)}。"
    return Paragraph("items", req.id, text, bullets=[b.id for b in bullets])


def _bullets_paragraph(section: str, part: str, lead: str, bullets: list[Bullet], we: str) -> Paragraph:
    clauses = enumerate_clauses([formalize(b.text, we) for b in bullets])
    return Paragraph(section, part, f"{lead}{clauses}。", bullets=[b.id for b in bullets])


def compose_impl(
    notice: Notice, notes: ImplNotes, agency: str, year: int, texts: dict[str, str] | None = None
) -> ImplDraft:
    """The whole report; ``texts`` (item id → model text) replaces the offline item sentences."""
    we = self_reference(agency)
    source = notice.title or "工作要点"
    paras = [
        Paragraph(
            "intro",
            None,
            f"{we}认真贯彻落实《{source}》各项要求，对照工作要点逐项抓好落实，现将{year}年政务公开工作要点落实情况报告如下。",
        ),
        Paragraph("h1", "h1", "一、工作开展情况", heading=True),
    ]
    groups: dict[str, list[Requirement]] = {}
    for req in notice.requirements:
        groups.setdefault(req.parent or req.title, []).append(req)
    for g, (parent, reqs) in enumerate(groups.items()):
        heading = re.sub(r"^[一二三四五六七八九十]+[、.．]\s*", "", parent).strip()
        paras.append(
            Paragraph("items", None, f"（{CN_ORDINALS[g] if g < 10 else g + 1}）{heading}", heading=True)
        )
        for n, req in enumerate(reqs, 1):
            para = _item_paragraph(req, notes.items.get(req.id, []), n, we)
            if texts and req.id in texts:
                para = Paragraph(
                    "items",
                    req.id,
                    f"{n}、{req.title.rstrip('。；，')}。{texts[req.id]}",
                    bullets=para.bullets,
                    origin="llm",
                )
            paras.append(para)
    if notes.unmatched:
        paras.append(_bullets_paragraph("items", "unmatched", "此外，", notes.unmatched, we))
    paras.append(Paragraph("h1", "h1", "二、下一步工作打算", heading=True))
    if notes.next_steps:
        paras.append(_bullets_paragraph("next", "next", f"下一步，{we}将", notes.next_steps, we))
    else:
        paras.append(Paragraph("next", "next", "【待补充：下一步工作打算】"))
    return ImplDraft(impl_title(agency, year), paras)


# --------------------------------------------------------------------------- LLM


def llm_item_texts(
    notice: Notice, notes: ImplNotes, agency: str, year: int, settings: Settings
) -> tuple[dict[str, str], str, list[str]]:
    """Model text per item with bullets (guarded); items whose calls fail keep the offline text."""
    from agent.draft.compose_llm import GuardedJob, run_guarded
    from agent.draft.guard import final_text
    from agent.draft.guardrails import bullet_used
    from agent.llm import LLMClient, UsageMeter
    from agent.prompt_templates import load_prompt

    meter = UsageMeter()
    client = LLMClient(settings, meter=meter)
    places = _place_rule(agency, notes)
    system = load_prompt("draft_system").render()
    jobs: dict[str, GuardedJob] = {}
    for req in notice.requirements:
        bullets = notes.items.get(req.id, [])
        if not bullets:
            continue
        user = load_prompt("draft_item").render(
            agency=agency,
            we=self_reference(agency),
            year=str(year),
            notice_title=notice.title or "工作要点",
            item_id=req.id,
            item_title=req.title,
            item_text=req.text[:400],
            bullets="\n".join(f"{b.id}. {b.text}" for b in bullets),
        )
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        jobs[req.id] = GuardedJob(req.id, bullets, messages, _item_guard(req, bullets, places, agency, year))
    run_guarded(jobs, client, deadline=settings.draft_deadline or None, concurrency=settings.llm_concurrency)
    texts: dict[str, str] = {}
    failed: list[str] = []
    for key, job in jobs.items():
        if job.error is not None or not job.text or job.guard is None:
            failed.append(key)
            continue
        text, kept, _ = final_text(job.text, job.guard)
        used = "".join(v.sentence for v in kept)
        missing = [b for b in job.bullets if not bullet_used(b, used)]
        if missing:
            text += enumerate_clauses([formalize(b.text, self_reference(agency)) for b in missing]) + "。"
        texts[key] = text
    return texts, meter.summary(), failed


def _place_rule(agency: str, notes: ImplNotes) -> PlaceRule:
    from agent.report.foreign import known_agencies

    return place_rule(agency, None, [b.text for b in notes.bullets], known_agencies())


def _item_guard(req: Requirement, bullets: list[Bullet], places: PlaceRule, agency: str, year: int) -> Guard:
    """An item's text rests on its bullets; the item's own words may frame it."""
    notice = Bullet(f"要点{req.id}", f"{req.title}。{req.text[:400]}", "notice", 0)
    years = frozenset({float(year), float(year - 1), float(year + 1)})
    names = (agency, self_reference(agency), "本局", "我局", "本机关")
    return Guard([*bullets], [], places, None, names, years, extra_sources=[notice])


# --------------------------------------------------------------------------- pipeline


@dataclass
class ImplResult:
    out_dir: Path
    files: dict[str, Path]
    mode: str
    findings: list[dict[str, str]]
    usage: str = ""
    fallbacks: list[str] = field(default_factory=list)
    seconds: float = 0.0
    backups: list[Path] = field(default_factory=list)


def draft_implementation(
    notes_path: Path,
    notice_path: Path,
    out_dir: Path,
    settings: Settings,
    *,
    agency: str | None = None,
    year: int | None = None,
    offline: bool = False,
) -> ImplResult:
    from agent.figures.docx_style import (
        add_body_paragraph,
        add_heading1,
        add_heading2,
        add_title,
        new_document,
    )
    from agent.workpoints.coverage import coverage
    from agent.workpoints.coverage_output import coverage_dict

    started = time.perf_counter()
    notice = read_notice(notice_path)
    notes = load_impl_notes(notes_path, notice)
    agency = agency or notes.agency
    year = year or notes.year or notice.year
    if not agency or not year:
        raise InputError(
            "没有机关名称或年度：请在要点文件开头写“机关: …”“年度: …”，或使用 --agency/--year",
            path=str(notes_path),
        )
    use_llm = settings.llm_configured and not offline
    texts, usage, failed = llm_item_texts(notice, notes, agency, year, settings) if use_llm else ({}, "", [])
    draft = compose_impl(notice, notes, agency, year, texts)
    markdown = draft.markdown()
    findings = _impl_findings(markdown, agency, notes, notice)
    cov = coverage(markdown, notice, source=str(out_dir / "draft.md"))
    doc = new_document(settings)
    add_title(doc, draft.title, settings)
    for p in draft.paragraphs:
        (add_heading1 if p.part == "h1" else add_heading2 if p.heading else add_body_paragraph)(
            doc, p.text, settings
        )
    check = {
        "kind": "implementation",
        "mode": "llm" if use_llm else "offline",
        "findings": findings,
        "coverage": coverage_dict(cov),
        "warnings": notice.warnings + notes.warnings,
        "llm_fallbacks": failed,
    }
    sources = [
        {
            "part": p.part,
            "text": p.text,
            "origin": p.origin,
            "bullets": [
                {"id": b.id, "text": b.text, "line": b.line} for b in notes.bullets if b.id in p.bullets
            ],
        }
        for p in draft.paragraphs
        if not p.heading
    ]
    files, backups = _write_outputs(out_dir, markdown, doc, check, {"paragraphs": sources})
    mode = "llm" if use_llm else "offline"
    return ImplResult(
        out_dir, files, mode, findings, usage, failed, time.perf_counter() - started, backups=backups
    )


def _write_outputs(
    out_dir: Path, markdown: str, doc: Any, check: dict[str, Any], sources: dict[str, Any]
) -> tuple[dict[str, Path], list[Path]]:
    """draft.md, draft.docx, draft.check.json and draft.sources.json, all or nothing; files already
    in ``out_dir`` are kept as backups with unique names (see :func:`agent.fsutil.publish_files`)."""

    def as_json(data: dict[str, Any]) -> str:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    writers: dict[str, Callable[[Path], None]] = {
        "draft.md": lambda path: write_text(path, markdown),
        "draft.docx": lambda path: doc.save(str(path)),
        "draft.check.json": lambda path: write_text(path, as_json(check)),
        "draft.sources.json": lambda path: write_text(path, as_json(sources)),
    }
    return publish_files(out_dir, writers)


def _impl_findings(markdown: str, agency: str, notes: ImplNotes, notice: Notice) -> list[dict[str, str]]:
    grounded = [b.text for b in notes.bullets] + [r.title for r in notice.requirements] + [notice.title]
    allowed = Allowed({float(notes.year or 0)} | {n for t in grounded for n in numbers_in(t)})
    if notes.year:
        allowed.numbers |= {float(notes.year - 1), float(notes.year + 1)}
    body = "\n".join(line for line in markdown.split("\n") if not line.startswith("#"))
    body = re.sub(r"^\d+、", "", body, flags=re.M)  # item numbers are not figures
    out = []
    for v in all_violations(body, allowed=allowed, agency=agency, bullets=[]):
        rule = {"number": "NUMBER-GROUNDING", "foreign": "FOREIGN-AGENCY", "placeholder": "PLACEHOLDER"}.get(
            v.kind, v.kind
        )
        out.append(
            {"rule": rule, "severity": "error", "message": f"{v.reason}：“{v.sentence}”", "location": ""}
        )
    return out
