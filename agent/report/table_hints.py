"""Evidence for Table 2 cells that the table's text alone leaves open.

Table 2 has no identities, so a run-together row (``行政规范性文件8855698``) or a row that lost a
cell (``| 规章 | 22 | 235 |``) has several readings. Two kinds of evidence in the document can
narrow them, and are used only to choose among readings (a statement that fits none of them,
e.g. another 口径, is ignored):

- the narrative's own figures: ``现行有效行政规范性文件698件``, ``本年度制发的规范性文件88件``,
  ``主动公开市政府规章22件`` (:func:`narrative_hints`);
- values printed outside the table with a note naming their column, as a PDF-to-markdown
  extraction leaves multi-line cells (``22（其中修订16件）``, ``55（含自然失效29件）``): the cells
  missing from the rows are in those columns (:func:`stray_cells`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.report.labels import TABLE2_BLOCKS, ReportFormat, normalize_label
from agent.report.table_reading import Hints

_ROWS = {"规章": "regulations", "行政规范性文件": "normative", "规范性文件": "normative"}
# (verb, column) per format, tried in order: the first verb before the item decides its column
_VERBS: dict[str, tuple[tuple[str, str], ...]] = {
    "2021": (
        (r"现行有效", "in_force"),
        (r"废止|宣布失效", "repealed"),
        (r"新?制发|印发|出台|制定|主动公开|新增公开|公开发布", "issued"),
    ),
    "2019": (
        (r"对外公开总|累计公开", "total_public"),
        (r"新?制作|制发|印发|出台|制定", "made"),
        (r"公开|公布|发布", "published"),
    ),
}
_ITEM_RE = re.compile(r"(行政规范性文件|规范性文件|规章)(?:类信息)?(\d+)(件|条)")
_CLAUSE_END = re.compile(r"[。；;，,]")
_NOTE_COLUMNS_2021 = (
    ("修订", "issued"),
    ("制发", "issued"),
    ("印发", "issued"),
    ("失效", "repealed"),
    ("废止", "repealed"),
    ("现行", "in_force"),
)
_STRAY_RE = re.compile(r"^\s*(\d+)\s*[（(]([^）)]*)[）)]\s*$")
_NOTE_LINE_RE = re.compile(r"^\s*[（(]([^）)]*)[）)]\s*$")
_BLOCK_RE = re.compile(r"第二十条\s*第\s*[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*项")


def narrative_hints(text: str, fmt: ReportFormat, loose: bool = False) -> Hints:
    """(row, column index) → value, from statements such as 现行有效行政规范性文件698件.

    Strict (for decoding): the count in 件 within the clause right after its verb. Loose (for the
    NARRATIVE-TABLE warning): any count of 规章 or 规范性文件 in 件 or 条, its column from the
    nearest verb before it in the sentence.
    """
    cols = {c.key: i for i, c in enumerate(TABLE2_BLOCKS[fmt][0].columns)}
    hints: Hints = {}
    flat = re.sub(r"\s+", "", text)
    if loose:
        for item in _ITEM_RE.finditer(flat):
            before = flat[: item.start()].rsplit("。", 1)[-1]
            col = _nearest_verb(before, fmt)
            if col:
                hints.setdefault(("art20_1/" + _ROWS[item.group(1)], cols[col]), int(item.group(2)))
        return hints
    for verb, col in _VERBS[fmt]:
        for m in re.finditer(verb, flat):
            clause = _CLAUSE_END.split(flat[m.end() : m.end() + 80], maxsplit=1)[0]
            for item in _ITEM_RE.finditer(clause):
                if item.start() > 30 or item.group(3) != "件":
                    break
                hints.setdefault(("art20_1/" + _ROWS[item.group(1)], cols[col]), int(item.group(2)))
    return hints


def _nearest_verb(before: str, fmt: ReportFormat) -> str | None:
    best: tuple[int, str] | None = None
    for verb, col in _VERBS[fmt]:
        for m in re.finditer(verb, before):
            if best is None or m.start() > best[0]:
                best = (m.start(), col)
    return best[1] if best else None


@dataclass
class Strays:
    lost: dict[str, set[int]] = field(default_factory=dict)  # row key → columns its lost cell may be in
    shown: list[str] = field(default_factory=list)  # the stray values as printed, for messages


def stray_cells(lines: list[tuple[int, str]], fmt: ReportFormat) -> Strays:
    """Values with a column-naming note printed outside the table rows of 第二十条第（一）项."""
    out = Strays()
    if fmt != "2021":
        return out
    block = TABLE2_BLOCKS["2021"][0]
    cols = {c.key: i for i, c in enumerate(block.columns)}
    in_first = False
    texts = [t for _, t in lines]
    for n, line in enumerate(texts):
        if m := _BLOCK_RE.search(line):
            in_first = normalize_label(f"第二十条第（{m.group(1)}）项") == normalize_label(block.label)
        if not in_first or "|" in line or "\t" in line:
            continue
        value, note = _stray(line, texts[n + 1] if n + 1 < len(texts) else "")
        if value is None:
            continue
        col = next((c for word, c in _NOTE_COLUMNS_2021 if word in note), None)
        if col is not None:
            out.shown.append(f"{value}（{note}）")
            for rk, _ in block.rows:
                out.lost.setdefault(f"{block.key}/{rk}", set()).add(cols[col])
    return out


def _stray(line: str, following: str) -> tuple[str | None, str]:
    if m := _STRAY_RE.match(line):
        return m.group(1), re.sub(r"\s+", "", m.group(2))
    if line.strip().isdigit() and (note := _NOTE_LINE_RE.match(following)):
        return line.strip(), re.sub(r"\s+", "", note.group(1))
    return None, ""
