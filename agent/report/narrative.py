"""Sentences of the narrative with their place in the document, for quoting in findings."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from agent.report.labels import SECTION_BY_KEY
from agent.report.model import AnnualReport, Section

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n\s*\n")
_TABLE_LINE = re.compile(r"[|\t]")
_LINE_BREAK = re.compile(r"\s*\n\s*")
NARRATIVE_SECTIONS = ("overview", "problems", "other")


@dataclass(frozen=True)
class Sentence:
    text: str  # with line breaks removed
    section: str | None  # section key, None for the preamble
    line: int  # 1-based line in the document

    @property
    def quote(self) -> str:
        t = self.text.strip()
        return f"“{t if len(t) <= 90 else t[:88] + '……'}”"

    def location(self) -> str:
        where = SECTION_BY_KEY[self.section].heading if self.section else "报告开头"
        return f"{where} 第{self.line}行"


def _narrative_lines(text: str) -> list[str]:
    """Table lines blanked (kept as '' so line numbers hold)."""
    return ["" if _TABLE_LINE.search(line) else line for line in text.split("\n")]


def split_sentences(text: str, section: str | None, first_line: int) -> Iterator[Sentence]:
    """The sentences of ``text`` with the line each starts on, in one pass (linear time)."""
    body = "\n".join(_narrative_lines(text))
    pos = 0
    line = first_line  # line of body[pos]
    for piece in _SENTENCE_END.split(body):
        if piece is None:
            continue
        start = body.find(piece, pos) if piece else pos
        line += body.count("\n", pos, start)
        flat = (_LINE_BREAK.sub("", piece) if "\n" in piece else piece).strip()
        if flat:
            lead = len(piece) - len(piece.lstrip())
            yield Sentence(flat, section, line + piece.count("\n", 0, lead))
        line += piece.count("\n")
        pos = start + len(piece)


@functools.lru_cache(maxsize=8)
def _sentences(text: str, section: str | None, first_line: int) -> tuple[Sentence, ...]:
    """Split once per text: every rule of ``check`` walks the same sections' sentences."""
    return tuple(split_sentences(text, section, first_line))


def section_sentences(section: Section) -> Iterator[Sentence]:
    yield from _sentences(section.text, section.key, section.first_line)


def report_sentences(report: AnnualReport, keys: tuple[str, ...] = NARRATIVE_SECTIONS) -> Iterator[Sentence]:
    for s in report.sections:
        if s.key in keys:
            yield from section_sentences(s)


def preamble_sentences(report: AnnualReport) -> Iterator[Sentence]:
    yield from _sentences(report.preamble, None, 1)
