"""Rules between a report and the same agency's report for the previous year."""

from __future__ import annotations

import re

from agent.report.labels import TABLE3_COLUMNS
from agent.report.model import AnnualReport, Finding, make_finding
from agent.report.tables import as_number


def cross_year_findings(report: AnnualReport, previous: AnnualReport) -> list[Finding]:
    out: list[Finding] = []
    if report.year and previous.year and previous.year != report.year - 1:
        out.append(
            make_finding(
                "X-CARRY",
                f"用于核对的上年报告是{previous.year}年度的，本报告为{report.year}年度，应提供{report.year - 1}年度报告",
                "上年报告",
                None,
                "warning",
            )
        )
    other = _other_agency(report, previous)
    if other:
        out.append(make_finding("X-CARRY", other, "上年报告", None, "warning"))
    out += _carry(report, previous)
    out += _valid(report, previous)
    return out


def _agency_key(name: str) -> str:
    return re.sub(r"[\s\u3000（）()]", "", name)


def _other_agency(report: AnnualReport, previous: AnnualReport) -> str | None:
    """A warning when the previous report names another agency (one name containing the other,
    e.g. with or without the place, counts as the same agency)."""
    if not report.agency or not previous.agency:
        return None
    a, b = _agency_key(report.agency), _agency_key(previous.agency)
    if a == b or a in b or b in a:
        return None
    return (
        f"用于核对的上年报告是“{previous.agency}”的，本报告为“{report.agency}”：请确认 --previous 给出的是本机关的"
        "上年报告，否则下面的结转核对没有意义"
    )


def _carry(report: AnnualReport, previous: AnnualReport) -> list[Finding]:
    if report.table3 is None or previous.table3 is None:
        missing = "本报告" if report.table3 is None else "上年报告"
        return [
            make_finding(
                "X-CARRY", f"{missing}中没有可识别的表三，无法核对上年结转", "表三", "requests", "info"
            )
        ]
    out: list[Finding] = []
    for c in TABLE3_COLUMNS:
        this = as_number(report.table3.get("carried", c.key))
        last = as_number(previous.table3.get("carry_next", c.key))
        if this is not None and last is not None and this != last:
            out.append(
                make_finding(
                    "X-CARRY",
                    f"本年“二、上年结转政府信息公开申请数量”为{this:g}，上年报告“四、结转下年度继续办理”为{last:g}",
                    f"表三 二、上年结转政府信息公开申请数量 × {c.label}",
                    "requests",
                )
            )
    return out


def _valid(report: AnnualReport, previous: AnnualReport) -> list[Finding]:
    t, p = report.table2, previous.table2
    if t is None or p is None or t.format != "2021" or p.format != "2021":
        return []
    out: list[Finding] = []
    block = next(b for b in t.blocks if b.key == "art20_1")
    for rk, rl in block.rows:
        issued, repealed, now = (
            as_number(t.get("art20_1", rk, k)) for k in ("issued", "repealed", "in_force")
        )
        before = as_number(p.get("art20_1", rk, "in_force"))
        if None in (issued, repealed, now, before):
            continue
        assert issued is not None and repealed is not None and now is not None and before is not None
        if before + issued - repealed != now:
            out.append(
                make_finding(
                    "X-VALID",
                    f"上年现行有效{before:g}件 + 本年制发{issued:g}件 − 本年废止{repealed:g}件 = "
                    f"{before + issued - repealed:g}件，但本年现行有效件数为{now:g}件（文件也可能自然失效，请核实）",
                    f"表二 第二十条第（一）项 {rl} × 现行有效件数",
                    "proactive",
                )
            )
    return out
