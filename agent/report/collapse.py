"""One finding per pattern: the same problem in many cells of a table is reported once.

A report that left all five 法人或其他组织 columns blank gets one finding “表三 5列 × 23行共115个
单元格：单元格为空白…” listing the cells, not 115. Findings on fewer than three cells, and
findings that are not about table cells, are kept as they are.
"""

from __future__ import annotations

from agent.report.model import AnnualReport, Finding, make_finding
from agent.report.table_findings import TableLike, column_label, row_label, table_names

_MIN_GROUP = 3
_NAMES = {"t2": "表二", "t3": "表三", "t4": "表四"}


def collapse(report: AnnualReport, findings: list[Finding]) -> list[Finding]:
    tables = {short: table for short, _, table, _ in table_names(report)}
    groups: dict[tuple[str, str, str, str | None, str], list[Finding]] = {}
    order: list[tuple[str, str, str, str | None, str] | int] = []
    for n, f in enumerate(findings):
        short = f.cells[0].split(":")[0] if len(f.cells) == 1 else ""
        if short not in tables:
            order.append(n)
            continue
        key = (f.rule, f.severity, f.message, f.section, short)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(f)
    out: list[Finding] = []
    for item in order:
        if isinstance(item, int):
            out.append(findings[item])
            continue
        group = groups[item]
        if len(group) < _MIN_GROUP:
            out += group
            continue
        out.append(_merged(item, group, tables[item[4]]))
    return out


def _merged(key: tuple[str, str, str, str | None, str], group: list[Finding], table: TableLike) -> Finding:
    rule, _, message, section, short = key
    cells = [c for f in group for c in f.cells]
    rows = list(dict.fromkeys(c.split(":", 1)[1].rsplit("|", 1)[0] for c in cells))
    cols = list(dict.fromkeys(c.rsplit("|", 1)[1] for c in cells))
    name = _NAMES[short]
    if len(rows) * len(cols) == len(cells):
        col_names = "、".join(column_label(table, rows[0], c) for c in cols)
        row_names = _span(table, rows)
        where = f"{name} {col_names}（{len(cols)}列）× {row_names}（{len(rows)}行）"
    else:
        shown = [f.location.removeprefix(f"{name} ") for f in group[:4]]
        where = f"{name} {'；'.join(shown)}等{len(group)}处"
    return make_finding(
        rule,
        f"{len(cells)}个单元格：{message}",
        where,
        section,
        severity=group[0].severity,
        cells=cells,
    )


def _span(table: TableLike, rows: list[str]) -> str:
    first, last = row_label(table, rows[0]), row_label(table, rows[-1])
    return first if len(rows) == 1 else f"{first} 至 {last}"
