"""The whole report as a .docx in GB/T 9704 conventions (title, headings, body, official tables)."""

from __future__ import annotations

from pathlib import Path

from agent.draft.compose_offline import Paragraph
from agent.figures.docx_style import add_body_paragraph, add_heading1, add_heading2, add_title, new_document
from agent.figures.render import add_table_to_docx, table_grids
from agent.fsutil import write_with
from agent.report.labels import SECTIONS
from agent.report.model import Figures
from agent.settings import Settings


def write_report_docx(
    path: Path,
    *,
    title: str,
    preamble: str,
    paragraphs: dict[str, list[Paragraph]],
    figures: Figures,
    settings: Settings,
) -> None:
    doc = new_document(settings)
    add_title(doc, title, settings)
    for para in preamble.split("\n\n"):
        if para.strip():
            add_body_paragraph(doc, para.strip(), settings)
    grids = {g.section.key: g for g in table_grids(figures.format)}
    for spec in SECTIONS:
        add_heading1(doc, spec.heading, settings)
        if spec.key in grids:
            add_table_to_docx(doc, grids[spec.key], figures, settings)
            continue
        for p in paragraphs.get(spec.key, []):
            for chunk in (c.strip() for c in p.text.split("\n\n")):
                if not chunk:
                    continue
                if p.heading:
                    add_heading2(doc, chunk, settings)
                else:
                    add_body_paragraph(doc, chunk, settings)
    write_with(path, lambda tmp: doc.save(str(tmp)))
