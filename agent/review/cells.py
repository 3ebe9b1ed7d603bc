"""Every cell of Tables 2–4 as data: label, column, value, state and where it came from.

The check JSON of a report carries, per table, a list of cells::

    {"table": "表三", "keys": ["new", "natural"], "label": "一、本年新收政府信息公开申请数量",
     "column": "自然人", "value": 5, "state": "read", "location": "表三 一、本年新收… × 自然人",
     "source": null}

``state`` is ``read`` (taken from the document), ``derived`` (worked out from a table identity)
or ``uncertain`` (could not be read reliably). ``location`` is the cell's name as the findings
use it (``agent.report.tables.t3_location``), so a finding is placed on its cell by name.

When the parser's JSON already holds the cells (``report-agent check --format json`` with
per-cell states), :func:`ensure_cells` keeps them; otherwise it lists them from the parsed
tables: with the state and source of each cell when the table carries its readings
(``table.readings["row|col"]``: state, line, page, raw text, candidates, note), else every cell
``read`` with no source.
"""

from __future__ import annotations

from typing import Any

from agent.report.labels import TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_GROUPS, table4_group_path
from agent.report.model import AnnualReport, Table2, Table3, Table4
from agent.report.tables import t2_location, t3_location, t4_location

TABLE_KEYS = {"表二": "table2", "表三": "table3", "表四": "table4"}
STATES = ("read", "derived", "uncertain")


def reading_key(keys: tuple[str, ...] | list[str]) -> str:
    """'row|col' (表二: 'block/row|col'), the key of a cell in a table's readings and in a finding's cells."""
    return "/".join(keys[:-1]) + "|" + keys[-1]


def _reading(table: Any, keys: tuple[str, ...]) -> tuple[str, dict[str, Any] | None]:
    r = (getattr(table, "readings", None) or {}).get(reading_key(keys))
    if r is None:
        return "read", None
    source = {k: getattr(r, k, None) for k in ("line", "page", "raw", "note", "candidates")}
    source = {k: v for k, v in source.items() if v not in (None, "", [])}
    state = getattr(r, "state", "read")
    return (state if state in STATES else "read"), source or None


def _cell(t: Any, name: str, keys: tuple[str, ...], label: str, column: str, location: str) -> dict[str, Any]:
    state, source = _reading(t, keys)
    return {
        "table": name,
        "keys": list(keys),
        "label": label,
        "column": column,
        "value": t.get(*keys),
        "state": state,
        "location": location,
        "source": source,
    }


def table2_cells(t: Table2) -> list[dict[str, Any]]:
    return [
        _cell(t, "表二", (b.key, rk, c.key), f"{b.label} {rl}", c.label, t2_location(t, b.key, rk, c.key))
        for b in t.blocks
        for rk, rl in b.rows
        for c in b.columns
    ]


def table3_cells(t: Table3) -> list[dict[str, Any]]:
    return [
        _cell(t, "表三", (r.key, c.key), r.path, c.label, t3_location(t.format, r.key, c.key))
        for r in TABLE3_ROWS[t.format]
        for c in TABLE3_COLUMNS
    ]


def table4_cells(t: Table4) -> list[dict[str, Any]]:
    return [
        _cell(t, "表四", (g, c.key), table4_group_path(g), c.label, t4_location(g, c.key))
        for g, _ in TABLE4_GROUPS
        for c in TABLE4_COLUMNS
    ]


def report_tables(report: AnnualReport) -> dict[str, dict[str, Any]]:
    """The tables the parser found, as {"table3": {"name": "表三", "format": …, "cells": […]}}."""
    out: dict[str, dict[str, Any]] = {}
    if report.table2 is not None:
        out["table2"] = {"name": "表二", "format": report.table2.format, "cells": table2_cells(report.table2)}
    if report.table3 is not None:
        out["table3"] = {"name": "表三", "format": report.table3.format, "cells": table3_cells(report.table3)}
    if report.table4 is not None:
        out["table4"] = {"name": "表四", "format": report.format, "cells": table4_cells(report.table4)}
    return out


def has_cells(data: dict[str, Any]) -> bool:
    tables = data.get("tables")
    return isinstance(tables, dict) and any(
        isinstance(t, dict) and isinstance(t.get("cells"), list) for t in tables.values()
    )


def ensure_cells(data: dict[str, Any], report: AnnualReport) -> dict[str, Any]:
    """``data`` with ``tables`` (cells) filled from the parsed report unless it has them already."""
    if not has_cells(data):
        data["tables"] = report_tables(report)
        data["cells_from"] = "tables"
    else:
        data.setdefault("cells_from", "parser")
    return data


def uncertain_cells(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        c
        for t in (data.get("tables") or {}).values()
        for c in t.get("cells", [])
        if c.get("state") == "uncertain"
    ]
