"""A narrative copied from last year's report: section-level similarity between consecutive years.

Reviewers look for a report whose words are last year's with the numbers changed. For each
section present in both years the text is normalised — table lines dropped, the official table
labels and headings removed, digits, spaces and punctuation removed — and cut into overlapping
runs of :data:`SHINGLE` characters. The score is the share of this year's runs that also occur
in last year's section (containment: it does not fall when last year's section was longer).

A section is flagged when it has at least :data:`MIN_CHARS` normalised characters (shorter ones,
such as a one-line 第六部分 “本年度未收取信息处理费……”, are legitimately the same every year) and a
score of at least :data:`COPY_THRESHOLD`. Calibration, ``python bench/copy_similarity.py``: the real
consecutive pair 平潭综合实验区 2021 → 2022 scores 0.09 over the whole text (today's parser finds no
sections in that one-line crawler text, so the whole narratives are compared) and 0.01 in 总体情况
and 五 once its sections are found; copies of the 2021 report with every number changed score 1.00,
with a quarter of the sentences replaced 0.79 (0.71–0.93 over five seeds), with half 0.52
(0.40–0.61), with three quarters 0.35 (0.30–0.39). 0.5 flags a section of which about half or more
is last year's word for word, and leaves the real pair far below. Only one real consecutive pair
was available: the threshold should be re-measured when more are.
When neither report's sections are found, the whole narratives are compared as one part “全文”.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from agent.report.labels import (
    SECTIONS,
    TABLE2_BLOCKS,
    TABLE2_ROW_HEADER,
    TABLE2_TITLE,
    TABLE3_APPLICANTS,
    TABLE3_COLUMNS,
    TABLE3_CORNER,
    TABLE3_ORGS,
    TABLE3_ROWS,
    TABLE3_TITLE,
    TABLE3_TOPS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    TABLE4_LITIGATION,
    TABLE4_REVIEW,
    TABLE4_TITLE,
)
from agent.report.model import AnnualReport

SHINGLE = 8
MIN_CHARS = 100
COPY_THRESHOLD = 0.5
WHOLE = "全文"

_TABLE_LINE = re.compile(r"^\s*\|")  # the readers write table rows as "| a | b |" lines
_DROP = re.compile(r"[\s\d０-９.,，。、；;：:！!？?（）()《》“”\"'‘’【】\[\]\-—–/／%％·]+")


@cache
def _labels() -> tuple[str, ...]:
    """Official headings and table labels, longest first (removed before comparing)."""
    labels: set[str] = {s.heading.split("、", 1)[-1] for s in SECTIONS}
    labels |= {TABLE2_TITLE, TABLE2_ROW_HEADER, TABLE3_TITLE, TABLE3_CORNER, TABLE3_APPLICANTS, TABLE3_ORGS}
    labels |= {TABLE4_TITLE, TABLE4_REVIEW, TABLE4_LITIGATION, *TABLE3_TOPS}
    for blocks in TABLE2_BLOCKS.values():
        for b in blocks:
            labels |= {b.label} | {c.label for c in b.columns} | {rl for _, rl in b.rows}
    for rows in TABLE3_ROWS.values():
        labels |= {r.label for r in rows} | {r.group for r in rows if r.group}
    labels |= {c.label for c in TABLE3_COLUMNS} | {c.label for c in TABLE4_COLUMNS}
    labels |= {label for _, label in TABLE4_GROUPS}
    cleaned = {_DROP.sub("", x) for x in labels}
    return tuple(sorted((x for x in cleaned if len(x) >= 2), key=len, reverse=True))


def normalize(text: str) -> str:
    lines = [ln for ln in text.split("\n") if not _TABLE_LINE.match(ln)]
    flat = _DROP.sub("", "".join(lines))
    for label in _labels():
        flat = flat.replace(label, "")
    return flat


def shingles(text: str, n: int = SHINGLE) -> set[str]:
    return {text[i : i + n] for i in range(max(0, len(text) - n + 1))}


def containment(this: str, last: str) -> float:
    """Share of ``this``'s shingles found in ``last`` (both normalised)."""
    mine = shingles(this)
    if not mine:
        return 0.0
    return len(mine & shingles(last)) / len(mine)


@dataclass(frozen=True)
class SectionSimilarity:
    section: str  # section key, or WHOLE
    heading: str
    score: float
    chars: int  # normalised characters of this year's text

    @property
    def copied(self) -> bool:
        return self.chars >= MIN_CHARS and self.score >= COPY_THRESHOLD


def _whole(report: AnnualReport) -> str:
    return "\n".join([report.preamble, *(s.text for s in report.sections)]) or "\n".join(report.lines)


def section_similarity(report: AnnualReport, previous: AnnualReport) -> list[SectionSimilarity]:
    """Similarity per section found in both reports (or of the whole text when none is)."""
    out: list[SectionSimilarity] = []
    mine = {s.key: s for s in report.sections}
    theirs = {s.key: s for s in previous.sections}
    for spec in SECTIONS:
        if spec.key in mine and spec.key in theirs:
            a, b = normalize(mine[spec.key].text), normalize(theirs[spec.key].text)
            out.append(SectionSimilarity(spec.key, spec.heading, round(containment(a, b), 3), len(a)))
    if not out:
        a, b = normalize(_whole(report)), normalize(_whole(previous))
        out.append(SectionSimilarity(WHOLE, WHOLE, round(containment(a, b), 3), len(a)))
    return out


def copied_sections(report: AnnualReport, previous: AnnualReport) -> list[SectionSimilarity]:
    return [s for s in section_similarity(report, previous) if s.copied]
