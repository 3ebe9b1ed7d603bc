"""GB/T 9704-2012 document styles."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml.etree import _Element

from agent.figures.docx_style import add_body_paragraph, add_heading1, add_heading2, add_title, new_document
from agent.settings import Settings

SETTINGS = Settings(
    font_body="仿宋_GB2312", font_title="方正小标宋简体", font_h1="黑体", font_h2="楷体_GB2312"
)


def east_asia(element: _Element) -> str | None:
    fonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    assert fonts is not None
    assert not any(k.endswith("Theme") or k.endswith("theme") for k in fonts.attrib)
    return fonts.get(qn("w:eastAsia"))


def saved(tmp_path: Path) -> Document:
    doc = new_document(SETTINGS)
    add_title(doc, "示例县民族宗教事务局2024年政府信息公开工作年度报告", SETTINGS)
    add_heading1(doc, "一、总体情况", SETTINGS)
    add_heading2(doc, "（一）主动公开", SETTINGS)
    add_body_paragraph(doc, "2024年，我局认真贯彻落实《中华人民共和国政府信息公开条例》。", SETTINGS)
    path = tmp_path / "d.docx"
    doc.save(str(path))
    return Document(str(path))


def test_page_setup(tmp_path: Path) -> None:
    section = saved(tmp_path).sections[0]
    measured = [section.page_width, section.page_height, section.top_margin, section.bottom_margin]
    measured += [section.left_margin, section.right_margin]
    assert [round(x.mm, 1) for x in measured if x is not None] == [210, 297, 37, 35, 28, 26]


def test_body_style(tmp_path: Path) -> None:
    doc = saved(tmp_path)
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16) and normal.font.name == "仿宋_GB2312"
    assert east_asia(normal.element) == "仿宋_GB2312"
    pf = normal.paragraph_format
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY and pf.line_spacing == Pt(28)
    assert pf.first_line_indent == Pt(32)
    assert normal.element.find(f"{qn('w:pPr')}/{qn('w:ind')}").get(qn("w:firstLineChars")) == "200"
    defaults = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
    assert east_asia(defaults) == "仿宋_GB2312"


def test_paragraph_fonts(tmp_path: Path) -> None:
    title, h1, h2, body = saved(tmp_path).paragraphs
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and title.paragraph_format.first_line_indent == 0
    assert title.runs[0].font.size == Pt(22) and east_asia(title.runs[0]._r) == "方正小标宋简体"
    assert h1.style.name == "Heading 1" and east_asia(h1.runs[0]._r) == "黑体"
    assert h2.style.name == "Heading 2" and east_asia(h2.runs[0]._r) == "楷体_GB2312"
    for para in (h1, h2, body):
        assert para.runs[0].font.size == Pt(16)
    assert east_asia(body.runs[0]._r) == "仿宋_GB2312" and body.style.name == "Normal"


def test_heading_styles_are_black_not_bold(tmp_path: Path) -> None:
    doc = saved(tmp_path)
    for name, font in (("Heading 1", "黑体"), ("Heading 2", "楷体_GB2312")):
        style = doc.styles[name]
        assert east_asia(style.element) == font
        assert style.font.bold is False and style.font.size == Pt(16)
        assert style.element.find(f"{qn('w:rPr')}/{qn('w:color')}") is None


def test_fonts_follow_settings() -> None:
    custom = Settings(font_body="宋体", font_title="黑体", font_h1="微软雅黑", font_h2="华文楷体")
    doc = new_document(custom)
    para = add_body_paragraph(doc, "正文", custom)
    head = add_heading2(doc, "（二）标题", custom)
    assert east_asia(doc.styles["Normal"].element) == "宋体"
    assert east_asia(para.runs[0]._r) == "宋体" and east_asia(head.runs[0]._r) == "华文楷体"
