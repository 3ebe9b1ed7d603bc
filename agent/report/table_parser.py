"""Recover Tables 2–4 from a region of the document's text, whatever the layout.

The region's lines become segments (:mod:`agent.report.table_text`), the segments are aligned
with the official rows (:mod:`agent.report.table_align`) and the values of each row are decoded
with the table's identities (:mod:`agent.report.table_decode`). Every cell comes out ``read``,
``derived`` or ``uncertain`` (:class:`agent.report.model.CellReading`); an uncertain cell's value
is ``None`` and no check uses it as a number.

This handles markdown and pipe tables, tab-separated text, docx/html/PDF grids (read as pipe
lines), the flattened text a PDF extractor produces and crawler text with the whole report on
one line and the cells run together.
"""

from __future__ import annotations

import functools

from agent.report.labels import (
    TABLE2_BLOCKS,
    TABLE3_COLUMNS,
    TABLE3_RESULT_ROWS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    ReportFormat,
    core_label,
    normalize_label,
)
from agent.report.model import Table2, Table3, Table4, cell_key
from agent.report.table_align import RowSpec
from agent.report.table_decode import Equation
from agent.report.table_reading import RowsRead, read_rows, shape

Lines = list[tuple[int, str]]


@functools.cache
def known_labels() -> frozenset[str]:
    """Every official row/column/group label, normalized, with and without its enumerator."""
    texts: list[str] = [c.label for c in (*TABLE3_COLUMNS, *TABLE4_COLUMNS)]
    texts += [r.label for rows in TABLE3_ROWS.values() for r in rows]
    texts += [label for _, label in TABLE4_GROUPS] + [
        "行政复议",
        "行政诉讼",
        "信息内容",
        "申请人情况",
        "法人或其他组织",
    ]
    for blocks in TABLE2_BLOCKS.values():
        for b in blocks:
            texts += [b.label, *(label for _, label in b.rows), *(c.label for c in b.columns)]
    return frozenset(form for t in texts for form in (normalize_label(t), core_label(t)))


def as_lines(text: str | Lines, first_line: int = 0) -> Lines:
    return list(enumerate(text.split("\n"), first_line)) if isinstance(text, str) else text


def region_text(lines: Lines) -> str:
    return "".join(normalize_label(line.replace("|", "").replace("｜", "")) for _, line in lines)


# --------------------------------------------------------------------------- table 2

_T2_2019_MARKERS = (
    "本年新制作数量",
    "本年新公开数量",
    "上一年项目数量",
    "其他对外管理服务事项",
    "政府集中采购",
    "第（九）项",
)
_T2_2021_MARKERS = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额")


def table2_format(text: str) -> ReportFormat | None:
    """2019 or 2021 from the column/row labels in the (normalized) text, None when it has neither."""
    if any(m in text for m in _T2_2019_MARKERS):
        return "2019"
    if any(m in text for m in _T2_2021_MARKERS):
        return "2021"
    return None


def _t2_rows(fmt: ReportFormat) -> list[RowSpec]:
    return [
        RowSpec(f"{b.key}/{rk}", rl, shape(len(b.columns), False))
        for b in TABLE2_BLOCKS[fmt]
        for rk, rl in b.rows
    ]


def parse_table2(
    text: str | Lines, fallback: ReportFormat, first_line: int = 0, narrative: str = ""
) -> Table2 | None:
    """Table 2; ``narrative`` (the report's text) may settle cells its own text leaves open."""
    from agent.report.table_hints import narrative_hints, stray_cells

    lines = as_lines(text, first_line)
    fmt = table2_format(region_text(lines)) or fallback
    strays = stray_cells(lines, fmt)
    got = read_rows(
        lines,
        _t2_rows(fmt),
        known_labels(),
        hints=narrative_hints(narrative, fmt),
        lost=strays.lost,
        blocks=True,
    )
    if not got.found():
        return None
    table = Table2.blank(fmt)
    for b in TABLE2_BLOCKS[fmt]:
        for rk, _ in b.rows:
            key = f"{b.key}/{rk}"
            for c, v, rd in zip(b.columns, got.cells[key], got.readings[key], strict=True):
                table.set(b.key, rk, c.key, v)
                table.readings[cell_key(b.key, rk, c.key)] = rd
    table.decoded = got.decoded
    table.strays = strays.shown
    return table


# --------------------------------------------------------------------------- table 3

_T3_2021_MARKERS = ("逾期不补正", "逾期未按收费通知", "不再处理其政府信息公开申请")
_T3_COLS = [c.key for c in TABLE3_COLUMNS]


def table3_format(text: str) -> ReportFormat | None:
    if any(m in text for m in _T3_2021_MARKERS):
        return "2021"
    if "其他处理" in text:
        return "2019"
    return None


@functools.cache
def t3_equations(fmt: ReportFormat) -> tuple[Equation, ...]:
    """（七）总计 = sum of the results, and 一 + 二 = 三（七） + 四, for every column."""
    out: list[Equation] = []
    for i in range(len(TABLE3_COLUMNS)):
        out.append(Equation((("result_total", i),), tuple((k, i) for k in TABLE3_RESULT_ROWS[fmt])))
        out.append(Equation((("new", i), ("carried", i)), (("result_total", i), ("carry_next", i))))
    return tuple(out)


def parse_table3(
    text: str | Lines, fallback: ReportFormat | None = None, first_line: int = 0
) -> Table3 | None:
    lines = as_lines(text, first_line)
    fmt = table3_format(region_text(lines)) or fallback or "2019"
    rows = [RowSpec(r.key, r.label, shape(len(TABLE3_COLUMNS), True)) for r in TABLE3_ROWS[fmt]]
    got = read_rows(lines, rows, known_labels(), t3_equations(fmt))
    if got.found() < 3:
        return None
    table = Table3.blank(fmt)
    for r in TABLE3_ROWS[fmt]:
        _fill(table, r.key, got)
    table.decoded = got.decoded
    return table


def _fill(table: Table3 | Table4, row: str, got: RowsRead) -> None:
    for c, v, rd in zip(_cols(table), got.cells[row], got.readings[row], strict=True):
        table.set(row, c, v)
        table.readings[cell_key(row, c)] = rd


def _cols(table: Table3 | Table4) -> list[str]:
    return _T3_COLS if isinstance(table, Table3) else [c.key for c in TABLE4_COLUMNS]


# --------------------------------------------------------------------------- table 4


def parse_table4(text: str | Lines, first_line: int = 0) -> Table4 | None:
    """Table 4: three groups of five cells, as one run of 15 values or one block per group."""
    lines = as_lines(text, first_line)
    labels = {"review": "行政复议", "direct": "未经复议直接起诉", "after_review": "复议后起诉"}
    rows = [RowSpec(g, labels[g], shape(len(TABLE4_COLUMNS), True)) for g, _ in TABLE4_GROUPS]
    got = read_rows(lines, rows, known_labels())
    if not got.found() or not any(got.printed(g) for g, _ in TABLE4_GROUPS):
        return None  # the labels without any value: a mention, not the table
    table = Table4.blank()
    for g, _ in TABLE4_GROUPS:
        _fill(table, g, got)
    table.decoded = got.decoded
    return table
