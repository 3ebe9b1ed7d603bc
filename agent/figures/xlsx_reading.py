"""Figures from a filled-in xlsx template (values, with every problem named by sheet!cell)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from agent.errors import FiguresError
from agent.figures.render import TableGrid, set_ref_value, table_grids
from agent.figures.sheet_layout import INFO_FIRST_ROW, INFO_ROWS, info_cell, sheet_coord
from agent.figures.source import INFO_SHEET, Problems, parse_number_text, quoted, with_warnings
from agent.figures.tables_reading import make_info_fee, read_format, read_year
from agent.report.labels import (
    ReportFormat,
    normalize_label,
)
from agent.report.model import CellValue, Figures, InfoFee, Table2, Table3, Table4

# --------------------------------------------------------------------------- xlsx reading


def xlsx_cell_value(value: object) -> CellValue:
    """A cell as typed: numbers stay numbers, numeric text is parsed, other text is kept."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return parse_number_text(value) if value.strip() else None
    return str(value)  # a date Excel made of "1-2", etc.: kept as text, reported by validation


def _check_labels(ws: Worksheet, grid: TableGrid, problems: Problems) -> None:
    for gc in grid.cells:
        if gc.ref is not None:
            continue
        cell = ws.cell(*sheet_coord(gc))
        actual = "" if cell.value is None else str(cell.value)
        if normalize_label(actual) != normalize_label(gc.text):
            problems.add(
                f"{ws.title}!{cell.coordinate}",
                f"此处应为{quoted(gc.text)}，实际为{quoted(actual) if actual else '空白'}（表格文字请勿修改，可重新生成模板）",
            )


def _read_info_sheet(
    ws: Worksheet, problems: Problems
) -> tuple[str | None, int | None, ReportFormat, InfoFee | None]:
    for i, (_, label, _) in enumerate(INFO_ROWS):
        cell = ws.cell(INFO_FIRST_ROW + i, 1)
        if normalize_label(str(cell.value or "")) != normalize_label(label):
            problems.add(
                f"{ws.title}!{cell.coordinate}", f"此处应为{quoted(label)}，实际为“{cell.value or ''}”"
            )

    def at(key: str) -> tuple[CellValue, str]:
        coord = info_cell(key)
        return xlsx_cell_value(ws[coord].value), f"{ws.title}!{coord}"

    agency_value, _ = at("agency")
    agency = None if agency_value is None else str(agency_value).strip()
    year = read_year(*at("year"), problems)
    fmt_value, fmt_where = at("format")
    fmt = read_format(fmt_value, year, fmt_where, problems)
    fee = make_info_fee({k: at(k) for k in ("cases", "amount")}, problems)
    return agency, year, fmt, fee


def load_xlsx(path: Path) -> Figures:
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FiguresError(
            str(path),
            [
                f"无法作为 Excel 工作簿（.xlsx）打开：{type(exc).__name__}。请确认文件未损坏，且不是 .xls 或 .et 格式"
            ],
        ) from exc
    problems = Problems()
    if INFO_SHEET in wb.sheetnames:
        agency, year, fmt, fee = _read_info_sheet(wb[INFO_SHEET], problems)
    else:
        problems.add(None, f"缺少工作表{quoted(INFO_SHEET)}")
        agency, year, fmt, fee = None, None, "2021", None
    fig = Figures(
        agency=agency,
        year=year,
        format=fmt,
        table2=Table2.blank(fmt),
        table3=Table3.blank(fmt),
        table4=Table4.blank(),
        info_fee=fee,
        source=str(path),
    )
    for grid in table_grids(fmt):
        if grid.name not in wb.sheetnames:
            problems.add(None, f"缺少工作表{quoted(grid.name)}")
            continue
        ws = wb[grid.name]
        _check_labels(ws, grid, problems)
        for gc in grid.cells:
            if gc.ref is not None:
                set_ref_value(fig, gc.ref, xlsx_cell_value(ws.cell(*sheet_coord(gc)).value))
    problems.raise_if_any(path)
    return with_warnings(fig, problems.warnings)


# =========================================================================== public API
