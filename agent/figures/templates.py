"""Blank, labelled templates for the figures: an xlsx workbook (only number cells editable) or YAML."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from agent.errors import InputError
from agent.figures.source import (
    FORMAT_NAMES,
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

TEMPLATE_SUFFIXES: dict[str, tuple[str, ...]] = {"xlsx": (".xlsx",), "yaml": (".yaml", ".yml")}


def check_template_name(path: Path, kind: str) -> None:
    """The template type must be known and the file name must end as that type's files do."""
    if kind not in TEMPLATE_SUFFIXES:
        raise InputError(f"模板类型只能是 xlsx 或 yaml，而不是“{kind}”")
    suffix = Path(path).suffix.lower()
    if suffix in TEMPLATE_SUFFIXES[kind]:
        return
    other = next((k for k, v in TEMPLATE_SUFFIXES.items() if suffix in v), None)
    hint = (
        f"；如需 {other} 模板请加 --format {other}"
        if other
        else ("；Excel 文件请用 .xlsx" if suffix in (".xls", ".et") else "")
    )
    raise InputError(
        f"{kind} 模板的文件名应以 {' 或 '.join(TEMPLATE_SUFFIXES[kind])} 结尾{hint}", path=str(path)
    )


def write_template(path: Path, kind: str, year: int | None = None, agency: str | None = None) -> None:
    """A blank, labelled template (``kind`` "xlsx" or "yaml"); year ≤ 2020 gives the 2019 layout."""
    path = Path(path)
    check_template_name(path, kind)
    fmt = default_format(year)
    if kind == "yaml":
        write_text(path, template_yaml(fmt, year, agency))
    else:
        from agent.figures.templates_xlsx import template_workbook  # openpyxl only for xlsx

        wb = template_workbook(fmt, year, agency)
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
