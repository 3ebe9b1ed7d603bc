"""Parts of a report that are there twice, and statistical tables of two different formats.

The parser reads the first heading of each section and the first copy of each table; these rules
say so when there is more (a section or a table pasted in twice, Table 3 copied into another
section), and when Table 2 and Table 3 follow different editions of the official format.
"""

from __future__ import annotations

from agent.report.labels import SECTION_BY_KEY
from agent.report.model import AnnualReport, Finding
from agent.report.model import make_finding as finding
from agent.report.sections import match_heading

# one label that every copy of a table has exactly once
TABLE_LABELS: tuple[tuple[str, str], ...] = (
    ("表二", "第二十条第（一）项"),
    ("表三", "本年新收政府信息公开申请数量"),
    ("表四", "未经复议直接起诉"),
)
FORMAT_NAMES = {"2021": "2021年版", "2019": "2019年版"}
_TABLE_LINE_SLACK = 40  # a line this much longer than the label is prose, not a table row


def check_repeated_sections(report: AnnualReport) -> list[Finding]:
    first: dict[str, int] = {}
    out: list[Finding] = []
    for i, line in enumerate(report.lines, 1):
        hit = match_heading(line)
        if hit is None:
            continue
        key = hit[0].key
        if key not in first:
            first[key] = i
            continue
        heading = SECTION_BY_KEY[key].heading
        out.append(
            finding(
                "SECTION-TWICE",
                f"“{heading}”出现了两次（第{first[key]}行和第{i}行）；后一次的内容被当作前一部分的正文，"
                "请删去重复的部分",
                f"第{i}行",
                key,
            )
        )
    return out


def _table_row_lines(lines: list[str], label: str) -> list[int]:
    found = []
    for i, line in enumerate(lines, 1):
        if label in line and (
            "|" in line or "\t" in line or len(line.strip()) <= len(label) + _TABLE_LINE_SLACK
        ):
            found.append(i)
    return found


def check_repeated_tables(report: AnnualReport) -> list[Finding]:
    out: list[Finding] = []
    for name, label in TABLE_LABELS:
        rows = _table_row_lines(report.lines, label)
        if len(rows) > 1:
            shown = "、".join(f"第{n}行" for n in rows)
            out.append(
                finding(
                    "TABLE-TWICE",
                    f"{name}出现了{len(rows)}次（“{label}”一行在{shown}）；只核对了第一张，请删去重复的表",
                    f"第{rows[1]}行",
                )
            )
    return out


def check_mixed_formats(report: AnnualReport) -> list[Finding]:
    from agent.report.table_parser import region_text, table2_format, table3_format

    if report.table2 is None or report.table3 is None:
        return []
    t2 = table2_format(region_text([(0, report.section_text("proactive"))]))
    text3 = region_text([(0, report.section_text("requests"))])
    t3 = table3_format(text3)
    if t3 == "2019" and "其他处理" not in text3:
        return []  # a 2019 Table 3 is known only by what it lacks: not without its （七） row
    if t2 is None or t3 is None or t2 == t3:
        return []
    return [
        finding(
            "FORMAT-MIXED",
            f"表二按{FORMAT_NAMES[t2]}格式填写，表三却是{FORMAT_NAMES[t3]}格式；同一份报告的统计表应采用同一版格式"
            f"（{report.year or '本'}年度报告应采用{FORMAT_NAMES['2019' if (report.year or 2021) <= 2020 else '2021']}）",
            "表二、表三",
        )
    ]
