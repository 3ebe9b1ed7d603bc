"""Reading reports in every supported format and encoding; bad files give exit 2, no traceback."""

from __future__ import annotations

import html
import re
from pathlib import Path

import docx
import pytest
from report_fixtures import clean_figures
from typer.testing import CliRunner

from agent.cli import app
from agent.errors import InputError
from agent.figures.render import tables_html
from agent.report.checks import check_report
from agent.report.reader import read_report, read_text

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED003 = next(SEEDS.glob("003_*.txt"))
runner = CliRunner()


def blocks(text: str) -> list[tuple[str, list[list[str]] | str]]:
    """Paragraphs and tables (runs of tab-separated lines) of a seed text."""
    out: list[tuple[str, list[list[str]] | str]] = []
    for line in text.split("\n"):
        if "\t" in line:
            if not out or out[-1][0] != "table":
                out.append(("table", []))
            rows = out[-1][1]
            assert isinstance(rows, list)
            rows.append(line.split("\t"))
        else:
            out.append(("p", line))
    return out


def to_docx(text: str, path: Path) -> None:
    document = docx.Document()
    for kind, content in blocks(text):
        if kind == "p":
            document.add_paragraph(str(content))
            continue
        assert isinstance(content, list)
        width = max(len(r) for r in content)
        table = document.add_table(rows=len(content), cols=width)
        for i, row in enumerate(content):
            for j, cell in enumerate(row):
                table.cell(i, j).text = cell
    document.save(str(path))


def to_html(text: str) -> str:
    parts = ["<html><head><meta charset='utf-8'><style>p{}</style></head><body>"]
    for kind, content in blocks(text):
        if kind == "p":
            parts.append(f"<p>{html.escape(str(content))}</p>")
        else:
            assert isinstance(content, list)
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in content
            )
            parts.append(f"<table>{rows}</table>")
    return "".join(parts) + "</body></html>"


@pytest.fixture(scope="module")
def reference():
    return read_report(SEED003)


def assert_same_tables(report, reference) -> None:
    assert report.format == reference.format == "2019"
    assert report.table2 is not None and report.table2.cells == reference.table2.cells
    assert report.table3 is not None and report.table3.cells == reference.table3.cells
    assert report.table4 is not None and report.table4.cells == reference.table4.cells
    assert [s.key for s in report.sections] == [s.key for s in reference.sections]


def test_gb18030_text_reads_like_utf8(tmp_path, reference):
    path = tmp_path / "report-gbk.txt"
    path.write_bytes(SEED003.read_text(encoding="utf-8").encode("gb18030"))
    assert_same_tables(read_report(path), reference)


def test_utf8_with_bom(tmp_path, reference):
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + SEED003.read_bytes())
    report = read_report(path)
    assert report.title == reference.title
    assert_same_tables(report, reference)


def test_docx_tables_are_read(tmp_path, reference):
    path = tmp_path / "report.docx"
    to_docx(SEED003.read_text(encoding="utf-8"), path)
    report = read_report(path)
    assert report.agency == "洛阳市民族宗教事务局"
    assert_same_tables(report, reference)


def test_html_tables_are_read(tmp_path, reference):
    path = tmp_path / "report.html"
    path.write_text(to_html(SEED003.read_text(encoding="utf-8")), encoding="utf-8")
    assert_same_tables(read_report(path), reference)


def test_html_inside_a_page_layout_table_keeps_its_lines(tmp_path, reference):
    """Old government sites put the whole page in a layout table: the report inside keeps its lines,
    its sections and its tables (not one flattened cell, not its tables read twice)."""
    body = to_html(SEED003.read_text(encoding="utf-8")).split("<body>", 1)[1].rsplit("</body>", 1)[0]
    page = (
        "<html><body><table width='100%'><tr><td>首页 | 政务公开 | 信息公开年报</td></tr>"
        f"<tr><td>{body}</td></tr><tr><td>主办单位：某某市人民政府办公室 版权所有</td></tr></table></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    report = read_report(path)
    assert_same_tables(report, reference)
    rules = {f.rule for f in check_report(report)}
    assert not rules & {"TABLE-TWICE", "SECTION-TWICE", "SECTION-MISSING"}
    assert len(report.lines) > 40  # one line per paragraph, not the page on one line


def test_html_cells_wrapped_in_a_paragraph_are_data_cells(tmp_path, reference):
    """Word's “save as web page” and many sites write every cell as <td><p><span>5</span></p></td>:
    still a data table, read as rows, not unwrapped as page layout."""
    plain = to_html(SEED003.read_text(encoding="utf-8"))
    word = re.sub(r"<td>(.*?)</td>", r"<td><p class=MsoNormal><span>\1</span></p></td>", plain)
    assert word != plain
    (tmp_path / "plain.html").write_text(plain, encoding="utf-8")
    (tmp_path / "word.html").write_text(word, encoding="utf-8")
    report = read_report(tmp_path / "word.html")
    assert_same_tables(report, reference)
    assert len(report.lines) == len(read_report(tmp_path / "plain.html").lines)


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_html_tables_with_the_official_merged_cells_read_exactly(tmp_path, fmt):
    """The printed grid (rowspan/colspan headers and row groups), as `tables -o x.html` writes it."""
    fig = clean_figures(fmt)
    path = tmp_path / "tables.html"
    path.write_text(tables_html(fig), encoding="utf-8")
    report = read_report(path)
    assert report.table2 is not None and report.table2.cells == fig.table2.cells
    assert report.table3 is not None and report.table3.cells == fig.table3.cells
    assert report.table4 is not None and report.table4.cells == fig.table4.cells


def test_pdf_text_is_read():
    text = read_text(SEEDS.parent / "realdata" / "huaian-city-2024.pdf")
    assert "淮安市人民政府" in text and "一、本年新收政府信息公开申请数量" in text


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("broken.docx", b"this is not a zip", "损坏"),
        ("broken.pdf", b"%PDF-1.4 garbage", "损坏"),
        ("report.rtf", b"{\\rtf1}", "不支持的文件类型"),
        ("empty.txt", b"", "空"),
    ],
)
def test_bad_files_exit_2_with_a_message(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert name in result.output and expected in result.output
    assert "Traceback" not in result.output


def test_missing_file_exit_2(tmp_path):
    result = runner.invoke(app, ["check", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2 and "文件不存在" in result.output


def test_read_text_raises_input_error_naming_the_file(tmp_path):
    path = tmp_path / "x.docx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError) as info:
        read_text(path)
    assert str(path) in str(info.value)
