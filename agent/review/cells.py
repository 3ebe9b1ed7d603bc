"""Every cell of Tables 2–4 as data, for the review pages: label, column, value, state, source.

The cells are those of ``report-agent check --format json`` (listed by
:mod:`agent.report.table_output`: one shape for the command line and the pages). A result that
lacks them (an older JSON file) gets them from the parsed report by :func:`ensure_cells`.
"""

from __future__ import annotations

from typing import Any

from agent.report.model import AnnualReport
from agent.report.table_output import tables_dict


def has_cells(data: dict[str, Any]) -> bool:
    tables = data.get("tables")
    return isinstance(tables, dict) and any(
        isinstance(t, dict) and isinstance(t.get("cells"), list) for t in tables.values()
    )


def ensure_cells(data: dict[str, Any], report: AnnualReport) -> dict[str, Any]:
    """``data`` with ``tables`` (cells) filled from the parsed report unless it has them already."""
    if not has_cells(data):
        data["tables"] = tables_dict(report)
        data["cells_from"] = "tables"
    else:
        data.setdefault("cells_from", "parser")
    return data
