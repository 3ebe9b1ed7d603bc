"""Findings for people (grouped by section) and for scripts (JSON)."""

from __future__ import annotations

import json

from rich.console import Console

from agent.report.labels import SECTIONS
from agent.report.model import AnnualReport, Finding
from agent.report.table_output import print_failing_tables, tables_dict, uncertain_count

_SEVERITY = {"error": ("错误", "red"), "warning": ("警告", "yellow"), "info": ("提示", "cyan")}
_FORMAT_NAMES = {"2021": "2021年版格式", "2019": "2019年版格式"}
_DETECTED = {"tables": "据统计表判断", "year": "据年度判断", "default": "默认"}


def report_summary(report: AnnualReport) -> dict[str, object]:
    return {
        "source": report.source,
        "title": report.title,
        "agency": report.agency,
        "year": report.year,
        "format": report.format,
        "format_detected_from": report.format_detected_from,
        "sections": [s.key for s in report.sections],
        "tables": {
            "table2": report.table2 is not None,
            "table3": report.table3 is not None,
            "table4": report.table4 is not None,
        },
    }


def findings_json(report: AnnualReport, findings: list[Finding]) -> str:
    data = {
        "report": report_summary(report),
        "findings": [
            f.model_dump(include={"rule", "severity", "message", "location", "section", "cells"})
            for f in findings
        ],
        "summary": _counts(findings),
        "uncertain_cells": uncertain_count(report),
        "tables": tables_dict(report, findings),
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _counts(findings: list[Finding]) -> dict[str, int]:
    return {sev: sum(1 for f in findings if f.severity == sev) for sev in _SEVERITY}


def print_findings(console: Console, report: AnnualReport, findings: list[Finding]) -> None:
    console.print(f"报告：{report.title or '（未识别标题）'}", markup=False)
    console.print(
        f"机关：{report.agency or '未识别'}　年度：{report.year or '未识别'}　"
        f"格式：{_FORMAT_NAMES[report.format]}（{_DETECTED[report.format_detected_from]}）",
        markup=False,
    )
    groups: list[tuple[str, list[Finding]]] = [("全文", [f for f in findings if f.section is None])]
    groups += [(s.heading, [f for f in findings if f.section == s.key]) for s in SECTIONS]
    for title, items in groups:
        if not items:
            continue
        console.print(f"\n[bold]{title}[/bold]")
        for f in sorted(items, key=lambda f: ("error", "warning", "info").index(f.severity)):
            label, color = _SEVERITY[f.severity]
            where = f"{f.location}：" if f.location else ""
            console.print(f"  [{color}]{label}[/{color}] ", end="")
            console.print(f"[{f.rule}] {where}{f.message}", markup=False)
    print_failing_tables(console, report, findings)
    c = _counts(findings)
    unsure = uncertain_count(report)
    if c["error"]:
        verdict = "存在错误，请修改后再发布。"
    elif unsure:
        verdict = f"未发现错误，但统计表中有{unsure}个单元格未能可靠识别，未据以核对，请核对原文后再下结论。"
    else:
        verdict = "未发现错误。"
    console.print(
        f"\n共 {len(findings)} 项：错误 {c['error']}，警告 {c['warning']}，提示 {c['info']}。{verdict}"
    )
