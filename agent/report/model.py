"""Typed model of an annual report, its tables and the checker's findings.

Cells hold what the source said: an int or float when it is a number, the raw text when it
is not (``"三"``, ``"/"``, ``"429148元"``), ``None`` when it is blank. Validation
(:mod:`agent.report.tables`) turns the raw values into findings; nothing here guesses.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from agent.report.labels import (
    TABLE2_BLOCKS,
    TABLE3_COLUMNS,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    ReportFormat,
    Table2Block,
)

CellValue = int | float | str | None
Grid = dict[str, dict[str, CellValue]]
Severity = Literal["error", "warning", "info"]


class Table2(BaseModel):
    """主动公开政府信息情况: cells[block_key][row_key][col_key]."""

    format: ReportFormat = "2021"
    cells: dict[str, Grid] = Field(default_factory=dict)

    @property
    def blocks(self) -> tuple[Table2Block, ...]:
        return TABLE2_BLOCKS[self.format]

    def get(self, block: str, row: str, col: str) -> CellValue:
        return self.cells.get(block, {}).get(row, {}).get(col)

    def set(self, block: str, row: str, col: str, value: CellValue) -> None:
        self.cells.setdefault(block, {}).setdefault(row, {})[col] = value

    @classmethod
    def blank(cls, fmt: ReportFormat, fill: CellValue = None) -> Table2:
        t = cls(format=fmt)
        for b in TABLE2_BLOCKS[fmt]:
            for rk, _ in b.rows:
                for c in b.columns:
                    t.set(b.key, rk, c.key, fill)
        return t


class Table3(BaseModel):
    """收到和处理政府信息公开申请情况: cells[row_key][col_key]."""

    format: ReportFormat = "2021"
    cells: Grid = Field(default_factory=dict)

    def get(self, row: str, col: str) -> CellValue:
        return self.cells.get(row, {}).get(col)

    def set(self, row: str, col: str, value: CellValue) -> None:
        self.cells.setdefault(row, {})[col] = value

    @classmethod
    def blank(cls, fmt: ReportFormat, fill: CellValue = None) -> Table3:
        t = cls(format=fmt)
        for r in TABLE3_ROWS[fmt]:
            for c in TABLE3_COLUMNS:
                t.set(r.key, c.key, fill)
        return t


class Table4(BaseModel):
    """政府信息公开行政复议、行政诉讼情况: cells[group_key][col_key]."""

    cells: Grid = Field(default_factory=dict)

    def get(self, group: str, col: str) -> CellValue:
        return self.cells.get(group, {}).get(col)

    def set(self, group: str, col: str, value: CellValue) -> None:
        self.cells.setdefault(group, {})[col] = value

    @classmethod
    def blank(cls, fill: CellValue = None) -> Table4:
        t = cls()
        for g, _ in TABLE4_GROUPS:
            for c in TABLE4_COLUMNS:
                t.set(g, c.key, fill)
        return t


class InfoFee(BaseModel):
    """信息处理费 charged under 国办函〔2020〕109号 (reported in section 六 of the 2021 format)."""

    cases: int = Field(0, ge=0)
    amount_yuan: float = Field(0, ge=0)


class Figures(BaseModel):
    """The statistical figures a clerk supplies (YAML, JSON or xlsx)."""

    agency: str | None = None
    year: int | None = None
    format: ReportFormat = "2021"
    table2: Table2
    table3: Table3
    table4: Table4
    info_fee: InfoFee | None = None
    source: str = ""


class Section(BaseModel):
    key: str  # overview … other, see labels.SECTIONS
    heading: str  # as found in the document
    text: str = ""  # the body, tables included
    line: int = 0  # 1-based line of the heading in the document text


class Finding(BaseModel):
    rule: str
    severity: Severity
    message: str
    location: str = ""
    section: str | None = None  # section key the finding belongs to, None for the whole report


def make_finding(
    rule: str, message: str, location: str = "", section: str | None = None, severity: Severity | None = None
) -> Finding:
    """A finding with its rule's default severity (from labels.RULES) unless one is given."""
    from agent.report.labels import RULE_BY_ID

    return Finding(
        rule=rule,
        severity=severity or RULE_BY_ID[rule].severity,
        message=message,
        location=location,
        section=section,
    )


class AnnualReport(BaseModel):
    """A report as read from a document (or assembled by the drafter)."""

    title: str | None = None
    agency: str | None = None
    place: str | None = None
    year: int | None = None
    format: ReportFormat = "2021"
    format_detected_from: Literal["tables", "year", "default"] = "default"
    preamble: str = ""
    sections: list[Section] = Field(default_factory=list)
    table2: Table2 | None = None
    table3: Table3 | None = None
    table4: Table4 | None = None
    info_fee: InfoFee | None = None  # known when the report was drafted from figures
    source: str = ""
    lines: list[str] = Field(default_factory=list, exclude=True)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def section_text(self, key: str) -> str:
        s = self.section(key)
        return s.text if s else ""
