"""The text of a table region as *segments*: label text, then the values that follow it.

A table region (a section body, or lines of it) is read line by line:

- a delimited line (pipes, tabs: markdown, docx/html/PDF grids read as pipe lines) gives its
  label cells to the label text and its value cells, one token per cell (``delimited``), to a
  *group*; an empty cell between values, or before the values of a line without a label, is a
  blank cell;
- a free-text line (PDF text, crawler text with the whole report on one line) is cut into label
  text and runs of digits. A run of digits may hold several cells run together
  (``640020470``); :mod:`agent.report.table_decode` finds the readings (and a delimited cell
  may hold two cells whose separator was lost, or a row may have lost a cell). A digit right before ``.``/``、`` and a label is the next row's enumerator
  (``00000002.其他法律…`` is ``0000000`` then ``2.其他法律…``).

Values that follow each other with no label text in between form one :class:`Segment`; the
label text before it is its ``region``, which :mod:`agent.report.table_align` compares with
the official row labels. Narrative sentences (ending in ``。``) and notes are not table text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from agent.report.labels import normalize_label
from agent.report.model import CellValue
from agent.report.sections import is_page_number

_NUM_RE = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^[+-]?\d+(?:\.\d+)?$")
_UNIT_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(件|条|个|项|次|家|人|起)$")
_RAW_VALUE_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?\s*(?:元|万元)$")
BLANK_MARKS = frozenset({"/", "／", "-", "—", "–", "——", "—-", "无", "空", "\\", "×"})
_NOTE_RE = re.compile(r"[（(]\s*(?:其中|含|包括|另有|注)[^（）()]*[）)]")
_CN_NUMERALS = frozenset("一二三四五六七八九十")
_ENUMERATOR_RE = re.compile(r"^(?:[（(][一二三四五六七八九十]+[）)]|\d+\.)")
_MD_RULE_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_DIGITS_RE = re.compile(r"\d+(?:\.\d+)?(?:万元|元)?")
_NOT_A_CELL_AFTER = tuple("年月日号条款页%％")
_SPLITTABLE_RE = re.compile(r"^\d+(?:\.\d+)?(?:万元|元)?$")
_SENTENCE_END_RE = re.compile(r"[。；]")


@dataclass
class Token:
    """One value as printed: a number, a run of digits, a mark ('/'), or a blank cell."""

    text: str
    line: int  # 0-based line of the document
    delimited: bool = False  # a cell of a delimited line (pipes, tabs, a grid)
    blank: bool = False  # an empty delimited cell
    splittable: bool = field(init=False)  # a run of digits (a number), which may hold several cells
    digits: int = field(init=False)  # most cells this token can hold

    def __post_init__(self) -> None:
        self.splittable = not self.blank and bool(_SPLITTABLE_RE.match(self.text))
        self.digits = len(self.text.split(".")[0].rstrip("万元")) if self.splittable else 1


@dataclass
class Group:
    tokens: list[Token]
    delimited: bool


@dataclass
class Segment:
    region: str  # normalized label text since the previous segment
    groups: list[Group] = field(default_factory=list)
    after: str = ""  # label text after its values, up to the next segment (the next one's region)

    @property
    def tokens(self) -> list[Token]:
        return [t for g in self.groups for t in g.tokens]

    @property
    def line(self) -> int:
        return self.groups[0].tokens[0].line if self.groups and self.groups[0].tokens else 0


@functools.lru_cache(maxsize=1 << 14)
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
    if _RAW_VALUE_RE.match(s) or s in BLANK_MARKS:
        return True, s
    return False, None


def split_cells(line: str) -> tuple[list[str], bool]:
    if "|" in line or "｜" in line:
        body = line.strip().replace("｜", "|")
        body = body[1:] if body.startswith("|") else body
        body = body[:-1] if body.endswith("|") else body
        return [c.strip() for c in body.split("|")], True
    if "\t" in line:
        return [c.strip() for c in line.rstrip().split("\t")], True
    return line.split(), False


class _Builder:
    def __init__(self, known_labels: frozenset[str]) -> None:
        self.known = known_labels
        self.segments: list[Segment] = []
        self.region: list[str] = []
        self.open = False  # the last segment may take more groups (no label text since)
        self.lone: Token | None = None  # a digit alone on its line: maybe an enumerator ("1" / ".属于…")
        self.lone_split = False  # the lone digit started a segment of its own

    def text(self, raw: str) -> None:
        norm = normalize_label(raw)
        if not norm:
            return
        if (
            self.lone is not None
            and norm[0] in ".．、"
            and len(norm) > 1
            and not norm[1].isdigit()
            and not (norm[0] == "、" and self._after_numeral())
        ):
            self._enumerator_back(self.lone)
        elif self.lone is not None and self.lone_split and len(self.segments) > 1:
            # not an enumerator after all: the digit and what followed it go back with the values before
            last = self.segments.pop()
            self.segments[-1].groups += last.groups
        self.lone = None
        self.lone_split = False
        self.region.append(norm)
        self.open = False

    def flush(self) -> None:
        if self.segments:
            self.segments[-1].after = "".join(self.region)

    def _after_numeral(self) -> bool:
        """The text before the lone digit ends in a Chinese numeral (“二” … “、上年结转”): the “、”
        after the values continues that label, and the digit is a value, not an enumerator."""
        seg = self.segments[-1] if self.segments else None
        return seg is not None and seg.region[-1:] in _CN_NUMERALS

    def _enumerator_back(self, token: Token) -> None:
        """The lone digit before a row's values was its label's enumerator ("1" … ".属于国家秘密")."""
        seg = self.segments[-1] if self.segments else None
        if seg is None or not seg.groups or seg.groups[0].tokens[:1] != [token]:
            return
        seg.groups[0].tokens.pop(0)
        seg.groups = [g for g in seg.groups if g.tokens]
        seg.region += token.text
        if not seg.groups:
            self.segments.pop()
            self.region.insert(0, seg.region)

    def group(self, tokens: list[Token], delimited: bool) -> None:
        if not tokens:
            return
        if not self.open or not self.segments:
            self.flush()
            self.segments.append(Segment("".join(self.region)))
            self.region = []
        self.segments[-1].groups.append(Group(tokens, delimited))
        self.open = True


def segments_of(lines: Iterable[tuple[int, str]], known_labels: frozenset[str]) -> list[Segment]:
    """Segments of the table text in ``lines`` ((0-based line number, text) pairs)."""
    b = _Builder(known_labels)
    for n, raw in lines:
        if not raw.strip() or _MD_RULE_RE.match(raw) or raw.lstrip().startswith("#") or is_page_number(raw):
            continue
        line = _NOTE_RE.sub("", raw)
        cells, delimited = split_cells(line)
        if delimited:
            _delimited_line(b, n, cells)
        else:
            _free_line(b, n, _drop_sentences(line))
    b.flush()
    return b.segments


# --------------------------------------------------------------------------- delimited lines


def _delimited_line(b: _Builder, n: int, cells: list[str]) -> None:
    kinds = _mark_bad_values(cells, [parse_value(c) for c in cells], b.known)
    value_idx = [i for i, k in enumerate(kinds) if k[0]]
    has_text = any(c and not k[0] for c, k in zip(cells, kinds, strict=True))
    tokens: list[Token] = []
    after: list[str] = []
    for i, (cell, (is_value, _)) in enumerate(zip(cells, kinds, strict=True)):
        if is_value:
            tokens.append(Token(cell.strip(), n, delimited=True))
        elif cell and _all_values(cell):  # a cell holding two numbers: a lost separator
            tokens += [Token(v, n, delimited=True) for v in cell.split()]
        elif cell:
            if tokens:
                after.append(cell)
            else:
                b.text(cell)
        elif value_idx and _is_blank_cell(i, value_idx, has_text):
            tokens.append(Token("", n, delimited=True, blank=True))
    b.group(tokens, True)
    for text in after:
        b.text(text)


def _all_values(cell: str) -> bool:
    parts = cell.split()
    return len(parts) > 1 and all(parse_value(p)[0] for p in parts)


def _mark_bad_values(
    cells: list[str], kinds: list[tuple[bool, CellValue]], known: frozenset[str]
) -> list[tuple[bool, CellValue]]:
    """In a row of values, a short non-label cell after the label (“三”, “十二”) is a bad value."""
    if not any(k[0] for k in kinds):
        return kinds
    out = list(kinds)
    seen_cell = False
    for i, (cell, (is_value, _)) in enumerate(zip(cells, kinds, strict=True)):
        norm = normalize_label(cell)
        short = bool(norm) and len(norm) <= 4 and norm not in known
        if not is_value and seen_cell and short and not _ENUMERATOR_RE.match(norm):
            out[i] = (True, cell.strip())
        seen_cell = seen_cell or bool(norm)
    return out


def _is_blank_cell(i: int, value_idx: list[int], has_text: bool) -> bool:
    """An empty cell between two values, or before the values of a line without a label."""
    return value_idx[0] < i < value_idx[-1] or (i < value_idx[0] and not has_text)


# --------------------------------------------------------------------------- free text


def _drop_sentences(line: str) -> str:
    """The line without its narrative sentences (text up to a 。 or ；, minus leading digits)."""
    if not _SENTENCE_END_RE.search(line):
        return line
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END_RE.finditer(line):
        piece = line[start : m.end()]
        keep = re.match(r"^[\s\d.,]*", piece)
        # digits right before the sentence belong to the table (…继续办理1000001本年度共…。)
        out.append(keep.group(0) if keep else "")
        start = m.end()
    out.append(line[start:])
    return " ".join(out)


def _free_line(b: _Builder, n: int, line: str) -> None:
    tokens: list[Token] = []
    pieces = line.split()
    lead = pieces[0] if pieces else ""
    if len(lead) == 1 and lead in "123456789" and b.lone is None and all(parse_value(p)[0] for p in pieces):
        # a digit opening a line of values may be the enumerator of a label printed after them
        # ("5 0 2441 0 0 1590 0 4031" / ".要求行政机关确认…"): it starts a segment of its own
        token = Token(pieces[0], n)
        b.lone_split = b.open and bool(b.segments)
        b.open = False
        b.group([token], False)
        b.lone = token
        pieces = pieces[1:]
    for piece in pieces:
        is_value, _ = parse_value(piece)
        if is_value:
            tokens.append(Token(piece, n))
            continue
        for kind, text in _scan_piece(piece):
            if kind == "value":
                tokens.append(Token(text, n))
            else:
                b.group(tokens, False)
                tokens = []
                b.text(text)
    b.group(tokens, False)


def _scan_piece(piece: str) -> list[tuple[str, str]]:
    """A piece mixing label text and digits → [('text', …), ('value', digits), …]."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _DIGITS_RE.finditer(piece):
        start, end, digits = m.start(), m.end(), m.group(0)
        nxt = piece[end : end + 1]
        prev = piece[start - 1 : start]
        enumerator = bool(nxt) and nxt in ".．、" and not _is_decimal(piece, end)
        if nxt in _NOT_A_CELL_AFTER or prev == "第" or enumerator:
            if enumerator and len(digits) > 1 and digits.isdigit() and prev != "第":
                # the last digit is the next row's enumerator
                out.append(("text", piece[pos:start]))
                out.append(("value", digits[:-1]))
                pos = end - 1
            continue
        out.append(("text", piece[pos:start]))
        out.append(("value", digits))
        pos = end
    out.append(("text", piece[pos:]))
    return [(k, t) for k, t in out if t]


def _is_decimal(piece: str, end: int) -> bool:
    return end + 1 < len(piece) and piece[end + 1].isdigit()
