"""Tables 2–4 as the printed grids, each number cell carrying its value, state and findings.

The layout (merged headers, row groups) is the official one of :mod:`agent.figures.render`; the
values and states come only from the check JSON's cells (:mod:`agent.review.cells`), and each
finding is placed on the cells its location names: a cell (``表三 … × 自然人``), a whole row
(``表三 （二）部分公开…``), a Table 3 column balance (``表三 自然人列``: rows 一、二、（七）、四 of
that column) or, when the finding lists them, its ``cells``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.figures.render import GridCell, format_number, table_grids
from agent.report.labels import SECTION_BY_KEY, ReportFormat

SEVERITY_ORDER = ("error", "warning", "info")
BALANCE_ROWS = ("new", "carried", "result_total", "carry_next")  # 第一项 + 第二项 = 第三项（七）+ 第四项
STATE_NOTES = {
    "derived": "此格由表内勾稽关系推算得出",
    "uncertain": "此格未能可靠识别，请核对原文",
}
CellKey = tuple[str, tuple[str, ...]]  # (table name, keys)


@dataclass
class CellView:
    tag: str  # th | td
    text: str
    rowspan: int = 1
    colspan: int = 1
    classes: list[str] = field(default_factory=list)
    title: str = ""  # the hover text: state and findings
    cell_id: str = ""  # "表三:new:natural" for number cells
    findings: list[str] = field(default_factory=list)  # keys of the findings on this cell


@dataclass
class TableView:
    name: str
    section: str  # section key
    heading: str
    rows: list[list[CellView]]
    flagged: int  # number cells with a finding or an uncertain state


def cell_id(table: str, keys: list[str] | tuple[str, ...]) -> str:
    return ":".join([table, *keys])


def _index_cells(tables: dict[str, Any]) -> dict[CellKey, dict[str, Any]]:
    return {(c["table"], tuple(c["keys"])): c for t in tables.values() for c in t.get("cells", [])}


_REF_TABLES = {"t2": "表二", "t3": "表三", "t4": "表四"}


def _ref(ref: str) -> CellKey | None:
    """'t3:new|total' (表二: 't2:art20_1/normative|issued') → ("表三", ("new", "total"))."""
    table, sep, rest = ref.partition(":")
    if not sep or table not in _REF_TABLES or "|" not in rest:
        return None
    head, _, col = rest.rpartition("|")
    return _REF_TABLES[table], (*head.split("/"), col)


def finding_cells(finding: dict[str, Any], cells: dict[CellKey, dict[str, Any]]) -> list[CellKey]:
    """The cells a finding is about: its ``cells`` (references such as 't3:new|total', or cell
    locations), else its location (a cell, a row or a Table 3 column balance)."""
    wanted = [w for w in (finding.get("cells") or [finding.get("location") or ""]) if w]
    hits: list[CellKey] = []
    for where in wanted:
        ref = _ref(where)
        if ref is not None:
            hits += [ref] if ref in cells else []
            continue
        hits += [k for k, c in cells.items() if c.get("location") == where]
        hits += [k for k, c in cells.items() if f"{c['table']} {c.get('label', '')}" == where]
        hits += [
            k
            for k, c in cells.items()
            if c["table"] == "表三" and where == f"表三 {c.get('column', '')}列" and k[1][0] in BALANCE_ROWS
        ]
    return list(dict.fromkeys(hits))


def place_findings(data: dict[str, Any]) -> dict[CellKey, list[dict[str, Any]]]:
    cells = _index_cells(data.get("tables") or {})
    placed: dict[CellKey, list[dict[str, Any]]] = {}
    for f in data.get("findings", []):
        for key in finding_cells(f, cells):
            placed.setdefault(key, []).append(f)
    return placed


def _worst(findings: list[dict[str, Any]]) -> str | None:
    sev = {f.get("severity") for f in findings}
    return next((s for s in SEVERITY_ORDER if s in sev), None)


def _number_view(
    gc: GridCell, table: str, cell: dict[str, Any] | None, found: list[dict[str, Any]]
) -> CellView:
    assert gc.ref is not None
    keys = gc.ref.keys
    view = CellView("td", "", gc.rowspan, gc.colspan, ["num"], cell_id=cell_id(table, keys))
    if cell is None:
        view.classes.append("absent")
        return view
    state = cell.get("state") or "read"
    view.text = format_number(cell.get("value"), gc.ref.spec) or ("？" if state == "uncertain" else "")
    if state in STATE_NOTES:
        view.classes.append(state)
    worst = _worst(found)
    if worst:
        view.classes.append(f"sev-{worst}")
    notes = [STATE_NOTES[state]] if state in STATE_NOTES else []
    notes += [f"[{f['rule']}] {f['message']}" for f in found]
    notes += source_notes(cell.get("source"))
    view.title = "\n".join([cell.get("location", ""), *notes]).strip()
    view.findings = [str(f.get("key", "")) for f in found if f.get("key")]
    return view


def _format(value: object, default: ReportFormat = "2021") -> ReportFormat:
    return "2019" if value == "2019" else "2021" if value == "2021" else default


_SOURCE_NAMES = {
    "page": "第{}页",
    "line": "第{}行",
    "raw": "原文“{}”",
    "note": "{}",
    "candidates": "可能的值：{}",
}


def source_notes(source: object) -> list[str]:
    """Where the cell came from, as a line of the hover text."""
    if not isinstance(source, dict) or not source:
        return []
    parts = []
    for k, fmt in _SOURCE_NAMES.items():
        v = source.get(k)
        if v not in (None, "", []):
            parts.append(fmt.format("、".join(map(str, v)) if isinstance(v, list) else v))
    return ["；".join(parts)] if parts else []


def table_views(data: dict[str, Any]) -> list[TableView]:
    """The grids of the tables the JSON holds, in report order."""
    tables = data.get("tables") or {}
    cells = _index_cells(tables)
    placed = place_findings(data)
    fmt = _format((data.get("report") or {}).get("format"))
    grids = {
        "表二": table_grids(_format((tables.get("table2") or {}).get("format"), fmt))[0],
        "表三": table_grids(_format((tables.get("table3") or {}).get("format"), fmt))[1],
        "表四": table_grids(fmt)[2],
    }
    views = []
    for name, key in (("表二", "table2"), ("表三", "table3"), ("表四", "table4")):
        if key not in tables:
            continue
        grid = grids[name]
        rows: list[list[CellView]] = []
        flagged = 0
        for row in grid.rows():
            out: list[CellView] = []
            for gc in row:
                if gc.kind == "number" and gc.ref is not None:
                    ck = (name, gc.ref.keys)
                    view = _number_view(gc, name, cells.get(ck), placed.get(ck, []))
                    flagged += any(c.startswith("sev-") or c == "uncertain" for c in view.classes)
                    out.append(view)
                else:
                    tag = "th" if gc.kind == "header" else "td"
                    out.append(CellView(tag, gc.text, gc.rowspan, gc.colspan, [gc.kind]))
            rows.append(out)
        section = grid.section.key
        views.append(TableView(name, section, SECTION_BY_KEY[section].heading, rows, flagged))
    return views
