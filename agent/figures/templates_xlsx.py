"""The blank xlsx template: one sheet per table drawn from the grids, only number cells editable."""

from __future__ import annotations

from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from agent.figures.render import GridCell, TableGrid, table_grids
from agent.figures.sheet_layout import (
    CELL_BORDER,
    DERIVED_NOTE,
    FILL_DERIVED,
    FILL_INPUT,
    FORMAT_NOTES,
    GRID_TOP,
    INFO_FIRST_ROW,
    INFO_ROWS,
    SHEET_FONT,
    row_heights,
    sheet_coord,
    xlsx_widths,
)
from agent.figures.source import (
    INFO_SHEET,
)
from agent.report.labels import (
    ReportFormat,
)
from agent.report.model import CellValue


def _validations(ws: Worksheet) -> dict[str, DataValidation]:
    def dv(kind: str, op: str, f1: str, f2: str | None, error: str) -> DataValidation:
        v = DataValidation(type=kind, operator=op, formula1=f1, formula2=f2, allow_blank=True)
        v.showErrorMessage = True
        v.errorTitle = "请填写数字"
        v.error = error
        ws.add_data_validation(v)
        return v

    return {
        "count": dv("whole", "greaterThanOrEqual", "0", None, "这里只能填写不小于0的整数（没有的填0）"),
        "amount": dv(
            "decimal", "greaterThanOrEqual", "0", None, "这里只能填写不小于0的数字，单位：万元，可以有小数"
        ),
        "delta": dv("whole", "between", "-999999", "999999", "这里只能填写整数，减少的填负数"),
        "year": dv("whole", "between", "1990", "2100", "请填写四位数字的年份，例如 2024"),
        "yuan": dv("decimal", "greaterThanOrEqual", "0", None, "这里只能填写不小于0的数字，单位：元"),
    }


def _style_cell(cell: Cell, kind: str, bold: bool = False) -> None:
    cell.font = Font(name=SHEET_FONT, size=10.5, bold=bold)
    cell.border = CELL_BORDER
    horizontal = "left" if kind == "label" else "center"
    cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)


def _write_grid_cell(ws: Worksheet, gc: GridCell, dvs: dict[str, DataValidation]) -> None:
    r, c = sheet_coord(gc)
    for rr in range(r, r + gc.rowspan):
        for cc in range(c, c + gc.colspan):
            ws.cell(rr, cc).border = CELL_BORDER
    if gc.rowspan > 1 or gc.colspan > 1:
        ws.merge_cells(start_row=r, start_column=c, end_row=r + gc.rowspan - 1, end_column=c + gc.colspan - 1)
    cell = ws.cell(r, c)
    _style_cell(cell, gc.kind)
    if gc.ref is None:
        cell.value = gc.text
        return
    cell.protection = Protection(locked=False)
    cell.fill = FILL_DERIVED if gc.ref.derived else FILL_INPUT
    cell.number_format = "0.00##" if gc.ref.spec.kind == "amount" else "0"
    dvs[gc.ref.spec.kind].add(cell.coordinate)
    if gc.ref.derived:
        cell.comment = Comment(DERIVED_NOTE, "report-agent", width=200, height=50)


def _legend(grid: TableGrid) -> str:
    parts = ["黄色格子请填写数字（没有的填0，不要留空）"]
    if any(gc.ref is not None and gc.ref.derived for gc in grid.cells):
        parts.append(f"灰色格子为总计，{DERIVED_NOTE}")
    if any(gc.ref is not None and gc.ref.spec.kind == "amount" for gc in grid.cells):
        parts.append("金额单位为万元，可以有小数")
    if any(gc.ref is not None and gc.ref.spec.kind == "delta" for gc in grid.cells):
        parts.append("“本年增/减”减少的填负数")
    return "；".join(parts) + "。其他格子是表格文字，已锁定。"


def _page_setup(ws: Worksheet, grid: TableGrid) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait" if grid.name == "表二" else "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if grid.header_rows:
        ws.print_title_rows = f"{GRID_TOP}:{GRID_TOP + grid.header_rows - 1}"


def _protect(ws: Worksheet) -> None:
    ws.protection.sheet = True  # no password: it only keeps the labels from being typed over
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _write_grid_sheet(ws: Worksheet, grid: TableGrid) -> None:
    dvs = _validations(ws)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=grid.n_cols)
    ws.cell(1, 1, grid.section.heading).font = Font(name=SHEET_FONT, size=14, bold=True)
    for gc in grid.cells:
        _write_grid_cell(ws, gc, dvs)
    widths = xlsx_widths(grid)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for r, h in row_heights(grid, widths).items():
        ws.row_dimensions[GRID_TOP + r].height = h
    legend_row = GRID_TOP + grid.n_rows + 1
    ws.merge_cells(start_row=legend_row, start_column=1, end_row=legend_row, end_column=grid.n_cols)
    legend = ws.cell(legend_row, 1, _legend(grid))
    legend.font = Font(name=SHEET_FONT, size=10)
    legend.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[legend_row].height = 30
    _page_setup(ws, grid)
    _protect(ws)


_INSTRUCTIONS = (
    "填写说明：",
    "1. 本工作簿的“表二”“表三”“表四”与年度报告中的三张统计表格式一致。",
    "2. 只有黄色格子可以填写，且只能填数字；没有的请填0，不要留空。",
    f"3. 灰色格子为总计，{DERIVED_NOTE}。",
    "4. 表二中的金额单位为万元，可以有小数；2019版表二的“本年增/减”减少的填负数。",
    "5. 填好并保存后运行：report-agent tables 本文件.xlsx -o 统计表.docx",
)


def _write_info_sheet(ws: Worksheet, fmt: ReportFormat, year: int | None, agency: str | None) -> None:
    dvs = _validations(ws)
    ws.merge_cells("A1:C1")
    ws["A1"] = "政府信息公开工作年度报告 统计数据"
    ws["A1"].font = Font(name=SHEET_FONT, size=14, bold=True)
    values: dict[str, CellValue] = {"agency": agency, "year": year, "format": fmt}
    for i, (key, label, note) in enumerate(INFO_ROWS):
        r = INFO_FIRST_ROW + i
        _style_cell(ws.cell(r, 1, label), "label", bold=True)
        cell = ws.cell(r, 2, values.get(key))
        _style_cell(cell, "number")
        _style_cell(ws.cell(r, 3, note or FORMAT_NOTES[fmt]), "label")
        if key == "format":
            cell.fill = FILL_DERIVED
            continue
        cell.protection = Protection(locked=False)
        cell.fill = FILL_INPUT
        if key != "agency":
            dvs[{"year": "year", "cases": "count", "amount": "yuan"}[key]].add(cell.coordinate)
    for i, line in enumerate(_INSTRUCTIONS):
        r = INFO_FIRST_ROW + len(INFO_ROWS) + 1 + i
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        ws.cell(r, 1, line).font = Font(name=SHEET_FONT, size=10.5, bold=i == 0)
    for col, width in zip("ABC", (22, 34, 70), strict=True):
        ws.column_dimensions[col].width = width
    _protect(ws)


def template_workbook(fmt: ReportFormat, year: int | None, agency: str | None) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = INFO_SHEET
    _write_info_sheet(ws, fmt, year, agency)
    for grid in table_grids(fmt):
        _write_grid_sheet(wb.create_sheet(grid.name), grid)
    return wb
