"""Tables 2–4 rendered as Markdown, HTML and Word, and the `tables` command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from docx import Document
from docx.oxml.ns import qn
from typer.testing import CliRunner

from agent.cli import app
from agent.errors import InputError
from agent.figures.reading import load_figures
from agent.figures.render import (
    format_number,
    table_grids,
    tables_html,
    tables_markdown,
    write_tables,
)
from agent.report.labels import (
    SECTION_BY_KEY,
    TABLE2_BLOCKS,
    TABLE3_COLUMNS,
    TABLE3_CORNER,
    TABLE3_ROWS,
    TABLE3_TOPS,
    TABLE4_COLUMNS,
    TABLE4_GROUPS,
    ColumnSpec,
)
from agent.report.model import Figures
from agent.report.tables import complete_figures
from agent.settings import Settings

DATA = Path(__file__).parent / "data"
COUNT = ColumnSpec("x", "x")
AMOUNT = ColumnSpec("y", "y", "amount")


def figures(name: str = "figures-2021.yaml") -> Figures:
    fig = load_figures(DATA / name)
    complete_figures(fig)
    return fig


@pytest.fixture(scope="module")
def fig21() -> Figures:
    return figures()


@pytest.fixture(scope="module")
def fig19() -> Figures:
    return figures("figures-2019.yaml")


def settings() -> Settings:
    return Settings(font_body="仿宋", font_title="方正小标宋简体", font_h1="黑体", font_h2="楷体")


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("value", "spec", "text"),
    [
        (3, COUNT, "3"),
        (3.0, COUNT, "3"),
        (-1, COUNT, "-1"),
        (1.25, AMOUNT, "1.25"),
        (42.91480, AMOUNT, "42.9148"),
        (0.123456, AMOUNT, "0.1235"),
        (2.0, AMOUNT, "2"),
        (None, COUNT, ""),
        ("三", COUNT, "三"),
    ],
)
def test_format_number(value: int | float | str | None, spec: ColumnSpec, text: str) -> None:
    assert format_number(value, spec) == text


# --------------------------------------------------------------------------- markdown


def md_rows(md: str) -> dict[str, list[str]]:
    """Label → numbers, for every pipe row whose first cell is a label followed by numbers."""
    rows: dict[str, list[str]] = {}
    for line in md.splitlines():
        if not line.startswith("|") or "---" in line:
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in cells[1:]) and cells[1:]:
            rows[cells[0]] = cells[1:]
    return rows


@pytest.mark.parametrize("name", ["figures-2021.yaml", "figures-2019.yaml"])
def test_markdown_rows_label_then_numbers(name: str) -> None:
    fig = figures(name)
    md = tables_markdown(fig)
    rows = md_rows(md)
    for r in TABLE3_ROWS[fig.format]:
        assert rows[r.path] == [format_number(fig.table3.get(r.key, c.key), c) for c in TABLE3_COLUMNS]
    for b in TABLE2_BLOCKS[fig.format]:
        for rk, rl in b.rows:
            assert rows[rl] == [format_number(fig.table2.get(b.key, rk, c.key), c) for c in b.columns]
    t4 = [line for line in md.splitlines() if re.fullmatch(r"\|( -?\d+ \|){15}", line)]
    expected = [str(fig.table4.get(g, c.key)) for g, _ in TABLE4_GROUPS for c in TABLE4_COLUMNS]
    assert len(t4) == 1 and t4[0].strip("| ").split(" | ") == expected
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings == [f"## {SECTION_BY_KEY[k].heading}" for k in ("proactive", "requests", "review")]


def test_markdown_numbers(fig21: Figures, fig19: Figures) -> None:
    rows = md_rows(tables_markdown(fig21))
    assert rows["行政事业性收费"] == ["1.25"]
    assert rows["一、本年新收政府信息公开申请数量"] == ["5", "2", "0", "0", "1", "0", "8"]
    rows19 = md_rows(tables_markdown(fig19))
    assert rows19["其他对外管理服务事项"] == ["41", "-1", "40"]
    assert rows19["政府集中采购"] == ["10", "42.9148"]
    assert "（六）其他处理" in rows19 and "（六）其他处理 3.其他" not in rows19
    plain = tables_markdown(fig21, heading_level=0)
    assert plain.splitlines()[0] == SECTION_BY_KEY["proactive"].heading


# --------------------------------------------------------------------------- html


def occupancy(table: Tag) -> list[list[str]]:
    """Lay the <tr>/<td rowspan colspan> out on a grid; each slot must be filled exactly once."""
    grid: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(table.find_all("tr")):
        c = 0
        for cell in tr.find_all(["td", "th"]):
            while (r, c) in grid:
                c += 1
            rs, cs = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            for dr in range(rs):
                for dc in range(cs):
                    assert (r + dr, c + dc) not in grid
                    grid[(r + dr, c + dc)] = cell.get_text()
            c += cs
    n_rows = 1 + max(r for r, _ in grid)
    n_cols = 1 + max(c for _, c in grid)
    assert len(grid) == n_rows * n_cols  # no holes: a rectangle
    return [[grid[(r, c)] for c in range(n_cols)] for r in range(n_rows)]


def cell_with(table: Tag, text: str) -> Tag:
    found = [c for c in table.find_all(["td", "th"]) if c.get_text() == text]
    assert len(found) == 1, text
    return found[0]


def span(cell: Tag) -> tuple[int, int]:
    return int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))


def test_html_structure(fig21: Figures) -> None:
    soup = BeautifulSoup(tables_html(fig21), "html.parser")
    assert soup.find("meta", charset="utf-8") is not None and "<style>" in str(soup)
    t2, t3, t4 = soup.find_all("table")
    assert [h.get_text() for h in soup.find_all("h2")] == [
        SECTION_BY_KEY[k].heading for k in ("proactive", "requests", "review")
    ]
    # 表三
    rows = TABLE3_ROWS["2021"]
    assert span(cell_with(t3, TABLE3_CORNER)) == (3, 3)
    assert span(cell_with(t3, "申请人情况")) == (1, 7)
    assert span(cell_with(t3, "法人或其他组织")) == (1, 5)
    assert span(cell_with(t3, "自然人")) == (2, 1) and span(cell_with(t3, "总计")) == (2, 1)
    assert span(cell_with(t3, TABLE3_TOPS[2])) == (sum(r.top == TABLE3_TOPS[2] for r in rows), 1)
    assert span(cell_with(t3, "（三）不予公开")) == (8, 1)
    assert span(cell_with(t3, "（六）其他处理")) == (3, 1)
    assert span(cell_with(t3, "（一）予以公开")) == (1, 2)
    assert span(cell_with(t3, TABLE3_TOPS[0])) == (1, 3)
    grid3 = occupancy(t3)
    assert len(grid3) == 3 + len(rows) and len(grid3[0]) == 10
    new_row = grid3[3]
    assert new_row[:3] == [TABLE3_TOPS[0]] * 3 and new_row[3:] == ["5", "2", "0", "0", "1", "0", "8"]
    # 表二
    assert span(cell_with(t2, "第二十条第（一）项")) == (1, 4)
    assert span(cell_with(t2, "行政许可")) == (1, 1)
    assert occupancy(t2)[[r[0] for r in occupancy(t2)].index("行政许可")] == ["行政许可", "12", "12", "12"]
    # 表四
    assert span(cell_with(t4, "行政复议")) == (1, 5)
    assert span(cell_with(t4, "行政诉讼")) == (1, 10)
    assert span(cell_with(t4, "未经复议直接起诉")) == (1, 5) and span(cell_with(t4, "复议后起诉")) == (1, 5)
    grid4 = occupancy(t4)
    assert len(grid4) == 4 and grid4[3] == [
        str(fig21.table4.get(g, c.key)) for g, _ in TABLE4_GROUPS for c in TABLE4_COLUMNS
    ]


def test_html_2019_and_escaping(fig19: Figures) -> None:
    fig = fig19.model_copy(deep=True)
    fig.agency = "<示例>"
    html = tables_html(fig)
    assert "&lt;示例&gt;" in html and "<示例>" not in html
    t2 = BeautifulSoup(html, "html.parser").find_all("table")[0]
    assert span(cell_with(t2, "第二十条第（九）项")) == (1, 4)
    grid = occupancy(t2)
    procurement = grid[[r[0] for r in grid].index("政府集中采购")]
    assert procurement == ["政府集中采购", "10", "42.9148", "42.9148"]  # last column spans the rest


# --------------------------------------------------------------------------- docx


@pytest.fixture(scope="module")
def docx_path(tmp_path_factory: pytest.TempPathFactory, fig21: Figures) -> Path:
    path = tmp_path_factory.mktemp("docx") / "tables.docx"
    write_tables(fig21, path, settings())
    return path


def test_docx_labels_and_numbers(docx_path: Path, fig21: Figures) -> None:
    doc = Document(str(docx_path))
    assert len(doc.tables) == 3
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings == [SECTION_BY_KEY[k].heading for k in ("proactive", "requests", "review")]
    t2, t3, t4 = doc.tables
    texts3 = {c.text for row in t3.rows for c in row.cells}
    for r in TABLE3_ROWS["2021"]:
        assert r.label in texts3
    assert {TABLE3_CORNER, "申请人情况", "法人或其他组织", TABLE3_TOPS[2], "（三）不予公开"} <= texts3
    texts2 = {c.text for row in t2.rows for c in row.cells}
    assert {b.label for b in TABLE2_BLOCKS["2021"]} <= texts2 and "第二十条第（一）项" in texts2
    first = [c.text for c in t3.rows[3].cells]
    assert first[3:] == ["5", "2", "0", "0", "1", "0", "8"]
    assert [c.text for c in t4.rows[3].cells] == [
        str(fig21.table4.get(g, c.key)) for g, _ in TABLE4_GROUPS for c in TABLE4_COLUMNS
    ]


def test_docx_merged_cells(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    t2, t3, t4 = doc.tables
    assert t3.cell(0, 0)._tc is t3.cell(2, 2)._tc  # corner: 3 rows × 3 columns
    assert t3.cell(0, 3)._tc is t3.cell(0, 9)._tc  # 申请人情况
    assert t3.cell(1, 4)._tc is t3.cell(1, 8)._tc and t3.cell(1, 4)._tc is not t3.cell(1, 9)._tc
    n_results = sum(r.top == TABLE3_TOPS[2] for r in TABLE3_ROWS["2021"])
    assert t3.cell(5, 0)._tc is t3.cell(5 + n_results - 1, 0)._tc  # 三、本年度办理结果
    assert t3.cell(5, 0)._tc is not t3.cell(5 + n_results, 0)._tc
    assert t2.cell(0, 0)._tc is t2.cell(0, 3)._tc
    assert t4.cell(0, 5)._tc is t4.cell(0, 14)._tc and t4.cell(1, 0)._tc is t4.cell(2, 0)._tc
    xml = t3._tbl.xml
    assert 'w:gridSpan w:val="3"' in xml and "w:vMerge" in xml and "w:tblHeader" in xml


def test_docx_fonts_and_borders(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    for table in doc.tables:
        for tc in table._tbl.iter(qn("w:tc")):
            borders = tc.find(f"{qn('w:tcPr')}/{qn('w:tcBorders')}")
            assert borders is not None and len(borders) == 4
        runs = list(table._tbl.iter(qn("w:r")))
        assert runs
        for r in runs:
            fonts = r.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
            assert fonts is not None and fonts.get(qn("w:eastAsia")) == "仿宋"
            assert r.find(f"{qn('w:rPr')}/{qn('w:sz')}").get(qn("w:val")) == "21"  # 10.5 pt


def test_grids_are_rectangles() -> None:
    for fmt in ("2021", "2019"):
        for grid in table_grids(fmt):  # type: ignore[arg-type]
            covered = [
                (r, c)
                for cell in grid.cells
                for r in range(cell.row, cell.row + cell.rowspan)
                for c in range(cell.col, cell.col + cell.colspan)
            ]
            assert sorted(covered) == [(r, c) for r in range(grid.n_rows) for c in range(grid.n_cols)]
            assert abs(sum(grid.col_mm) - 156) < 0.01 and len(grid.col_mm) == grid.n_cols


# --------------------------------------------------------------------------- files and CLI


def test_write_tables_dispatch(tmp_path: Path, fig21: Figures) -> None:
    for suffix in (".md", ".html", ".docx"):
        write_tables(fig21, tmp_path / f"t{suffix}", settings())
    assert "（三）不予公开 1.属于国家秘密" in (tmp_path / "t.md").read_text(encoding="utf-8")
    assert 'rowspan="3" colspan="3"' in (tmp_path / "t.html").read_text(encoding="utf-8")
    assert (tmp_path / "t.docx").read_bytes()[:2] == b"PK"
    with pytest.raises(InputError, match=r"\.txt"):
        write_tables(fig21, tmp_path / "t.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.docx", "t.html", "t.md"]


@pytest.mark.parametrize("suffix", [".docx", ".md", ".html"])
def test_cli_tables_writes(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"out{suffix}"
    result = CliRunner().invoke(app, ["tables", str(DATA / "figures-2021.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.stat().st_size > 0


def test_cli_tables_from_xlsx_2019(tmp_path: Path) -> None:
    out = tmp_path / "out.md"
    xlsx = tmp_path / "f.xlsx"
    runner = CliRunner()
    assert runner.invoke(app, ["template", "-f", "xlsx", "-o", str(xlsx), "--year", "2020"]).exit_code == 0
    result = runner.invoke(app, ["tables", str(xlsx), "-o", str(out)])
    assert result.exit_code == 1  # blank template: every row reported, nothing written
    assert not out.exists() and "表二 第二十条第（九）项 政府集中采购" in result.stderr


def test_cli_tables_wrong_total(tmp_path: Path) -> None:
    text = (DATA / "figures-2021.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("行政复议: [1, 0, 0, 0, 1]", "行政复议: [1, 0, 0, 0, 2]"), encoding="utf-8")
    out = tmp_path / "out.docx"
    result = CliRunner().invoke(app, ["tables", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert not out.exists()
    assert "[T4-TOTAL] 表四 行政复议 × 总计" in result.stderr


def test_cli_tables_structural_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("机关: x\n年度: 2024\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["tables", str(bad), "-o", str(tmp_path / "o.md")])
    assert result.exit_code == 2
    assert "缺少“表二”" in result.stderr and "Traceback" not in result.output
