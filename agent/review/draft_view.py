"""A draft as the clerk reviews it: paragraphs with their sources and findings; edited, checked again.

:func:`draft_view` reads what ``report-agent draft`` wrote (draft.md, draft.sources.json,
draft.check.json) and gives the six sections: the narrative ones as paragraphs, each with the
bullets, figure sentences and exemplar sections it rests on and the findings whose line falls in
it; the table ones as grids (:mod:`agent.review.grid`) with the findings on their cells.

:func:`recheck_draft` takes the paragraphs as edited in the page, assembles the report again with
the same tables (:func:`agent.draft.assemble.report_markdown`), runs the checker and rewrites the
four files of the draft folder (each one atomically).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.draft.assemble import NARRATIVE_KEYS, default_preamble, report_markdown, report_title
from agent.draft.compose_offline import Paragraph
from agent.draft.docx_report import write_report_docx
from agent.fsutil import write_text
from agent.report.checks import check_report
from agent.report.findings_output import findings_json
from agent.report.labels import SECTIONS
from agent.report.model import AnnualReport, Figures
from agent.report.parser import parse_report
from agent.review.cells import ensure_cells
from agent.review.grid import TableView, table_views
from agent.review.results import finding_key
from agent.settings import Settings

_SUBHEADING = re.compile(r"^（[一二三四五六七八九十]{1,2}）\S{1,30}$")
_LINE = re.compile(r"第(\d+)行")
NOTES_PREFIX = "要点"  # findings on the notes (conflicting bullets) keep their place on a re-check
MAX_PARAGRAPH_CHARS = 5000


@dataclass
class DraftParagraph:
    section: str
    index: int  # position within the section (headings included)
    text: str
    heading: bool
    first_line: int
    last_line: int
    sources: dict[str, Any] | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    edited: bool = False

    @property
    def field_name(self) -> str:
        return f"p-{self.section}-{self.index}"


@dataclass
class DraftSection:
    key: str
    heading: str
    paragraphs: list[DraftParagraph] = field(default_factory=list)
    table: TableView | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)  # on the section, not on a paragraph


@dataclass
class DraftView:
    title: str
    sections: list[DraftSection]
    findings: list[dict[str, Any]]  # every finding (with its key)
    general: list[dict[str, Any]]  # findings on the whole report or on the notes
    summary: dict[str, int]
    mode: str
    warnings: list[str]
    not_used: list[dict[str, Any]]  # bullets left out (they contradict the figures)


def split_paragraphs(text: str, first_line: int) -> list[tuple[str, int, int]]:
    """(paragraph, first line, last line) of a section body, paragraphs separated by blank lines."""
    out: list[tuple[str, int, int]] = []
    block: list[str] = []
    start = first_line
    for i, line in enumerate([*text.split("\n"), ""]):
        if line.strip():
            if not block:
                start = first_line + i
            block.append(line.strip())
        elif block:
            out.append(("\n".join(block), start, start + len(block) - 1))
            block = []
    return out


def _paragraphs(report: AnnualReport, sources: list[dict[str, Any]], key: str) -> list[DraftParagraph]:
    section = report.section(key)
    if section is None or key not in NARRATIVE_KEYS:  # 二、三、四 are the tables
        return []
    by_text = {(s["section"], s["text"].strip()): s for s in sources}
    out = []
    body_line = getattr(section, "first_line", section.line + 1)  # the line the body starts on
    for i, (text, first, last) in enumerate(split_paragraphs(section.text, body_line)):
        src = by_text.get((key, text))
        out.append(
            DraftParagraph(
                key,
                i,
                text,
                bool(_SUBHEADING.match(text)),
                first,
                last,
                src,
                edited=bool(src and src.get("edited")),
            )
        )
    return out


def _place(findings: list[dict[str, Any]], sections: list[DraftSection]) -> list[dict[str, Any]]:
    """Put each finding on its paragraph (by line) or section; return those on neither."""
    general = []
    by_key = {s.key: s for s in sections}
    for f in findings:
        m = _LINE.search(f.get("location") or "")
        sec = by_key.get(f.get("section") or "")
        if f.get("location", "").startswith(NOTES_PREFIX) or sec is None:
            general.append(f)
            continue
        line = int(m.group(1)) if m else None
        para = next((p for p in sec.paragraphs if line and p.first_line <= line <= p.last_line), None)
        if para is not None:
            para.findings.append(f)
        else:  # on the section, or on a cell of its table (highlighted there too)
            sec.findings.append(f)
    return general


def draft_view(out_dir: Path) -> DraftView:
    markdown = (out_dir / "draft.md").read_text(encoding="utf-8")
    sources = json.loads((out_dir / "draft.sources.json").read_text(encoding="utf-8"))
    check = json.loads((out_dir / "draft.check.json").read_text(encoding="utf-8"))
    report = parse_report(markdown, source="draft.md")
    for f in check["findings"]:
        f["key"] = finding_key(f)
    ensure_cells(check, report)
    tables = {t.section: t for t in table_views(check)}
    sections = [
        DraftSection(s.key, s.heading, _paragraphs(report, sources["paragraphs"], s.key), tables.get(s.key))
        for s in SECTIONS
    ]
    general = _place(check["findings"], sections)
    return DraftView(
        title=report.title or "",
        sections=sections,
        findings=check["findings"],
        general=general,
        summary=check["summary"],
        mode=check.get("mode", ""),
        warnings=check.get("warnings", []),
        not_used=sources.get("bullets_not_used", []),
    )


def _edited_paragraphs(view: DraftView, edits: dict[str, str]) -> tuple[dict[str, list[Paragraph]], set[str]]:
    paragraphs: dict[str, list[Paragraph]] = {}
    changed: set[str] = set()
    for sec in view.sections:
        if sec.key not in NARRATIVE_KEYS:
            continue
        out = []
        for p in sec.paragraphs:
            text = p.text
            if not p.heading and p.field_name in edits:
                new = re.sub(r"\n\s*\n+", "\n", edits[p.field_name].replace("\r\n", "\n")).strip()
                if new and new != p.text:
                    text = new[:MAX_PARAGRAPH_CHARS]
                    changed.add(p.text)
            out.append(Paragraph(sec.key, None, text, heading=p.heading))
        paragraphs[sec.key] = out
    return paragraphs, changed


def recheck_draft(
    out_dir: Path,
    edits: dict[str, str],
    figures: Figures,
    settings: Settings,
    previous: AnnualReport | None = None,
) -> DraftView:
    """Apply ``edits`` ({"p-overview-3": "new text"}), check the draft again, rewrite its files."""
    view = draft_view(out_dir)
    agency, year = figures.agency or "", figures.year or 0
    paragraphs, changed = _edited_paragraphs(view, edits)
    narratives = {k: "\n\n".join(p.text for p in ps) for k, ps in paragraphs.items()}
    markdown = report_markdown(figures, narratives, agency=agency, year=year)
    report = parse_report(markdown, source=str(out_dir / "draft.md"))
    report.info_fee = figures.info_fee
    check = json.loads((out_dir / "draft.check.json").read_text(encoding="utf-8"))
    kept = [f for f in check["findings"] if str(f.get("location", "")).startswith(NOTES_PREFIX)]
    fresh = json.loads(findings_json(report, check_report(report, previous=previous)))["findings"]
    check["findings"] = kept + fresh
    check["summary"] = {
        s: sum(1 for f in check["findings"] if f["severity"] == s) for s in ("error", "warning", "info")
    }
    check["report"] = json.loads(findings_json(report, []))["report"]
    sources = json.loads((out_dir / "draft.sources.json").read_text(encoding="utf-8"))
    _carry_sources(sources, view, paragraphs, changed)
    # the .docx first: it is the file whose writing can fail on the text; each write is atomic, so
    # a failure there leaves the draft as it was before the edit
    write_report_docx(
        out_dir / "draft.docx",
        title=report_title(agency, year),
        preamble=default_preamble(year),
        paragraphs=paragraphs,
        figures=figures,
        settings=settings,
    )
    write_text(out_dir / "draft.check.json", json.dumps(check, ensure_ascii=False, indent=2) + "\n")
    write_text(out_dir / "draft.sources.json", json.dumps(sources, ensure_ascii=False, indent=2) + "\n")
    write_text(out_dir / "draft.md", markdown)
    return draft_view(out_dir)


def _carry_sources(
    sources: dict[str, Any], view: DraftView, paragraphs: dict[str, list[Paragraph]], changed: set[str]
) -> None:
    """An edited paragraph keeps the sources of the paragraph it replaced, marked as edited."""
    for sec in view.sections:
        for old, new in zip(sec.paragraphs, paragraphs.get(sec.key, []), strict=False):
            if old.sources is not None and old.text in changed:
                for s in sources["paragraphs"]:
                    if s is old.sources or (s["section"] == sec.key and s["text"].strip() == old.text):
                        s["text"], s["edited"] = new.text, True


def notes_from_parts(agency: str, year: str, parts: dict[str, str]) -> str:
    """Notes (the format of :mod:`agent.draft.notes`) from a form with one text box per part:
    each non-empty line of a box becomes a bullet under the part's official sub-heading."""
    from agent.draft.notes import PARTS

    section_titles = {s.key: s.heading.split("、", 1)[-1] for s in SECTIONS}
    lines = ["---", f"机关: {agency.strip()}", f"年度: {year.strip()}", "---", ""]
    current = None
    for key, section, _, title in PARTS:
        bullets = [ln.strip().lstrip("-*·• ").strip() for ln in parts.get(key, "").splitlines()]
        bullets = [b for b in bullets if b]
        if not bullets:
            continue
        if section != current:
            lines += [f"# {section_titles[section]}", ""]
            current = section
        if key != "other":  # the sub-heading says which part of its section the bullets are
            lines.append(f"## {title}")
        lines += [f"- {b}" for b in bullets] + [""]
    return "\n".join(lines).rstrip() + "\n"
