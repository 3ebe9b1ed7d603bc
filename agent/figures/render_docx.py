"""Tables 2–4 as Word tables (merged cells, borders, explicit fonts), drawn from the grids of
:mod:`agent.figures.render`. A module of its own so that reading figures and writing Markdown or
HTML never import python-docx."""

from __future__ import annotations

from pathlib import Path

from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tc
from docx.shared import Mm, Pt
from docx.table import Table, _Cell

from agent.figures.docx_style import add_heading1, new_document, style_run
from agent.figures.render import CellKind, TableGrid, format_number, ref_value, table_grids
from agent.fsutil import write_with
from agent.report.model import Figures
from agent.settings import Settings, load_settings

TABLE_FONT_SIZE = Pt(10.5)  # 五号


def _set_borders(tc: CT_Tc) -> None:
    tc_pr = tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.append(borders)
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "4")
        edge.set(qn("w:space"), "0")
        edge.set(qn("w:color"), "000000")
        borders.append(edge)


def _table_properties(table: Table, grid: TableGrid) -> None:
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # <w:tblLayout w:type="fixed"/>: Word keeps the column widths
    for i, col in enumerate(table.columns):
        col.width = Mm(grid.col_mm[i])
    for tr in table._tbl.tr_lst:  # before merging: one <w:tc> per grid column
        for i, tc in enumerate(tr.tc_lst):
            tc.width = Mm(grid.col_mm[i])
            _set_borders(tc)
    for r in range(grid.header_rows):
        tr_pr = table.rows[r]._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:tblHeader"))


def _fill_cell(cell: _Cell, text: str, kind: CellKind, settings: Settings) -> None:
    para = cell.paragraphs[0]
    pf = para.paragraph_format
    pf.first_line_indent = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pf.space_before = pf.space_after = Pt(0)
    pf.alignment = WD_ALIGN_PARAGRAPH.LEFT if kind == "label" else WD_ALIGN_PARAGRAPH.CENTER
    para._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "0")
    style_run(para.add_run(text), settings.font_body, TABLE_FONT_SIZE)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def add_table_to_docx(doc: Document, grid: TableGrid, fig: Figures, settings: Settings) -> Table:
    """One official table with its merged cells, borders and explicit fonts."""
    table = doc.add_table(rows=grid.n_rows, cols=grid.n_cols)
    _table_properties(table, grid)
    # python-docx's table.cell() walks the whole table; take every cell once, before merging
    # (merges never overlap, so the corner cells of the other regions stay valid)
    snapshot = [_Cell(tc, table) for tr in table._tbl.tr_lst for tc in tr.tc_lst]
    for gc in grid.cells:
        cell = snapshot[gc.row * grid.n_cols + gc.col]
        if gc.rowspan > 1 or gc.colspan > 1:
            last = snapshot[(gc.row + gc.rowspan - 1) * grid.n_cols + gc.col + gc.colspan - 1]
            cell = cell.merge(last)
        text = format_number(ref_value(fig, gc.ref), gc.ref.spec) if gc.ref is not None else gc.text
        _fill_cell(cell, text, gc.kind, settings)
    return table


def add_tables_to_docx(doc: Document, fig: Figures, settings: Settings) -> None:
    """Tables 2–4, each under its section heading (first-level heading style)."""
    for grid in table_grids(fig.format):
        add_heading1(doc, grid.section.heading, settings)
        add_table_to_docx(doc, grid, fig, settings)


def write_tables_docx(fig: Figures, path: Path, settings: Settings | None = None) -> None:
    settings = settings or load_settings()
    doc = new_document(settings)
    add_tables_to_docx(doc, fig, settings)
    write_with(path, lambda tmp: doc.save(str(tmp)))
