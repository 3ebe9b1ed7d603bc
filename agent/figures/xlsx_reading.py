"""Figures from a filled-in xlsx template (values, with every problem named by sheet!cell)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from agent.errors import FiguresError
from agent.figures.render import TableGrid, set_ref_value, table_grids
from agent.figures.sheet_layout import INFO_FIRST_ROW, INFO_ROWS, info_cell, sheet_coord
from agent.figures.source import INFO_SHEET, Problems, parse_number_text, quoted, unit_problem, with_warnings
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


def _check_type(value: object, where: str, problems: Problems) -> None:
    """A number cell Excel turned into a date or a truth value: named by its sheet and cell."""
    import datetime

    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        problems.add(
            where,
            f"这一格被 Excel 当成了日期或时间（{value}），请把单元格格式设为“数值”或“常规”后重新填写数字",
        )
    elif isinstance(value, bool):
        problems.add(where, f"应填数字（没有的填0），而不是“{'TRUE' if value else 'FALSE'}”")
    elif isinstance(value, str) and (problem := unit_problem(value)):
        problems.add(where, problem)
    # other text is kept: validate_figures reports it by row and column, as for YAML


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


_OLE = bytes.fromhex("D0CF11E0A1B11AE1")  # the container of .xls files and of encrypted .xlsx files
_RESAVE = "请在 Excel 或 WPS 中打开，“另存为”Excel 工作簿（.xlsx）后再试"


def _not_a_workbook(path: Path) -> str | None:
    """Why the file cannot be an .xlsx, judged from its bytes (None: it looks like one)."""
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head.startswith(_OLE):
            data = head + fh.read(4 * 1024 * 1024)
            if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
                return (
                    "文件设有打开密码（已加密），程序无法读取。请在 Excel 或 WPS 中打开，取消密码"
                    "（Excel：文件→信息→保护工作簿→用密码进行加密，清空密码）后保存，再重新运行"
                )
            return f"这是旧版 Excel（.xls）或 WPS 表格文件，只是扩展名为 .xlsx；{_RESAVE}"
    if not head.startswith(b"PK"):
        return f"文件内容不是 Excel 工作簿（.xlsx）；{_RESAVE}"
    return None


def _broken_part(path: Path) -> str:
    """The first XML part of the workbook that does not parse, named for the clerk (a sheet by
    its name when the workbook's own list of sheets can be read)."""
    from xml.etree import ElementTree

    with zipfile.ZipFile(path) as z:
        names = _sheet_names(z)
        for name in z.namelist():
            if not name.endswith(".xml"):
                continue
            try:
                ElementTree.fromstring(z.read(name))
            except ElementTree.ParseError:
                return f"工作表“{names[name]}”" if name in names else name
    return "工作簿"


def _sheet_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Part name (xl/worksheets/sheet2.xml) → sheet name (表二), from workbook.xml and its rels."""
    from xml.etree import ElementTree

    try:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    target = {r.get("Id"): r.get("Target", "") for r in rels}
    out: dict[str, str] = {}
    for sheet in book.iter():
        if sheet.tag.endswith("}sheet"):
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            part = target.get(rid, "").lstrip("/")
            out[part if part.startswith("xl/") else f"xl/{part}"] = sheet.get("name", "")
    return out


def _open_workbook(path: Path) -> Any:
    reason = _not_a_workbook(path)
    if reason is None:
        try:
            return openpyxl.load_workbook(path, data_only=True)
        except zipfile.BadZipFile:
            reason = (
                f"文件不完整或已损坏（压缩包无法解开），可能没有复制完整；请重新保存或重新复制。{_RESAVE}"
            )
        except (InvalidFileException, KeyError) as exc:
            reason = f"文件缺少 Excel 工作簿必需的部分（{exc}）；{_RESAVE}"
        except Exception as exc:  # ParseError and lxml's errors: the XML inside is damaged
            if "parse" not in type(exc).__name__.lower() and "syntax" not in type(exc).__name__.lower():
                raise
            reason = f"文件已损坏：{_broken_part(path)}的数据不完整（XML 格式错误：{exc}）；{_RESAVE}"
    raise FiguresError(str(path), [reason])


def load_xlsx(path: Path) -> Figures:
    wb = _open_workbook(path)
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
                cell = ws.cell(*sheet_coord(gc))
                _check_type(cell.value, f"{ws.title}!{cell.coordinate}", problems)
                set_ref_value(fig, gc.ref, xlsx_cell_value(cell.value))
    problems.raise_if_any(path)
    return with_warnings(fig, problems.warnings)


# =========================================================================== public API
