"""Read one table from its text: segments → rows (alignment) → cells (decoding) → states.

:func:`read_rows` is the generic step shared by Tables 2–4: it returns, for every official row,
its cells and how each was read. :mod:`agent.report.table_parser` builds the tables from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.report.model import CellReading, CellState, CellValue
from agent.report.table_align import LABEL_MATCH, RowSpec, align
from agent.report.table_decode import (
    UNKNOWN,
    Cell,
    Equation,
    Reading,
    RowResult,
    RowShape,
    Unknown,
    row_readings,
    solve,
)
from agent.report.table_text import Segment, Token, segments_of

Hints = dict[tuple[str, int], CellValue]  # (row key, column index) → value a statement gives
Lost = dict[str, set[int]]  # row key → the columns in which the row's lost cell may be
_MISSING = "未能在原文中找到这一行"
_TOO_MANY = "连写的数字可能的读法过多"
_NO_FIT = "原文数字无法切分为符合本表勾稽关系的读法"
_SEVERAL = "原文数字连写或缺格，有多种读法"
_BY_ROW = "按本行总计等于各项之和唯一确定"
_BY_TABLE = "按本表各列勾稽关系唯一确定"
_BY_TEXT = "按正文所述数字或表外带注的数字确定"


@dataclass
class RowsRead:
    cells: dict[str, list[CellValue]] = field(default_factory=dict)
    readings: dict[str, list[CellReading]] = field(default_factory=dict)
    labelled: set[str] = field(default_factory=set)  # rows found by their label
    decoded: list[tuple[str, str, str]] = field(default_factory=list)  # (row keys, raw text, reading)

    def found(self) -> int:
        return len(self.labelled)

    def printed(self, row: str) -> bool:
        """Some value of the row was read, or values were printed but could not be read reliably."""
        return any(rd.state != "uncertain" or rd.note != _MISSING for rd in self.readings[row])


@dataclass
class _Unit:
    """The rows one segment of text fills, its tokens and their readings."""

    rows: list[RowSpec]
    tokens: list[Token]
    result: RowResult
    candidates: list[tuple[Cell, ...]] = field(default_factory=list)
    hinted: bool = False
    key: str = ""

    def __post_init__(self) -> None:
        self.key = "+".join(r.key for r in self.rows)

    @property
    def raw(self) -> str:
        return " ".join(t.text or "（空）" for t in self.tokens)

    @property
    def line(self) -> int | None:
        return self.tokens[0].line + 1 if self.tokens else None


def read_rows(
    lines: Iterable[tuple[int, str]],
    rows: Sequence[RowSpec],
    known_labels: frozenset[str],
    equations: Sequence[Equation] = (),
    hints: Hints | None = None,
    lost: Lost | None = None,
    blocks: bool = False,
) -> RowsRead:
    segments = segments_of(lines, known_labels)
    return rows_from_segments(segments, rows, equations, hints or {}, lost or {}, blocks)


def rows_from_segments(
    segments: list[Segment],
    rows: Sequence[RowSpec],
    equations: Sequence[Equation],
    hints: Hints,
    lost: Lost,
    blocks: bool = False,
) -> RowsRead:
    out = RowsRead()
    units: list[_Unit] = []
    for a in align(segments, rows, blocks=blocks):
        span = [rows[j] for j in a.rows]
        tokens = segments[a.segment].tokens
        unit = _Unit(span, tokens, row_readings(tokens, [r.shape for r in span]))
        unit.candidates, unit.hinted = _hinted(unit, hints, lost)
        units.append(unit)
        out.labelled |= {r.key for r, s in zip(span, a.scores, strict=True) if s >= LABEL_MATCH}
    where = {
        r.key: (u.key, sum(x.shape.width for x in u.rows[:n])) for u in units for n, r in enumerate(u.rows)
    }
    unit_eqs = [
        Equation(
            tuple((where[r][0], where[r][1] + i) for r, i in e.lhs),
            tuple((where[r][0], where[r][1] + i) for r, i in e.rhs),
        )
        for e in equations
        if e.rows() <= set(where)
    ]
    decided = solve({u.key: u.candidates for u in units if u.result.complete and u.candidates}, unit_eqs)
    for u in units:
        _unit_cells(out, u, decided.values, u.key in decided.jointly)
    for r in rows:
        if r.key not in out.cells:
            out.cells[r.key] = [None] * r.shape.width
            out.readings[r.key] = [_reading(state="uncertain", note=_MISSING) for _ in range(r.shape.width)]
    return out


def _hinted(u: _Unit, hints: Hints, lost: Lost) -> tuple[list[tuple[Cell, ...]], bool]:
    """Readings agreeing with the evidence (statements, stray cells), when some but not all do."""
    readings = u.result.readings
    cands = [rd.cells for rd in readings]
    if len(cands) < 2 or not (hints or lost):
        return cands, False
    refs = [(r.key, i) for r in u.rows for i in range(r.shape.width)]

    def fits(rd: Reading) -> bool:
        for n, v in enumerate(rd.cells):
            row, i = refs[n]
            if row in lost and (rd.cut or (v is UNKNOWN and i not in lost[row])):
                return False  # the cells that went missing are the stray ones, in their columns
            if (row, i) in hints and hints[(row, i)] != v:
                return False
        return True

    keep = [rd.cells for rd in readings if fits(rd)]
    return (keep, True) if keep and len(keep) < len(cands) else (cands, False)


def _unit_cells(out: RowsRead, u: _Unit, values: dict[tuple[str, int], set[Cell]], jointly: bool) -> None:
    res = u.result
    unknown_used = any(c is UNKNOWN for rd in res.readings for c in rd.cells)
    if not res.split:
        state: CellState = "read"
        note = ""
    elif res.plain == 1 and not unknown_used:
        state, note = "read", ""
    else:
        state = "derived"
        note = _BY_TEXT if u.hinted else _BY_TABLE if jointly else _BY_ROW
        note = ("原文缺一格，" + note) if unknown_used else note
    k = 0
    any_known = False
    for r in u.rows:
        cells: list[CellValue] = []
        reads: list[CellReading] = []
        for _ in range(r.shape.width):
            options = values.get((u.key, k))
            if not res.complete or options is None:
                cells.append(None)
                why = _TOO_MANY if not res.complete else _NO_FIT
                reads.append(_reading(state="uncertain", raw=u.raw, line=u.line, note=why))
            else:
                known: list[CellValue] = [v for v in options if not isinstance(v, Unknown)]
                raw, line = _source(res, k, next(iter(options)))
                if len(options) == 1 and known:
                    cells.append(known[0])
                    reads.append(_reading(state=state, raw=raw, line=line, note=note))
                    any_known = True
                else:
                    cells.append(None)
                    shown = sorted(known, key=str)[:8]
                    reads.append(
                        CellReading(
                            state="uncertain", raw=u.raw, line=u.line, candidates=shown, note=_SEVERAL
                        )
                    )
            k += 1
        out.cells[r.key] = cells
        out.readings[r.key] = reads
    if state == "derived" and any_known:
        shown_cells = "/".join(_show(v) for r in u.rows for v in out.cells[r.key])
        out.decoded.append((u.key, u.raw, shown_cells))


def _show(v: CellValue) -> str:
    if v is None:
        return "?"
    return f"{v:g}" if isinstance(v, float) else str(v)


def _source(res: RowResult, k: int, value: object) -> tuple[str, int | None]:
    for rd in res.readings:
        if rd.cells[k] is value or rd.cells[k] == value:
            line = rd.lines[k]
            return rd.raws[k], (line + 1 if line >= 0 else None)
    return "", None


def _reading(**fields: Any) -> CellReading:
    """A CellReading without pydantic validation (the values are ours): the parser makes many."""
    values: dict[str, Any] = {**_DEFAULTS, "candidates": [], **fields}
    return CellReading.model_construct(None, **values)


_DEFAULTS: dict[str, Any] = {"raw": "", "line": None, "page": None, "candidates": [], "note": ""}


def shape(width: int, identity: bool) -> RowShape:
    """A row whose last cell is the total of the others (表三, 表四) or without identity (表二)."""
    return RowShape(width, (tuple(range(width - 1)), width - 1) if identity else None)
