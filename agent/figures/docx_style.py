"""Word documents in the GB/T 9704-2012 house style (党政机关公文格式), with python-docx.

Page: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm. Body: 仿宋 三号 (16 pt),
fixed line spacing 28 pt, first line indented two characters. Title: 小标宋 二号 (22 pt),
centred. First-level headings 黑体 三号, second-level 楷体 三号. Font names come from
:class:`agent.settings.Settings` so machines without the GB fonts can substitute their own.

Word picks the font for Chinese characters from ``w:rFonts/@w:eastAsia``; python-docx's
``font.name`` only sets the Latin slots, and theme attributes (``w:eastAsiaTheme``) win over
explicit names. Every style and run written here therefore gets explicit ``ascii``, ``hAnsi``
and ``eastAsia`` names and loses its theme attributes.
"""

from __future__ import annotations

from docx import Document as _new_docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml.etree import _Element

from agent.settings import Settings
from agent.textfile import xml_safe

BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
LINE_SPACING = Pt(28)
TITLE_LINE_SPACING = Pt(36)  # exact spacing below the type size would clip a 22 pt title
INDENT_CHARS = 2
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top_margin": Mm(37), "bottom_margin": Mm(35), "left_margin": Mm(28), "right_margin": Mm(26)}
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


# --------------------------------------------------------------------------- fonts


def set_east_asia_font(rpr_parent: _Element, font: str) -> None:
    """Give ``<w:rPr>`` under ``rpr_parent`` explicit fonts for every script, no theme fonts."""
    rpr = rpr_parent.find(qn("w:rPr"))
    if rpr is None:  # rPr comes first in a run, last in a style
        rpr = OxmlElement("w:rPr")
        if rpr_parent.tag == qn("w:r"):
            rpr_parent.insert(0, rpr)
        else:
            rpr_parent.append(rpr)
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def style_run(run: Run, font: str, size: Pt, bold: bool = False) -> Run:
    """Font name (all scripts), size and weight set directly on a run."""
    run.font.name = font
    run.font.size = size
    run.font.bold = bold
    set_east_asia_font(run._r, font)
    return run


def _style_fonts(style: ParagraphStyle, font: str, size: Pt, bold: bool = False) -> None:
    style.font.name = font
    style.font.size = size
    style.font.bold = bold
    style.font.color.rgb = None
    rpr = style.element.find(qn("w:rPr"))
    if rpr is not None:
        for color in rpr.findall(qn("w:color")):
            rpr.remove(color)
    set_east_asia_font(style.element, font)


def _paragraph_layout(style: ParagraphStyle, line: Pt, indent: bool) -> None:
    pf = style.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = line
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.first_line_indent = Pt(BODY_SIZE.pt * INDENT_CHARS) if indent else Pt(0)
    if indent:
        _indent_chars(style.element)


def _indent_chars(element: _Element) -> None:
    """``w:firstLineChars`` keeps the indent at two characters whatever the font size."""
    ppr = element.find(qn("w:pPr"))
    if ppr is not None:
        ppr.get_or_add_ind().set(qn("w:firstLineChars"), str(INDENT_CHARS * 100))


def _doc_defaults(doc: Document, font: str) -> None:
    """Replace the template's theme fonts in ``w:docDefaults`` and mark the text as Chinese."""
    rpr_default = doc.styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault"))
    if rpr_default is None:
        return
    set_east_asia_font(rpr_default, font)
    lang = rpr_default.find(qn("w:rPr") + "/" + qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


# --------------------------------------------------------------------------- document


def new_document(settings: Settings) -> Document:
    """An empty A4 document with the GB/T 9704 page, body, title and heading styles."""
    doc = _new_docx()
    for section in doc.sections:
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        for name, value in MARGINS.items():
            setattr(section, name, value)
    _doc_defaults(doc, settings.font_body)
    normal = doc.styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    _style_fonts(normal, settings.font_body, BODY_SIZE)
    _paragraph_layout(normal, LINE_SPACING, indent=True)
    for name, font in (("Heading 1", settings.font_h1), ("Heading 2", settings.font_h2)):
        style = _heading_style(doc, name)
        _style_fonts(style, font, BODY_SIZE)
        _paragraph_layout(style, LINE_SPACING, indent=True)
    return doc


def _heading_style(doc: Document, name: str) -> ParagraphStyle:
    try:
        style = doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
    assert isinstance(style, ParagraphStyle)
    return style


def _paragraph(doc: Document, text: str, font: str, size: Pt, style: str | None = None) -> Paragraph:
    para = doc.add_paragraph(style=style)
    style_run(para.add_run(xml_safe(text)), font, size)  # control characters cannot go into a .docx
    return para


def add_title(doc: Document, text: str, settings: Settings) -> Paragraph:
    """The document title: 小标宋 二号, centred, no indent."""
    para = _paragraph(doc, text, settings.font_title, TITLE_SIZE)
    pf = para.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pf.first_line_indent = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = TITLE_LINE_SPACING
    _clear_indent_chars(para)
    return para


def _clear_indent_chars(para: Paragraph) -> None:
    """Override the style's ``w:firstLineChars`` (it wins over a zero ``w:firstLine``)."""
    para._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "0")


def add_heading1(doc: Document, text: str, settings: Settings) -> Paragraph:
    """A first-level heading (一、…): 黑体 三号, in Word's 标题 1 style so it shows in the outline."""
    return _paragraph(doc, text, settings.font_h1, BODY_SIZE, style="Heading 1")


def add_heading2(doc: Document, text: str, settings: Settings) -> Paragraph:
    """A second-level heading (（一）…): 楷体 三号, in Word's 标题 2 style."""
    return _paragraph(doc, text, settings.font_h2, BODY_SIZE, style="Heading 2")


def add_body_paragraph(doc: Document, text: str, settings: Settings) -> Paragraph:
    """A body paragraph: 仿宋 三号, fixed 28 pt, first line indented two characters."""
    return _paragraph(doc, text, settings.font_body, BODY_SIZE)
