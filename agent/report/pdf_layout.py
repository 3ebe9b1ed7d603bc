"""PDF → text, reading tables from the page layout rather than from the text stream.

Word and LibreOffice print a table's borders as lines, so pdfplumber's table finder gives its
true grid: cells, rows, columns, the text of a cell whose label or number wraps over several
lines kept together (``'365\\n5'`` is 3655; ``'（三）不\\n予公开'`` one label). Each table becomes
pipe lines (one per row, the cells of a merged span once), placed between the text above and
below it; the text outside the tables is extracted as usual. A page whose tables are not ruled
gives no grid and its text is read as it is (the text-stream reader then does what it can).

Returns the text and the line on which each page starts, so that findings can name the page.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

Box = tuple[float, float, float, float]


def pdf_text(path: Path) -> tuple[str, list[int]]:
    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    lines: list[str] = []
    starts: list[int] = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            starts.append(len(lines))
            lines.extend(_page_lines(page))
    return "\n".join(lines), starts


def _page_lines(page: Any) -> list[str]:
    tables = [t for t in page.find_tables() if _is_grid(t)]
    if not tables:
        return (page.extract_text() or "").split("\n")
    tables.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    boxes = [t.bbox for t in tables]
    outside = page.filter(lambda obj: not _inside(obj, boxes))
    out: list[str] = []
    top = 0.0
    for t in tables:
        out += _band(outside, top, t.bbox[1], page)
        out += [_row_line(row) for row in t.extract()]
        top = max(top, t.bbox[3])
    out += _band(outside, top, page.height, page)
    return out


def _band(outside: Any, top: float, bottom: float, page: Any) -> list[str]:
    if bottom - top < 1:
        return []
    text = outside.crop((0, max(0.0, top), page.width, min(page.height, bottom))).extract_text() or ""
    return text.split("\n") if text.strip() else []


def _inside(obj: dict[str, Any], boxes: list[Box]) -> bool:
    if "x0" not in obj or "top" not in obj:
        return False
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)


def _is_grid(table: Any) -> bool:
    """A ruled table with at least two columns (a framed paragraph is not a table)."""
    rows = table.extract()
    return bool(rows) and max(len(r) for r in rows) >= 2


def _row_line(row: list[str | None]) -> str:
    cells = [c.replace("\n", "").replace("|", "｜").strip() for c in row if c is not None]
    return "| " + " | ".join(cells) + " |"
