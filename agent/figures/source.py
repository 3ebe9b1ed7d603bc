"""The clerk's figures file as a tree of located nodes, and reading cells and rows from it.

Every value keeps where it came from (YAML line, JSON path, sheet!cell) so that each problem names
its place; problems are collected and raised together as one FiguresError.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field

from agent.errors import FiguresError, InputError
from agent.report.labels import (
    FORMATS,
    ColumnSpec,
    LabelIndex,
    ReportFormat,
    core_label,
    normalize_label,
)
from agent.report.model import CellValue, Figures

# keys of the YAML/JSON file and labels of the xlsx 基本信息 sheet
KEY_AGENCY, KEY_YEAR, KEY_FORMAT = "机关", "年度", "格式"
KEY_T2, KEY_T3, KEY_T4 = "表二", "表三", "表四"
KEY_FEE, KEY_FEE_CASES, KEY_FEE_AMOUNT = "信息处理费", "件数", "金额（元）"
TOP_KEYS: dict[str, tuple[str, ...]] = {
    "agency": (KEY_AGENCY, "机关名称"),
    "year": (KEY_YEAR, "报告年度"),
    "format": (KEY_FORMAT, "表格格式"),
    "table2": (KEY_T2,),
    "table3": (KEY_T3,),
    "table4": (KEY_T4,),
    "info_fee": (KEY_FEE,),
}
FEE_KEYS: dict[str, tuple[str, ...]] = {
    "cases": (KEY_FEE_CASES, "收费件数"),
    "amount": (KEY_FEE_AMOUNT, "金额", "收费金额"),
}
INFO_SHEET = "基本信息"
FORMAT_NAMES: dict[str, str] = {
    "2021": "2021版表格（国办公开办函〔2021〕30号），用于2021年及以后的报告",
    "2019": "2019版表格（国办公开办函〔2019〕60号），用于2019、2020年的报告",
}
_NUMBER_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NULLS = {"", "~", "null", "Null", "NULL"}


def default_format(year: int | None) -> ReportFormat:
    """2019 format for reports on 2020 and earlier, 2021 format otherwise."""
    return "2019" if year is not None and year <= 2020 else "2021"


# =========================================================================== problems


@dataclass
class Problems:
    items: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # read anyway, but the clerk should know

    def add(self, where: str | None, message: str) -> None:
        self.items.append(f"{where}：{message}" if where else message)

    def warn(self, where: str | None, message: str) -> None:
        self.warnings.append(f"{where}：{message}" if where else message)

    def raise_if_any(self, path: Path) -> None:
        """Raise all problems, in line order (problems without a line keep their place first)."""
        if self.items:
            raise FiguresError(str(path), sorted(self.items, key=_line_number))


def _line_number(problem: str) -> int:
    m = re.match(r"第(\d+)行", problem)
    return int(m.group(1)) if m else 0


def quoted(label: str) -> str:
    return f"“{label}”"


def closest_label(text: str, labels: Iterable[str]) -> str | None:
    """The official label closest to ``text`` (compared by full and core form), if any is close."""
    forms: dict[str, str] = {}
    for label in labels:
        forms.setdefault(normalize_label(label), label)
        forms.setdefault(core_label(label), label)
    for probe in (normalize_label(text), core_label(text)):
        close = difflib.get_close_matches(probe, list(forms), n=1, cutoff=0.5)
        if close:
            return forms[close[0]]
    return None


def suggest_label(text: str, labels: Iterable[str]) -> str:
    """'，是否应为“…”？' for the official label closest to ``text``."""
    label = closest_label(text, labels)
    return f"，是否应为{quoted(label)}？" if label else ""


def parse_number_text(text: str) -> CellValue:
    """'12' → 12, '0.5' → 0.5, '１,234' → 1234; anything else is returned as the raw text."""
    raw = text.strip()
    if raw in _NULLS:
        return None
    t = unicodedata.normalize("NFKC", raw)
    if _THOUSANDS_RE.match(t):
        t = t.replace(",", "")
    if _NUMBER_RE.match(t):
        return float(t) if "." in t else int(t)
    return raw


class LoadedFigures(Figures):
    """Figures as read from the clerk's file, with the warnings about how they were read (rows left
    out and counted as zero, a file cut short …)."""

    warnings: list[str] = Field(default_factory=list)


def with_warnings(fig: Figures, warnings: list[str]) -> LoadedFigures:
    fields = {name: getattr(fig, name) for name in Figures.model_fields}
    return LoadedFigures(**fields, warnings=list(warnings))


# =========================================================================== YAML/JSON tree


@dataclass
class SourceNode:
    """A YAML/JSON value with the 1-based line it starts on (None when unknown)."""

    line: int | None
    text: str | None = None  # scalars: the text as written
    quoted: bool = False
    items: list[SourceNode] | None = None
    pairs: list[tuple[SourceNode, SourceNode]] | None = None

    @property
    def where(self) -> str | None:
        return f"第{self.line}行" if self.line else None

    @property
    def is_scalar(self) -> bool:
        return self.text is not None

    @property
    def is_list(self) -> bool:
        return self.items is not None

    @property
    def is_map(self) -> bool:
        return self.pairs is not None

    @property
    def label(self) -> str:
        return (self.text or "").strip()

    def value(self) -> CellValue:
        """A scalar as a cell value: blank → None, numbers → int/float, other text kept."""
        if self.text is None:
            return None
        if not self.quoted and self.text.strip() in _NULLS:
            return None
        return parse_number_text(self.text) if self.text.strip() else None


def _from_yaml(node: yaml.Node) -> SourceNode:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return SourceNode(line, text=str(node.value), quoted=node.style in ("'", '"'))
    if isinstance(node, yaml.SequenceNode):
        return SourceNode(line, items=[_from_yaml(n) for n in node.value])
    if isinstance(node, yaml.MappingNode):
        return SourceNode(line, pairs=[(_from_yaml(k), _from_yaml(v)) for k, v in node.value])
    return SourceNode(line, text="")  # pragma: no cover - compose yields only the three kinds


def _from_json(obj: Any) -> SourceNode:
    """Fallback tree (no line numbers) for JSON that the YAML composer cannot read."""
    if isinstance(obj, dict):
        return SourceNode(
            None, pairs=[(SourceNode(None, text=str(k), quoted=True), _from_json(v)) for k, v in obj.items()]
        )
    if isinstance(obj, list):
        return SourceNode(None, items=[_from_json(v) for v in obj])
    if obj is None:
        return SourceNode(None, text="")
    if isinstance(obj, bool):
        return SourceNode(None, text="true" if obj else "false")
    return SourceNode(None, text=str(obj), quoted=isinstance(obj, str))


def decode_text(path: Path, data: bytes, problems: Problems) -> str | None:
    """utf-8, then gb18030 (files saved by Notepad/WPS on Chinese Windows), then a best guess."""
    from agent.textfile import decode_text as decode

    try:
        decoded = decode(data, str(path))
    except InputError as exc:
        problems.add(exc.where, exc.message)
        return None
    for w in decoded.warnings:
        problems.warn(None, w)
    return decoded.text


def _yaml_hint(lines: list[str], index: int) -> tuple[int, str]:
    """(0-based line to report, hint): a full-width colon a few lines up is the usual culprit."""
    for i in range(min(index, len(lines) - 1), max(index - 4, -1), -1):
        code = lines[i].split("#", 1)[0]
        if "：" in code and ":" not in code:
            return i, "。名称后面的冒号要用英文半角“:”，冒号后面加一个空格"
        if "\t" in lines[i]:
            return i, "。缩进请用空格，不要用 Tab 键"
    return index, "。请检查：冒号后是否有空格、同一层的名称是否对齐、方括号和引号是否成对"


def parse_yaml(text: str, problems: Problems) -> SourceNode | None:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, hint = _yaml_hint(text.splitlines(), mark.line if mark else 0)
        problems.add(f"第{line + 1}行", f"YAML 格式错误（{exc.problem or exc.context}）{hint}")
        return None
    except yaml.YAMLError as exc:
        problems.add(None, f"YAML 格式错误：{exc}")
        return None
    if node is None:
        problems.add(None, "文件是空的；可用 report-agent template --format yaml 生成模板")
        return None
    return _from_yaml(node)


_JSON_MESSAGES = {
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting value": "缺少数值或多了逗号",
    "Expecting property name enclosed in double quotes": "名称要用英文双引号括起，最后一项后面不能有逗号",
    "Extra data": "结尾有多余的内容",
    "Unterminated string starting at": "引号不成对",
    "Invalid control character at": "引号内有换行或 Tab",
}


def parse_json(text: str, problems: Problems) -> SourceNode | None:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = _JSON_MESSAGES.get(exc.msg, exc.msg)
        problems.add(f"第{exc.lineno}行第{exc.colno}列", f"JSON 格式错误：{msg}")
        return None
    try:  # JSON is YAML: compose it for line numbers (tabs only occur between tokens)
        node = yaml.compose(text.replace("\t", " "), Loader=yaml.SafeLoader)
        return _from_yaml(node) if node is not None else _from_json(obj)
    except yaml.YAMLError:
        return _from_json(obj)


# =========================================================================== reading rows


def label_index(entries: Iterable[tuple[str, Iterable[str]]]) -> LabelIndex:
    idx = LabelIndex()
    for key, labels in entries:
        idx.add(key, *labels)
    return idx


def columns_text(columns: tuple[ColumnSpec, ...]) -> str:
    return "、".join(c.label for c in columns)


def list_hint(node: SourceNode) -> str:
    texts = [n.label for n in node.items or [] if n.is_scalar]
    if any(ch in t for t in texts for ch in "，、；"):
        return "（数字之间请用英文半角逗号“,”分隔）"
    return ""


def _values_from_list(
    node: SourceNode, columns: tuple[ColumnSpec, ...], name: str, problems: Problems
) -> list[CellValue] | None:
    items = node.items or []
    required = [c for c in columns if not c.derived]
    if len(items) not in (len(columns), len(required)):
        counts = (
            f"{len(required)}个" if len(required) == len(columns) else f"{len(required)}个或{len(columns)}个"
        )
        problems.add(
            node.where,
            f"{name}应填写{counts}数（依次为{columns_text(columns)}），实际为{len(items)}个{list_hint(node)}",
        )
        return None
    values: list[CellValue] = []
    for item, col in zip(items, columns, strict=False):
        if not item.is_scalar:
            problems.add(item.where, f"{name} × {col.label}应为一个数字")
            return None
        values.append(_without_unit(item, f"{name} × {col.label}", problems))
    return values + [None] * (len(columns) - len(values))


def _values_from_map(
    node: SourceNode, columns: tuple[ColumnSpec, ...], name: str, problems: Problems
) -> list[CellValue] | None:
    index = label_index((c.key, (c.label,)) for c in columns)
    found: dict[str, CellValue] = {}
    ok = True
    for k, v in node.pairs or []:
        key = index.lookup(k.label)
        if key is None:
            near = closest_label(k.label, (c.label for c in columns))
            problems.add(
                k.where,
                f"{name}没有{quoted(k.label)}这一列" + (f"，是否应为{quoted(near)}？" if near else ""),
            )
            if near:
                found.setdefault(index.lookup(near) or "", None)
            ok = False
        elif key in found:
            problems.add(k.where, f"{name} × {quoted(k.label)}重复填写")
            ok = False
        elif not v.is_scalar:
            problems.add(v.where, f"{name} × {k.label}应为一个数字")
            ok = False
        else:
            found[key] = _without_unit(v, f"{name} × {k.label}", problems)
    missing = [quoted(c.label) for c in columns if not c.derived and c.key not in found]
    if missing:
        problems.add(node.where, f"{name}缺少{''.join(missing)}列")
        ok = False
    return [found.get(c.key) for c in columns] if ok else None


_UNIT_RE = re.compile(r"^\s*[+-]?\d+(?:\.\d+)?\s*(件|条|个|次|篇|项|人次|人|元|万元|家|份)\s*$")


def unit_problem(text: str) -> str | None:
    """'5件' → the sentence asking for the number alone; None for anything else."""
    m = _UNIT_RE.match(text)
    return f"“{text.strip()}”请只填数字，不要带单位“{m.group(1)}”" if m else None


def _without_unit(node: SourceNode, name: str, problems: Problems) -> CellValue:
    """The node's value; a number written with its unit (``5件``) is reported where it is."""
    value = node.value()
    if isinstance(value, str) and (problem := unit_problem(value)):
        problems.add(node.where, f"{name}：{problem}")
        return None
    return value


def read_row_values(
    node: SourceNode, columns: tuple[ColumnSpec, ...], name: str, problems: Problems, blank_ok: bool = False
) -> list[CellValue] | None:
    """The values of one row, in column order (a list, a mapping by column, or one number)."""
    if node.is_list:
        return _values_from_list(node, columns, name, problems)
    if node.is_map:
        return _values_from_map(node, columns, name, problems)
    if len(columns) == 1:
        return [_without_unit(node, name, problems)]
    if node.value() is None and blank_ok:
        return [None] * len(columns)
    example = "[" + ", ".join("0" for c in columns if not c.derived) + "]"
    problems.add(
        node.where,
        f"{name}应填写{sum(not c.derived for c in columns)}个数（依次为{columns_text(columns)}），"
        f"用方括号括起、英文逗号分隔，例如 {example}",
    )
    return None


def other_format_hint(text: str, labels_other: Iterable[str], fmt: ReportFormat) -> str:
    other = next(f for f in FORMATS if f != fmt)
    if any(normalize_label(text) in (normalize_label(x), core_label(x)) for x in labels_other):
        return f'（这是{other}版表格的行；本文件按{fmt}版读取，如需{other}版请写“{KEY_FORMAT}: "{other}"”）'
    return ""


@dataclass
class SeenRows:
    """Rows already read (to report duplicates and, at the end, rows left out)."""

    lines: dict[str, int | None] = field(default_factory=dict)
    excused: set[str] = field(default_factory=set)

    def first(self, key: str, node: SourceNode, name: str, problems: Problems) -> bool:
        if key in self.lines:
            before = self.lines[key]
            problems.add(node.where, f"{name}重复填写" + (f"（第{before}行已填写）" if before else ""))
            return False
        self.lines[key] = node.line
        return True

    def excuse(self, key: str | None, node: SourceNode) -> None:
        """A row probably meant by a label already reported as unknown: not reported again as left
        out (and, unlike a row read, not counted when the row itself comes later)."""
        if key is not None:
            self.excused.add(key)

    def left_out(self, keys: Iterable[str]) -> list[str]:
        return [k for k in keys if k not in self.lines and k not in self.excused]


def zero_rows_warning(table: str, labels: list[str]) -> str:
    """One warning for all the rows left out of a table (they count as zero)."""
    shown = "、".join(quoted(x) for x in labels[:8]) + (f" 等 {len(labels)} 行" if len(labels) > 8 else "")
    return f"{table}未填写{shown}，已按 0 计；如这些行有数字，请补上"
