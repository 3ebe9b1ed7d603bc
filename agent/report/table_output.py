"""What was read from each table: for scripts (JSON) and, for a failing table, a small grid.

``check --format json`` carries, per table, its status and a list of cells::

    "tables": {"table3": {"name": "表三", "format": "2021", "status": "consistent", "cells": [
        {"table": "表三", "keys": ["new", "natural"], "label": "一、本年新收政府信息公开申请数量",
         "column": "自然人", "value": 5, "state": "read",
         "location": "表三 一、本年新收政府信息公开申请数量 × 自然人",
         "source": {"line": 41, "raw": "5 0 0 0 0 0 5"}}, …]}}

``keys`` are the row (表二: block and row) and column keys, so ``"|".join`` of them is the
cell's key in a table's ``readings`` and in a finding's ``cells`` (``t3:new|natural``).
``state`` is ``read`` (taken from the document), ``derived`` (worked out from a table identity)
or ``uncertain`` (could not be read reliably); ``source`` says where it came from (page, line,
printed text, candidates, note). ``location`` is the cell's name as the findings use it, so a
finding can be placed on its cell by name. A table with an uncertain cell is ``uncertain``,
never ``consistent``.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table as RichTable

from agent.report.labels import TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_GROUPS
from agent.report.model import AnnualReport, CellReading, CellValue, Finding, Table2, Table3, Table4
from agent.report.table_findings import TableLike, column_label, row_label, table_names
from agent.report.tables import t2_location, t3_location, t4_location

STATES = ("read", "derived", "uncertain")
_TABLE_RULES = ("T2-", "T3-", "T4-")
_JSON_KEYS = {"t2": "table2", "t3": "table3", "t4": "table4"}
_MAX_ROWS = 12


def reading_key(keys: tuple[str, ...] | list[str]) -> str:
    """'row|col' (表二: 'block/row|col'): the key of a cell in a table's readings and in a finding's cells."""
    return "/".join(keys[:-1]) + "|" + keys[-1]


def _layout(table: TableLike) -> list[tuple[str, list[str]]]:
    """(row key as in readings, column keys) in printed order."""
    if isinstance(table, Table3):
        return [(r.key, [c.key for c in TABLE3_COLUMNS]) for r in TABLE3_ROWS[table.format]]
    if isinstance(table, Table4):
        return [(g, [c.key for c in TABLE4_COLUMNS]) for g, _ in TABLE4_GROUPS]
    return [(f"{b.key}/{rk}", [c.key for c in b.columns]) for b in table.blocks for rk, _ in b.rows]


def _value(table: TableLike, row: str, col: str) -> CellValue:
    if isinstance(table, Table2):
        block, rk = row.split("/")
        return table.get(block, rk, col)
    return table.get(row, col)


def _reading(table: TableLike, row: str, col: str) -> CellReading:
    return table.readings.get(f"{row}|{col}") or CellReading()


def _location(table: TableLike, row: str, col: str) -> str:
    if isinstance(table, Table3):
        return t3_location(table.format, row, col)
    if isinstance(table, Table4):
        return t4_location(row, col)
    block, rk = row.split("/")
    return t2_location(table, block, rk, col)


def _source(rd: CellReading) -> dict[str, Any] | None:
    source = {k: getattr(rd, k, None) for k in ("page", "line", "raw", "note", "candidates")}
    return {k: v for k, v in source.items() if v not in (None, "", [])} or None


def table_cells(name: str, table: TableLike) -> list[dict[str, Any]]:
    """Every cell of one table, in printed order, as JSON-ready dicts (see the module docstring)."""
    cells = []
    for row, cols in _layout(table):
        for col in cols:
            rd = _reading(table, row, col)
            cells.append(
                {
                    "table": name,
                    "keys": [*row.split("/"), col],
                    "label": row_label(table, row),
                    "column": column_label(table, row, col),
                    "value": _value(table, row, col),
                    "state": rd.state if rd.state in STATES else "read",
                    "location": _location(table, row, col),
                    "source": _source(rd),
                }
            )
    return cells


def table_status(short: str, table: TableLike, findings: list[Finding]) -> str:
    if any(rd.state == "uncertain" for rd in table.readings.values()):
        return "uncertain"
    bad = any(
        f.severity == "error"
        and f.rule.startswith(_TABLE_RULES)
        and any(c.startswith(short + ":") for c in f.cells)
        for f in findings
    )
    return "inconsistent" if bad else "consistent"


def tables_dict(report: AnnualReport, findings: list[Finding] | None = None) -> dict[str, Any]:
    """{"table2": {"name", "format", "status", "cells"}, …} for the tables the report has."""
    out: dict[str, Any] = {}
    for short, name, table, _ in table_names(report):
        out[_JSON_KEYS[short]] = {
            "name": name,
            "format": getattr(table, "format", report.format),
            "status": table_status(short, table, findings or []),
            "cells": table_cells(name, table),
        }
    return out


def uncertain_count(report: AnnualReport) -> int:
    """How many cells of the report's tables could not be read reliably."""
    return sum(
        1 for _, _, t, _ in table_names(report) for rd in t.readings.values() if rd.state == "uncertain"
    )


def _marked(short: str, findings: list[Finding]) -> dict[str, str]:
    """cell key → 'error' / 'warning' for the cells the findings name."""
    marks: dict[str, str] = {}
    for f in findings:
        for c in f.cells:
            tab, key = c.split(":", 1)
            if tab == short and f.severity in ("error", "warning") and marks.get(key) != "error":
                marks[key] = f.severity
    return marks


def print_failing_tables(console: Console, report: AnnualReport, findings: list[Finding]) -> None:
    """A small grid of each table with problems: only its rows with marked cells."""
    for short, name, table, _ in table_names(report):
        marks = _marked(short, findings)
        for key, rd in table.readings.items():
            if rd.state == "uncertain":
                marks.setdefault(key, "warning")
        if not marks:
            continue
        rows = [(r, cols) for r, cols in _layout(table) if any(f"{r}|{c}" in marks for c in cols)]
        width = max(len(cols) for _, cols in rows)
        grid = RichTable(
            title=f"{name}（［ ］为有问题的单元格，？为未能可靠识别）", show_lines=False, title_justify="left"
        )
        grid.add_column("行")
        for i in range(width):
            grid.add_column(
                column_label(table, rows[0][0], rows[0][1][i]) if len(rows[0][1]) == width else str(i + 1)
            )
        for row, cols in rows[:_MAX_ROWS]:
            shown = [_cell_text(table, row, c, marks.get(f"{row}|{c}")) for c in cols]
            grid.add_row(row_label(table, row), *shown, *[""] * (width - len(shown)))
        console.print(grid)
        if len(rows) > _MAX_ROWS:
            console.print(f"（另有{len(rows) - _MAX_ROWS}行有问题，见上方各条）")


def _cell_text(table: TableLike, row: str, col: str, mark: str | None) -> str:
    rd = _reading(table, row, col)
    if rd.state == "uncertain":
        return "[yellow]？[/yellow]"
    v = _value(table, row, col)
    text = "空" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))
    text = text.replace("[", "\\[")
    if mark == "error":
        return f"[bold red]［{text}］[/bold red]"
    if mark == "warning":
        return f"[yellow]［{text}］[/yellow]"
    return text
