"""Ground-truth tables (tests/data/realdata_truth/*.yaml, tests/data/layouts/*.yaml) as cell maps.

Each truth file is in the figures-YAML layout (表二/表三/表四 keyed by the official labels; for
表三 a 7th value is the printed 总计, for 表四 a 5th). ``"?"`` marks a cell that cannot be
established from the document. :func:`truth_cells` returns ``{(table, row, col): value}`` with
``table`` one of ``t2``/``t3``/``t4``, ``row`` the row key (``block/row`` for 表二) and ``col``
the column key, exactly as :mod:`agent.report.labels` names them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from agent.report.labels import (
    TABLE2_BLOCKS,
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    LabelIndex,
    core_label,
    normalize_label,
)
from agent.report.model import AnnualReport, CellReading

Cells = dict[tuple[str, str, str], Any]
UNSURE = "?"


def load_truth(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def truth_cells(data: dict[str, Any]) -> Cells:
    fmt = str(data.get("格式", "2021"))
    out: Cells = {}
    _t2(data.get("表二") or {}, fmt, out)
    _t3(data.get("表三") or {}, fmt, out)
    _t4(data.get("表四") or {}, out)
    return out


def _values(raw: Any, labels: list[str]) -> list[Any]:
    if isinstance(raw, dict):
        return [raw.get(label) for label in labels]
    if isinstance(raw, list):
        return raw
    return [raw]


def _t2(tree: dict[str, Any], fmt: str, out: Cells) -> None:
    blocks = {normalize_label(b.label): b for b in TABLE2_BLOCKS[fmt]}  # type: ignore[index]
    for block_label, rows in tree.items():
        b = blocks[normalize_label(block_label)]
        index = LabelIndex()
        for rk, rl in b.rows:
            index.add(rk, rl)
        for row_label, raw in rows.items():
            rk = index.lookup(row_label)
            assert rk, f"unknown 表二 row {row_label}"
            vals = _values(raw, [c.label for c in b.columns])
            assert len(vals) == len(b.columns), (row_label, vals)
            for c, v in zip(b.columns, vals, strict=True):
                out[("t2", f"{b.key}/{rk}", c.key)] = v


def _t3(tree: dict[str, Any], fmt: str, out: Cells) -> None:
    index = LabelIndex()
    for r in TABLE3_ROWS[fmt]:  # type: ignore[index]
        index.add(r.key, r.label, f"{r.group or ''}{r.label}")

    def walk(node: dict[str, Any], group: str = "") -> None:
        for label, raw in node.items():
            if isinstance(raw, dict):
                walk(raw, core_label(label))
                continue
            key = index.lookup(label) or index.lookup(f"（{group}）{label}")
            if key is None and group:
                key = next(
                    (
                        r.key
                        for r in TABLE3_ROWS[fmt]
                        if r.group
                        and core_label(r.group) == group
                        and core_label(r.label) == core_label(label)
                    ),  # type: ignore[index]
                    None,
                )
            assert key, f"unknown 表三 row {label}"
            for c, v in zip(TABLE3_COLUMNS, raw, strict=True):
                out[("t3", key, c.key)] = v

    walk(tree)


_T4_ROWS = {
    "行政复议": "review",
    "行政诉讼（未经复议直接起诉）": "direct",
    "行政诉讼（复议后起诉）": "after_review",
}


def _t4(tree: dict[str, Any], out: Cells) -> None:
    for label, raw in tree.items():
        g = _T4_ROWS[label]
        for c, v in zip(TABLE4_COLUMNS, raw, strict=True):
            out[("t4", g, c.key)] = v


def parsed_cell(report: AnnualReport, table: str, row: str, col: str) -> tuple[Any, CellReading | None]:
    t = {"t2": report.table2, "t3": report.table3, "t4": report.table4}[table]
    if t is None:
        return None, None
    if table == "t2":
        block, rk = row.split("/")
        return t.get(block, rk, col), t.readings.get(f"{block}/{rk}|{col}")  # type: ignore[call-arg]
    return t.get(row, col), t.readings.get(f"{row}|{col}")  # type: ignore[call-arg]


def compare(report: AnnualReport, cells: Cells) -> list[str]:
    """Every disagreement between the parse and the truth, as readable lines (empty: all agree).

    A known truth cell must come out with that value, state read or derived; a "?" cell must be
    uncertain, or derived with one value (then the caller checks it against the corroboration).
    """
    problems: list[str] = []
    for (table, row, col), want in cells.items():
        got, rd = parsed_cell(report, table, row, col)
        state = rd.state if rd else ("missing" if got is None else "read")
        if want == UNSURE:
            if state not in ("uncertain", "derived"):
                problems.append(f"{table} {row}×{col}: truth '?', parsed {got!r} ({state})")
            continue
        ok = state in ("read", "derived") and got is not None and abs(float(got) - float(want)) < 1e-9
        if not ok:
            problems.append(f"{table} {row}×{col}: truth {want!r}, parsed {got!r} ({state})")
    return problems


def figures_cells(path: Path) -> Cells:
    """The cells of a complete figures file (the layout fixtures' truth), 总计 computed."""
    from agent.figures.reading import load_figures
    from agent.report.tables import complete_figures

    fig = load_figures(path)
    complete_figures(fig)
    out: Cells = {}
    for b in fig.table2.blocks:
        for rk, _ in b.rows:
            for c in b.columns:
                out[("t2", f"{b.key}/{rk}", c.key)] = fig.table2.get(b.key, rk, c.key)
    for rk, row in fig.table3.cells.items():
        for ck, v in row.items():
            out[("t3", rk, ck)] = v
    for g, row in fig.table4.cells.items():
        for ck, v in row.items():
            out[("t4", g, ck)] = v
    return out
