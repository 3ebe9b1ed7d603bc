"""Text → :class:`AnnualReport`: title, agency, year, sections, tables, format."""

from __future__ import annotations

import re

from agent.report.labels import SECTIONS, ReportFormat
from agent.report.model import AnnualReport
from agent.report.sections import clean_lines, split_sections
from agent.report.table_parser import parse_table2, parse_table3, parse_table4
from agent.report.titles import (
    agency_from_title,
    find_title,
    find_title_anywhere,
    metadata_agency,
    year_from_title,
)

__all__ = ["agency_from_title", "expected_format", "find_title", "parse_report", "year_from_title"]


def expected_format(year: int | None) -> ReportFormat | None:
    if year is None:
        return None
    return "2019" if year <= 2020 else "2021"


def parse_report(
    text: str,
    source: str = "",
    agency: str | None = None,
    year: int | None = None,
    page_starts: list[int] | None = None,
) -> AnnualReport:
    lines = clean_lines(text)
    preamble, sections, repeated = split_sections(lines)
    title = find_title_anywhere(preamble.split("\n"))
    report = AnnualReport(title=title, source=source, preamble=preamble, sections=sections)
    report.lines = lines
    report.page_starts = page_starts or []
    report.duplicates = repeated
    report.agency = agency or (agency_from_title(title) if title else None) or metadata_agency(preamble)
    if report.agency and not agency:
        report.agency = _with_place(report.agency, text)
    report.year = year or (year_from_title(title) if title else None) or _year_from_period(text)
    _attach_tables(report)
    return report


def _with_place(agency: str, text: str) -> str:
    """'市民族宗教局' → '杭州市民族宗教局' when the text settles the place (seeds 000, 004)."""
    from agent.report.names import own_identity

    return own_identity(agency, text).full_agency or agency


def _year_from_period(text: str) -> int | None:
    m = re.search(r"统计期限[^。\n]{0,20}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日", text)
    return int(m.group(1)) if m else None


def _attach_tables(report: AnnualReport) -> None:
    by_year = expected_format(report.year)
    fallback: ReportFormat = by_year or "2021"
    narrative = "\n".join(
        [report.preamble, report.section_text("overview"), report.section_text("proactive")]
    )
    t2 = _parse_in(report, "proactive", lambda lines: parse_table2(lines, fallback, narrative=narrative))
    t2_fmt = t2.format if t2 is not None and _t2_detected(report) else None
    t3 = _parse_in(report, "requests", lambda lines: parse_table3(lines, t2_fmt or fallback))
    t4 = _parse_in(report, "review", parse_table4)
    report.table2, report.table3, report.table4 = t2, t3, t4
    detected = _detected_format(report)
    if detected:
        report.format, report.format_detected_from = detected, "tables"
    elif by_year:
        report.format, report.format_detected_from = by_year, "year"
    if t3 and t3.format != report.format and t2 is None:
        report.format = t3.format
    for table in (t2, t3, t4):
        if table is not None:
            for rd in table.readings.values():
                if rd.line is not None:
                    rd.page = report.page_of(rd.line)


def _parse_in(report: AnnualReport, key: str, parse):  # type: ignore[no-untyped-def]
    """The table in its section; when the section's heading is missing, in the text before the next one."""
    s = report.section(key)
    if s is not None:
        return parse(list(enumerate(s.text.split("\n"), s.first_line - 1)))
    order = [spec.key for spec in SECTIONS]
    before = [x for x in report.sections if order.index(x.key) < order.index(key)]
    if before:
        prev = before[-1]
        return parse(list(enumerate(prev.text.split("\n"), prev.first_line - 1)))
    return parse(list(enumerate(report.preamble.split("\n"))))


def _t2_detected(report: AnnualReport) -> bool:
    from agent.report.table_parser import region_text, table2_format

    s = report.section("proactive")
    return bool(s and table2_format(region_text([(0, s.text)])))


def _detected_format(report: AnnualReport) -> ReportFormat | None:
    from agent.report.table_parser import region_text, table2_format, table3_format

    if report.table2 is not None:
        fmt = table2_format(region_text([(0, report.section_text("proactive"))]))
        if fmt:
            return fmt
    if report.table3 is not None:
        return table3_format(region_text([(0, report.section_text("requests"))])) or None
    return None
