"""Property tests that break table layouts the way real documents do, and check the parse is
exact or says it is uncertain — never a confident wrong cell, never a false identity error.

Breakages: a label wrapped over two lines with the numbers between or beside either half, a
table split by a page footer and a repeated header, the digits of a row run together (crawler
text with every separator lost), a separator dropped between two cells, a cell lost.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_table_props import table2s, table3s, table4s

from agent.report.labels import TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_GROUPS
from agent.report.model import Table2, Table3, Table4
from agent.report.table_parser import parse_table2, parse_table3, parse_table4
from agent.report.tables import validate_table2, validate_table3, validate_table4

HEADER3 = [
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    "申请人情况 自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他",
]
BENIGN = ("none", "wrap", "wrap-before", "wrap-after", "footer")
DESTRUCTIVE = ("run", "drop-sep", "lose")
SMALL = st.integers(0, 60)  # crawler reports: small numbers, as in the real ones


def _vals(values: list[object]) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def _row_text(label: str, vals: list[str], style: str, brk: str, k: int, drop: int) -> list[str]:
    """Lines for one row of a table in ``style`` ('pipe', 'text') with breakage ``brk``."""
    if brk == "lose":
        vals = vals[:drop] + vals[drop + 1 :]
    if brk == "drop-sep" and len(vals) > 1:
        i = min(drop, len(vals) - 2)
        vals = [*vals[:i], vals[i] + vals[i + 1], *vals[i + 2 :]]
    if brk == "run":
        vals = ["".join(vals)]
    k = max(1, min(k, len(label) - 1))
    head, tail = label[:k], label[k:]
    if style == "pipe":
        row = "| " + " | ".join(vals) + " |"
        if brk in ("wrap", "wrap-before", "wrap-after"):
            return [label, row]  # a converter that moved the label out of the row
        return ["| " + " | ".join([label, *vals]) + " |"]
    nums = " ".join(vals)
    if brk == "wrap":
        return [head, nums, tail]
    if brk == "wrap-before":
        return [f"{head} {nums}", tail]
    if brk == "wrap-after":
        return [head, f"{tail} {nums}"]
    return [f"{label} {nums}"]


def _never_wrong(parsed: Table2 | Table3 | Table4 | None, truth: Table2 | Table3 | Table4) -> int:
    """Every read/derived cell equals the truth; returns how many cells are uncertain."""
    assert parsed is not None
    uncertain = 0
    for key, rd in parsed.readings.items():
        parts, col = key.rsplit("|", 1)
        path = [*parts.split("/"), col]
        got = parsed.get(*path)  # type: ignore[arg-type]
        want = truth.get(*path)  # type: ignore[arg-type]
        if rd.state == "uncertain":
            uncertain += 1
            assert got is None
        else:
            assert got == want, f"{key}: parsed {got!r} ({rd.state}, raw {rd.raw!r}), truth {want!r}"
    return uncertain


def _no_error(findings: list) -> None:  # type: ignore[type-arg]
    errors = [(f.rule, f.location, f.message) for f in findings if f.severity == "error"]
    assert errors == [], errors


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table3s(),
    st.sampled_from(["pipe", "text"]),
    st.data(),
)
def test_broken_table3_layouts_are_exact_or_uncertain(t3: Table3, style: str, data: st.DataObject) -> None:
    rows = TABLE3_ROWS[t3.format]
    kinds = data.draw(st.lists(st.sampled_from(BENIGN + DESTRUCTIVE), min_size=len(rows), max_size=len(rows)))
    lines = list(HEADER3)
    for r, brk in zip(rows, kinds, strict=True):
        vals = _vals([t3.get(r.key, c.key) for c in TABLE3_COLUMNS])
        if brk == "footer":
            lines += ["- 4 -", *HEADER3]
        k, drop = data.draw(st.integers(1, 30)), data.draw(st.integers(0, 6))
        lines += _row_text(r.label if style == "text" else r.path, vals, style, brk, k, drop)
    parsed = parse_table3("\n".join(lines))
    uncertain = _never_wrong(parsed, t3)
    assert parsed is not None
    _no_error(validate_table3(parsed))
    if not set(kinds) & set(DESTRUCTIVE):
        assert uncertain == 0, "a benign layout must read exactly"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table3s(), st.data())
def test_crawler_table3_with_every_separator_lost(t3: Table3, data: st.DataObject) -> None:
    """The 平潭 case: the whole table on one line, each row's cells run together."""
    small = data.draw(st.booleans())
    if small:  # renumber with small values, as real crawler reports have them
        t3 = _shrink(t3)
    text = HEADER3[0] + "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
    for r in TABLE3_ROWS[t3.format]:
        text += r.label + "".join(_vals([t3.get(r.key, c.key) for c in TABLE3_COLUMNS]))
    parsed = parse_table3(text)
    uncertain = _never_wrong(parsed, t3)
    assert parsed is not None
    _no_error(validate_table3(parsed))
    if small:
        assert uncertain < len(parsed.readings), "small run-together rows are mostly decoded"


def _shrink(t3: Table3) -> Table3:
    """The same table shape with every count divided down to 0–9 (totals recomputed)."""
    from agent.report.labels import TABLE3_APPLICANT_COLUMNS, TABLE3_RESULT_ROWS

    out = Table3.blank(t3.format, 0)
    for r in TABLE3_ROWS[t3.format]:
        if r.key in TABLE3_RESULT_ROWS[t3.format]:
            for c in TABLE3_APPLICANT_COLUMNS:
                out.set(r.key, c, int(t3.get(r.key, c) or 0) % 10)  # type: ignore[call-overload]
    for c in TABLE3_APPLICANT_COLUMNS:
        res = sum(int(out.get(k, c) or 0) for k in TABLE3_RESULT_ROWS[t3.format])  # type: ignore[call-overload]
        out.set("result_total", c, res)
        carry = int(t3.get("carry_next", c) or 0) % 3  # type: ignore[call-overload]
        carried = min(res + carry, int(t3.get("carried", c) or 0) % 4)  # type: ignore[call-overload]
        out.set("carried", c, carried)
        out.set("new", c, res + carry - carried)
        out.set("carry_next", c, carry)
    for r in TABLE3_ROWS[t3.format]:
        out.set(r.key, "total", sum(int(out.get(r.key, c) or 0) for c in TABLE3_APPLICANT_COLUMNS))  # type: ignore[call-overload]
    return out


@settings(max_examples=60, deadline=None)
@given(table4s(), st.sampled_from(["one-row", "blocks", "run", "lose"]), st.integers(0, 14))
def test_broken_table4_layouts_are_exact_or_uncertain(t4: Table4, layout: str, drop: int) -> None:
    vals = _vals([t4.get(g, c.key) for g, _ in TABLE4_GROUPS for c in TABLE4_COLUMNS])
    header = "行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉"
    if layout == "blocks":
        labels = ["行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"]
        lines = []
        for n, label in enumerate(labels):
            lines += [f"| {label} |", "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |"]
            lines.append("| " + " | ".join(vals[5 * n : 5 * n + 5]) + " |")
        text = "\n".join(lines)
    elif layout == "run":
        text = header.replace(" ", "") + "".join(vals)
    elif layout == "lose":
        text = header + "\n" + " ".join(vals[:drop] + vals[drop + 1 :])
    else:
        text = header + "\n" + " ".join(vals)
    parsed = parse_table4(text)
    uncertain = _never_wrong(parsed, t4)
    assert parsed is not None
    _no_error(validate_table4(parsed))
    if layout in ("one-row", "blocks"):
        assert uncertain == 0


@settings(max_examples=60, deadline=None)
@given(table2s(fmt="2021"), st.sampled_from(BENIGN + DESTRUCTIVE), st.integers(1, 6), st.integers(0, 2))
def test_broken_table2_layouts_are_exact_or_uncertain(t2: Table2, brk: str, k: int, drop: int) -> None:
    lines: list[str] = []
    for b in t2.blocks:
        lines += [b.label, "信息内容 " + " ".join(c.label for c in b.columns)]
        for rk, rl in b.rows:
            vals = _vals([t2.get(b.key, rk, c.key) for c in b.columns])
            lines += _row_text(rl, vals, "text", brk if brk != "footer" else "none", k, drop)
        if brk == "footer":
            lines.append("- 3 -")
    parsed = parse_table2("\n".join(lines), "2021")
    uncertain = _never_wrong(parsed, t2)
    assert parsed is not None
    _no_error(validate_table2(parsed))
    if brk in BENIGN:
        assert uncertain == 0
