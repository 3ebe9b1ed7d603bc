"""Tables 2–4 as the official printed tables: Markdown, HTML and Word.

The official layout (merged header cells, row groups spanning their sub-rows) is described
once, as a :class:`TableGrid` of cells with row and column spans. HTML, Word and the xlsx
template (:mod:`agent.figures.reading`) are all drawn from these grids, so they agree cell for cell.
Markdown cannot merge cells; it prints one row per line, the row label first and the numbers
after it, in column order, so other modules can read it back.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agent.errors import InputError
from agent.fsutil import write_text
from agent.report.labels import (
    SECTION_BY_KEY,
    TABLE2_BLOCKS,
    TABLE2_ROW_HEADER,
    TABLE3_APPLICANTS,
    TABLE3_COLUMNS,
    TABLE3_CORNER,
    TABLE3_ORGS,
    TABLE3_ROWS,
    TABLE3_TOPS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    TABLE4_LITIGATION,
    TABLE4_REVIEW,
    ColumnSpec,
    ReportFormat,
    SectionSpec,
    Table3Row,
    table4_group_path,
)
from agent.report.model import CellValue, Figures

if TYPE_CHECKING:
    from agent.settings import Settings

TableName = Literal["表二", "表三", "表四"]
CellKind = Literal["header", "label", "number"]
TEXT_WIDTH_MM = 156.0  # A4 (210 mm) less the 28 mm and 26 mm margins


# --------------------------------------------------------------------------- grid model


@dataclass(frozen=True)
class CellRef:
    """Which figure a number cell shows: 表二 (block, row, col), 表三 (row, col), 表四 (group, col)."""

    table: TableName
    keys: tuple[str, ...]
    spec: ColumnSpec

    @property
    def derived(self) -> bool:
        return self.spec.derived or (self.table == "表三" and self.keys[0] == "result_total")


@dataclass(frozen=True)
class GridCell:
    row: int  # 0-based within the table
    col: int
    text: str = ""  # the official label (header and label cells)
    rowspan: int = 1
    colspan: int = 1
    kind: CellKind = "label"
    ref: CellRef | None = None  # number cells only


@dataclass(frozen=True)
class TableGrid:
    name: TableName
    section: SectionSpec
    n_rows: int
    n_cols: int
    header_rows: int  # rows repeated at the top of each printed page (0: none)
    col_mm: tuple[float, ...]  # column widths on an A4 page, summing to TEXT_WIDTH_MM
    cells: tuple[GridCell, ...]

    def rows(self) -> Iterator[list[GridCell]]:
        """The cells that start in each row, left to right (the HTML row model)."""
        by_row: dict[int, list[GridCell]] = {}
        for cell in self.cells:
            by_row.setdefault(cell.row, []).append(cell)
        for r in range(self.n_rows):
            yield sorted(by_row.get(r, []), key=lambda c: c.col)


def _spread(columns: tuple[ColumnSpec, ...], width: int) -> Iterator[tuple[int, ColumnSpec, int]]:
    """(offset, column, span): one grid column each, the last one taking what is left."""
    for i, col in enumerate(columns):
        yield i, col, (width - i if i == len(columns) - 1 else 1)


def table2_grid(fmt: ReportFormat) -> TableGrid:
    blocks = TABLE2_BLOCKS[fmt]
    n_num = max(len(b.columns) for b in blocks)
    width = 1 + n_num
    cells: list[GridCell] = []
    r = 0
    for b in blocks:
        cells.append(GridCell(r, 0, b.label, colspan=width, kind="header"))
        cells.append(GridCell(r + 1, 0, TABLE2_ROW_HEADER, kind="header"))
        for i, c, span in _spread(b.columns, n_num):
            cells.append(GridCell(r + 1, 1 + i, c.label, colspan=span, kind="header"))
        r += 2
        for rk, rl in b.rows:
            cells.append(GridCell(r, 0, rl))
            for i, c, span in _spread(b.columns, n_num):
                ref = CellRef("表二", (b.key, rk, c.key), c)
                cells.append(GridCell(r, 1 + i, colspan=span, kind="number", ref=ref))
            r += 1
    label_mm = 44.0
    col_mm = (label_mm, *([(TEXT_WIDTH_MM - label_mm) / n_num] * n_num))
    return TableGrid("表二", SECTION_BY_KEY["proactive"], r, width, 0, col_mm, tuple(cells))


def _table3_header() -> list[GridCell]:
    natural, *orgs, total = TABLE3_COLUMNS
    cells = [
        GridCell(0, 0, TABLE3_CORNER, rowspan=3, colspan=3, kind="header"),
        GridCell(0, 3, TABLE3_APPLICANTS, colspan=len(TABLE3_COLUMNS), kind="header"),
        GridCell(1, 3, natural.label, rowspan=2, kind="header"),
        GridCell(1, 4, TABLE3_ORGS, colspan=len(orgs), kind="header"),
        GridCell(1, 4 + len(orgs), total.label, rowspan=2, kind="header"),
    ]
    cells += [GridCell(2, 4 + i, c.label, kind="header") for i, c in enumerate(orgs)]
    return cells


def _table3_label_cells(rows: tuple[Table3Row, ...], first: int) -> list[GridCell]:
    """Row labels in the three label columns: 三、 and （三）… span their sub-rows."""
    cells: list[GridCell] = []
    results_top = TABLE3_TOPS[2]
    n_results = sum(1 for r in rows if r.top == results_top)
    seen_groups: set[str] = set()
    for i, row in enumerate(rows):
        r = first + i
        if row.top != results_top:
            cells.append(GridCell(r, 0, row.label, colspan=3))
            continue
        if results_top not in seen_groups:
            seen_groups.add(results_top)
            cells.append(GridCell(r, 0, results_top, rowspan=n_results))
        if row.group is None:
            cells.append(GridCell(r, 1, row.label, colspan=2))
            continue
        if row.group not in seen_groups:
            seen_groups.add(row.group)
            span = sum(1 for x in rows if x.group == row.group)
            cells.append(GridCell(r, 1, row.group, rowspan=span))
        cells.append(GridCell(r, 2, row.label))
    return cells


def table3_grid(fmt: ReportFormat) -> TableGrid:
    rows = TABLE3_ROWS[fmt]
    cells = _table3_header() + _table3_label_cells(rows, 3)
    for i, row in enumerate(rows):
        for j, c in enumerate(TABLE3_COLUMNS):
            cells.append(GridCell(3 + i, 3 + j, kind="number", ref=CellRef("表三", (row.key, c.key), c)))
    n_cols = 3 + len(TABLE3_COLUMNS)
    col_mm = (12.0, 22.0, 52.0, *([70.0 / len(TABLE3_COLUMNS)] * len(TABLE3_COLUMNS)))
    return TableGrid("表三", SECTION_BY_KEY["requests"], 3 + len(rows), n_cols, 3, col_mm, tuple(cells))


def table4_grid() -> TableGrid:
    n = len(TABLE4_COLUMNS)
    cells = [
        GridCell(0, 0, TABLE4_REVIEW, colspan=n, kind="header"),
        GridCell(0, n, TABLE4_LITIGATION, colspan=2 * n, kind="header"),
    ]
    cells += [GridCell(1, i, c.label, rowspan=2, kind="header") for i, c in enumerate(TABLE4_COLUMNS)]
    for g, (_, label) in enumerate(TABLE4_GROUPS[1:], 1):
        cells.append(GridCell(1, g * n, label, colspan=n, kind="header"))
        cells += [GridCell(2, g * n + i, c.label, kind="header") for i, c in enumerate(TABLE4_COLUMNS)]
    for g, (gk, _) in enumerate(TABLE4_GROUPS):
        for i, c in enumerate(TABLE4_COLUMNS):
            cells.append(GridCell(3, g * n + i, kind="number", ref=CellRef("表四", (gk, c.key), c)))
    n_cols = 3 * n
    col_mm = tuple([TEXT_WIDTH_MM / n_cols] * n_cols)
    return TableGrid("表四", SECTION_BY_KEY["review"], 4, n_cols, 3, col_mm, tuple(cells))


def table_grids(fmt: ReportFormat) -> tuple[TableGrid, TableGrid, TableGrid]:
    """The three official tables of a report format, in report order."""
    return table2_grid(fmt), table3_grid(fmt), table4_grid()


# --------------------------------------------------------------------------- values


def ref_value(fig: Figures, ref: CellRef) -> CellValue:
    """The value a grid number cell shows."""
    if ref.table == "表二":
        block, row, col = ref.keys
        return fig.table2.get(block, row, col)
    row, col = ref.keys
    return fig.table3.get(row, col) if ref.table == "表三" else fig.table4.get(row, col)


def set_ref_value(fig: Figures, ref: CellRef, value: CellValue) -> None:
    """Store ``value`` in the figure a grid number cell shows."""
    if ref.table == "表二":
        block, row, col = ref.keys
        fig.table2.set(block, row, col, value)
        return
    row, col = ref.keys
    if ref.table == "表三":
        fig.table3.set(row, col, value)
    else:
        fig.table4.set(row, col, value)


def format_number(value: CellValue, spec: ColumnSpec | None = None) -> str:
    """Integers without decimals; 万元 amounts with up to 4 decimals, trailing zeros trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool | str):
        return str(value).strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return str(value)


# --------------------------------------------------------------------------- markdown


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    sep = ["---"] + ["---:"] * (len(header) - 1)
    return [_md_row(header), "| " + " | ".join(sep) + " |", *(_md_row(r) for r in rows)]


def _md_table2(fig: Figures) -> list[str]:
    out: list[str] = []
    for b in TABLE2_BLOCKS[fig.format]:
        header = [TABLE2_ROW_HEADER, *(c.label for c in b.columns)]
        rows = [
            [rl, *(format_number(fig.table2.get(b.key, rk, c.key), c) for c in b.columns)]
            for rk, rl in b.rows
        ]
        out += [b.label, "", *_md_table(header, rows), ""]
    return out


def _md_table3(fig: Figures) -> list[str]:
    header = [TABLE3_CORNER, *(c.label for c in TABLE3_COLUMNS)]
    rows = [
        [r.path, *(format_number(fig.table3.get(r.key, c.key), c) for c in TABLE3_COLUMNS)]
        for r in TABLE3_ROWS[fig.format]
    ]
    return [*_md_table(header, rows), ""]


def _md_table4(fig: Figures) -> list[str]:
    header = [f"{table4_group_path(g)} {c.label}" for g, _ in TABLE4_GROUPS for c in TABLE4_COLUMNS]
    values = [format_number(fig.table4.get(g, c.key), c) for g, _ in TABLE4_GROUPS for c in TABLE4_COLUMNS]
    sep = "| " + " | ".join(["---:"] * len(header)) + " |"
    return [_md_row(header), sep, _md_row(values), ""]


def tables_markdown(fig: Figures, heading_level: int = 2) -> str:
    """Tables 2–4 as GitHub pipe tables, each under its section heading.

    Every data row is ``| row label | n1 | n2 | … |``; Table 3 labels are the
    :attr:`Table3Row.path` text; Table 4 is a header and a single row of 15 numbers.
    ``heading_level`` 0 prints the headings as plain lines instead of ``##`` headings.
    """
    prefix = "#" * heading_level + " " if heading_level > 0 else ""
    out: list[str] = []
    for key, body in (("proactive", _md_table2), ("requests", _md_table3), ("review", _md_table4)):
        out += [prefix + SECTION_BY_KEY[key].heading, "", *body(fig)]
    return "\n".join(out).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- html

_CSS = """
body { font-family: "仿宋_GB2312", "仿宋", FangSong, serif; }
table.gov { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 10.5pt; }
table.gov th, table.gov td { border: 1px solid #000; padding: 2px 4px; }
table.gov th { font-weight: normal; text-align: center; vertical-align: middle; }
table.gov td.label { text-align: left; vertical-align: middle; }
table.gov td.num { text-align: center; min-width: 2.5em; }
"""


def _html_cell(cell: GridCell, fig: Figures) -> str:
    spans = "".join(
        f' {name}="{n}"' for name, n in (("rowspan", cell.rowspan), ("colspan", cell.colspan)) if n > 1
    )
    if cell.kind == "number" and cell.ref is not None:
        text = format_number(ref_value(fig, cell.ref), cell.ref.spec)
        return f'<td class="num"{spans}>{html.escape(text)}</td>'
    if cell.kind == "header":
        return f"<th{spans}>{html.escape(cell.text)}</th>"
    return f'<td class="label"{spans}>{html.escape(cell.text)}</td>'


def table_html(grid: TableGrid, fig: Figures) -> str:
    """One official table as ``<table>`` with the printed table's rowspan/colspan."""
    lines = [f'<table class="gov" data-table="{grid.name}">']
    for row in grid.rows():
        lines.append("  <tr>" + "".join(_html_cell(c, fig) for c in row) + "</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def tables_html(fig: Figures) -> str:
    """A self-contained HTML page with Tables 2–4 under their section headings."""
    title = (
        "".join(p for p in (fig.agency, f"{fig.year}年" if fig.year else None) if p)
        + "政府信息公开工作年度报告统计表"
    )
    body = []
    for grid in table_grids(fig.format):
        body += [f"<h2>{html.escape(grid.section.heading)}</h2>", table_html(grid, fig)]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- files


TABLE_SUFFIXES = (".md", ".html", ".htm", ".docx")


def check_tables_suffix(path: Path) -> None:
    """Refuse an output file name ``write_tables`` cannot write (before any work is done)."""
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return
    hint = {".doc": "；Word 文件请用 .docx", ".xlsx": "；Excel 模板请用 report-agent template"}
    raise InputError(
        f"不支持的输出格式“{path.suffix or '（无扩展名）'}”，请使用 .md、.html 或 .docx{hint.get(suffix, '')}",
        path=str(path),
    )


def write_tables(fig: Figures, path: Path, settings: Settings | None = None) -> None:
    """Write Tables 2–4 to ``path`` (.md, .html or .docx), atomically."""
    check_tables_suffix(path)
    suffix = path.suffix.lower()
    if suffix == ".md":
        write_text(path, tables_markdown(fig))
    elif suffix in (".html", ".htm"):
        write_text(path, tables_html(fig))
    else:
        from agent.figures.render_docx import write_tables_docx

        write_tables_docx(fig, path, settings)


def __getattr__(name: str) -> Any:
    """The Word writers live in :mod:`agent.figures.render_docx` (python-docx is imported only
    when a .docx is written); ``render.add_table_to_docx`` and ``render.add_tables_to_docx``
    still resolve here."""
    if name in ("add_table_to_docx", "add_tables_to_docx"):
        from agent.figures import render_docx

        return getattr(render_docx, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
