"""The table's own identities as a decoder for text that does not say where cells end.

A row's tokens (:class:`agent.report.table_text.Token`) may hold fewer or more cells than
printed values: ``640020470`` is seven cells, ``500000 5`` is seven, a 17-digit run is Table 4's
15 cells. :func:`row_readings` enumerates every way of cutting the digits into the row's cells
(a cell never starts with ``0`` unless it is ``0``), keeping only the readings in which each
row's 总计 equals the sum of its parts when the table has that identity. When the text has
fewer values than cells (a lost cell), one cell per row may be *unknown*; it is solved from the
row identity or stays unknown.

:func:`solve` then combines the rows: rows with one reading are fixed, rows with several are
decided by the column identities (（七）总计 = sum of results, 一 + 二 = 三 + 四). A cell whose
value is the same in every consistent combination is known (``derived`` when more than one
reading was possible); any other cell is ``uncertain``. Nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from agent.report.model import CellValue
from agent.report.table_text import Token, parse_value


class Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()
Cell = CellValue | Unknown
MAX_READINGS = 4000
MAX_STEPS = 60_000


@dataclass(frozen=True)
class RowShape:
    width: int
    identity: tuple[tuple[int, ...], int] | None = None  # (indexes of the parts, index of the total)


@dataclass
class Reading:
    cells: tuple[Cell, ...]
    raws: tuple[str, ...]
    lines: tuple[int, ...]
    cut: bool = False  # a printed value was cut into several cells


@dataclass
class RowResult:
    """The readings of the tokens assigned to one or more consecutive rows."""

    readings: list[Reading] = field(default_factory=list)
    complete: bool = True  # False: too many readings to enumerate
    plain: int = 0  # readings before the identities (capped at 2): 1 → the text alone decides
    split: bool = False  # some token was cut into several cells, or a cell was unknown


def _number(text: str) -> CellValue:
    return parse_value(text)[1] if parse_value(text)[0] else text


def _printable(tok: Token) -> bool:
    """A value as a report prints one: not a run of digits starting with 0 (``03765``)."""
    return not tok.splittable or _valid_part(tok.text.split(".")[0].rstrip("万元"))


def _valid_part(digits: str) -> bool:
    return digits == "0" or not digits.startswith("0")


class _Search:
    def __init__(
        self,
        tokens: Sequence[Token],
        shapes: Sequence[RowShape],
        use_identity: bool,
        limit: int,
        lost: int | None = None,
    ):
        self.tokens = tokens
        self.shapes = shapes
        self.use_identity = use_identity
        self.limit = limit
        self.bounds: list[int] = []
        total = 0
        for s in shapes:
            total += s.width
            self.bounds.append(total)
        self.width = total
        self.row_of = [i for i, s in enumerate(shapes) for _ in range(s.width)]
        # a delimited row may have lost one cell per row; run-together digits only when too few
        digits = sum(t.digits for t in tokens)
        delimited = any(t.delimited for t in tokens)
        self.unknowns = len(shapes) if delimited else max(0, self.width - digits)
        if lost is not None:
            self.unknowns = lost
        self.cuts = 0
        self.out: list[Reading] = []
        self.steps = 0
        self.complete = True
        # the most cells the tokens from i on can still give
        self.tail_max = [0] * (len(tokens) + 1)
        for i in range(len(tokens) - 1, -1, -1):
            self.tail_max[i] = self.tail_max[i + 1] + tokens[i].digits

    def run(self) -> None:
        if self.unknowns > len(self.shapes):
            return
        self._step(0, 0, [], [], [], 0)

    def _step(
        self, ti: int, off: int, cells: list[Cell], raws: list[str], lines: list[int], unk: int
    ) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS or len(self.out) >= self.limit:
            self.complete = False
            return
        k = len(cells)
        if k == self.width:
            if ti == len(self.tokens):
                self.out.append(Reading(tuple(cells), tuple(raws), tuple(lines), self.cuts > 0))
            return
        left = self.width - k
        min_left = len(self.tokens) - ti
        max_left = self.tail_max[ti] - (self._used(ti, off)) + (self.unknowns - unk)
        if left < min_left or left > max_left:
            return
        row = self.row_of[k]
        row_start = self.bounds[row] - self.shapes[row].width
        spare = self.unknowns - unk
        if self.use_identity and self._total_cannot_fit(row, row_start, k, cells, max_left - spare, spare):
            return
        if unk < self.unknowns and UNKNOWN not in cells[row_start:]:
            self._emit(ti, off, cells, raws, lines, unk + 1, UNKNOWN, "", -1)
        if ti >= len(self.tokens):
            return
        tok = self.tokens[ti]
        if not tok.splittable:
            value = None if tok.blank else _number(tok.text)
            self._emit(ti + 1, 0, cells, raws, lines, unk, value, tok.text, tok.line)
            return
        rest = tok.text[off:]
        int_part = rest.split(".")[0].rstrip("万元")
        for n in range(1, len(int_part) + 1):
            if n < len(int_part):
                part = int_part[:n]
                if _valid_part(part):
                    self.cuts += 1
                    self._emit(ti, off + n, cells, raws, lines, unk, _number(part), part, tok.line)
                    self.cuts -= 1
            elif _valid_part(int_part):
                self._emit(ti + 1, 0, cells, raws, lines, unk, _number(rest), rest, tok.line)

    def _total_cannot_fit(
        self, row: int, row_start: int, k: int, cells: list[Cell], digits_left: int, spare: int
    ) -> bool:
        """The row's total (≥ the sum of its parts so far) needs more digits than are left."""
        identity = self.shapes[row].identity
        if identity is None or k - row_start > identity[1] or UNKNOWN in cells[row_start:] or spare > 0:
            return False  # (an unknown cell may still be the total)
        parts = [c for c in cells[row_start:] if isinstance(c, int)]
        if not parts:
            return False
        cells_after_total = self.width - self.bounds[row]
        parts_left = identity[1] - (k - row_start)  # parts still to read before the total
        room = digits_left - parts_left - cells_after_total
        return len(str(sum(parts))) > room

    def _used(self, ti: int, off: int) -> int:
        return off if ti < len(self.tokens) else 0

    def _emit(
        self, ti: int, off: int, cells: list[Cell], raws: list[str], lines: list[int], unk: int,
        value: Cell, raw: str, line: int,
    ) -> None:  # fmt: skip
        cells.append(value)
        raws.append(raw)
        lines.append(line)
        k = len(cells)
        row = self.row_of[k - 1]
        if k == self.bounds[row]:
            solved = self._row_identity(cells, row)
            if solved is not None:
                self._step(ti, off, solved, raws, lines, unk)
        else:
            self._step(ti, off, cells, raws, lines, unk)
        cells.pop()
        raws.pop()
        lines.pop()

    def _row_identity(self, cells: list[Cell], row: int) -> list[Cell] | None:
        """The cells with the row's unknown solved; None when the row breaks its identity."""
        shape = self.shapes[row]
        start = self.bounds[row] - shape.width
        if shape.identity is None:
            return cells
        parts_idx, total_idx = shape.identity
        values = cells[start:]
        if UNKNOWN not in values and not self.use_identity:
            return cells
        nums = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
        if len(nums) + (1 if UNKNOWN in values else 0) != len(values):
            return None if UNKNOWN in values else cells  # non-numeric cell: identity not usable
        ints = [v if isinstance(v, int) else 0 for v in values]
        if UNKNOWN not in values:
            return cells if sum(ints[i] for i in parts_idx) == ints[total_idx] else None
        u = values.index(UNKNOWN)
        if u == total_idx:
            solved = sum(ints[i] for i in parts_idx)
        else:
            solved = ints[total_idx] - sum(ints[i] for i in parts_idx if i != u)
            if solved < 0:
                return None
        out = list(cells)
        out[start + u] = solved
        return out


def row_readings(tokens: Sequence[Token], shapes: Sequence[RowShape]) -> RowResult:
    """Every reading of ``tokens`` as the cells of the rows ``shapes``.

    A row printed with one value per cell is read as it is, even if it breaks an identity (that
    is the report's error, for the checks to report). A row whose values had to be cut or
    completed keeps only the readings that satisfy its identity: a cut that breaks it is far
    more likely a misreading than the report's error, and is not offered as a reading.
    """
    width = sum(s.width for s in shapes)
    if len(tokens) == width and all(_printable(t) for t in tokens):
        cells = tuple(None if t.blank else _number(t.text) for t in tokens)
        reading = Reading(cells, tuple(t.text for t in tokens), tuple(t.line for t in tokens))
        return RowResult([reading], True, 1, False)
    plain = _Search(tokens, shapes, use_identity=False, limit=2)
    plain.run()
    run = _one_run(tokens, shapes)
    if run is not None:
        return RowResult(run[0], run[1], len(plain.out), True)
    full = _Search(tokens, shapes, use_identity=True, limit=MAX_READINGS)
    full.run()
    fewer = full.unknowns == 0 and len(tokens) < width and not any(t.delimited for t in tokens)
    if fewer and all(s.identity is None for s in shapes):
        # without an identity nothing tells digits run together from a value lost: both are readings
        lost = _Search(
            tokens, shapes, use_identity=True, limit=MAX_READINGS, lost=min(len(shapes), width - len(tokens))
        )
        lost.run()
        readings = full.out + [r for r in lost.out if r not in full.out]
        return RowResult(readings, full.complete and lost.complete, min(2, len(readings)), True)
    if fewer and not full.out and full.complete:
        # no cut fits: a value may have been lost although the digits could fill every cell
        full = _Search(tokens, shapes, use_identity=True, limit=MAX_READINGS, lost=1)
        full.run()
    return RowResult(full.out, full.complete, len(plain.out), True)


def _one_run(tokens: Sequence[Token], shapes: Sequence[RowShape]) -> tuple[list[Reading], bool] | None:
    """The readings of one row printed as one run of digits whose last cell is the total.

    The common case of crawler text (``1200100013``: the cells, then their total). The total is
    a tail of the digits, so each choice of it fixes the sum the other cells must reach and how
    many digits each may have: this is exact like the general search, and fast on long runs,
    where the general search would give up. None when the row is not of that kind.
    """
    if len(tokens) != 1 or len(shapes) != 1 or tokens[0].delimited or not tokens[0].text.isdigit():
        return None
    tok, shape = tokens[0], shapes[0]
    width, digits = shape.width, tokens[0].text
    if shape.identity != (tuple(range(width - 1)), width - 1) or len(digits) < width or width < 2:
        return None
    found: list[tuple[str, ...]] = []
    budget = [MAX_STEPS]
    for tail in range(1, len(digits) - width + 2):
        total = digits[-tail:]
        if not _valid_part(total) or len(digits) - tail > (width - 1) * tail:
            continue  # (no cell is larger than the total)
        cuts: list[tuple[str, ...]] = []
        done = _split_sum(digits[:-tail], width - 1, int(total), (), cuts, budget, set())
        found += [(*c, total) for c in cuts]
        if not done or len(found) > MAX_READINGS:
            return _readings(found, tok), False
    return _readings(found, tok), True


def _split_sum(
    text: str,
    parts: int,
    target: int,
    done: tuple[str, ...],
    found: list[tuple[str, ...]],
    budget: list[int],
    dead: set[tuple[int, int, int]],
) -> bool:
    """Cut ``text`` into ``parts`` printable numbers summing to ``target``; each cut → ``found``.

    A part is at most the target, so it has at most the target's digits, and what is left must
    fit the parts still to cut; ``dead`` remembers the (text left, parts, sum) that have no cut.
    This keeps long runs fast. False when the budget of steps or readings ran out (``found`` is
    then incomplete).
    """
    budget[0] -= 1
    if budget[0] < 0 or len(found) > MAX_READINGS:
        return False
    if parts == 1:
        if _valid_part(text) and int(text) == target:
            found.append((*done, text))
        return True
    state = (len(text), parts, target)
    if state in dead:
        return True
    before = len(found)
    for n in range(1, min(len(str(target)), len(text) - parts + 1) + 1):
        part = text[:n]
        left = target - int(part)
        rest = len(text) - n
        if left < _least_sum(rest, parts - 1) or rest > (parts - 1) * len(str(left)) or not _valid_part(part):
            continue
        if not _split_sum(text[n:], parts - 1, left, (*done, part), found, budget, dead):
            return False
    if len(found) == before:
        dead.add(state)
    return True


def _least_sum(digits: int, parts: int) -> int:
    """The least sum of ``parts`` printable numbers made of ``digits`` digits in all.

    A number of n > 1 digits is at least 10^(n-1) (no leading zero), one digit at least 0; the
    sum is least when the lengths are as even as possible.
    """
    q, r = divmod(digits, parts)
    return r * 10**q + (parts - r) * (10 ** (q - 1) if q > 1 else 0)


def _readings(found: list[tuple[str, ...]], tok: Token) -> list[Reading]:
    return [Reading(tuple(_number(p) for p in f), f, tuple(tok.line for _ in f), True) for f in found]


# --------------------------------------------------------------------------- the whole table


CellRef = tuple[str, int]  # (row key, column index)


@dataclass(frozen=True)
class Equation:
    """sum(lhs) == sum(rhs)."""

    lhs: tuple[CellRef, ...]
    rhs: tuple[CellRef, ...]

    def rows(self) -> set[str]:
        return {r for r, _ in (*self.lhs, *self.rhs)}


@dataclass
class Decided:
    """Per cell: the value (None when uncertain), and every value it can still take."""

    values: dict[CellRef, set[Cell]] = field(default_factory=dict)
    jointly: set[str] = field(default_factory=set)  # rows decided by the column identities


def _num(v: object) -> int | float | None:
    return v if isinstance(v, int | float) and not isinstance(v, bool) else None


def solve(candidates: dict[str, list[tuple[Cell, ...]]], equations: Sequence[Equation]) -> Decided:
    """Combine rows with several readings through the column identities."""
    fixed = {k: c[0] for k, c in candidates.items() if len(c) == 1}
    open_rows = sorted((k for k, c in candidates.items() if len(c) > 1), key=lambda k: len(candidates[k]))
    out = Decided()
    for k, cells in fixed.items():
        for i, v in enumerate(cells):
            out.values[(k, i)] = {v}
    if not open_rows:
        return out
    usable = [
        e
        for e in equations
        if e.rows() & set(open_rows)
        and e.rows() <= set(candidates)
        and all(_num(fixed[r][i]) is not None for r, i in (*e.lhs, *e.rhs) if r in fixed)
    ]
    linked = {r for e in usable for r in e.rows()}
    for k in [k for k in open_rows if k not in linked]:  # no identity reaches it: as the row allows
        for i in range(len(candidates[k][0])):
            out.values[(k, i)] = {c[i] for c in candidates[k]}
    open_rows = [k for k in open_rows if k in linked]
    if not open_rows:
        return out
    seen: dict[CellRef, set[Cell]] = {}
    state = {"steps": 0, "solutions": 0}
    chosen: dict[str, tuple[Cell, ...]] = dict(fixed)

    def holds(e: Equation) -> bool | None:
        if not e.rows() <= set(chosen):
            return None
        vals = [_num(chosen[r][i]) for r, i in (*e.lhs, *e.rhs)]
        if any(v is None for v in vals):
            return True
        n = len(e.lhs)
        return sum(vals[:n]) == sum(vals[n:])  # type: ignore[arg-type]

    def undecided_left() -> bool:
        return any(len(seen.get((k, i), ())) < 2 for k in open_rows for i in range(len(candidates[k][0])))

    position = {k: n for n, k in enumerate(open_rows)}
    # each equation is checked once, when the last of its open rows has been chosen
    check_at: list[list[Equation]] = [[] for _ in open_rows]
    for e in usable:
        check_at[max(position[r] for r in e.rows() if r in position)].append(e)

    def back(depth: int) -> bool:
        if depth == len(open_rows):
            state["solutions"] += 1
            for k in open_rows:
                for i, v in enumerate(chosen[k]):
                    seen.setdefault((k, i), set()).add(v)
            return undecided_left()
        k = open_rows[depth]
        for cand in candidates[k]:
            state["steps"] += 1
            if state["steps"] > MAX_STEPS:
                chosen.pop(k, None)
                return False
            chosen[k] = cand
            if all(holds(e) is not False for e in check_at[depth]) and not back(depth + 1):
                chosen.pop(k, None)
                return False
        chosen.pop(k, None)
        return True

    finished = back(0)
    for k in open_rows:
        for i in range(len(candidates[k][0])):
            row_values = {c[i] for c in candidates[k]}
            joint = seen.get((k, i))
            if state["solutions"] and finished and joint is not None:
                out.values[(k, i)] = joint
                if len(joint) == 1 and len(row_values) > 1:
                    out.jointly.add(k)
            elif state["solutions"] and not finished and joint is not None and len(joint) > 1:
                out.values[(k, i)] = joint
            else:
                out.values[(k, i)] = row_values
    return out
