"""Deterministic table logic: cell validation, the official identities, derived cells.

Every finding names its cell the way a clerk reads the printed table, e.g.
``表三 （四）无法提供 1.本机关不掌握相关政府信息 × 商业企业``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from agent.report.labels import (
    TABLE3_APPLICANT_COLUMNS,
    TABLE3_COLUMNS,
    TABLE3_RESULT_ROWS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    ColumnSpec,
    table4_group_path,
)
from agent.report.model import CellValue, Figures, Finding, Table2, Table3, Table4, make_finding

Number = int | float
_COLS3 = {c.key: c for c in TABLE3_COLUMNS}
_COLS4 = {c.key: c for c in TABLE4_COLUMNS}
_BLANK_MARKS = {"", "/", "／", "-", "—", "–", "——", "无", "空"}
_YUAN_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*元\s*$")


# --------------------------------------------------------------------------- locations


def t2_location(t: Table2, block: str, row: str, col: str) -> str:
    b = next(b for b in t.blocks if b.key == block)
    return f"表二 {b.label} {dict(b.rows)[row]} × {next(c.label for c in b.columns if c.key == col)}"


def t3_location(fmt: str, row: str, col: str) -> str:
    r = next(r for r in TABLE3_ROWS[fmt] if r.key == row)  # type: ignore[index]
    return f"表三 {r.path} × {_COLS3[col].label}"


def t4_location(group: str, col: str) -> str:
    return f"表四 {table4_group_path(group)} × {_COLS4[col].label}"


# --------------------------------------------------------------------------- values


def value_problem(value: CellValue, spec: ColumnSpec) -> str | None:
    """Why a cell value is not acceptable for its column, or None when it is."""
    if value is None or (isinstance(value, str) and value.strip() in _BLANK_MARKS):
        shown = "空白" if value is None or not str(value).strip() else f"“{str(value).strip()}”"
        return f"单元格为{shown}，应填写数字（没有的填0）"
    if isinstance(value, bool):
        return f"“{value}”不是数字"
    if isinstance(value, str):
        m = _YUAN_RE.match(value)
        if m and spec.kind == "amount":
            wan = float(m.group(1)) / 10000
            return f"“{value.strip()}”以元为单位，本栏单位为万元（应为{wan:g}万元）"
        kind = "整数" if spec.kind != "amount" else "数字"
        return f"“{value.strip()}”不是{kind}"
    if spec.kind == "amount":
        return "金额不能为负数" if value < 0 else None
    if isinstance(value, float) and not value.is_integer():
        return f"“{value:g}”不是整数"
    if value < 0 and spec.kind != "delta":
        return f"“{value:g}”为负数"
    return None


def as_number(value: CellValue) -> Number | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _fmt(n: Number) -> str:
    return f"{n:g}" if isinstance(n, float) else str(n)


# --------------------------------------------------------------------------- table 2


_EMPTY_ROW = "整行为空：未填写，或未能从原文中识别出这一行"


def validate_table2(t: Table2) -> list[Finding]:
    """Value findings; cells the parser could not read reliably are left to TABLE-READ."""
    out: list[Finding] = []
    for b in t.blocks:
        for rk, rl in b.rows:
            sure = [c for c in b.columns if t.state_of(b.key, rk, c.key) != "uncertain"]
            if not sure:
                continue
            if all(t.get(b.key, rk, c.key) is None for c in b.columns):
                cells = [f"t2:{b.key}/{rk}|{c.key}" for c in b.columns]
                out.append(
                    make_finding("T2-VALUE", _EMPTY_ROW, f"表二 {b.label} {rl}", "proactive", cells=cells)
                )
                continue
            for c in sure:
                problem = value_problem(t.get(b.key, rk, c.key), c)
                if problem:
                    out.append(
                        make_finding(
                            "T2-VALUE",
                            problem,
                            t2_location(t, b.key, rk, c.key),
                            "proactive",
                            cells=[f"t2:{b.key}/{rk}|{c.key}"],
                        )
                    )
    return out


# --------------------------------------------------------------------------- table 3


def _t3_cells(t: Table3) -> Iterator[tuple[str, str]]:
    for r in TABLE3_ROWS[t.format]:
        for c in TABLE3_COLUMNS:
            yield r.key, c.key


def complete_table3(t: Table3) -> list[str]:
    """Fill blank derived cells (总计 column, （七）总计 row). Returns the locations filled."""
    filled: list[str] = []
    rows = TABLE3_ROWS[t.format]
    for r in rows:
        if r.derived:
            continue
        if t.get(r.key, "total") is None:
            parts = [as_number(t.get(r.key, c)) for c in TABLE3_APPLICANT_COLUMNS]
            if all(p is not None for p in parts):
                t.set(r.key, "total", sum(p for p in parts if p is not None))
                filled.append(t3_location(t.format, r.key, "total"))
    for c in TABLE3_COLUMNS:
        if t.get("result_total", c.key) is None:
            parts = [as_number(t.get(k, c.key)) for k in TABLE3_RESULT_ROWS[t.format]]
            if all(p is not None for p in parts):
                t.set("result_total", c.key, sum(p for p in parts if p is not None))
                filled.append(t3_location(t.format, "result_total", c.key))
    return filled


def validate_table3(t: Table3) -> list[Finding]:
    """Value and identity findings; an identity with an uncertain cell is not checked."""
    out: list[Finding] = []
    valid: dict[tuple[str, str], Number] = {}
    empty_rows = {
        r.key
        for r in TABLE3_ROWS[t.format]
        if all(
            t.get(r.key, c.key) is None and t.state_of(r.key, c.key) != "uncertain" for c in TABLE3_COLUMNS
        )
    }
    for r in TABLE3_ROWS[t.format]:
        if r.key in empty_rows:
            cells = [f"t3:{r.key}|{c.key}" for c in TABLE3_COLUMNS]
            out.append(make_finding("T3-VALUE", _EMPTY_ROW, f"表三 {r.path}", "requests", cells=cells))
    for rk, ck in _t3_cells(t):
        if rk in empty_rows or t.state_of(rk, ck) == "uncertain":
            continue
        v = t.get(rk, ck)
        problem = value_problem(v, _COLS3[ck])
        if problem:
            out.append(
                make_finding(
                    "T3-VALUE", problem, t3_location(t.format, rk, ck), "requests", cells=[f"t3:{rk}|{ck}"]
                )
            )
        else:
            n = as_number(v)
            if n is not None:
                valid[(rk, ck)] = n
    out += _t3_identities(t, valid)
    return out


def _mismatch(parts: list[Number | None], total: Number | None) -> Number | None:
    """The sum of ``parts`` when every part and the total are known and they differ, else None."""
    if total is None or any(p is None for p in parts):
        return None
    s = sum(p for p in parts if p is not None)
    return s if s != total else None


def _t3_identities(t: Table3, valid: dict[tuple[str, str], Number]) -> list[Finding]:
    out: list[Finding] = []
    fmt = t.format
    for r in TABLE3_ROWS[fmt]:
        total = valid.get((r.key, "total"))
        s = _mismatch([valid.get((r.key, c)) for c in TABLE3_APPLICANT_COLUMNS], total)
        if s is not None and total is not None:
            out.append(
                make_finding(
                    "T3-ROW",
                    f"总计为{_fmt(total)}，但六类申请人之和为{_fmt(s)}",
                    t3_location(fmt, r.key, "total"),
                    "requests",
                    cells=[f"t3:{r.key}|total"],
                )
            )
    for c in TABLE3_COLUMNS:
        total = valid.get(("result_total", c.key))
        s = _mismatch([valid.get((k, c.key)) for k in TABLE3_RESULT_ROWS[fmt]], total)
        if s is not None and total is not None:
            out.append(
                make_finding(
                    "T3-RESULT",
                    f"（七）总计为{_fmt(total)}，但（一）至（六）各项之和为{_fmt(s)}",
                    t3_location(fmt, "result_total", c.key),
                    "requests",
                    cells=[f"t3:result_total|{c.key}"],
                )
            )
        four = [valid.get((k, c.key)) for k in ("new", "carried", "result_total", "carry_next")]
        if all(p is not None for p in four):
            a, b, d, e = (p for p in four if p is not None)
            if a + b != d + e:
                out.append(
                    make_finding(
                        "T3-BALANCE",
                        f"第一项加第二项（{_fmt(a)}+{_fmt(b)}={_fmt(a + b)}）不等于"
                        f"第三项（七）总计加第四项（{_fmt(d)}+{_fmt(e)}={_fmt(d + e)}）",
                        f"表三 {c.label}列",
                        "requests",
                        cells=[f"t3:{k}|{c.key}" for k in ("new", "carried", "result_total", "carry_next")],
                    )
                )
    return out


# --------------------------------------------------------------------------- table 4


def complete_table4(t: Table4) -> list[str]:
    filled: list[str] = []
    for g, _ in TABLE4_GROUPS:
        if t.get(g, "total") is None:
            parts = [as_number(t.get(g, c.key)) for c in TABLE4_COLUMNS if not c.derived]
            if all(p is not None for p in parts):
                t.set(g, "total", sum(p for p in parts if p is not None))
                filled.append(t4_location(g, "total"))
    return filled


def validate_table4(t: Table4) -> list[Finding]:
    out: list[Finding] = []
    for g, _ in TABLE4_GROUPS:
        nums: dict[str, Number] = {}
        sure = [c for c in TABLE4_COLUMNS if t.state_of(g, c.key) != "uncertain"]
        if not sure:
            continue
        if all(t.get(g, c.key) is None for c in TABLE4_COLUMNS):
            cells = [f"t4:{g}|{c.key}" for c in TABLE4_COLUMNS]
            out.append(
                make_finding("T4-VALUE", _EMPTY_ROW, f"表四 {table4_group_path(g)}", "review", cells=cells)
            )
            continue
        for c in sure:
            v = t.get(g, c.key)
            problem = value_problem(v, c)
            if problem:
                out.append(
                    make_finding(
                        "T4-VALUE", problem, t4_location(g, c.key), "review", cells=[f"t4:{g}|{c.key}"]
                    )
                )
            elif (n := as_number(v)) is not None:
                nums[c.key] = n
        if len(nums) == len(TABLE4_COLUMNS):
            s = sum(nums[c.key] for c in TABLE4_COLUMNS if not c.derived)
            if s != nums["total"]:
                out.append(
                    make_finding(
                        "T4-TOTAL",
                        f"总计为{_fmt(nums['total'])}，但结果维持、结果纠正、其他结果、尚未审结之和为{_fmt(s)}",
                        t4_location(g, "total"),
                        "review",
                        cells=[f"t4:{g}|total"],
                    )
                )
    return out


# --------------------------------------------------------------------------- figures


def complete_figures(fig: Figures) -> list[str]:
    return complete_table3(fig.table3) + complete_table4(fig.table4)


def validate_figures(fig: Figures) -> list[Finding]:
    return validate_table2(fig.table2) + validate_table3(fig.table3) + validate_table4(fig.table4)
