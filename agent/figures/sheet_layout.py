"""Where things sit in the xlsx workbook the template writes and the reader reads."""

from __future__ import annotations

import unicodedata

from openpyxl.styles import Border, PatternFill, Side

from agent.figures.render import GridCell, TableGrid
from agent.figures.source import (
    FORMAT_NAMES,
    KEY_AGENCY,
    KEY_FEE,
    KEY_FEE_AMOUNT,
    KEY_FEE_CASES,
    KEY_FORMAT,
    KEY_YEAR,
)

GRID_TOP = 2  # sheet row of a table's first grid row (row 1 holds the title)
INFO_FIRST_ROW = 3
INFO_ROWS: tuple[tuple[str, str, str], ...] = (
    ("agency", KEY_AGENCY, "机关全称，例如：示例县民族宗教事务局"),
    ("year", KEY_YEAR, "报告所属年度（四位数字），例如 2024"),
    ("format", KEY_FORMAT, ""),
    (
        "cases",
        f"{KEY_FEE} {KEY_FEE_CASES}",
        "按《政府信息公开信息处理费管理办法》收取信息处理费的件数，没有的填0",
    ),
    ("amount", f"{KEY_FEE} {KEY_FEE_AMOUNT}", "收取的信息处理费金额，单位：元，没有的填0"),
)
FORMAT_NOTES = {f: f"{name}。由模板决定，请勿修改" for f, name in FORMAT_NAMES.items()}
SHEET_FONT = "宋体"
_THIN = Side(style="thin", color="000000")
CELL_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
FILL_INPUT = PatternFill("solid", fgColor="FFF2CC")
FILL_DERIVED = PatternFill("solid", fgColor="D9D9D9")
DERIVED_NOTE = "可留空，自动计算（填写了则会核对）"


def info_cell(key: str) -> str:
    row = INFO_FIRST_ROW + [k for k, _, _ in INFO_ROWS].index(key)
    return f"B{row}"


def sheet_coord(cell: GridCell) -> tuple[int, int]:
    return GRID_TOP + cell.row, cell.col + 1


def xlsx_widths(grid: TableGrid) -> list[float]:
    return [max(8.0, round(mm / 1.6, 1)) for mm in grid.col_mm]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def row_heights(grid: TableGrid, widths: list[float]) -> dict[int, float]:
    """Row heights (points) so wrapped labels are readable; Excel does not size merged cells."""
    lines: dict[int, float] = {}
    for cell in grid.cells:
        if not cell.text:
            continue
        width = sum(widths[cell.col : cell.col + cell.colspan]) - 1
        needed = -(-_display_width(cell.text) // max(int(width), 1)) / cell.rowspan
        for r in range(cell.row, cell.row + cell.rowspan):
            lines[r] = max(lines.get(r, 1.0), needed)
    return {r: 15.0 * -(-n // 1) for r, n in lines.items()}
