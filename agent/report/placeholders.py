"""PLACEHOLDER: text left unfilled — placeholder words, and a number missing from a list of counts.

``待补充``, ``XX``, ``×××``, ``{{…}}`` are errors. In a list of counts where the other items give
their number (``核准企业资质条、施工许可证76条、安全生产许可证121条``) an item with none is a
warning: the number was probably dropped. ``有待完善`` (still to be improved) is ordinary prose.
"""

from __future__ import annotations

import re

from agent.report.labels import SECTIONS
from agent.report.model import AnnualReport, Finding, make_finding
from agent.report.narrative import Sentence, preamble_sentences, report_sentences

PLACEHOLDER_RE = re.compile(
    r"(?<![有亟尚还仍])(?:待补充|待完善|待填写|待定|待核实)|请填写|此处填写|(?<![A-Za-z])[XxＸｘ]{2,}(?![A-Za-z])|[×╳]{2,}|[○〇□]{2,}|TODO|TBD|\{\{[^}]*\}\}|【[^】]{0,20}】|\?\?\?|？？"
)
_CLAUSE_RE = re.compile(r"[^，,；;。：:（）()]+")
_COUNTED_RE = re.compile(r"\d+\s*(条|件|个|项|篇|期|场|次)$")
_UNCOUNTED_RE = re.compile(r"[\u4e00-\u9fff]{3,}?([\u4e00-\u9fff])(条|件|篇|期|场)$")


def check_placeholders(report: AnnualReport) -> list[Finding]:
    out: list[Finding] = []
    for sent in [*preamble_sentences(report), *report_sentences(report, tuple(s.key for s in SECTIONS))]:
        for m in PLACEHOLDER_RE.finditer(sent.text):
            out.append(
                make_finding(
                    "PLACEHOLDER", f"残留占位文字“{m.group(0)}”：{sent.quote}", sent.location(), sent.section
                )
            )
        out += _missing_numbers(sent)
    return out


def _missing_numbers(sent: Sentence) -> list[Finding]:
    out: list[Finding] = []
    for clause in _CLAUSE_RE.findall(sent.text):
        items = [i.strip() for i in clause.split("、")]
        if len(items) < 3:
            continue
        units = [m.group(1) for i in items if (m := _COUNTED_RE.search(i))]
        for item in items:
            m = _UNCOUNTED_RE.search(item)
            if m and units.count(m.group(2)) >= 2 and not _COUNTED_RE.search(item):
                out.append(
                    make_finding(
                        "PLACEHOLDER",
                        f"“{item}”没有数字，同一列举中其他各项都有（疑似漏填）：{sent.quote}",
                        sent.location(),
                        sent.section,
                        severity="warning",
                    )
                )
    return out
