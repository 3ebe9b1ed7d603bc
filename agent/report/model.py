"""Typed model of an annual report, its tables and the checker's findings.

Cells hold what the source said: an int or float when it is a number, the raw text when it
is not (``"三"``, ``"/"``, ``"429148元"``), ``None`` when it is blank. Validation
(:mod:`agent.report.tables`) turns the raw values into findings; nothing here guesses.

A table read from a document also carries, per cell, how it was read (:class:`CellReading`):
``read`` (the document gives it directly), ``derived`` (several readings of the text were
possible and the table's identities, or the narrative, left exactly one) or ``uncertain``
(the value cannot be established from the document; the cell's value is then ``None`` and
no check treats it as a number). Tables built from figures have no readings: every cell is
``read``.
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
CellState = Literal["read", "derived", "uncertain"]


class CellReading(BaseModel):
    """How one cell was read from the document."""

    state: CellState = "read"
    raw: str = ""  # the source text the cell came from ("640020470" for a run-together row)
    line: int | None = None  # 1-based line in the document text
    page: int | None = None  # 1-based page (PDF)
    candidates: list[CellValue] = Field(default_factory=list)  # uncertain: the possible values
    note: str = ""  # derived: which identity or statement decided it; uncertain: why

    def where(self) -> str:
        parts = [f"第{self.page}页" if self.page else "", f"第{self.line}行" if self.line else ""]
        return "".join(parts)


def cell_key(*parts: str) -> str:
    """Key of a cell in a table's ``readings``: 'row|col' (表二: 'block/row|col')."""
    return "/".join(parts[:-1]) + "|" + parts[-1]


class _ReadTable(BaseModel):
    readings: dict[str, CellReading] = Field(default_factory=dict)
    decoded: list[tuple[str, str, str]] = Field(default_factory=list)  # (row keys, raw text, reading)

    def state_of(self, *parts: str) -> CellState:
        r = self.readings.get(cell_key(*parts))
        return r.state if r else "read"

    def uncertain_cells(self) -> list[str]:
        return [k for k, r in self.readings.items() if r.state == "uncertain"]


class Table2(_ReadTable):
    """主动公开政府信息情况: cells[block_key][row_key][col_key]."""

    format: ReportFormat = "2021"
    cells: dict[str, Grid] = Field(default_factory=dict)
    strays: list[str] = Field(default_factory=list)  # values printed outside the rows, with their notes

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


class Table3(_ReadTable):
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


class Table4(_ReadTable):
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
    body_line: int = 0  # 1-based line on which ``text`` starts (the heading's own line for crawler text)

    @property
    def first_line(self) -> int:
        return self.body_line or self.line + 1


class Finding(BaseModel):
    rule: str
    severity: Severity
    message: str
    location: str = ""
    section: str | None = None  # section key the finding belongs to, None for the whole report
    cells: list[str] = Field(default_factory=list)  # table cells concerned: 't3:new|total', …


def make_finding(
    rule: str,
    message: str,
    location: str = "",
    section: str | None = None,
    severity: Severity | None = None,
    cells: list[str] | None = None,
) -> Finding:
    """A finding with its rule's default severity (from labels.RULES) unless one is given."""
    from agent.report.labels import RULE_BY_ID

    return Finding(
        rule=rule,
        severity=severity or RULE_BY_ID[rule].severity,
        message=message,
        location=location,
        section=section,
        cells=cells or [],
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
    page_starts: list[int] = Field(default_factory=list, exclude=True)  # PDF: 0-based first line of each page
    duplicates: list[str] = Field(default_factory=list)  # section/table keys found more than once

    def page_of(self, line: int) -> int | None:
        """1-based page of a 1-based document line (PDF input), else None."""
        if not self.page_starts:
            return None
        import bisect

        return bisect.bisect_right(self.page_starts, line - 1)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def section_text(self, key: str) -> str:
        s = self.section(key)
        return s.text if s else ""
