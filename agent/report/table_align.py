"""Which segment of table text is which row: an alignment of segments to the official rows.

The rows of a table come in a fixed order; the segments of its text
(:mod:`agent.report.table_text`) come in document order. :func:`align` finds the monotonic
assignment of segments to rows (a segment may fill up to three consecutive rows — Table 4's
15 cells printed as one run, two rows whose label got lost — and any row may be missing or
any segment left over, e.g. a stray number) that best matches each segment's label text with
its rows' labels. Label text is compared by its character pairs, so a label broken over lines,
split by stray spaces, printed with the older wording (规范性文件 for 行政规范性文件) or with
half-width brackets still matches, and a segment whose label text is lost can still be placed
between its neighbours when it is a delimited row of exactly the row's width.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from agent.report.labels import normalize_label
from agent.report.table_decode import RowShape
from agent.report.table_text import Segment

LABEL_MATCH = 0.5  # share of a label's character pairs that must occur in the segment's label text
_BASE = 0.3
_EXACT = 0.1
_NEG = float("-inf")


@dataclass(frozen=True)
class RowSpec:
    key: str
    label: str
    shape: RowShape


@functools.cache
def _pairs(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1)) or frozenset({text})


def _pairs_of(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def _continued(seg: Segment, label: str) -> float:
    """Share of ``label`` printed as a tail of the text before the values plus a head of the text after."""
    before = seg.region
    tail = before[-len(label) :]
    a = 0
    p = tail.find(label[0])
    while p >= 0:  # the longest tail of the text before that starts the label
        if label.startswith(tail[p:]):
            a = len(tail) - p
            break
        p = tail.find(label[0], p + 1)
    if a == 0:
        return 0.0
    rest, after = label[a:], seg.after
    b = 0
    while b < len(rest) and b < len(after) and rest[b] == after[b]:
        b += 1
    return (a + b) / len(label)


def label_score(region: str, label: str) -> float:
    want = _pairs(normalize_label(label))
    have = frozenset(region[i : i + 2] for i in range(len(region) - 1))
    return len(want & have) / len(want)


@dataclass(frozen=True)
class Assignment:
    segment: int
    rows: tuple[int, ...]
    scores: tuple[float, ...]


class _Aligner:
    def __init__(self, segments: Sequence[Segment], rows: Sequence[RowSpec], max_span: int) -> None:
        self.segments = segments
        self.rows = rows
        self.max_span = max_span
        self.regions = [_pairs_of(s.region) for s in segments]
        self.labels = [normalize_label(r.label) for r in rows]
        self.wants = [_pairs(label) for label in self.labels]  # cached per label
        self.cache: dict[tuple[int, int], float] = {}
        self.least = [len(s.tokens) for s in segments]
        self.most = [sum(t.digits for t in s.tokens) for s in segments]
        self.widths = [0]
        for r in rows:
            self.widths.append(self.widths[-1] + r.shape.width)

    def sim(self, i: int, j: int) -> float:
        """How well segment i's label text matches row j's label (0…1).

        Either the label begins at the end of the text before the values and may go on after
        them (a PDF prints a wrapped label's lines around its numbers), or its character pairs
        occur in the text before the values (a label broken by stray spaces, a variant).
        """
        if (i, j) not in self.cache:
            want = self.wants[j]
            pairs = len(want & self.regions[i]) / len(want)
            self.cache[(i, j)] = max(pairs, _continued(self.segments[i], self.labels[j]))
        return self.cache[(i, j)]

    def fit(self, i: int, j: int, k: int) -> tuple[float, tuple[float, ...]] | None:
        width = self.widths[j + k] - self.widths[j]
        least, most = self.least[i], self.most[i]
        if not least <= width <= most + k:
            return None
        seg = self.segments[i]
        span = self.rows[j : j + k]
        sims = tuple(self.sim(i, j + n) for n in range(k))
        structural = (
            len(seg.groups) == k
            and all(g.delimited for g in seg.groups)
            and all(len(g.tokens) == r.shape.width for g, r in zip(seg.groups, span, strict=True))
        )
        if max(sims) < LABEL_MATCH and not structural:
            return None
        if k > 1 and not structural and min(sims) < LABEL_MATCH:
            return None  # a run of values spread over rows whose labels are not all there
        score = sum(_BASE + s for s in sims) + (_EXACT * k if width <= most else 0.0)
        return score, sims


def align(
    segments: Sequence[Segment], rows: Sequence[RowSpec], max_span: int = 3, blocks: bool = False
) -> list[Assignment]:
    """The best monotonic assignment of segments to rows; rows absent from it are missing.

    With ``blocks`` (Table 2, whose blocks are separate small tables a converter may print out
    of order) the rows and segments left over are aligned again, on their labels only.
    """
    out: list[Assignment] = []
    seg_left, row_left = list(range(len(segments))), list(range(len(rows)))
    first = True
    while seg_left and row_left and (first or blocks):
        found = _align_once([segments[i] for i in seg_left], [rows[j] for j in row_left], max_span)
        if not first:
            found = [a for a in found if min(a.scores) >= LABEL_MATCH]
        first = False
        if not found:
            break
        for a in found:
            out.append(Assignment(seg_left[a.segment], tuple(row_left[j] for j in a.rows), a.scores))
        used_s = {seg_left[a.segment] for a in found}
        used_r = {row_left[j] for a in found for j in a.rows}
        seg_left = [i for i in seg_left if i not in used_s]
        row_left = [j for j in row_left if j not in used_r]
    return sorted(out, key=lambda a: a.rows)


def _align_once(segments: Sequence[Segment], rows: Sequence[RowSpec], max_span: int) -> list[Assignment]:
    a = _Aligner(segments, rows, max_span)
    if len(segments) == len(rows):  # the usual case: one labelled row of values per row, in order
        fits = [a.fit(i, i, 1) for i in range(len(rows))]
        if all(
            f is not None and f[1][0] >= 1.0 and a.least[i] == rows[i].shape.width for i, f in enumerate(fits)
        ):
            return [Assignment(i, (i,), f[1]) for i, f in enumerate(fits) if f is not None]
    m, n = len(segments), len(rows)
    dp = [[_NEG] * (n + 1) for _ in range(m + 1)]
    back: list[list[tuple[int, int, Assignment | None] | None]] = [[None] * (n + 1) for _ in range(m + 1)]
    dp[0][0] = 0.0
    for i in range(m + 1):
        for j in range(n + 1):
            cur = dp[i][j]
            if cur == _NEG:
                continue
            if i < m and cur > dp[i + 1][j]:
                dp[i + 1][j], back[i + 1][j] = cur, (i, j, None)
            if j < n and cur > dp[i][j + 1]:
                dp[i][j + 1], back[i][j + 1] = cur, (i, j, None)
            if i == m:
                continue
            for k in range(1, min(max_span, n - j) + 1):
                fit = a.fit(i, j, k)
                if fit is None:
                    continue
                score = cur + fit[0]
                if score > dp[i + 1][j + k]:
                    dp[i + 1][j + k] = score
                    back[i + 1][j + k] = (i, j, Assignment(i, tuple(range(j, j + k)), fit[1]))
    out: list[Assignment] = []
    i, j = m, n
    while (i, j) != (0, 0):
        step = back[i][j]
        assert step is not None
        i, j, assignment = step
        if assignment is not None:
            out.append(assignment)
    return out[::-1]
