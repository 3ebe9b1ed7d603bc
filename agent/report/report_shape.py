"""DUPLICATE-PART and FORMAT-MIXED: a part or a table printed twice; tables of both formats.

A section whose heading occurs again (a report pasted twice, a part copied from a draft) and a
table whose own row labels occur twice in the text are warnings: only the first is read. Tables
of which one follows the 2019 format and another the 2021 format are a warning too.
"""

from __future__ import annotations

import re

from agent.report.labels import SECTION_BY_KEY
from agent.report.model import AnnualReport, Finding, make_finding

# labels that a table prints once: both occurring twice means the table is there twice
_TABLE_ANCHORS = {
    "表二": ("proactive", ("第二十条第（一）项", "第二十条第（八）项"), 2),
    "表三": ("requests", ("本年新收政府信息公开申请数量", "结转下年度继续办理"), 2),
    "表四": ("review", ("未经复议直接起诉", "复议后起诉"), 2),
}
_SPACE_RE = re.compile(r"[\s|｜]+")


def check_duplicates(report: AnnualReport) -> list[Finding]:
    out = [
        make_finding(
            "DUPLICATE-PART",
            f"“{SECTION_BY_KEY[key].heading}”出现不止一次，只核对了第一次出现的部分；请删除重复的内容",
            "全文",
            key,
        )
        for key in report.duplicates
    ]
    flat = _SPACE_RE.sub("", "\n".join(report.lines)).replace("(", "（").replace(")", "）")
    for name, (section, anchors, times) in _TABLE_ANCHORS.items():
        if all(flat.count(a) >= times for a in anchors) and (name != "表四" or flat.count("结果维持") >= 6):
            out.append(
                make_finding(
                    "DUPLICATE-PART", f"{name}出现不止一次，只核对了第一张表；请删除重复的表格", name, section
                )
            )
    return out


def check_mixed_formats(report: AnnualReport) -> list[Finding]:
    from agent.report.table_parser import region_text, table2_format, table3_format

    if report.table2 is None or report.table3 is None:
        return []
    f2 = table2_format(region_text([(0, report.section_text("proactive"))]))
    f3 = table3_format(region_text([(0, report.section_text("requests"))]))
    if f2 is None or f3 is None or f2 == f3:
        return []
    names = {"2021": "2021年版", "2019": "2019年版"}
    return [
        make_finding(
            "FORMAT-MIXED",
            f"表二采用{names[f2]}格式，表三采用{names[f3]}格式：同一份报告的统计表应采用同一版格式",
            "表二、表三",
        )
    ]
