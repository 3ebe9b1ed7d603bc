"""Deterministic figure sentences written from the tables (never by a model).

Every number in these sentences is a table cell or a sum of cells; the narrative checker's
patterns (收到…申请N件, 办结N件, 结转下年度…N件, 行政复议N件, 行政诉讼N件) match them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.report.model import CellValue, Figures
from agent.report.tables import as_number


@dataclass
class Fact:
    key: str  # e.g. "requests", "review", "proactive", "fee"
    text: str
    numbers: list[float] = field(default_factory=list)


def _n(value: CellValue) -> int | float:
    n = as_number(value)
    return 0 if n is None else n


def _fmt(n: float) -> str:
    return f"{n:g}" if isinstance(n, float) and not float(n).is_integer() else str(int(n))


def requests_fact(fig: Figures) -> Fact:
    t = fig.table3
    new, carried = _n(t.get("new", "total")), _n(t.get("carried", "total"))
    answered, carry = _n(t.get("result_total", "total")), _n(t.get("carry_next", "total"))
    if new == 0 and carried == 0:
        return Fact("requests", "本年度未收到政府信息公开申请，无上年结转的申请。", [])
    parts = [f"本年度共收到政府信息公开申请{_fmt(new)}件"]
    if carried:
        parts.append(f"上年结转{_fmt(carried)}件")
    detail, sums = _result_detail(fig)
    parts.append(f"已办结{_fmt(answered)}件" + (f"，其中{detail}" if detail else ""))
    parts.append(f"结转下年度继续办理{_fmt(carry)}件" if carry else "无结转下年度继续办理的申请")
    numbers = [new, carried, answered, carry, *sums]
    return Fact("requests", "，".join(parts) + "。", [float(x) for x in numbers])


def _result_detail(fig: Figures) -> tuple[str, list[float]]:
    """'予以公开3件、不予公开2件…' and the group sums it states (derived numbers)."""
    t = fig.table3
    groups = {
        "予以公开": ["granted"],
        "部分公开": ["partial"],
        "不予公开": [k for k in t.cells if k.startswith("denied_")],
        "无法提供": [k for k in t.cells if k.startswith("unable_")],
        "不予处理": [k for k in t.cells if k.startswith("refused_")],
        "其他处理": [k for k in t.cells if k == "other" or k.startswith("other_")],
    }
    out, sums = [], []
    for label, rows in groups.items():
        total = sum(_n(t.get(r, "total")) for r in rows)
        if total:
            out.append(f"{label}{_fmt(total)}件")
            sums.append(float(total))
    return "、".join(out), sums


def review_fact(fig: Figures) -> Fact:
    t = fig.table4
    review = _n(t.get("review", "total"))
    litigation = _n(t.get("direct", "total")) + _n(t.get("after_review", "total"))
    if review == 0 and litigation == 0:
        return Fact("review", "本年度未发生因政府信息公开引起的行政复议、行政诉讼。", [])
    parts = []
    if review:
        corrected = _n(t.get("review", "corrected"))
        parts.append(
            f"因政府信息公开引起行政复议{_fmt(review)}件"
            + (f"，其中结果纠正{_fmt(corrected)}件" if corrected else "")
        )
    if litigation:
        parts.append(f"行政诉讼{_fmt(litigation)}件")
    corrected = _n(t.get("review", "corrected"))
    return Fact(
        "review", "本年度" + "，".join(parts) + "。", [float(review), float(litigation), float(corrected)]
    )


def proactive_fact(fig: Figures) -> Fact | None:
    t = fig.table2
    clauses: list[str] = []
    numbers: list[float] = []
    if t.format == "2021":
        for rk, name in (("regulations", "规章"), ("normative", "行政规范性文件")):
            issued, repealed, in_force = (
                _n(t.get("art20_1", rk, c)) for c in ("issued", "repealed", "in_force")
            )
            bits = [f"{verb}{name}{_fmt(v)}件" for verb, v in (("制发", issued), ("废止", repealed)) if v]
            if in_force:
                bits.append(f"现行有效{name}{_fmt(in_force)}件")
            clauses += bits
            numbers += [float(x) for x in (issued, repealed, in_force) if x]
        decisions = (
            ("art20_5", "licensing", "行政许可"),
            ("art20_6", "penalty", "行政处罚"),
            ("art20_6", "coercion", "行政强制"),
        )
        for block, rk, name in decisions:
            v = _n(t.get(block, rk, "decisions"))
            if v:
                clauses.append(f"作出{name}决定{_fmt(v)}件")
                numbers.append(float(v))
    else:
        for rk, name in (("regulations", "规章"), ("normative", "规范性文件")):
            made = _n(t.get("art20_1", rk, "made"))
            if made:
                clauses.append(f"新制作{name}{_fmt(made)}件")
                numbers.append(float(made))
    if not clauses:
        return None
    return Fact("proactive", "本年度" + "，".join(clauses) + "。", numbers)


def fee_fact(fig: Figures) -> Fact:
    fee = fig.info_fee
    if fee is None or (fee.cases == 0 and fee.amount_yuan == 0):
        return Fact("fee", "本年度未收取信息处理费。", [])
    return Fact(
        "fee",
        f"本年度依据《政府信息公开信息处理费管理办法》收取信息处理费{fee.cases}件，共计{_fmt(fee.amount_yuan)}元。",
        [float(fee.cases), float(fee.amount_yuan)],
    )


def all_facts(fig: Figures) -> list[Fact]:
    """Every figures sentence the draft carries (the fee sentence only in the 2021 format)."""
    facts = [requests_fact(fig), review_fact(fig)]
    pro = proactive_fact(fig)
    if pro:
        facts.append(pro)
    if fig.format == "2021":
        facts.append(fee_fact(fig))
    return facts
