"""Read any report file into text (and into an :class:`AnnualReport`).

Tables in .docx and .html become pipe-delimited lines (``| 规章 | 0 | 0 | 3 |``) so that one
parser handles every layout. Text files are decoded as agent.textfile.decode_text does (UTF-8,
UTF-16, GB18030, then charset-normalizer's guess; mixed encodings refused with the line and byte).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.errors import InputError
from agent.report.model import AnnualReport
from agent.textfile import check_input_file

SUPPORTED = (".txt", ".md", ".markdown", ".docx", ".html", ".htm", ".pdf")


def decode_bytes(data: bytes, path: str = "") -> str:
    """UTF-8 (with or without BOM), UTF-16, GB18030, else charset-normalizer's guess; a file that
    mixes encodings is refused naming the line and byte (agent.textfile.decode_text)."""
    from agent.textfile import decode_text

    return decode_text(data, path).text


def read_text(path: Path) -> str:
    """The document's text; tables as pipe-delimited lines. Raises InputError when unreadable."""
    return read_pages(path)[0]


def read_pages(path: Path) -> tuple[str, list[int]]:
    """(text, first line of each page) — pages are known for PDF only (else [])."""
    path = Path(path)
    check_input_file(path)  # a folder, a missing file, over the size limit (20 MB text, 100 MB docx/pdf)
    if not path.is_file():
        raise InputError("文件不存在", path=str(path))
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(f"不支持的文件类型“{suffix}”，支持 {'、'.join(SUPPORTED)}", path=str(path))
    try:
        if suffix == ".docx":
            return _docx_text(path), []
        if suffix in (".html", ".htm"):
            return _html_text(decode_bytes(path.read_bytes(), str(path))), []
        if suffix == ".pdf":
            return _pdf_text(path)
        return decode_bytes(path.read_bytes(), str(path)), []
    except InputError:
        raise
    except Exception as exc:  # the parsers raise many private exception types on corrupt input
        raise InputError(
            f"文件已损坏或不是有效的 {suffix} 文件（{type(exc).__name__}）", path=str(path)
        ) from exc


def _cells_line(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("\n", "").replace("|", "｜").strip() for c in cells) + " |"


def _docx_text(path: Path) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines.extend(_docx_table_lines(block))
    return "\n".join(lines)


def _docx_table_lines(table: object) -> list[str]:
    """One pipe line per row; a merged cell once, in the top-left position of its span.

    python-docx returns a merged cell once per grid column it spans (horizontal) and once per
    row (vertical, ``vMerge``): both repeats are left out, as a PDF's table finder does.
    """
    lines: list[str] = []
    above: list[object] = []
    for row in table.rows:  # type: ignore[attr-defined]
        tcs = [cell._tc for cell in row.cells]
        cells: list[str] = []
        for j, (cell, tc) in enumerate(zip(row.cells, tcs, strict=True)):
            if (j > 0 and tcs[j - 1] is tc) or (j < len(above) and above[j] is tc):
                continue
            cells.append(cell.text)
        above = tcs
        lines.append(_cells_line(cells))
    return lines


_HTML_BLOCKS = [
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "section",
    "article",
    "table",
]
_HTML_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_LAYOUT_CELL_CHARS = 300  # a cell this long is page layout, not a cell of a statistical table
_INNER_TABLE = "data-report-agent-table"  # marks a data table already turned into lines


def _html_text(html: str) -> str:
    """The page's text with each data table as pipe lines (a merged cell once, as in the markup).

    Tables are taken innermost first. A table used for page layout (a cell holding another table,
    a heading, several paragraphs or a long text — old government sites put the whole page in one)
    is unwrapped into its text instead, so the report inside keeps its lines. A cell with one short
    paragraph (``<td><p>5</p></td>``, as Word and many sites write every cell) is a data cell.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for bad in soup(["script", "style", "head"]):
        bad.decompose()
    for table in reversed(soup.find_all("table")):
        cells = table.find_all(["td", "th"])
        if any(_layout_cell(c) for c in cells):
            for c in cells:
                c.insert_after("\n")
            table.unwrap()
            continue
        rows = [
            _cells_line([c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])])
            for tr in table.find_all("tr")
        ]
        block = soup.new_tag("div", attrs={_INNER_TABLE: ""})
        block.string = "\n" + "\n".join(rows) + "\n"
        table.replace_with(block)
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all([*_HTML_BLOCKS, "tr"]):
        block.insert_after("\n")
    text = soup.get_text()
    return "\n".join(line.strip() for line in text.splitlines())


def _layout_cell(cell: Any) -> bool:
    if cell.find(attrs={_INNER_TABLE: True}) is not None or cell.find(_HTML_HEADINGS) is not None:
        return True
    blocks = cell.find_all(["p", "div", "li"])
    return len(blocks) > 1 or len(cell.get_text(strip=True)) > _LAYOUT_CELL_CHARS


def _pdf_text(path: Path) -> tuple[str, list[int]]:
    from agent.report.pdf_layout import pdf_text

    text, starts = pdf_text(path)
    if not text.strip():
        raise InputError(
            "PDF 中没有可提取的文字（可能是扫描件），请提供文字版 PDF 或 Word 文件", path=str(path)
        )
    return text, starts


def read_report(path: Path, agency: str | None = None, year: int | None = None) -> AnnualReport:
    """Read and parse a report file. ``agency``/``year`` override what the title says."""
    from agent.report.parser import parse_report

    text, pages = read_pages(path)
    if not text.strip():
        raise InputError("文件是空的", path=str(path))
    return parse_report(text, source=str(path), agency=agency, year=year, page_starts=pages)
