"""Tables 2–4, the information-processing fee and the header (agency, year, format) from a tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.figures.short_labels import Row, ShortLabels, words
from agent.figures.source import (
    FEE_KEYS,
    KEY_FEE,
    KEY_FEE_AMOUNT,
    KEY_FEE_CASES,
    KEY_FORMAT,
    KEY_T2,
    KEY_T3,
    KEY_T4,
    KEY_YEAR,
    TOP_KEYS,
    Problems,
    SeenRows,
    SourceNode,
    closest_label,
    default_format,
    label_index,
    list_hint,
    other_format_hint,
    quoted,
    read_row_values,
    suggest_label,
    zero_rows_warning,
)
from agent.report.labels import (
    FORMATS,
    TABLE2_BLOCKS,
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE3_TOPS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    TABLE4_LITIGATION,
    LabelIndex,
    ReportFormat,
    core_label,
    normalize_label,
    table4_group_path,
)
from agent.report.model import CellValue, Figures, InfoFee, Table2, Table3, Table4

# --------------------------------------------------------------------------- table 2


def _read_table2(entry: tuple[SourceNode, SourceNode], fmt: ReportFormat, problems: Problems) -> Table2:
    key_node, node = entry
    table = Table2.blank(fmt)
    blocks = TABLE2_BLOCKS[fmt]
    if not node.is_map:
        problems.add(
            node.where or key_node.where, f"{KEY_T2}应按“{blocks[0].label}”等分块，每行写“行名称: 数字”"
        )
        return table
    block_index = label_index((b.key, (b.label,)) for b in blocks)
    row_index = label_index((f"{b.key}/{rk}", (rl,)) for b in blocks for rk, rl in b.rows)
    seen = SeenRows()
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
    left_out = seen.left_out(f"{b.key}/{rk}" for b in blocks for rk, _ in b.rows)
    if left_out:
        labels = {f"{b.key}/{rk}": f"{b.label} {rl}" for b in blocks for rk, rl in b.rows}
        for ref in left_out:
            bkey, rk = ref.split("/")
            for col in next(b for b in blocks if b.key == bkey).columns:
                table.set(bkey, rk, col.key, 0)
        problems.warn(key_node.where, zero_rows_warning(KEY_T2, [labels[r] for r in left_out]))
    return table


def _t2_short(fmt: ReportFormat) -> ShortLabels:
    return ShortLabels(
        Row(f"{b.key}/{rk}", rl, words(b.label)) for b in TABLE2_BLOCKS[fmt] for rk, rl in b.rows
    )


def _read_t2_row(
    k: SourceNode,
    v: SourceNode,
    block_key: str | None,
    table: Table2,
    row_index: LabelIndex,
    seen: SeenRows,
    problems: Problems,
) -> None:
    blocks = {b.key: b for b in table.blocks}
    ref = row_index.lookup(k.label)
    short = _t2_short(table.format)
    if ref is None:
        found = short.match(k.label, within=words(blocks[block_key].label) if block_key else None)
        ref = found.key
        if ref is None and found.candidates:
            problems.add(k.where, ambiguous(KEY_T2, k.label, found.candidates))
            return
    if ref is None:
        other = next(f for f in FORMATS if f != table.format)
        others = [rl for b in TABLE2_BLOCKS[other] for _, rl in b.rows]
        near = short.suggest(k.label, within=words(blocks[block_key].label) if block_key else None)
        hint = other_format_hint(k.label, others, table.format) or (
            f"，是否应为{quoted(near.label)}？" if near else ""
        )
        problems.add(k.where, f"{KEY_T2}没有{quoted(k.label)}这一行{hint}")
        seen.excuse(near.key if near else None, k)
        return
    bkey, rk = ref.split("/")
    block = blocks[bkey]
    name = f"{KEY_T2} {block.label} {dict(block.rows)[rk]}"
    if block_key is not None and block_key != bkey:
        problems.add(k.where, f"{quoted(k.label)}属于{block.label}，不应写在{blocks[block_key].label}下面")
        return
    if not seen.first(ref, k, name, problems):
        return
    values = read_row_values(v, block.columns, name, problems)
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
    problems: Problems
    seen: SeenRows = field(default_factory=SeenRows)

    def __post_init__(self) -> None:
        rows = TABLE3_ROWS[self.fmt]
        self.rows = {r.key: r for r in rows}
        self.row_index = label_index((r.key, (r.path, r.label)) for r in rows)
        self.groups = {r.group for r in rows if r.group}
        self.group_index = label_index((g, (g,)) for g in self.groups)
        self.top3 = TABLE3_TOPS[2]
        self.short = ShortLabels(
            Row(r.key, r.label, words(r.group) if r.group else None, r.path) for r in rows
        )

    def read(self, node: SourceNode, group: str | None = None) -> None:
        for k, v in node.pairs or []:
            self._entry(k, v, group)

    def _entry(self, k: SourceNode, v: SourceNode, group: str | None) -> None:
        if group is None and normalize_label(k.label) in (normalize_label(self.top3), core_label(self.top3)):
            if v.is_map:
                self.read(v)
            else:
                self.problems.add(
                    k.where, f"{quoted(self.top3)}是标题行，不填数字；请在它下面分行填写（一）至（七）各项"
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
            found = self.short.match(k.label, within=words(group) if group else None)
            if found.candidates:
                self.problems.add(k.where, ambiguous(KEY_T3, k.label, found.candidates))
                return
            key = found.key
        if key is None:
            self._unknown(k, group)
            return
        self._row(k, v, key, group)

    def _unknown(self, k: SourceNode, group: str | None = None) -> None:
        other = next(f for f in FORMATS if f != self.fmt)
        others = [x for r in TABLE3_ROWS[other] for x in (r.label, r.path)]
        near = self.short.suggest(k.label, within=words(group) if group else None)
        shown = (near.label if group else near.name) if near else ""
        hint = other_format_hint(k.label, others, self.fmt) or (
            f"，是否应为{quoted(shown)}？" if near else ""
        )
        self.problems.add(k.where, f"{KEY_T3}没有{quoted(k.label)}这一行{hint}")
        self.seen.excuse(near.key if near else None, k)

    def _row(self, k: SourceNode, v: SourceNode, key: str, group: str | None) -> None:
        row = self.rows[key]
        name = f"{KEY_T3} {row.path}"
        if group is not None and row.group != group:
            self.problems.add(k.where, f"{quoted(row.label)}不属于{group}，请移到正确的位置")
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
        values = read_row_values(v, TABLE3_COLUMNS, name, self.problems, blank_ok=row.derived)
        for col, value in zip(TABLE3_COLUMNS, values or [], strict=False):
            self.table.set(key, col.key, value)

    def missing(self, where: str | None) -> None:
        """Rows left out count as zero, with one warning listing them."""
        left_out = self.seen.left_out(r.key for r in TABLE3_ROWS[self.fmt] if not r.derived)
        for key in left_out:
            for col in TABLE3_COLUMNS:
                self.table.set(key, col.key, None if col.derived else 0)
        if left_out:
            self.problems.warn(where, zero_rows_warning(KEY_T3, [self.rows[k].path for k in left_out]))


def _read_table3(entry: tuple[SourceNode, SourceNode], fmt: ReportFormat, problems: Problems) -> Table3:
    key_node, node = entry
    reader = _T3Reader(fmt, Table3.blank(fmt), problems)
    if not node.is_map:
        problems.add(node.where or key_node.where, f"{KEY_T3}应每行写“行名称: [数字, …]”")
        return reader.table
    reader.read(node)
    reader.missing(key_node.where)
    return reader.table


# --------------------------------------------------------------------------- table 4


_T4_SHORT = ShortLabels(Row(g, label) for g, label in TABLE4_GROUPS)


def ambiguous(table: str, label: str, candidates: tuple[str, ...]) -> str:
    shown = "、".join(quoted(c) for c in candidates[:6]) + ("等" if len(candidates) > 6 else "")
    return f"{table} {quoted(label)}可能是{shown}中的任何一行，请写出完整的行名称"


def _read_table4(entry: tuple[SourceNode, SourceNode], problems: Problems) -> Table4:
    key_node, node = entry
    table = Table4.blank()
    if node.is_list:
        _read_t4_flat(node, table, problems)
        return table
    if not node.is_map:
        problems.add(node.where or key_node.where, f"{KEY_T4}应分“行政复议”“行政诉讼”填写")
        return table
    index = label_index((g, (label, table4_group_path(g))) for g, label in TABLE4_GROUPS)
    seen = SeenRows()
    for k, v in node.pairs or []:
        if normalize_label(k.label) == normalize_label(TABLE4_LITIGATION) and v.is_map:
            for k2, v2 in v.pairs or []:
                _read_t4_group(k2, v2, index, table, seen, problems, litigation=True)
        else:
            _read_t4_group(k, v, index, table, seen, problems, litigation=False)
    left_out = seen.left_out(g for g, _ in TABLE4_GROUPS)
    for g in left_out:
        for col in TABLE4_COLUMNS:
            table.set(g, col.key, None if col.derived else 0)
    if left_out:
        problems.warn(key_node.where, zero_rows_warning(KEY_T4, [table4_group_path(g) for g in left_out]))
    return table


def _read_t4_flat(node: SourceNode, table: Table4, problems: Problems) -> None:
    items = node.items or []
    cells = [(g, c) for g, _ in TABLE4_GROUPS for c in TABLE4_COLUMNS]
    if len(items) != len(cells):
        problems.add(
            node.where, f"{KEY_T4}写成一行时应有{len(cells)}个数，实际为{len(items)}个{list_hint(node)}"
        )
        return
    for item, (g, c) in zip(items, cells, strict=True):
        if not item.is_scalar:
            problems.add(item.where, f"{KEY_T4} {table4_group_path(g)} × {c.label}应为一个数字")
        else:
            table.set(g, c.key, item.value())


def _read_t4_group(
    k: SourceNode,
    v: SourceNode,
    index: LabelIndex,
    table: Table4,
    seen: SeenRows,
    problems: Problems,
    litigation: bool,
) -> None:
    g = index.lookup(k.label)
    if g is None:
        g = _T4_SHORT.match(k.label).key
    if g is None or (litigation and g == "review"):
        labels = [label for _, label in TABLE4_GROUPS] + [TABLE4_LITIGATION]
        near = closest_label(k.label, labels)
        problems.add(
            k.where, f"{KEY_T4}没有{quoted(k.label)}" + (f"，是否应为{quoted(near)}？" if near else "")
        )
        seen.excuse(index.lookup(near) if near else None, k)
        return
    name = f"{KEY_T4} {table4_group_path(g)}"
    if not seen.first(g, k, name, problems):
        return
    if v.is_scalar and v.value() is None:
        problems.add(k.where, f"{name}没有填写数字（没有的填0）")
        return
    values = read_row_values(v, TABLE4_COLUMNS, name, problems)
    for col, value in zip(TABLE4_COLUMNS, values or [], strict=False):
        table.set(g, col.key, value)


# --------------------------------------------------------------------------- top level


def _top_entries(root: SourceNode, problems: Problems) -> dict[str, tuple[SourceNode, SourceNode]]:
    index = label_index(TOP_KEYS.items())
    entries: dict[str, tuple[SourceNode, SourceNode]] = {}
    for k, v in root.pairs or []:
        key = index.lookup(k.label)
        if key is None:
            known = [labels[0] for labels in TOP_KEYS.values()]
            problems.add(
                k.where,
                f"不认识的名称{quoted(k.label)}{suggest_label(k.label, known)}（可用的名称：{'、'.join(known)}）",
            )
        elif key in entries:
            problems.add(k.where, f"{quoted(k.label)}重复填写（第{entries[key][0].line}行已填写）")
        else:
            entries[key] = (k, v)
    return entries


def _scalar_text(entry: tuple[SourceNode, SourceNode] | None, problems: Problems) -> str | None:
    if entry is None:
        return None
    k, v = entry
    if not v.is_scalar:
        problems.add(v.where or k.where, f"{k.label}应为一段文字")
        return None
    return None if v.value() is None else v.label


def _scalar_entry(
    entry: tuple[SourceNode, SourceNode] | None, want: str, problems: Problems
) -> tuple[SourceNode, SourceNode] | None:
    """The entry when its value is a single value; a list or mapping is reported (not ignored)."""
    if entry is None or entry[1].is_scalar:
        return entry
    k, v = entry
    problems.add(v.where or k.where, f"{k.label}应为{want}，而不是一组数值")
    return None


def read_year(value: CellValue, where: str | None, problems: Problems) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and (m := re.fullmatch(r"\s*(\d{4})\s*年度?\s*", value)):
        value = int(m.group(1))  # “2024年”
    if isinstance(value, int) and not isinstance(value, bool) and 1990 <= value <= 2100:
        return value
    problems.add(where, f"{KEY_YEAR}应为四位数字的年份，例如 2024，而不是“{value}”")
    return None


def read_format(value: CellValue, year: int | None, where: str | None, problems: Problems) -> ReportFormat:
    if value is None:
        return default_format(year)
    text = str(value)
    for fmt in FORMATS:
        if fmt in text:
            return fmt
    problems.add(where, f'{KEY_FORMAT}只能是 "2021" 或 "2019"，而不是“{text}”')
    return default_format(year)


def _info_fee(entry: tuple[SourceNode, SourceNode] | None, problems: Problems) -> InfoFee | None:
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
    index = label_index(FEE_KEYS.items())
    values: dict[str, tuple[CellValue, str | None]] = {}
    for fk, fv in v.pairs or []:
        key = index.lookup(fk.label)
        if key is None or not fv.is_scalar:
            names = [labels[0] for labels in FEE_KEYS.values()]
            problems.add(
                fk.where,
                f"{KEY_FEE}下只能填写{'、'.join(names)}，不认识{quoted(fk.label)}{suggest_label(fk.label, names)}",
            )
        else:
            values[key] = (fv.value(), fv.where)
    return make_info_fee(values, problems)


def _is_amount(value: CellValue, integer: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return False
    return float(value).is_integer() or not integer


def make_info_fee(values: dict[str, tuple[CellValue, str | None]], problems: Problems) -> InfoFee | None:
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


def figures_from_tree(root: SourceNode, source: str, problems: Problems) -> Figures:
    if not root.is_map:
        hint = "；名称后面的冒号要用英文半角“:”，冒号后面加一个空格" if "：" in (root.text or "") else ""
        problems.add(root.where, f"文件内容应为“名称: 数值”的形式（例如“{KEY_YEAR}: 2024”）{hint}")
        return Figures(
            table2=Table2.blank("2021"), table3=Table3.blank("2021"), table4=Table4.blank(), source=source
        )
    top = _top_entries(root, problems)
    agency = _scalar_text(top.get("agency"), problems)
    year_entry = _scalar_entry(top.get("year"), "四位数字的年份，例如“年度: 2024”", problems)
    year = read_year(year_entry[1].value(), year_entry[1].where, problems) if year_entry else None
    fmt_entry = _scalar_entry(top.get("format"), '"2021" 或 "2019"', problems)
    fmt_value = fmt_entry[1].value() if fmt_entry else None
    fmt = read_format(fmt_value, year, fmt_entry[1].where if fmt_entry else None, problems)
    tables: dict[str, Any] = {}
    for key, reader, name in (("table2", _read_table2, KEY_T2), ("table3", _read_table3, KEY_T3)):
        if key in top:
            tables[key] = reader(top[key], fmt, problems)
        else:
            problems.add(None, f"缺少{quoted(name)}（可用 report-agent template 生成填写模板）")
    if "table4" in top:
        tables["table4"] = _read_table4(top["table4"], problems)
    else:
        problems.add(None, f"缺少{quoted(KEY_T4)}（可用 report-agent template 生成填写模板）")
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
