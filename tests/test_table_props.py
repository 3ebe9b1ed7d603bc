"""Property tests: consistent tables pass, any single changed cell is caught, and the parser
recovers every cell from several layouts (pipe, tab, PDF-like broken text)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.report.labels import (
    TABLE2_BLOCKS,
    TABLE3_APPLICANT_COLUMNS,
    TABLE3_COLUMNS,
    TABLE3_RESULT_ROWS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
)
from agent.report.model import Table2, Table3, Table4
from agent.report.table_parser import parse_table2, parse_table3, parse_table4
from agent.report.tables import validate_table2, validate_table3, validate_table4

FORMATS = st.sampled_from(["2021", "2019"])
COUNT = st.integers(min_value=0, max_value=5000)


@st.composite
def table3s(draw: st.DrawFn, fmt: str | None = None) -> Table3:
    fmt = fmt or draw(FORMATS)
    t = Table3.blank(fmt)  # type: ignore[arg-type]
    for r in TABLE3_ROWS[fmt]:  # type: ignore[index]
        if r.derived or r.key in ("carry_next",):
            continue
        for c in TABLE3_APPLICANT_COLUMNS:
            t.set(r.key, c, draw(COUNT))
    for c in TABLE3_APPLICANT_COLUMNS:
        results = sum(t.get(k, c) for k in TABLE3_RESULT_ROWS[fmt])  # type: ignore[misc,index]
        t.set("result_total", c, results)
        supply = results + draw(COUNT)  # new + carried must cover results + carry_next
        carried = draw(st.integers(0, supply))
        t.set("carried", c, carried)
        t.set("new", c, supply - carried)
        t.set("carry_next", c, supply - results)
    for r in TABLE3_ROWS[fmt]:  # type: ignore[index]
        t.set(r.key, "total", sum(t.get(r.key, c) for c in TABLE3_APPLICANT_COLUMNS))  # type: ignore[misc]
    return t


@st.composite
def table4s(draw: st.DrawFn) -> Table4:
    t = Table4.blank()
    for g, _ in TABLE4_GROUPS:
        parts = [draw(COUNT) for c in TABLE4_COLUMNS if not c.derived]
        for c, v in zip(TABLE4_COLUMNS, [*parts, sum(parts)], strict=True):
            t.set(g, c.key, v)
    return t


@st.composite
def table2s(draw: st.DrawFn, fmt: str | None = None) -> Table2:
    fmt = fmt or draw(FORMATS)
    t = Table2.blank(fmt)  # type: ignore[arg-type]
    for b in TABLE2_BLOCKS[fmt]:  # type: ignore[index]
        for rk, _ in b.rows:
            for c in b.columns:
                if c.kind == "amount":
                    v: float | int = draw(st.integers(0, 10**7)) / 100
                elif c.kind == "delta":
                    v = draw(st.integers(-50, 50))
                else:
                    v = draw(COUNT)
                t.set(b.key, rk, c.key, v)
    return t


@settings(max_examples=60, deadline=None)
@given(table3s(), table4s(), table2s())
def test_consistent_tables_pass(t3: Table3, t4: Table4, t2: Table2) -> None:
    assert validate_table3(t3) == []
    assert validate_table4(t4) == []
    assert validate_table2(t2) == []


@settings(max_examples=120, deadline=None)
@given(table3s(), st.data())
def test_any_single_changed_table3_cell_is_caught(t3: Table3, data: st.DataObject) -> None:
    row = data.draw(st.sampled_from([r.key for r in TABLE3_ROWS[t3.format]]))
    col = data.draw(st.sampled_from([c.key for c in TABLE3_COLUMNS]))
    old = t3.get(row, col)
    assert isinstance(old, int)
    new = data.draw(
        st.integers(0, 10000).filter(lambda v: v != old) | st.sampled_from(["三", "/", "1.5", None])
    )
    t3.set(row, col, new)
    findings = validate_table3(t3)
    assert findings, f"changing {row}×{col} from {old} to {new!r} went unnoticed"
    assert all(f.rule.startswith("T3-") for f in findings)


@settings(max_examples=60, deadline=None)
@given(table4s(), st.data())
def test_any_single_changed_table4_cell_is_caught(t4: Table4, data: st.DataObject) -> None:
    g = data.draw(st.sampled_from([g for g, _ in TABLE4_GROUPS]))
    c = data.draw(st.sampled_from([c.key for c in TABLE4_COLUMNS]))
    old = t4.get(g, c)
    t4.set(g, c, data.draw(st.integers(0, 10000).filter(lambda v: v != old) | st.just(-1)))
    assert validate_table4(t4)


@settings(max_examples=60, deadline=None)
@given(table2s(), st.data())
def test_any_invalid_table2_cell_is_caught(t2: Table2, data: st.DataObject) -> None:
    b = data.draw(st.sampled_from(t2.blocks))
    rk, _ = data.draw(st.sampled_from(b.rows))
    c = data.draw(st.sampled_from(b.columns))
    extra = {"count": [-1, 2.5], "delta": [2.5], "amount": [-1.0]}[c.kind]
    bad = ["三", "/", None, "12元", *extra]
    t2.set(b.key, rk, c.key, data.draw(st.sampled_from(bad)))
    findings = validate_table2(t2)
    assert [f.rule for f in findings] == ["T2-VALUE"]


# --------------------------------------------------------------------------- layouts


def _cells(values: list[object]) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def t3_lines(t: Table3, style: str, split_at: int) -> list[str]:
    lines = [
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "申请人情况",
        "自然人 法人或其他组织 总计",
    ]
    for r in TABLE3_ROWS[t.format]:
        vals = _cells([t.get(r.key, c.key) for c in TABLE3_COLUMNS])
        label = r.label
        if style == "pipe":
            lines.append("| " + " | ".join([r.path, *vals]) + " |")
        elif style == "tab":
            lines.append("\t".join(["", label, *vals]))
        else:  # PDF-like: label broken around the values, group label letters interleaved
            k = min(split_at, len(label) - 1)
            lines += [label[:k], " ".join(vals), label[k:], "度"]
    return lines


@settings(max_examples=60, deadline=None)
@given(table3s(), st.sampled_from(["pipe", "tab", "pdf"]), st.integers(1, 30))
def test_table3_round_trips_through_layouts(t3: Table3, style: str, split_at: int) -> None:
    parsed = parse_table3("\n".join(t3_lines(t3, style, split_at)))
    assert parsed is not None
    assert parsed.format == t3.format
    assert parsed.cells == t3.cells


@settings(max_examples=40, deadline=None)
@given(table4s(), st.sampled_from(["pipe", "tab", "pdf"]))
def test_table4_round_trips_through_layouts(t4: Table4, style: str) -> None:
    vals = _cells([t4.get(g, c.key) for g, _ in TABLE4_GROUPS for c in TABLE4_COLUMNS])
    header = ["行政复议 行政诉讼", "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉"]
    sep = {"pipe": " | ", "tab": "\t", "pdf": " "}[style]
    row = sep.join(vals)
    text = "\n".join([*header, f"| {row} |" if style == "pipe" else row])
    parsed = parse_table4(text)
    assert parsed is not None and parsed.cells == t4.cells


@settings(max_examples=40, deadline=None)
@given(table2s(), st.sampled_from(["pipe", "tab", "pdf"]))
def test_table2_round_trips_through_layouts(t2: Table2, style: str) -> None:
    sep = {"pipe": " | ", "tab": "\t", "pdf": " "}[style]
    lines: list[str] = []
    for b in t2.blocks:
        lines += [b.label, sep.join(["信息内容", *(c.label for c in b.columns)])]
        for rk, rl in b.rows:
            lines.append(sep.join([rl, *_cells([t2.get(b.key, rk, c.key) for c in b.columns])]))
    parsed = parse_table2("\n".join(lines), "2021")
    assert parsed is not None and parsed.format == t2.format
    assert parsed.cells == t2.cells
