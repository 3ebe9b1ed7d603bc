"""Recover Tables 2–4 from a section's text, whatever the layout.

The text is turned into a *stream*: the label text of the table with all spaces, cell
borders and line breaks removed, and the values, each remembered at the position in the label
text where it occurred. A row is found by its official label (or a distinctive prefix of it,
for labels that a PDF extractor broke over several lines with other text in between), and its
values are the ones that occur between its label and the next row's label. This handles
markdown and pipe tables, tab-separated text, docx/html tables (read as pipe lines) and the
flattened, interleaved text a PDF extractor produces.

In delimited lines (tabs or pipes) an empty cell between two values, or the leading empty
cells of a line of values without a label, is a *blank* cell and is kept as ``None`` so that
the checker reports it; elsewhere empty cells are layout (merged cells) and are ignored.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from agent.report.labels import (
    TABLE2_BLOCKS,
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    ReportFormat,
    core_label,
    normalize_label,
)
from agent.report.model import CellValue, Table2, Table3, Table4

_NUM_RE = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^[+-]?\d+(?:\.\d+)?$")
_UNIT_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(件|条|个|项|次|家|人)$")
_RAW_VALUE_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?\s*(?:元|万元)$")
_BLANK_MARKS = {"/", "／", "-", "—", "–", "——", "—-", "无", "空", "\\", "×"}
_NOTE_RE = re.compile(r"[（(]\s*(?:其中|含|包括|另有|注)[^（）()]*[）)]")
_ENUMERATOR_RE = re.compile(r"^(?:[（(][一二三四五六七八九十]+[）)]|\d+\.)")
_MD_RULE_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


@dataclass
class Stream:
    text: str = ""  # normalized label text
    values: list[tuple[int, CellValue]] = field(default_factory=list)  # (position in text, value)

    def values_between(self, start: int, end: int) -> list[CellValue]:
        """Values after the label starting at ``start`` up to the next label at ``end``.

        A value is recorded at the length of the label text read so far, so the values that
        follow a label sit at the position where the next label starts: hence ``start < p <= end``.
        """
        return [v for p, v in self.values if start < p <= end]


def parse_value(cell: str) -> tuple[bool, CellValue]:
    """(is_value, value): numbers become int/float; '/', '429148元' are kept raw as values."""
    s = cell.strip().replace("，", ",")
    if not s:
        return False, None
    if _NUM_RE.match(s):
        s = s.replace(",", "")
        return True, float(s) if "." in s else int(s)
    m = _UNIT_RE.match(s)
    if m:
        return True, float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    if _RAW_VALUE_RE.match(s) or s in _BLANK_MARKS:
        return True, s
    return False, None


def _split_cells(line: str) -> tuple[list[str], bool]:
    if "|" in line or "｜" in line:
        body = line.strip().replace("｜", "|")
        body = body[1:] if body.startswith("|") else body
        body = body[:-1] if body.endswith("|") else body
        return [c.strip() for c in body.split("|")], True
    if "\t" in line:
        return [c.strip() for c in line.rstrip().split("\t")], True
    return line.split(), False


def build_stream(text: str) -> Stream:
    stream = Stream()
    parts: list[str] = []
    pos = 0
    for raw_line in text.split("\n"):
        if _MD_RULE_RE.match(raw_line) or raw_line.lstrip().startswith("#"):
            continue
        cells, delimited = _split_cells(_NOTE_RE.sub("", raw_line))
        kinds = [parse_value(c) for c in cells]
        if delimited:
            kinds = _mark_bad_values(cells, kinds)
        has_text = any(c and not k[0] for c, k in zip(cells, kinds, strict=True))
        value_idx = [i for i, k in enumerate(kinds) if k[0]]
        for i, (cell, (is_value, value)) in enumerate(zip(cells, kinds, strict=True)):
            if is_value:
                stream.values.append((pos, value))
            elif cell:
                norm = normalize_label(cell)
                parts.append(norm)
                pos += len(norm)
            elif delimited and value_idx and _is_blank_cell(i, value_idx, has_text):
                stream.values.append((pos, None))
    stream.text = "".join(parts)
    return stream


@functools.cache
def _known_labels() -> frozenset[str]:
    """Every official row/column/group label, normalized, with and without its enumerator."""
    texts: list[str] = [c.label for c in (*TABLE3_COLUMNS, *TABLE4_COLUMNS)]
    texts += [r.label for rows in TABLE3_ROWS.values() for r in rows]
    texts += [label for _, label in TABLE4_GROUPS] + [
        "行政复议",
        "行政诉讼",
        "信息内容",
        "申请人情况",
        "法人或其他组织",
    ]
    for blocks in TABLE2_BLOCKS.values():
        for b in blocks:
            texts += [b.label, *(label for _, label in b.rows), *(c.label for c in b.columns)]
    return frozenset(form for t in texts for form in (normalize_label(t), core_label(t)))


def _mark_bad_values(cells: list[str], kinds: list[tuple[bool, CellValue]]) -> list[tuple[bool, CellValue]]:
    """In a row of values, a short non-label cell after the label (“三”, “十二”) is a bad value."""
    if not any(k[0] for k in kinds):
        return kinds
    out = list(kinds)
    seen_cell = False
    for i, (cell, (is_value, _)) in enumerate(zip(cells, kinds, strict=True)):
        norm = normalize_label(cell)
        short = bool(norm) and len(norm) <= 4 and norm not in _known_labels()
        if not is_value and seen_cell and short and not _ENUMERATOR_RE.match(norm):
            out[i] = (True, cell.strip())
        seen_cell = seen_cell or bool(norm)
    return out


def _is_blank_cell(i: int, value_idx: list[int], has_text: bool) -> bool:
    """An empty cell between two values, or before the values of a line without a label."""
    return value_idx[0] < i < value_idx[-1] or (i < value_idx[0] and not has_text)


# --------------------------------------------------------------------------- row finding


def _find_label(text: str, label: str, cursor: int) -> int:
    """Start of ``label`` in ``text`` at or after ``cursor`` (then anywhere); -1 if absent."""
    full, core = normalize_label(label), core_label(label)
    candidates = [full, core]
    if len(core) > 8:
        candidates += [core[:8], core[-8:]]
    for cand in candidates:
        for start in (cursor, 0):
            at = text.find(cand, start)
            if at >= 0:
                if cand == core[-8:] and len(core) > 8:
                    at = max(0, at - (len(core) - 8))
                return at
    return -1


def locate_rows(stream: Stream, labels: list[tuple[str, str]]) -> dict[str, int]:
    """Map row key → start position of its label, searching in order from a moving cursor."""
    found: dict[str, int] = {}
    used: set[int] = set()
    cursor = 0
    for key, label in labels:
        at = _find_label(stream.text, label, cursor)
        if at >= 0 and at not in used:
            found[key] = at
            used.add(at)
            cursor = at + 1
    return found


def row_values(stream: Stream, found: dict[str, int], width: dict[str, int]) -> dict[str, list[CellValue]]:
    """Values per found row: those between its label and the next found label, up to its width."""
    order = sorted(found.items(), key=lambda kv: kv[1])
    out: dict[str, list[CellValue]] = {}
    for n, (key, start) in enumerate(order):
        end = order[n + 1][1] if n + 1 < len(order) else len(stream.text) + 1
        vals = stream.values_between(start, end)[: width[key]]
        out[key] = vals + [None] * (width[key] - len(vals))
    return out


# --------------------------------------------------------------------------- tables

_T2_2019_MARKERS = (
    "本年新制作数量",
    "本年新公开数量",
    "上一年项目数量",
    "其他对外管理服务事项",
    "政府集中采购",
    "第（九）项",
)
_T2_2021_MARKERS = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额")


def table2_format(stream: Stream) -> ReportFormat | None:
    if any(m in stream.text for m in _T2_2019_MARKERS):
        return "2019"
    if any(m in stream.text for m in _T2_2021_MARKERS):
        return "2021"
    return None


def parse_table2(text: str, fallback: ReportFormat) -> Table2 | None:
    stream = build_stream(text)
    fmt = table2_format(stream) or fallback
    labels: list[tuple[str, str]] = []
    width: dict[str, int] = {}
    for b in TABLE2_BLOCKS[fmt]:
        for rk, rl in b.rows:
            labels.append((f"{b.key}/{rk}", rl))
            width[f"{b.key}/{rk}"] = len(b.columns)
    found = locate_rows(stream, labels)
    if not found or not stream.values:
        return None
    values = row_values(stream, found, width)
    table = Table2.blank(fmt)
    for b in TABLE2_BLOCKS[fmt]:
        for rk, _ in b.rows:
            for c, v in zip(b.columns, values.get(f"{b.key}/{rk}", []), strict=False):
                table.set(b.key, rk, c.key, v)
    return table


def table3_format(stream: Stream) -> ReportFormat:
    markers = ("逾期不补正", "逾期未按收费通知", "不再处理其政府信息公开申请")
    return "2021" if any(m in stream.text for m in markers) else "2019"


def parse_table3(text: str) -> Table3 | None:
    stream = build_stream(text)
    fmt = table3_format(stream)
    rows = TABLE3_ROWS[fmt]
    found = locate_rows(stream, [(r.key, r.label) for r in rows])
    if len(found) < 3 or not stream.values:
        return None
    values = row_values(stream, found, {r.key: len(TABLE3_COLUMNS) for r in rows})
    table = Table3.blank(fmt)
    for r in rows:
        for c, v in zip(TABLE3_COLUMNS, values.get(r.key, []), strict=False):
            table.set(r.key, c.key, v)
    return table


def parse_table4(text: str) -> Table4 | None:
    """Table 4 has no row labels: its 15 cells are the first run of values after its header."""
    stream = build_stream(text)
    if not stream.values:
        return None
    runs: list[list[CellValue]] = []
    last_pos: int | None = None
    for p, v in stream.values:
        if last_pos is None or p != last_pos:
            runs.append([])
        runs[-1].append(v)
        last_pos = p
    cells_needed = len(TABLE4_GROUPS) * len(TABLE4_COLUMNS)
    run = next((r for r in runs if len(r) >= cells_needed), None) or max(runs, key=len)
    if len(run) < len(TABLE4_COLUMNS):
        return None
    run = run[:cells_needed] + [None] * (cells_needed - len(run))
    table = Table4.blank()
    i = 0
    for g, _ in TABLE4_GROUPS:
        for c in TABLE4_COLUMNS:
            table.set(g, c.key, run[i])
            i += 1
    return table
