"""The statistical figures a clerk supplies (YAML, JSON or xlsx), and blank templates for them.

YAML/JSON layout (Chinese keys; rows keyed by their official labels)::

    机关: 示例县民族宗教事务局
    年度: 2024
    格式: "2021"            # optional: 年度 ≤ 2020 → "2019", otherwise "2021"
    表二:
      第二十条第（一）项:
        规章: [0, 0, 3]      # 本年制发件数, 本年废止件数, 现行有效件数
        行政规范性文件: {本年制发件数: 1, 本年废止件数: 0, 现行有效件数: 5}
      第二十条第（五）项:
        行政许可: 12         # a single-column row may be a plain number
      …
    表三:
      一、本年新收政府信息公开申请数量: [5, 1, 0, 0, 0, 0]   # 6 numbers, or 7 with 总计
      三、本年度办理结果:
        （一）予以公开: [3, 1, 0, 0, 0, 0]
        （三）不予公开:
          1.属于国家秘密: [0, 0, 0, 0, 0, 0]
        …
    表四:
      行政复议: [1, 0, 0, 0]                                   # 4 numbers, or 5 with 总计
      行政诉讼:
        未经复议直接起诉: {结果维持: 0, 结果纠正: 0, 其他结果: 0, 尚未审结: 0}
        复议后起诉: [0, 0, 0, 0]
    信息处理费: {件数: 0, 金额（元）: 0}

Labels may be written in full, without their enumerator (``予以公开``), with spaces or with
half-width brackets; rows may also be written flat (``（三）不予公开 1.属于国家秘密``).
Derived cells (表三 总计 column and （七）总计 row, 表四 总计) may be left out or blank: they
stay ``None`` for :func:`agent.tables.complete_figures`. Cell values that are not numbers are
kept as text for :func:`agent.tables.validate_figures` to report. Structural problems (an
unknown label, a wrong number of values, a missing row or table, unreadable files) are all
collected and raised together as one :class:`FiguresError`, each naming its line or cell.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from agent.errors import FiguresError, InputError
from agent.fsutil import write_text, write_with
from agent.labels import (
    FORMATS,
    TABLE2_BLOCKS,
    TABLE3_COLUMNS,
    TABLE3_CORNER,
    TABLE3_ROWS,
    TABLE3_TOPS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    TABLE4_LITIGATION,
    ColumnSpec,
    LabelIndex,
    ReportFormat,
    core_label,
    normalize_label,
    table4_group_path,
)
from agent.model import CellValue, Figures, InfoFee, Table2, Table3, Table4
from agent.render_tables import GridCell, TableGrid, set_ref_value, table_grids

# keys of the YAML/JSON file and labels of the xlsx 基本信息 sheet
KEY_AGENCY, KEY_YEAR, KEY_FORMAT = "机关", "年度", "格式"
KEY_T2, KEY_T3, KEY_T4 = "表二", "表三", "表四"
KEY_FEE, KEY_FEE_CASES, KEY_FEE_AMOUNT = "信息处理费", "件数", "金额（元）"
_TOP_KEYS: dict[str, tuple[str, ...]] = {
    "agency": (KEY_AGENCY, "机关名称"),
    "year": (KEY_YEAR, "报告年度"),
    "format": (KEY_FORMAT, "表格格式"),
    "table2": (KEY_T2,),
    "table3": (KEY_T3,),
    "table4": (KEY_T4,),
    "info_fee": (KEY_FEE,),
}
_FEE_KEYS: dict[str, tuple[str, ...]] = {
    "cases": (KEY_FEE_CASES, "收费件数"),
    "amount": (KEY_FEE_AMOUNT, "金额", "收费金额"),
}
INFO_SHEET = "基本信息"
_NUMBER_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")
_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NULLS = {"", "~", "null", "Null", "NULL"}


def default_format(year: int | None) -> ReportFormat:
    """2019 format for reports on 2020 and earlier, 2021 format otherwise."""
    return "2019" if year is not None and year <= 2020 else "2021"


# =========================================================================== problems


@dataclass
class _Problems:
    items: list[str] = field(default_factory=list)

    def add(self, where: str | None, message: str) -> None:
        self.items.append(f"{where}：{message}" if where else message)

    def raise_if_any(self, path: Path) -> None:
        """Raise all problems, in line order (problems without a line keep their place first)."""
        if self.items:
            raise FiguresError(str(path), sorted(self.items, key=_line_number))


def _line_number(problem: str) -> int:
    m = re.match(r"第(\d+)行", problem)
    return int(m.group(1)) if m else 0


def _q(label: str) -> str:
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


def _suggest(text: str, labels: Iterable[str]) -> str:
    """'，是否应为“…”？' for the official label closest to ``text``."""
    label = closest_label(text, labels)
    return f"，是否应为{_q(label)}？" if label else ""


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


# =========================================================================== YAML/JSON tree


@dataclass
class _Node:
    """A YAML/JSON value with the 1-based line it starts on (None when unknown)."""

    line: int | None
    text: str | None = None  # scalars: the text as written
    quoted: bool = False
    items: list[_Node] | None = None
    pairs: list[tuple[_Node, _Node]] | None = None

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


def _from_yaml(node: yaml.Node) -> _Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return _Node(line, text=str(node.value), quoted=node.style in ("'", '"'))
    if isinstance(node, yaml.SequenceNode):
        return _Node(line, items=[_from_yaml(n) for n in node.value])
    if isinstance(node, yaml.MappingNode):
        return _Node(line, pairs=[(_from_yaml(k), _from_yaml(v)) for k, v in node.value])
    return _Node(line, text="")  # pragma: no cover - compose yields only the three kinds


def _from_json(obj: Any) -> _Node:
    """Fallback tree (no line numbers) for JSON that the YAML composer cannot read."""
    if isinstance(obj, dict):
        return _Node(
            None, pairs=[(_Node(None, text=str(k), quoted=True), _from_json(v)) for k, v in obj.items()]
        )
    if isinstance(obj, list):
        return _Node(None, items=[_from_json(v) for v in obj])
    if obj is None:
        return _Node(None, text="")
    if isinstance(obj, bool):
        return _Node(None, text="true" if obj else "false")
    return _Node(None, text=str(obj), quoted=isinstance(obj, str))


def _decode(path: Path, data: bytes, problems: _Problems) -> str | None:
    """utf-8, then gb18030 (files saved by Notepad/WPS on Chinese Windows), then a best guess."""
    from agent.report_reader import decode_bytes

    try:
        return decode_bytes(data, str(path))
    except InputError as exc:
        problems.add("第1行", exc.message)
        return None


def _yaml_hint(lines: list[str], index: int) -> tuple[int, str]:
    """(0-based line to report, hint): a full-width colon a few lines up is the usual culprit."""
    for i in range(min(index, len(lines) - 1), max(index - 4, -1), -1):
        code = lines[i].split("#", 1)[0]
        if "：" in code and ":" not in code:
            return i, "。名称后面的冒号要用英文半角“:”，冒号后面加一个空格"
        if "\t" in lines[i]:
            return i, "。缩进请用空格，不要用 Tab 键"
    return index, "。请检查：冒号后是否有空格、同一层的名称是否对齐、方括号和引号是否成对"


def _parse_yaml(text: str, problems: _Problems) -> _Node | None:
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


def _parse_json(text: str, problems: _Problems) -> _Node | None:
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


def _index(entries: Iterable[tuple[str, Iterable[str]]]) -> LabelIndex:
    idx = LabelIndex()
    for key, labels in entries:
        idx.add(key, *labels)
    return idx


def _columns_text(columns: tuple[ColumnSpec, ...]) -> str:
    return "、".join(c.label for c in columns)


def _list_hint(node: _Node) -> str:
    texts = [n.label for n in node.items or [] if n.is_scalar]
    if any(ch in t for t in texts for ch in "，、；"):
        return "（数字之间请用英文半角逗号“,”分隔）"
    return ""


def _values_from_list(
    node: _Node, columns: tuple[ColumnSpec, ...], name: str, problems: _Problems
) -> list[CellValue] | None:
    items = node.items or []
    required = [c for c in columns if not c.derived]
    if len(items) not in (len(columns), len(required)):
        counts = (
            f"{len(required)}个" if len(required) == len(columns) else f"{len(required)}个或{len(columns)}个"
        )
        problems.add(
            node.where,
            f"{name}应填写{counts}数（依次为{_columns_text(columns)}），实际为{len(items)}个{_list_hint(node)}",
        )
        return None
    values: list[CellValue] = []
    for item, col in zip(items, columns, strict=False):
        if not item.is_scalar:
            problems.add(item.where, f"{name} × {col.label}应为一个数字")
            return None
        values.append(item.value())
    return values + [None] * (len(columns) - len(values))


def _values_from_map(
    node: _Node, columns: tuple[ColumnSpec, ...], name: str, problems: _Problems
) -> list[CellValue] | None:
    index = _index((c.key, (c.label,)) for c in columns)
    found: dict[str, CellValue] = {}
    ok = True
    for k, v in node.pairs or []:
        key = index.lookup(k.label)
        if key is None:
            near = closest_label(k.label, (c.label for c in columns))
            problems.add(
                k.where, f"{name}没有{_q(k.label)}这一列" + (f"，是否应为{_q(near)}？" if near else "")
            )
            if near:
                found.setdefault(index.lookup(near) or "", None)
            ok = False
        elif key in found:
            problems.add(k.where, f"{name} × {_q(k.label)}重复填写")
            ok = False
        elif not v.is_scalar:
            problems.add(v.where, f"{name} × {k.label}应为一个数字")
            ok = False
        else:
            found[key] = v.value()
    missing = [_q(c.label) for c in columns if not c.derived and c.key not in found]
    if missing:
        problems.add(node.where, f"{name}缺少{''.join(missing)}列")
        ok = False
    return [found.get(c.key) for c in columns] if ok else None


def _row_values(
    node: _Node, columns: tuple[ColumnSpec, ...], name: str, problems: _Problems, blank_ok: bool = False
) -> list[CellValue] | None:
    """The values of one row, in column order (a list, a mapping by column, or one number)."""
    if node.is_list:
        return _values_from_list(node, columns, name, problems)
    if node.is_map:
        return _values_from_map(node, columns, name, problems)
    if len(columns) == 1:
        return [node.value()]
    if node.value() is None and blank_ok:
        return [None] * len(columns)
    example = "[" + ", ".join("0" for c in columns if not c.derived) + "]"
    problems.add(
        node.where,
        f"{name}应填写{sum(not c.derived for c in columns)}个数（依次为{_columns_text(columns)}），"
        f"用方括号括起、英文逗号分隔，例如 {example}",
    )
    return None


def _other_format_hint(text: str, labels_other: Iterable[str], fmt: ReportFormat) -> str:
    other = next(f for f in FORMATS if f != fmt)
    if any(normalize_label(text) in (normalize_label(x), core_label(x)) for x in labels_other):
        return f'（这是{other}版表格的行；本文件按{fmt}版读取，如需{other}版请写“{KEY_FORMAT}: "{other}"”）'
    return ""


@dataclass
class _Seen:
    """Rows already read (to report duplicates and, at the end, missing rows)."""

    lines: dict[str, int | None] = field(default_factory=dict)

    def first(self, key: str, node: _Node, name: str, problems: _Problems) -> bool:
        if key in self.lines:
            before = self.lines[key]
            problems.add(node.where, f"{name}重复填写" + (f"（第{before}行已填写）" if before else ""))
            return False
        self.lines[key] = node.line
        return True

    def excuse(self, key: str | None, node: _Node) -> None:
        """A misspelt row already reported: do not report it again as missing."""
        if key is not None:
            self.lines.setdefault(key, node.line)


# --------------------------------------------------------------------------- table 2


def _read_table2(entry: tuple[_Node, _Node], fmt: ReportFormat, problems: _Problems) -> Table2:
    key_node, node = entry
    table = Table2.blank(fmt)
    blocks = TABLE2_BLOCKS[fmt]
    if not node.is_map:
        problems.add(
            node.where or key_node.where, f"{KEY_T2}应按“{blocks[0].label}”等分块，每行写“行名称: 数字”"
        )
        return table
    block_index = _index((b.key, (b.label,)) for b in blocks)
    row_index = _index((f"{b.key}/{rk}", (rl,)) for b in blocks for rk, rl in b.rows)
    seen = _Seen()
    for k, v in node.pairs or []:
        bkey = block_index.lookup(k.label)
        if bkey is None:
            _read_t2_row(k, v, None, table, row_index, seen, problems)
        elif v.is_map:
            for k2, v2 in v.pairs or []:
                _read_t2_row(k2, v2, bkey, table, row_index, seen, problems)
        else:
            rows = "、".join(rl for b in blocks if b.key == bkey for _, rl in b.rows)
            problems.add(
                v.where or k.where, f"{KEY_T2} {k.label}下面应分行填写（{rows}），每行写“行名称: 数字”"
            )
    for b in blocks:
        for rk, rl in b.rows:
            if f"{b.key}/{rk}" not in seen.lines:
                problems.add(key_node.where, f"{KEY_T2}缺少{_q(f'{b.label} {rl}')}这一行")
    return table


def _read_t2_row(
    k: _Node,
    v: _Node,
    block_key: str | None,
    table: Table2,
    row_index: LabelIndex,
    seen: _Seen,
    problems: _Problems,
) -> None:
    blocks = {b.key: b for b in table.blocks}
    ref = row_index.lookup(k.label)
    if ref is None:
        labels = [rl for b in blocks.values() for _, rl in b.rows]
        other = next(f for f in FORMATS if f != table.format)
        others = [rl for b in TABLE2_BLOCKS[other] for _, rl in b.rows]
        near = closest_label(k.label, labels)
        hint = _other_format_hint(k.label, others, table.format) or (
            f"，是否应为{_q(near)}？" if near else ""
        )
        problems.add(k.where, f"{KEY_T2}没有{_q(k.label)}这一行{hint}")
        seen.excuse(row_index.lookup(near) if near else None, k)
        return
    bkey, rk = ref.split("/")
    block = blocks[bkey]
    name = f"{KEY_T2} {block.label} {dict(block.rows)[rk]}"
    if block_key is not None and block_key != bkey:
        problems.add(k.where, f"{_q(k.label)}属于{block.label}，不应写在{blocks[block_key].label}下面")
        return
    if not seen.first(ref, k, name, problems):
        return
    values = _row_values(v, block.columns, name, problems)
    for col, value in zip(block.columns, values or [], strict=False):
        table.set(bkey, rk, col.key, value)


# --------------------------------------------------------------------------- table 3


_ALL_T3_LABELS = {
    normalize_label(x) for rows in TABLE3_ROWS.values() for r in rows for x in (r.label, r.path)
}


@dataclass
class _T3Reader:
    fmt: ReportFormat
    table: Table3
    problems: _Problems
    seen: _Seen = field(default_factory=_Seen)

    def __post_init__(self) -> None:
        rows = TABLE3_ROWS[self.fmt]
        self.rows = {r.key: r for r in rows}
        self.row_index = _index((r.key, (r.path, r.label)) for r in rows)
        self.groups = {r.group for r in rows if r.group}
        self.group_index = _index((g, (g,)) for g in self.groups)
        self.top3 = TABLE3_TOPS[2]

    def read(self, node: _Node, group: str | None = None) -> None:
        for k, v in node.pairs or []:
            self._entry(k, v, group)

    def _entry(self, k: _Node, v: _Node, group: str | None) -> None:
        if group is None and normalize_label(k.label) in (normalize_label(self.top3), core_label(self.top3)):
            if v.is_map:
                self.read(v)
            else:
                self.problems.add(
                    k.where, f"{_q(self.top3)}是标题行，不填数字；请在它下面分行填写（一）至（七）各项"
                )
            return
        key = self.row_index.lookup(k.label)
        sub = self.group_index.lookup(k.label) if key is None else None
        if sub is not None:
            if v.is_map:
                self.read(v, sub)
            else:
                leaves = "、".join(r.label for r in self.rows.values() if r.group == sub)
                self.problems.add(k.where, f"{KEY_T3} {sub}下分{leaves}各行，请在它下面分行填写")
            return
        if key is None:
            self._unknown(k)
            return
        self._row(k, v, key, group)

    def _unknown(self, k: _Node) -> None:
        rows = self.rows.values()
        labels = [r.label for r in rows] + [r.path for r in rows]
        other = next(f for f in FORMATS if f != self.fmt)
        others = [x for r in TABLE3_ROWS[other] for x in (r.label, r.path)]
        near = closest_label(k.label, labels)
        hint = _other_format_hint(k.label, others, self.fmt) or (f"，是否应为{_q(near)}？" if near else "")
        self.problems.add(k.where, f"{KEY_T3}没有{_q(k.label)}这一行{hint}")
        self.seen.excuse(self.row_index.lookup(near) if near else None, k)

    def _row(self, k: _Node, v: _Node, key: str, group: str | None) -> None:
        row = self.rows[key]
        name = f"{KEY_T3} {row.path}"
        if group is not None and row.group != group:
            self.problems.add(k.where, f"{_q(row.label)}不属于{group}，请移到正确的位置")
            return
        if not self.seen.first(key, k, name, self.problems):
            return
        if v.pairs and any(normalize_label(k2.label) in _ALL_T3_LABELS for k2, _ in v.pairs):
            for k2, _ in v.pairs:
                self._unknown(k2)
            return
        if v.is_scalar and v.value() is None and not row.derived:
            self.problems.add(k.where, f"{name}没有填写数字（没有的填0）")
            return
        values = _row_values(v, TABLE3_COLUMNS, name, self.problems, blank_ok=row.derived)
        for col, value in zip(TABLE3_COLUMNS, values or [], strict=False):
            self.table.set(key, col.key, value)

    def missing(self, where: str | None) -> None:
        for r in TABLE3_ROWS[self.fmt]:
            if not r.derived and r.key not in self.seen.lines:
                self.problems.add(where, f"{KEY_T3}缺少{_q(r.path)}这一行")


def _read_table3(entry: tuple[_Node, _Node], fmt: ReportFormat, problems: _Problems) -> Table3:
    key_node, node = entry
    reader = _T3Reader(fmt, Table3.blank(fmt), problems)
    if not node.is_map:
        problems.add(node.where or key_node.where, f"{KEY_T3}应每行写“行名称: [数字, …]”")
        return reader.table
    reader.read(node)
    reader.missing(key_node.where)
    return reader.table


# --------------------------------------------------------------------------- table 4


def _read_table4(entry: tuple[_Node, _Node], problems: _Problems) -> Table4:
    key_node, node = entry
    table = Table4.blank()
    if node.is_list:
        _read_t4_flat(node, table, problems)
        return table
    if not node.is_map:
        problems.add(node.where or key_node.where, f"{KEY_T4}应分“行政复议”“行政诉讼”填写")
        return table
    index = _index((g, (label, table4_group_path(g))) for g, label in TABLE4_GROUPS)
    seen = _Seen()
    for k, v in node.pairs or []:
        if normalize_label(k.label) == normalize_label(TABLE4_LITIGATION) and v.is_map:
            for k2, v2 in v.pairs or []:
                _read_t4_group(k2, v2, index, table, seen, problems, litigation=True)
        else:
            _read_t4_group(k, v, index, table, seen, problems, litigation=False)
    for g, _ in TABLE4_GROUPS:
        if g not in seen.lines:
            problems.add(key_node.where, f"{KEY_T4}缺少{_q(table4_group_path(g))}")
    return table


def _read_t4_flat(node: _Node, table: Table4, problems: _Problems) -> None:
    items = node.items or []
    cells = [(g, c) for g, _ in TABLE4_GROUPS for c in TABLE4_COLUMNS]
    if len(items) != len(cells):
        problems.add(
            node.where, f"{KEY_T4}写成一行时应有{len(cells)}个数，实际为{len(items)}个{_list_hint(node)}"
        )
        return
    for item, (g, c) in zip(items, cells, strict=True):
        if not item.is_scalar:
            problems.add(item.where, f"{KEY_T4} {table4_group_path(g)} × {c.label}应为一个数字")
        else:
            table.set(g, c.key, item.value())


def _read_t4_group(
    k: _Node, v: _Node, index: LabelIndex, table: Table4, seen: _Seen, problems: _Problems, litigation: bool
) -> None:
    g = index.lookup(k.label)
    if g is None or (litigation and g == "review"):
        labels = [label for _, label in TABLE4_GROUPS] + [TABLE4_LITIGATION]
        near = closest_label(k.label, labels)
        problems.add(k.where, f"{KEY_T4}没有{_q(k.label)}" + (f"，是否应为{_q(near)}？" if near else ""))
        seen.excuse(index.lookup(near) if near else None, k)
        return
    name = f"{KEY_T4} {table4_group_path(g)}"
    if not seen.first(g, k, name, problems):
        return
    if v.is_scalar and v.value() is None:
        problems.add(k.where, f"{name}没有填写数字（没有的填0）")
        return
    values = _row_values(v, TABLE4_COLUMNS, name, problems)
    for col, value in zip(TABLE4_COLUMNS, values or [], strict=False):
        table.set(g, col.key, value)


# --------------------------------------------------------------------------- top level


def _top_entries(root: _Node, problems: _Problems) -> dict[str, tuple[_Node, _Node]]:
    index = _index(_TOP_KEYS.items())
    entries: dict[str, tuple[_Node, _Node]] = {}
    for k, v in root.pairs or []:
        key = index.lookup(k.label)
        if key is None:
            known = [labels[0] for labels in _TOP_KEYS.values()]
            problems.add(
                k.where,
                f"不认识的名称{_q(k.label)}{_suggest(k.label, known)}（可用的名称：{'、'.join(known)}）",
            )
        elif key in entries:
            problems.add(k.where, f"{_q(k.label)}重复填写（第{entries[key][0].line}行已填写）")
        else:
            entries[key] = (k, v)
    return entries


def _scalar_text(entry: tuple[_Node, _Node] | None, problems: _Problems) -> str | None:
    if entry is None:
        return None
    k, v = entry
    if not v.is_scalar:
        problems.add(v.where or k.where, f"{k.label}应为一段文字")
        return None
    return None if v.value() is None else v.label


def _read_year(value: CellValue, where: str | None, problems: _Problems) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and (m := re.fullmatch(r"\s*(\d{4})\s*年度?\s*", value)):
        value = int(m.group(1))  # “2024年”
    if isinstance(value, int) and not isinstance(value, bool) and 1990 <= value <= 2100:
        return value
    problems.add(where, f"{KEY_YEAR}应为四位数字的年份，例如 2024，而不是“{value}”")
    return None


def _read_format(value: CellValue, year: int | None, where: str | None, problems: _Problems) -> ReportFormat:
    if value is None:
        return default_format(year)
    text = str(value)
    for fmt in FORMATS:
        if fmt in text:
            return fmt
    problems.add(where, f'{KEY_FORMAT}只能是 "2021" 或 "2019"，而不是“{text}”')
    return default_format(year)


def _info_fee(entry: tuple[_Node, _Node] | None, problems: _Problems) -> InfoFee | None:
    if entry is None:
        return None
    k, v = entry
    if v.is_scalar:
        value = v.value()
        if value is None:
            return None
        if value == 0 or value in ("无", "未收取"):
            return InfoFee(cases=0, amount_yuan=0)
        problems.add(v.where, f"{KEY_FEE}应写成“{{{KEY_FEE_CASES}: 0, {KEY_FEE_AMOUNT}: 0}}”")
        return None
    if not v.is_map:
        problems.add(v.where, f"{KEY_FEE}应写成“{{{KEY_FEE_CASES}: 0, {KEY_FEE_AMOUNT}: 0}}”")
        return None
    index = _index(_FEE_KEYS.items())
    values: dict[str, tuple[CellValue, str | None]] = {}
    for fk, fv in v.pairs or []:
        key = index.lookup(fk.label)
        if key is None or not fv.is_scalar:
            names = [labels[0] for labels in _FEE_KEYS.values()]
            problems.add(
                fk.where,
                f"{KEY_FEE}下只能填写{'、'.join(names)}，不认识{_q(fk.label)}{_suggest(fk.label, names)}",
            )
        else:
            values[key] = (fv.value(), fv.where)
    return _make_info_fee(values, problems)


def _is_amount(value: CellValue, integer: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return False
    return float(value).is_integer() or not integer


def _make_info_fee(values: dict[str, tuple[CellValue, str | None]], problems: _Problems) -> InfoFee | None:
    """件数 and 金额（元） → InfoFee; both blank → None (not stated)."""
    if all(v is None for v, _ in values.values()):
        return None
    cases, cases_where = values.get("cases", (None, None))
    amount, amount_where = values.get("amount", (None, None))
    if not _is_amount(cases, integer=True):
        shown = "空白" if cases is None else cases
        problems.add(cases_where, f"{KEY_FEE} {KEY_FEE_CASES}应为不小于0的整数（没有的填0），而不是“{shown}”")
    if not _is_amount(amount, integer=False):
        shown = "空白" if amount is None else amount
        problems.add(
            amount_where, f"{KEY_FEE} {KEY_FEE_AMOUNT}应为不小于0的数字（没有的填0），而不是“{shown}”"
        )
    if isinstance(cases, int | float) and isinstance(amount, int | float) and _is_amount(cases, True):
        return InfoFee(cases=int(cases), amount_yuan=float(amount)) if _is_amount(amount, False) else None
    return None


def _figures_from_tree(root: _Node, source: str, problems: _Problems) -> Figures:
    if not root.is_map:
        hint = "；名称后面的冒号要用英文半角“:”，冒号后面加一个空格" if "：" in (root.text or "") else ""
        problems.add(root.where, f"文件内容应为“名称: 数值”的形式（例如“{KEY_YEAR}: 2024”）{hint}")
        return Figures(
            table2=Table2.blank("2021"), table3=Table3.blank("2021"), table4=Table4.blank(), source=source
        )
    top = _top_entries(root, problems)
    agency = _scalar_text(top.get("agency"), problems)
    year_entry = top.get("year")
    year = _read_year(year_entry[1].value(), year_entry[1].where, problems) if year_entry else None
    fmt_entry = top.get("format")
    fmt_value = fmt_entry[1].value() if fmt_entry else None
    fmt = _read_format(fmt_value, year, fmt_entry[1].where if fmt_entry else None, problems)
    tables: dict[str, Any] = {}
    for key, reader, name in (("table2", _read_table2, KEY_T2), ("table3", _read_table3, KEY_T3)):
        if key in top:
            tables[key] = reader(top[key], fmt, problems)
        else:
            problems.add(None, f"缺少{_q(name)}（可用 report-agent template 生成填写模板）")
    if "table4" in top:
        tables["table4"] = _read_table4(top["table4"], problems)
    else:
        problems.add(None, f"缺少{_q(KEY_T4)}（可用 report-agent template 生成填写模板）")
    return Figures(
        agency=agency,
        year=year,
        format=fmt,
        table2=tables.get("table2") or Table2.blank(fmt),
        table3=tables.get("table3") or Table3.blank(fmt),
        table4=tables.get("table4") or Table4.blank(),
        info_fee=_info_fee(top.get("info_fee"), problems),
        source=source,
    )


# =========================================================================== xlsx layout

GRID_TOP = 2  # sheet row of a table's first grid row (row 1 holds the title)
_INFO_FIRST_ROW = 3
_INFO_ROWS: tuple[tuple[str, str, str], ...] = (
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
_FORMAT_NAMES: dict[str, str] = {
    "2021": "2021版表格（国办公开办函〔2021〕30号），用于2021年及以后的报告",
    "2019": "2019版表格（国办公开办函〔2019〕60号），用于2019、2020年的报告",
}
_FORMAT_NOTES = {f: f"{name}。由模板决定，请勿修改" for f, name in _FORMAT_NAMES.items()}
_FONT = "宋体"
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FILL_INPUT = PatternFill("solid", fgColor="FFF2CC")
_FILL_DERIVED = PatternFill("solid", fgColor="D9D9D9")
_DERIVED_NOTE = "可留空，自动计算（填写了则会核对）"


def _info_cell(key: str) -> str:
    row = _INFO_FIRST_ROW + [k for k, _, _ in _INFO_ROWS].index(key)
    return f"B{row}"


def _sheet_coord(cell: GridCell) -> tuple[int, int]:
    return GRID_TOP + cell.row, cell.col + 1


def _xlsx_widths(grid: TableGrid) -> list[float]:
    return [max(8.0, round(mm / 1.6, 1)) for mm in grid.col_mm]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _row_heights(grid: TableGrid, widths: list[float]) -> dict[int, float]:
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
    cell.font = Font(name=_FONT, size=10.5, bold=bold)
    cell.border = _BORDER
    horizontal = "left" if kind == "label" else "center"
    cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)


def _write_grid_cell(ws: Worksheet, gc: GridCell, dvs: dict[str, DataValidation]) -> None:
    r, c = _sheet_coord(gc)
    for rr in range(r, r + gc.rowspan):
        for cc in range(c, c + gc.colspan):
            ws.cell(rr, cc).border = _BORDER
    if gc.rowspan > 1 or gc.colspan > 1:
        ws.merge_cells(start_row=r, start_column=c, end_row=r + gc.rowspan - 1, end_column=c + gc.colspan - 1)
    cell = ws.cell(r, c)
    _style_cell(cell, gc.kind)
    if gc.ref is None:
        cell.value = gc.text
        return
    cell.protection = Protection(locked=False)
    cell.fill = _FILL_DERIVED if gc.ref.derived else _FILL_INPUT
    cell.number_format = "0.00##" if gc.ref.spec.kind == "amount" else "0"
    dvs[gc.ref.spec.kind].add(cell.coordinate)
    if gc.ref.derived:
        cell.comment = Comment(_DERIVED_NOTE, "report-agent", width=200, height=50)


def _legend(grid: TableGrid) -> str:
    parts = ["黄色格子请填写数字（没有的填0，不要留空）"]
    if any(gc.ref is not None and gc.ref.derived for gc in grid.cells):
        parts.append(f"灰色格子为总计，{_DERIVED_NOTE}")
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
    ws.cell(1, 1, grid.section.heading).font = Font(name=_FONT, size=14, bold=True)
    for gc in grid.cells:
        _write_grid_cell(ws, gc, dvs)
    widths = _xlsx_widths(grid)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for r, h in _row_heights(grid, widths).items():
        ws.row_dimensions[GRID_TOP + r].height = h
    legend_row = GRID_TOP + grid.n_rows + 1
    ws.merge_cells(start_row=legend_row, start_column=1, end_row=legend_row, end_column=grid.n_cols)
    legend = ws.cell(legend_row, 1, _legend(grid))
    legend.font = Font(name=_FONT, size=10)
    legend.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[legend_row].height = 30
    _page_setup(ws, grid)
    _protect(ws)


_INSTRUCTIONS = (
    "填写说明：",
    "1. 本工作簿的“表二”“表三”“表四”与年度报告中的三张统计表格式一致。",
    "2. 只有黄色格子可以填写，且只能填数字；没有的请填0，不要留空。",
    f"3. 灰色格子为总计，{_DERIVED_NOTE}。",
    "4. 表二中的金额单位为万元，可以有小数；2019版表二的“本年增/减”减少的填负数。",
    "5. 填好并保存后运行：report-agent tables 本文件.xlsx -o 统计表.docx",
)


def _write_info_sheet(ws: Worksheet, fmt: ReportFormat, year: int | None, agency: str | None) -> None:
    dvs = _validations(ws)
    ws.merge_cells("A1:C1")
    ws["A1"] = "政府信息公开工作年度报告 统计数据"
    ws["A1"].font = Font(name=_FONT, size=14, bold=True)
    values: dict[str, CellValue] = {"agency": agency, "year": year, "format": fmt}
    for i, (key, label, note) in enumerate(_INFO_ROWS):
        r = _INFO_FIRST_ROW + i
        _style_cell(ws.cell(r, 1, label), "label", bold=True)
        cell = ws.cell(r, 2, values.get(key))
        _style_cell(cell, "number")
        _style_cell(ws.cell(r, 3, note or _FORMAT_NOTES[fmt]), "label")
        if key == "format":
            cell.fill = _FILL_DERIVED
            continue
        cell.protection = Protection(locked=False)
        cell.fill = _FILL_INPUT
        if key != "agency":
            dvs[{"year": "year", "cases": "count", "amount": "yuan"}[key]].add(cell.coordinate)
    for i, line in enumerate(_INSTRUCTIONS):
        r = _INFO_FIRST_ROW + len(_INFO_ROWS) + 1 + i
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        ws.cell(r, 1, line).font = Font(name=_FONT, size=10.5, bold=i == 0)
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


def _check_labels(ws: Worksheet, grid: TableGrid, problems: _Problems) -> None:
    for gc in grid.cells:
        if gc.ref is not None:
            continue
        cell = ws.cell(*_sheet_coord(gc))
        actual = "" if cell.value is None else str(cell.value)
        if normalize_label(actual) != normalize_label(gc.text):
            problems.add(
                f"{ws.title}!{cell.coordinate}",
                f"此处应为{_q(gc.text)}，实际为{_q(actual) if actual else '空白'}（表格文字请勿修改，可重新生成模板）",
            )


def _read_info_sheet(
    ws: Worksheet, problems: _Problems
) -> tuple[str | None, int | None, ReportFormat, InfoFee | None]:
    for i, (_, label, _) in enumerate(_INFO_ROWS):
        cell = ws.cell(_INFO_FIRST_ROW + i, 1)
        if normalize_label(str(cell.value or "")) != normalize_label(label):
            problems.add(f"{ws.title}!{cell.coordinate}", f"此处应为{_q(label)}，实际为“{cell.value or ''}”")

    def at(key: str) -> tuple[CellValue, str]:
        coord = _info_cell(key)
        return xlsx_cell_value(ws[coord].value), f"{ws.title}!{coord}"

    agency_value, _ = at("agency")
    agency = None if agency_value is None else str(agency_value).strip()
    year = _read_year(*at("year"), problems)
    fmt_value, fmt_where = at("format")
    fmt = _read_format(fmt_value, year, fmt_where, problems)
    fee = _make_info_fee({k: at(k) for k in ("cases", "amount")}, problems)
    return agency, year, fmt, fee


def _load_xlsx(path: Path) -> Figures:
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FiguresError(
            str(path),
            [
                f"无法作为 Excel 工作簿（.xlsx）打开：{type(exc).__name__}。请确认文件未损坏，且不是 .xls 或 .et 格式"
            ],
        ) from exc
    problems = _Problems()
    if INFO_SHEET in wb.sheetnames:
        agency, year, fmt, fee = _read_info_sheet(wb[INFO_SHEET], problems)
    else:
        problems.add(None, f"缺少工作表{_q(INFO_SHEET)}")
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
            problems.add(None, f"缺少工作表{_q(grid.name)}")
            continue
        ws = wb[grid.name]
        _check_labels(ws, grid, problems)
        for gc in grid.cells:
            if gc.ref is not None:
                set_ref_value(fig, gc.ref, xlsx_cell_value(ws.cell(*_sheet_coord(gc)).value))
    problems.raise_if_any(path)
    return fig


# =========================================================================== public API

_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx"}


def load_figures(path: Path) -> Figures:
    """Read figures from .yaml/.yml, .json or .xlsx. Structural problems → FiguresError (all of them)."""
    path = Path(path)
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"不支持的文件类型“{path.suffix or '（无扩展名）'}”，请使用 .yaml、.json 或 .xlsx", path=str(path)
        )
    if not path.is_file():
        raise InputError("文件不存在", path=str(path))
    if kind == "xlsx":
        return _load_xlsx(path)
    problems = _Problems()
    text = _decode(path, path.read_bytes(), problems)
    root = None
    if text is not None:
        root = _parse_yaml(text, problems) if kind == "yaml" else _parse_json(text, problems)
    problems.raise_if_any(path)
    assert root is not None
    fig = _figures_from_tree(root, str(path), problems)
    problems.raise_if_any(path)
    return fig


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
    yield f"# {_FORMAT_NAMES[fmt]}"
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
    yield f"# 每行 {len(TABLE3_COLUMNS)} 个数，依次为：{_columns_text(TABLE3_COLUMNS)}（总计可保留“~”）"
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
    yield f"# 每组 {len(TABLE4_COLUMNS)} 个数，依次为：{_columns_text(TABLE4_COLUMNS)}（总计可保留“~”）"
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
