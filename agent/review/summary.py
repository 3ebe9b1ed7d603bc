"""The batch summary as rows, and as xlsx, html or JSON.

One row per report (agency, year, format, counts by severity, uncertain cells, cross-year status,
rules fired); one sheet (or section) per report with its findings; a roll-up by rule. A single
report's reviewed result (findings with the reviewer's marks) uses the same findings sheet.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from agent.errors import InputError
from agent.fsutil import write_text, write_with
from agent.report.labels import RULE_BY_ID, SECTION_BY_KEY
from agent.review.batch import Review, ReviewedReport
from agent.review.results import COPY_RULE, COPY_SUMMARY

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
MARK_NAMES = {"verified": "已核实", "ignored": "忽略"}
FORMAT_NAMES = {"2021": "2021年版", "2019": "2019年版"}
STATUS_NAMES = {
    "ok": "一致",
    "mismatch": "不一致",
    "no_previous": "无上年报告",
    "unknown": "无法配对",
    "duplicate": "重复",
}
SUMMARY_COLUMNS = (
    "序号",
    "文件",
    "机关",
    "年度",
    "格式",
    "错误",
    "警告",
    "提示",
    "不确定单元格",
    "跨年度核对",
    "触发的规则",
    "说明",
)
FINDING_COLUMNS = ("部分", "严重程度", "规则", "位置", "说明")
MARK_COLUMNS = ("核实", "备注")
RULE_COLUMNS = ("规则", "说明", "严重程度", "涉及报告数", "次数", "涉及的报告")
OUTPUT_SUFFIXES = (".xlsx", ".html")


def rule_summary(rule: str) -> str:
    if rule == COPY_RULE:
        return COPY_SUMMARY
    spec = RULE_BY_ID.get(rule)
    return spec.summary if spec else rule


def summary_row(i: int, r: ReviewedReport) -> dict[str, Any]:
    if r.data is None:
        values: list[Any] = [i, r.name, "", "", "", "", "", "", "", "", "", f"无法读取：{r.error}"]
        return dict(zip(SUMMARY_COLUMNS, values, strict=True))
    d = r.data
    rep, c = d["report"], d["summary"]
    cross = d.get("cross_year") or {}
    values = [
        i,
        r.name,
        rep.get("agency") or "未识别",
        rep.get("year") or "未识别",
        FORMAT_NAMES.get(rep.get("format"), rep.get("format") or ""),
        c["error"],
        c["warning"],
        c["info"],
        d.get("uncertain_cells", 0),
        cross.get("note", ""),
        "、".join(d.get("rules", [])),
        "",
    ]
    return dict(zip(SUMMARY_COLUMNS, values, strict=True))


def finding_rows(data: dict[str, Any], marks: dict[str, dict[str, str]] | None = None) -> list[list[Any]]:
    rows = []
    for f in data["findings"]:
        section = SECTION_BY_KEY[f["section"]].heading if f.get("section") in SECTION_BY_KEY else "全文"
        row = [
            section,
            SEVERITY_NAMES.get(f["severity"], f["severity"]),
            f["rule"],
            f["location"],
            f["message"],
        ]
        if marks is not None:
            m = marks.get(f.get("key", ""), {})
            row += [MARK_NAMES.get(m.get("status", ""), ""), m.get("note", "")]
        rows.append(row)
    return rows


def rule_rollup(review: Review) -> list[list[Any]]:
    times: Counter[str] = Counter()
    reports: dict[str, list[str]] = {}
    severity: dict[str, str] = {}
    for r in review.reports:
        for f in (r.data or {}).get("findings", []):
            times[f["rule"]] += 1
            severity.setdefault(f["rule"], f["severity"])
            names = reports.setdefault(f["rule"], [])
            if r.name not in names:
                names.append(r.name)
    order = sorted(times, key=lambda k: (-len(reports[k]), -times[k], k))
    return [
        [
            k,
            rule_summary(k),
            SEVERITY_NAMES.get(severity[k], ""),
            len(reports[k]),
            times[k],
            "、".join(reports[k]),
        ]
        for k in order
    ]


def review_json(review: Review) -> dict[str, Any]:
    return {
        "reports": [
            {**summary_row(i, r), "error": r.error, "result": r.data} for i, r in enumerate(review.reports, 1)
        ],
        "by_rule": [dict(zip(RULE_COLUMNS, row, strict=True)) for row in rule_rollup(review)],
        "skipped": review.skipped,
        "seconds": round(review.seconds, 3),
        "reports_per_second": round(review.per_second, 2),
        "workers": review.workers,
    }


# --------------------------------------------------------------------------- xlsx

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_title(i: int, name: str) -> str:
    """A unique, valid sheet name: '03 某局2024年报' (≤ 31 characters, no []:*?/\\)."""
    stem = _SHEET_BAD.sub("_", Path(name).stem) or "报告"
    return f"{i:02d} {stem}"[:31]


def _write_sheet(
    ws: Any, header: tuple[str, ...] | list[str], rows: list[list[Any]], widths: list[int]
) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        ws.append(row)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = w
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions


def review_workbook(review: Review) -> Any:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    rows = [list(summary_row(i, r).values()) for i, r in enumerate(review.reports, 1)]
    _write_sheet(ws, SUMMARY_COLUMNS, rows, [6, 30, 26, 8, 10, 6, 6, 6, 10, 30, 40, 30])
    _write_sheet(wb.create_sheet("按规则"), RULE_COLUMNS, rule_rollup(review), [18, 40, 8, 10, 8, 60])
    for i, r in enumerate(review.reports, 1):
        ws = wb.create_sheet(sheet_title(i, r.name))
        if r.data is None:
            _write_sheet(ws, ["文件", "说明"], [[r.name, f"无法读取：{r.error}"]], [40, 80])
        else:
            _write_sheet(ws, FINDING_COLUMNS, finding_rows(r.data), [18, 8, 18, 40, 80])
    return wb


def reviewed_workbook(data: dict[str, Any], marks: dict[str, dict[str, str]]) -> Any:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "检查结果"
    _write_sheet(ws, FINDING_COLUMNS + MARK_COLUMNS, finding_rows(data, marks), [18, 8, 18, 40, 80, 8, 40])
    return wb


def save_workbook(wb: Any, path: Path) -> None:
    write_with(path, lambda tmp: wb.save(str(tmp)))


# --------------------------------------------------------------------------- html


def _table(header: tuple[str, ...] | list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
    "td,th{border:1px solid #999;padding:3px 6px;vertical-align:top}th{background:#ddebf7}"
)


def review_html(review: Review) -> str:
    rows = [list(summary_row(i, r).values()) for i, r in enumerate(review.reports, 1)]
    parts = [
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>年度报告批量检查汇总</title>',
        f"<style>{_CSS}</style></head><body><h1>年度报告批量检查汇总</h1>",
        f"<p>共 {len(review.reports)} 份报告，用时 {review.seconds:.1f} 秒。</p>",
        _table(SUMMARY_COLUMNS, rows),
        "<h2>按规则汇总</h2>",
        _table(RULE_COLUMNS, rule_rollup(review)),
    ]
    for i, r in enumerate(review.reports, 1):
        parts.append(f'<h2 id="r{i}">{i}. {html.escape(r.name)}</h2>')
        if r.data is None:
            parts.append(f"<p>无法读取：{html.escape(r.error or '')}</p>")
        elif r.data["findings"]:
            parts.append(_table(FINDING_COLUMNS, finding_rows(r.data)))
        else:
            parts.append("<p>未发现问题。</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_review(review: Review, path: Path) -> None:
    """The summary to ``path`` (.xlsx or .html), written atomically."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise InputError(f"汇总文件只能是 .xlsx 或 .html，而不是“{suffix or '无扩展名'}”", path=str(path))
    if suffix == ".xlsx":
        save_workbook(review_workbook(review), path)
    else:
        write_text(path, review_html(review))


def review_json_text(review: Review) -> str:
    return json.dumps(review_json(review), ensure_ascii=False, indent=2) + "\n"
