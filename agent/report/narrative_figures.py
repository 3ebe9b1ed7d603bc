"""NARRATIVE-TABLE, widened: the narrative's breakdown of results and its Table 2 counts.

- The result categories both formats' narratives give (``予以公开及部分公开 208 件``,
  ``不予公开 20 件``, ``无法提供 564 件``, ``不予处理 80 件``, ``其他处理 319 件``) against the sums
  of their rows in Table 3, and the applications received written before the word 申请
  (``共收到70件申请``) against 新收 (or 新收 + 上年结转).
- Table 2 counts stated in the narrative (``现行有效行政规范性文件698件``): a warning, since a
  narrative often counts on another basis (口径); when the cell could not be read, the statement is
  compared with every reading the printed digits allow.

Only cells that were read or derived are compared; nothing is said about an uncertain one except
in the Table 2 case above.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agent.report.labels import TABLE3_RESULT_ROWS
from agent.report.model import AnnualReport, Finding, Table3, make_finding
from agent.report.narrative import Sentence
from agent.report.tables import as_number

_NUM = r"(\d[\d,]*)\s*件"
_GAP = r"[^。；，,\d（(]{0,8}?"
_CATEGORIES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "granted_partial",
        re.compile(r"予以公开(?:及|和|与|或|、)部分公开" + _GAP + _NUM),
        "（一）予以公开与（二）部分公开之和",
    ),
    ("granted", re.compile(r"(?<![不])予以公开(?!及|和|与|或|、)" + _GAP + _NUM), "（一）予以公开"),
    ("partial", re.compile(r"(?<![及和与或、])部分公开" + _GAP + _NUM), "（二）部分公开"),
    ("denied", re.compile(r"不予公开" + _GAP + _NUM), "（三）不予公开各项之和"),
    ("unable", re.compile(r"无法提供" + _GAP + _NUM), "（四）无法提供各项之和"),
    ("refused", re.compile(r"不予处理" + _GAP + _NUM), "（五）不予处理各项之和"),
    ("other", re.compile(r"其他处理" + _GAP + _NUM), "（六）其他处理各项之和"),
)
_RECEIVED_RE = re.compile(
    r"(?:收到|新收|受理|接收|接到)[^。；，,\d]{0,8}?" + _NUM + r"[^。；，,\d]{0,6}?申请"
)


def _sum(t: Table3, rows: Iterable[str]) -> int | None:
    values = [as_number(t.get(r, "total")) for r in rows]
    if any(v is None for v in values):
        return None
    return int(sum(v for v in values if v is not None))


def category_totals(t: Table3) -> dict[str, int | None]:
    results = TABLE3_RESULT_ROWS[t.format]
    return {
        "granted_partial": _sum(t, ("granted", "partial")),
        "granted": _sum(t, ("granted",)),
        "partial": _sum(t, ("partial",)),
        "denied": _sum(t, [r for r in results if r.startswith("denied_")]),
        "unable": _sum(t, [r for r in results if r.startswith("unable_")]),
        "refused": _sum(t, [r for r in results if r.startswith("refused_")]),
        "other": _sum(t, [r for r in results if r == "other" or r.startswith("other_")]),
    }


def result_figures(report: AnnualReport, sentences: Iterable[Sentence]) -> list[Finding]:
    t = report.table3
    if t is None:
        return []
    totals = category_totals(t)
    new, carried = as_number(t.get("new", "total")), as_number(t.get("carried", "total"))
    received = {int(new), int(new + carried)} if new is not None and carried is not None else set()
    out: list[Finding] = []
    for sent in sentences:
        for key, pattern, where in _CATEGORIES:
            expected = totals[key]
            for m in pattern.finditer(sent.text):
                said = int(m.group(1).replace(",", ""))
                if expected is not None and said != expected:
                    out.append(_mismatch(sent, f"正文写{said}件，表三{where}为{expected}"))
        if received and "申请" in sent.text:
            for m in _RECEIVED_RE.finditer(sent.text):
                said = int(m.group(1).replace(",", ""))
                if said not in received:
                    shown = "或".join(str(x) for x in sorted(received))
                    out.append(
                        _mismatch(
                            sent, f"正文写收到申请{said}件，表三“一、本年新收”总计（或加上年结转）为{shown}"
                        )
                    )
    return out


def _mismatch(sent: Sentence, text: str) -> Finding:
    return make_finding("NARRATIVE-TABLE", f"{text}：{sent.quote}", sent.location(), sent.section)


def table2_statements(report: AnnualReport, sentences: Iterable[Sentence]) -> list[Finding]:
    """Table 2 counts the narrative states that no reading of the table gives (warnings)."""
    from agent.report.table_hints import narrative_hints

    t = report.table2
    if t is None:
        return []
    block = t.blocks[0]
    out: list[Finding] = []
    for sent in sentences:
        for (row, i), said in narrative_hints(sent.text, t.format, loose=True).items():
            rk = row.split("/")[1]
            col = block.columns[i]
            rd = t.readings.get(f"{row}|{col.key}")
            value = as_number(t.get(block.key, rk, col.key))
            label = dict(block.rows)[rk]
            if value is not None and value != said:
                shown = f"表二 {label} × {col.label}为{value:g}"
            elif rd is not None and rd.state == "uncertain" and rd.raw and said not in rd.candidates:
                shown = f"表二 {label} × {col.label}（原文“{rd.raw}”）的任何读法都不是{said}"
            else:
                continue
            out.append(
                make_finding(
                    "NARRATIVE-TABLE",
                    f"正文中{label}的数字为{said}，{shown}（口径可能不同，请核对）：{sent.quote}",
                    sent.location(),
                    sent.section,
                    severity="warning",
                )
            )
    return out
