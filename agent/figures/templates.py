"""Blank, labelled templates for the figures: an xlsx workbook (only number cells editable) or YAML."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from agent.errors import InputError
from agent.figures.render import GridCell, TableGrid, table_grids
from agent.figures.sheet_layout import (
    CELL_BORDER,
    DERIVED_NOTE,
    FILL_DERIVED,
    FILL_INPUT,
    FORMAT_NAMES,
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
    KEY_AGENCY,
    KEY_FEE,
    KEY_FEE_AMOUNT,
    KEY_FEE_CASES,
    KEY_FORMAT,
    KEY_T2,
    KEY_T3,
    KEY_T4,
    KEY_YEAR,
    columns_text,
    default_format,
)
from agent.fsutil import write_text, write_with
from agent.report.labels import (
    TABLE2_BLOCKS,
    TABLE3_COLUMNS,
    TABLE3_CORNER,
    TABLE3_ROWS,
    TABLE3_TOPS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    TABLE4_LITIGATION,
    ReportFormat,
)
from agent.report.model import CellValue

# --------------------------------------------------------------------------- xlsx writing


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


def _template_workbook(fmt: ReportFormat, year: int | None, agency: str | None) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = INFO_SHEET
    _write_info_sheet(ws, fmt, year, agency)
    for grid in table_grids(fmt):
        _write_grid_sheet(wb.create_sheet(grid.name), grid)
    return wb


def write_template(path: Path, kind: str, year: int | None = None, agency: str | None = None) -> None:
    """A blank, labelled template (``kind`` "xlsx" or "yaml"); year ≤ 2020 gives the 2019 layout."""
    path = Path(path)
    suffixes = {"xlsx": (".xlsx",), "yaml": (".yaml", ".yml")}
    if kind not in suffixes:
        raise InputError(f"模板类型只能是 xlsx 或 yaml，而不是“{kind}”")
    if path.suffix.lower() not in suffixes[kind]:
        raise InputError(f"{kind} 模板的文件名应以 {' 或 '.join(suffixes[kind])} 结尾", path=str(path))
    fmt = default_format(year)
    if kind == "yaml":
        write_text(path, template_yaml(fmt, year, agency))
    else:
        wb = _template_workbook(fmt, year, agency)
        write_with(path, lambda tmp: wb.save(tmp))


# =========================================================================== YAML template

_BLANK = "~"


def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _blank_list(n: int) -> str:
    return "[" + ", ".join([_BLANK] * n) + "]"


def _yaml_header(fmt: ReportFormat, year: int | None, agency: str | None) -> Iterator[str]:
    yield "# 政府信息公开工作年度报告 统计数据"
    yield f"# {FORMAT_NAMES[fmt]}"
    yield "#"
    yield "# 填写方法："
    yield f"#   1. 把每个“{_BLANK}”改成数字（没有的填 0）。“{_BLANK}”表示空白。"
    yield "#   2. 总计（表三的“总计”列和“（七）总计”行、表四各组的“总计”）可以保留“~”，程序会自动计算；"
    yield "#      如果填写了，程序会核对是否正确。"
    yield "#   3. 冒号、逗号、方括号请用英文半角符号，冒号后面留一个空格；行名称不要改动。"
    yield "#   4. 保存时编码选“UTF-8”。填好后运行：report-agent tables 本文件.yaml -o 统计表.docx"
    yield ""
    yield f"{KEY_AGENCY}: {_yaml_str(agency) if agency else ''}".rstrip() + "    # 机关全称"
    yield f"{KEY_YEAR}: {year if year is not None else ''}".rstrip() + "    # 报告所属年度，例如 2024"
    yield f'{KEY_FORMAT}: "{fmt}"    # 2021版表格用于2021年及以后的报告，2019版用于2019、2020年'
    yield ""


def _yaml_table2(fmt: ReportFormat) -> Iterator[str]:
    yield "# 二、主动公开政府信息情况"
    yield f"{KEY_T2}:"
    for b in TABLE2_BLOCKS[fmt]:
        yield f"  {b.label}:"
        cols = "、".join(c.label + ("（可以填负数）" if c.kind == "delta" else "") for c in b.columns)
        if len(b.columns) > 1:
            yield f"    # 每行 {len(b.columns)} 个数，依次为：{cols}"
        for _, rl in b.rows:
            if len(b.columns) == 1:
                note = "，可以有小数" if b.columns[0].kind == "amount" else ""
                yield f"    {rl}: {_BLANK}    # {cols}{note}"
            else:
                yield f"    {rl}: {_blank_list(len(b.columns))}"
    yield ""


def _yaml_table3(fmt: ReportFormat) -> Iterator[str]:
    yield "# 三、收到和处理政府信息公开申请情况"
    yield f"# 每行 {len(TABLE3_COLUMNS)} 个数，依次为：{columns_text(TABLE3_COLUMNS)}（总计可保留“~”）"
    yield f"# {TABLE3_CORNER}"
    yield f"{KEY_T3}:"
    n = len(TABLE3_COLUMNS)
    top3 = TABLE3_TOPS[2]
    group: str | None = None
    for row in TABLE3_ROWS[fmt]:
        if row.top == top3 and group is None:
            yield f"  {top3}:"
            group = ""
        if row.top != top3:
            yield f"  {row.label}: {_blank_list(n)}"
            continue
        if row.group and row.group != group:
            yield f"    {row.group}:"
        group = row.group or ""
        indent = "      " if row.group else "    "
        note = "    # 可全部保留“~”，自动计算" if row.derived else ""
        yield f"{indent}{row.label}: {_blank_list(n)}{note}"
    yield ""


def _yaml_table4() -> Iterator[str]:
    yield "# 四、政府信息公开行政复议、行政诉讼情况"
    yield f"# 每组 {len(TABLE4_COLUMNS)} 个数，依次为：{columns_text(TABLE4_COLUMNS)}（总计可保留“~”）"
    yield f"{KEY_T4}:"
    n = len(TABLE4_COLUMNS)
    review, *litigation = TABLE4_GROUPS
    yield f"  {review[1]}: {_blank_list(n)}"
    yield f"  {TABLE4_LITIGATION}:"
    for _, label in litigation:
        yield f"    {label}: {_blank_list(n)}"
    yield ""


def _yaml_fee(fmt: ReportFormat) -> Iterator[str]:
    where = "写入报告第六部分" if fmt == "2021" else "2019版报告不要求说明，可保留“~”"
    yield f"# 信息处理费（按《政府信息公开信息处理费管理办法》收取；{where}），没有的填 0"
    yield f"{KEY_FEE}:"
    yield f"  {KEY_FEE_CASES}: {_BLANK}"
    yield f"  {KEY_FEE_AMOUNT}: {_BLANK}    # 单位：元"


def template_yaml(fmt: ReportFormat, year: int | None = None, agency: str | None = None) -> str:
    """The commented YAML template text (blank cells are ``~``)."""
    parts = (
        _yaml_header(fmt, year, agency),
        _yaml_table2(fmt),
        _yaml_table3(fmt),
        _yaml_table4(),
        _yaml_fee(fmt),
    )
    return "\n".join(line for part in parts for line in part) + "\n"
