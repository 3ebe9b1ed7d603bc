#!/usr/bin/env python3
"""Generate realistic 政府信息公开工作年度报告 documents (.docx and .pdf) with known truth.

Given a figures YAML (the project's figures format, see examples/figures-2024.yaml and
tests/data/figures-2019.yaml), this script writes a complete annual report as .docx --
title, intro, the six sections with their official headings, narrative paragraphs whose
figures agree with the tables, and tables 二/三/四 in the official merged-cell layout --
in one of several LAYOUTS, and converts it to PDF with LibreOffice, the way agencies make
their PDFs (Word document printed to PDF).

Standalone on purpose: needs python-docx and PyYAML only (no project imports), plus
`soffice` (LibreOffice) on PATH for the PDF step.

    python make_layouts.py TRUTH.yaml --layout wrapped -o OUT_DIR
    python make_layouts.py TRUTH.yaml --all -o OUT_DIR
    python make_layouts.py --list

writes OUT_DIR/<truth-stem>-<layout>.docx and OUT_DIR/<truth-stem>-<layout>.pdf.

Exit codes: 0 ok; 2 usage error or soffice missing; 3 truth YAML malformed or its
figures break an identity (use --allow-inconsistent to render it anyway); 4 the
LibreOffice conversion failed.

See README.md beside this file for what each layout looks like and what pdfplumber
makes of it.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import yaml
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt
    from docx.text.paragraph import Paragraph
except ImportError as exc:  # pragma: no cover - environment problem
    sys.exit(f"make_layouts.py: missing Python package ({exc}); pip install python-docx pyyaml")

# --------------------------------------------------------------------------------------
# Official labels (character for character, full-width brackets)
# --------------------------------------------------------------------------------------

APPLICANT_COLS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
LEGAL_PERSON_COLS = APPLICANT_COLS[1:]

T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
ROW_NEW = "一、本年新收政府信息公开申请数量"
ROW_CARRY_IN = "二、上年结转政府信息公开申请数量"
ROW_RESULTS = "三、本年度办理结果"
ROW_TOTAL = "（七）总计"
ROW_CARRY_OUT = "四、结转下年度继续办理"

RESULT_GROUPS_2021 = [
    ("（一）予以公开", None),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("（三）不予公开", [
        "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
        "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息",
        "7.属于行政执法案卷", "8.属于行政查询事项"]),
    ("（四）无法提供", [
        "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]),
    ("（五）不予处理", [
        "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
        "5.要求行政机关确认或重新出具已获取信息"]),
    ("（六）其他处理", [
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "3.其他"]),
]
# 2019 trial format: （六）其他处理 is a single row.
RESULT_GROUPS_2019 = RESULT_GROUPS_2021[:5] + [("（六）其他处理", None)]

T4_GROUPS = ["行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"]
T4_COLS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

T2_2021 = [
    ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"], ["规章", "行政规范性文件"]),
    ("第二十条第（五）项", ["本年处理决定数量"], ["行政许可"]),
    ("第二十条第（六）项", ["本年处理决定数量"], ["行政处罚", "行政强制"]),
    ("第二十条第（八）项", ["本年收费金额（单位：万元）"], ["行政事业性收费"]),
]
T2_2019 = [
    ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"], ["规章", "规范性文件"]),
    ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"], ["行政许可", "其他对外管理服务事项"]),
    ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"], ["行政处罚", "行政强制"]),
    ("第二十条第（八）项", ["上一年项目数量", "本年增/减"], ["行政事业性收费"]),
    ("第二十条第（九）项", ["采购项目数量", "采购总金额（单位：万元）"], ["政府集中采购"]),
]

SECTION_HEADINGS = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
]

# --------------------------------------------------------------------------------------
# Layouts.  Widths in cm.  t3_widths: 3 label columns then 7 number columns.
# --------------------------------------------------------------------------------------

LAYOUTS: dict[str, dict] = {
    "standard": dict(
        doc="Official layout, wide label columns; most labels print on one line.",
        font=9, num_font=9, mar=0.08,
        t2_widths=[4.4, 3.9, 3.9, 3.9], t2_shade=True,
        t3_widths=[0.9, 2.5, 6.2] + [0.97] * 7,
        t4="official", t4_widths=[1.07] * 15, footer=None),
    "wrapped": dict(
        doc="Narrow label columns: table 三 labels wrap over 2-3 lines; numbers centred "
            "vertically (beside the 2nd line of a 3-line label), but top-aligned (beside the "
            "1st line) in the sub-rows of （四）无法提供 and （五）不予处理.",
        font=10.5, num_font=10.5, mar=0.1,
        t2_widths=[2.3, 4.5, 4.5, 4.5], t2_shade=False,
        t3_widths=[0.75, 1.7, 4.75] + [1.22] * 7,
        t3_top_groups=("（四）无法提供", "（五）不予处理"), t3_row_h=0.5,
        t4="official", t4_widths=[1.07] * 15, footer="center"),
    "split": dict(
        doc="Table 三 starts mid-page and breaks across a page boundary; its 3 header rows are "
            "marked 'repeat header row' (w:tblHeader) and print again on the next page; rows "
            "may not split (w:cantSplit); page-number footer '- N -' right on odd, left on even "
            "pages.",
        font=10.5, num_font=10.5, mar=0.1,
        t2_widths=[4.4, 3.9, 3.9, 3.9], t2_shade=False,
        t3_widths=[0.9, 2.4, 5.6] + [1.05] * 7,
        t3_repeat_header=True, t3_cant_split=True, t3_push_down=True,
        t4="official", t4_widths=[1.07] * 15, footer="odd-even"),
    "split-plain": dict(
        doc="Extra, as in the Huai'an PDF: table 三 breaks across a page boundary WITHOUT "
            "repeated header rows, rows allowed to break, so a merged group label such as "
            "（五）不予处理 may itself be cut between the pages; centred '- N -' footer.",
        font=10.5, num_font=10.5, mar=0.1,
        t2_widths=[4.4, 3.9, 3.9, 3.9], t2_shade=False,
        t3_widths=[0.9, 1.7, 6.3] + [1.05] * 7,
        t3_push_down=True,
        t4="official", t4_widths=[1.07] * 15, footer="center"),
    "narrow": dict(
        doc="Narrow number columns (0.62 cm, 0.02 cm cell padding): 3-digit numbers nearly "
            "touch the neighbouring cell's number, 4-digit numbers wrap inside the cell; "
            "column headers print one character per line.",
        font=9, num_font=10.5, mar=0.02,
        t2_widths=[4.4, 3.0, 3.0, 3.0], t2_shade=False,
        t3_widths=[0.9, 2.5, 6.6] + [0.62] * 7,
        t4="official", t4_widths=[0.9] * 15, footer="center"),
    "t4-one-row": dict(
        doc="Table 四 as in the official Word template (and the Huai'an PDF): 行政复议 over 5 "
            "columns whose labels span header rows 2-3, 行政诉讼 split into 未经复议直接起诉 / "
            "复议后起诉, then the single data row of 15 cells; narrow cells so 结果维持 prints "
            "as 结果/维持, numbers larger and left-aligned.",
        font=9, num_font=9, mar=0.08,
        t2_widths=[4.4, 3.9, 3.9, 3.9], t2_shade=True,
        t3_widths=[0.9, 2.5, 6.2] + [0.97] * 7,
        t4="official", t4_widths=[1.04] * 15, t4_num_font=12, t4_num_align="left",
        footer="center"),
    "t4-blocks": dict(
        doc="Table 四 as three separate small tables (行政复议 / 行政诉讼（未经复议直接起诉） / "
            "行政诉讼（复议后起诉）), each: title row, 5 labels, 5 numbers; blank paragraph "
            "between them.",
        font=9, num_font=9, mar=0.08,
        t2_widths=[4.4, 3.9, 3.9, 3.9], t2_shade=False,
        t3_widths=[0.9, 2.5, 6.2] + [0.97] * 7,
        t4="blocks", t4_widths=[3.1] * 5, footer=None),
    "format2019": dict(
        doc="2019 trial format (国办公开办函〔2019〕60号) tables: table 二 in five blocks with "
            "the 2019 columns, table 三 with a single （六）其他处理 row (23 data rows). Needs a "
            "2019-format truth.",
        font=9, num_font=9, mar=0.08,
        t2_widths=[4.4, 3.9, 3.9, 3.9], t2_shade=True,
        t3_widths=[0.9, 2.5, 6.2] + [0.97] * 7,
        t4="official", t4_widths=[1.07] * 15, footer="center", require_format="2019"),
}

BODY_FONT = "仿宋"
HEAD_FONT = "黑体"
TABLE_FONT = "仿宋"
ASCII_FONT = "Times New Roman"


class TruthError(Exception):
    pass


# --------------------------------------------------------------------------------------
# Truth: read and check the figures YAML
# --------------------------------------------------------------------------------------

def _num(v, where):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TruthError(f"{where}: expected a number, got {v!r}")
    return v


def _count_list(v, where, n, names=None):
    """A row of n counts, optionally followed by its 总计 (blank/null = not given).

    Accepts a list, or a mapping keyed by the column names (`names`, plus 总计)."""
    if isinstance(v, dict) and names:
        unknown = set(v) - set(names) - {"总计"}
        if unknown:
            raise TruthError(f"{where}: unknown column(s) {sorted(unknown)}")
        v = [v.get(c, 0) for c in names] + ([v["总计"]] if "总计" in v else [])
    if not isinstance(v, list) or len(v) not in (n, n + 1):
        raise TruthError(f"{where}: expected a list of {n} numbers (optionally + 总计), got {v!r}")
    if len(v) == n + 1 and v[n] in (None, ""):
        v = v[:n]
    vals = [_num(x, where) for x in v]
    for x in vals:
        if x != int(x) or x < 0:
            raise TruthError(f"{where}: counts must be non-negative integers, got {v!r}")
    vals = [int(x) for x in vals]
    given_total = vals[n] if len(vals) == n + 1 else None
    return vals[:n] + [sum(vals[:n])], given_total


def load_truth(path: Path) -> dict:
    try:
        y = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TruthError(f"cannot read {path}: {exc}") from exc
    if not isinstance(y, dict):
        raise TruthError(f"{path}: not a mapping")
    for key in ("机关", "年度", "表二", "表三", "表四"):
        if key not in y:
            raise TruthError(f"{path}: missing key {key}")
    problems: list[str] = []
    t3y = y["表三"]
    res = t3y.get(ROW_RESULTS)
    if not isinstance(res, dict):
        raise TruthError(f"{path}: 表三/{ROW_RESULTS} missing or not a mapping")
    fmt = "2019" if isinstance(res.get("（六）其他处理"), list) else "2021"
    groups = RESULT_GROUPS_2019 if fmt == "2019" else RESULT_GROUPS_2021

    def row(val, where):
        vals, given = _count_list(val, where, 6, APPLICANT_COLS)
        if given is not None and given != vals[6]:
            problems.append(f"T3-ROW {where}: 总计 {given} != sum of the six columns {vals[6]}")
        return vals

    def get(mapping, key, where):
        if key not in mapping:
            raise TruthError(f"{path}: missing {where}/{key}")
        return mapping[key]

    t3 = []  # dicts: kind, label, group, values (7 numbers)
    t3.append(dict(kind="top", label=ROW_NEW, values=row(get(t3y, ROW_NEW, "表三"), ROW_NEW)))
    t3.append(dict(kind="top", label=ROW_CARRY_IN,
                   values=row(get(t3y, ROW_CARRY_IN, "表三"), ROW_CARRY_IN)))
    leaves = []
    for glabel, subs in groups:
        gval = get(res, glabel, f"表三/{ROW_RESULTS}")
        if subs is None:
            r = dict(kind="single", label=glabel, group=glabel, values=row(gval, glabel))
            t3.append(r)
            leaves.append(r)
        else:
            if not isinstance(gval, dict):
                raise TruthError(f"{path}: 表三/{glabel} must map its sub-rows to lists")
            for sub in subs:
                r = dict(kind="sub", label=sub, group=glabel,
                         values=row(get(gval, sub, f"表三/{glabel}"), f"{glabel}{sub}"))
                t3.append(r)
                leaves.append(r)
    total = [sum(r["values"][c] for r in leaves) for c in range(7)]
    if ROW_TOTAL in res:
        given = row(res[ROW_TOTAL], ROW_TOTAL)
        if given != total:
            problems.append(f"T3-RESULT: {ROW_TOTAL} {given} != sum of results {total}")
        total = given
    t3.append(dict(kind="total", label=ROW_TOTAL, group=ROW_TOTAL, values=total))
    t3.append(dict(kind="top", label=ROW_CARRY_OUT,
                   values=row(get(t3y, ROW_CARRY_OUT, "表三"), ROW_CARRY_OUT)))
    new, cin, cout = t3[0]["values"], t3[1]["values"], t3[-1]["values"]
    for c in range(7):
        if new[c] + cin[c] != total[c] + cout[c]:
            col = (APPLICANT_COLS + ["总计"])[c]
            problems.append(f"T3-BALANCE {col}: 一 {new[c]} + 二 {cin[c]} != "
                            f"（七） {total[c]} + 四 {cout[c]}")

    t4 = []
    t4y = dict(y["表四"])
    nested = t4y.pop("行政诉讼", None)  # 行政诉讼: {未经复议直接起诉: ..., 复议后起诉: ...}
    if isinstance(nested, dict):
        for k, v in nested.items():
            t4y[f"行政诉讼（{k}）"] = v
    for g in T4_GROUPS:
        vals, given = _count_list(get(t4y, g, "表四"), f"表四/{g}", 4, T4_COLS[:4])
        if given is not None and given != vals[4]:
            problems.append(f"T4-TOTAL {g}: 总计 {given} != {vals[4]}")
        t4.append(vals)

    t2spec = T2_2019 if fmt == "2019" else T2_2021
    t2 = []
    for block, cols, rows in t2spec:
        by = get(y["表二"], block, "表二")
        brows = []
        for rl in rows:
            v = get(by, rl, f"表二/{block}")
            if isinstance(v, dict):
                v = [get(v, c, f"表二/{block}/{rl}") for c in cols]
            elif not isinstance(v, list):
                v = [v]
            if len(v) != len(cols):
                raise TruthError(f"{path}: 表二/{block}/{rl}: expected {len(cols)} values, got {v!r}")
            brows.append((rl, [_num(x, f"表二/{block}/{rl}") for x in v]))
        t2.append((block, cols, brows))

    fee = y.get("信息处理费")
    if isinstance(fee, dict):
        fee = (fee.get("件数", 0) or 0, fee.get("金额（元）", fee.get("金额", 0)) or 0)
    else:
        fee = None
    agency = str(y["机关"]).strip()
    return dict(agency=agency, year=int(y["年度"]), fmt=fmt, t2=t2, t3=t3, t4=t4, fee=fee,
                problems=problems, path=path)


# --------------------------------------------------------------------------------------
# docx helpers
# --------------------------------------------------------------------------------------

def set_font(run, east=BODY_FONT, size=None, bold=None, ascii_=ASCII_FONT):
    run.font.name = ascii_
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), east)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    return run


def style_font(style, east, size, ascii_=ASCII_FONT):
    style.font.name = ascii_
    style.font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), east)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)


def para(doc, text="", east=BODY_FONT, size=16, bold=False, align=None, indent=True,
         lead=None):
    """A body paragraph; `lead` is an optional bold run put first (e.g. （一）主动公开。)."""
    p = doc.add_paragraph()
    pf = p.paragraph_format
    pf.first_line_indent = Pt(size * 2) if indent else Pt(0)
    if align is not None:
        p.alignment = align
    if lead:
        set_font(p.add_run(lead), east, size, True)
    if text:
        set_font(p.add_run(text), east, size, bold)
    return p


def setup_table(tbl, widths_cm, mar_cm):
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl.autofit = False
    tblPr = tbl._tbl.tblPr
    # order inside tblPr matters to Word: tblStyle, ..., tblW, jc, ..., tblBorders, shd,
    # tblLayout, tblCellMar, tblLook.  Rebuild the ones we own in that order.
    for tag in ("w:tblW", "w:tblBorders", "w:tblLayout", "w:tblCellMar", "w:tblLook"):
        for el in tblPr.findall(qn(tag)):
            tblPr.remove(el)
    tw = OxmlElement("w:tblW")
    tw.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
    tw.set(qn("w:type"), "dxa")
    jc = tblPr.find(qn("w:jc"))
    if jc is not None:
        jc.addprevious(tw)
    else:
        tblPr.append(tw)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{edge}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), "4")
        b.set(qn("w:space"), "0")
        b.set(qn("w:color"), "000000")
        borders.append(b)
    tblPr.append(borders)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblPr.append(layout)
    cm = OxmlElement("w:tblCellMar")
    for edge, val in (("top", 0), ("left", mar_cm), ("bottom", 0), ("right", mar_cm)):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:w"), str(int(val * 567)))
        e.set(qn("w:type"), "dxa")
        cm.append(e)
    tblPr.append(cm)
    grid = tbl._tbl.tblGrid
    for gc, w in zip(grid.findall(qn("w:gridCol")), widths_cm):
        gc.set(qn("w:w"), str(int(w * 567)))
    for row in tbl.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Cm(widths_cm[i])


def keep_together(tbl):
    """Word's way to keep a small table on one page: rows may not split and every
    paragraph but those of the last row is 'keep with next'."""
    rows = list(tbl.rows)
    for i, row in enumerate(rows):
        trPr = row._tr.get_or_add_trPr()
        if trPr.find(qn("w:cantSplit")) is None:
            trPr.insert(0, OxmlElement("w:cantSplit"))
        if i < len(rows) - 1:
            for tc in row._tr.tc_lst:
                for p in tc.iter(qn("w:p")):
                    Paragraph(p, None).paragraph_format.keep_with_next = True


def row_props(row, height_cm=None, header=False, cant_split=False):
    if height_cm:
        row.height = Cm(height_cm)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    trPr = row._tr.get_or_add_trPr()
    if cant_split:
        trPr.insert(0, OxmlElement("w:cantSplit"))
    if header:
        trPr.append(OxmlElement("w:tblHeader"))


def shade(cell, fill="D9E2F3"):
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcPr = cell._tc.get_or_add_tcPr()
    later = [tcPr.find(qn(t)) for t in ("w:noWrap", "w:tcMar", "w:textDirection",
                                        "w:tcFitText", "w:vAlign", "w:hideMark")]
    later = [e for e in later if e is not None]
    if later:  # schema order: ... tcBorders, shd, noWrap, tcMar, ..., vAlign
        later[0].addprevious(shd)
    else:
        tcPr.append(shd)


def put(cell, text, size, align="center", valign="center", east=TABLE_FONT, bold=False,
        ascii_=ASCII_FONT):
    cell.vertical_alignment = {"center": WD_CELL_VERTICAL_ALIGNMENT.CENTER,
                               "top": WD_CELL_VERTICAL_ALIGNMENT.TOP,
                               "bottom": WD_CELL_VERTICAL_ALIGNMENT.BOTTOM}[valign]
    p = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    p.style = "表格文字"
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    set_font(p.add_run(str(text)), east, size, bold, ascii_)
    return cell


def merge(tbl, r0, c0, r1, c1):
    return tbl.cell(r0, c0).merge(tbl.cell(r1, c1))


def fmt_num(v) -> str:
    if isinstance(v, float) and v != int(v):
        return ("%.4f" % v).rstrip("0").rstrip(".")
    return str(int(v))


def add_page_number(par, size=14):
    def fld(kind):
        r = par.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        r._r.append(el)
        return r

    set_font(par.add_run("- "), "宋体", size)
    fld("begin")
    r = par.add_run()
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = " PAGE "
    r._r.append(it)
    set_font(r, "宋体", size)
    fld("separate")
    set_font(par.add_run("1"), "宋体", size)
    fld("end")
    set_font(par.add_run(" -"), "宋体", size)


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------

def build_table2(doc, truth, L):
    blocks = truth["t2"]
    nrows = sum(2 + len(rows) for _, _, rows in blocks)
    tbl = doc.add_table(rows=nrows, cols=4)
    setup_table(tbl, L["t2_widths"], L["mar"])
    size = L["font"]
    r = 0
    for block, cols, rows in blocks:
        cell = merge(tbl, r, 0, r, 3)
        put(cell, block.replace("第二十条第", "第二十条 第"), size, align="left")
        if L.get("t2_shade"):
            shade(cell)
        row_props(tbl.rows[r], 0.75)
        r += 1
        spans = {1: [(1, 3)], 2: [(1, 1), (2, 3)], 3: [(1, 1), (2, 2), (3, 3)]}[len(cols)]
        for rr, labels in [(r, ["信息内容"] + cols)] + [(r + 1 + i, [rl] + [fmt_num(x) for x in v])
                                                     for i, (rl, v) in enumerate(rows)]:
            put(tbl.cell(rr, 0), labels[0], size, align="left")
            for (a, b), text in zip(spans, labels[1:]):
                cell = merge(tbl, rr, a, rr, b) if b > a else tbl.cell(rr, a)
                put(cell, text, size if rr == r else L["num_font"],
                    align="left" if rr == r or len(cols) == 1 else "center")
            row_props(tbl.rows[rr], 0.75)
        r += 1 + len(rows)
    return tbl


def build_table3(doc, truth, L):
    rows = truth["t3"]
    n_hdr = 3
    tbl = doc.add_table(rows=n_hdr + len(rows), cols=10)
    setup_table(tbl, L["t3_widths"], L["mar"])
    size, nsize = L["font"], L["num_font"]
    # header
    put(merge(tbl, 0, 0, 2, 2), T3_NOTE, size, align="left")
    put(merge(tbl, 0, 3, 0, 9), "申请人情况", size)
    put(merge(tbl, 1, 3, 2, 3), "自然人", size)
    put(merge(tbl, 1, 4, 1, 8), "法人或其他组织", size)
    for i, lab in enumerate(LEGAL_PERSON_COLS):
        put(tbl.cell(2, 4 + i), lab, size)
    put(merge(tbl, 1, 9, 2, 9), "总计", size)
    for i in range(n_hdr):
        row_props(tbl.rows[i], 0.6, header=L.get("t3_repeat_header", False),
                  cant_split=L.get("t3_cant_split", False))
    # body
    first_result = n_hdr + 2
    total_row = n_hdr + len(rows) - 2
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        rr = n_hdr + i
        if r["kind"] == "top":
            put(merge(tbl, rr, 0, rr, 2), r["label"], size, align="left")
        elif r["kind"] in ("single", "total"):
            put(merge(tbl, rr, 1, rr, 2), r["label"], size, align="left")
        else:
            groups.setdefault(r["group"], []).append(rr)
            put(tbl.cell(rr, 2), r["label"], size, align="left")
        top = r.get("group") in L.get("t3_top_groups", ())
        for c, v in enumerate(r["values"]):
            put(tbl.cell(rr, 3 + c), fmt_num(v), nsize, valign="top" if top else "center")
        row_props(tbl.rows[rr], L.get("t3_row_h", 0.6), cant_split=L.get("t3_cant_split", False))
    for glabel, rr in groups.items():
        put(merge(tbl, rr[0], 1, rr[-1], 1), glabel, size)
    put(merge(tbl, first_result, 0, total_row, 0), ROW_RESULTS, size)
    return tbl


def build_table4(doc, truth, L):
    t4 = truth["t4"]
    size = L["font"]
    nsize = L.get("t4_num_font", L["num_font"])
    nalign = L.get("t4_num_align", "center")
    if L["t4"] == "blocks":
        tables = []
        for gi, g in enumerate(T4_GROUPS):
            if gi:
                doc.add_paragraph().paragraph_format.first_line_indent = Pt(0)
            tbl = doc.add_table(rows=3, cols=5)
            setup_table(tbl, L["t4_widths"], L["mar"])
            put(merge(tbl, 0, 0, 0, 4), g, size)
            for c, lab in enumerate(T4_COLS):
                put(tbl.cell(1, c), lab, size)
                put(tbl.cell(2, c), fmt_num(t4[gi][c]), nsize, align=nalign)
            for rr in range(3):
                row_props(tbl.rows[rr], 0.75)
            keep_together(tbl)
            tables.append(tbl)
        return tables
    tbl = doc.add_table(rows=4, cols=15)
    setup_table(tbl, L["t4_widths"], L["mar"])
    put(merge(tbl, 0, 0, 0, 4), "行政复议", size, align="left")
    put(merge(tbl, 0, 5, 0, 14), "行政诉讼", size, align="left")
    put(merge(tbl, 1, 5, 1, 9), "未经复议直接起诉", size, align="left")
    put(merge(tbl, 1, 10, 1, 14), "复议后起诉", size, align="left")
    for c, lab in enumerate(T4_COLS):
        put(merge(tbl, 1, c, 2, c), lab, size)
        put(tbl.cell(2, 5 + c), lab, size)
        put(tbl.cell(2, 10 + c), lab, size)
    for gi in range(3):
        for c in range(5):
            put(tbl.cell(3, gi * 5 + c), fmt_num(t4[gi][c]), nsize, align=nalign)
    for rr, h in enumerate((0.75, 0.75, 1.2, 1.0)):
        row_props(tbl.rows[rr], h)
    keep_together(tbl)
    return [tbl]


# --------------------------------------------------------------------------------------
# Narrative
# --------------------------------------------------------------------------------------

def narrative(truth):
    """Texts for the report, their figures taken from the truth."""
    t3 = {r["label"]: r["values"] for r in truth["t3"]}
    new, cin = t3[ROW_NEW][6], t3[ROW_CARRY_IN][6]
    done, cout = t3[ROW_TOTAL][6], t3[ROW_CARRY_OUT][6]
    open_, part = t3["（一）予以公开"][6], t3["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"][6]
    by_group: dict[str, int] = {}
    for r in truth["t3"]:
        if r["kind"] in ("single", "sub"):
            by_group[r["group"]] = by_group.get(r["group"], 0) + r["values"][6]
    nat = t3[ROW_NEW][0]
    legal = new - nat
    fuyi, zhisu, fusu = (g[4] for g in truth["t4"])
    t2 = {rl: v for _, _, rows in truth["t2"] for rl, v in rows}
    year = truth["year"]
    agency = truth["agency"]
    m = re.match(r"^(.+?[省市县区旗])", agency)
    place = m.group(1) if m else agency
    out = {}
    out["intro"] = (
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和"
        + ("《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》"
           "（国办公开办函〔2021〕30号）" if truth["fmt"] == "2021" else
           "《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》"
           "（国办公开办函〔2019〕60号）")
        + f"要求，由{agency}编制。全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        f"政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
        f"本报告所列数据统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"本报告电子版可在{place}人民政府门户网站政府信息公开专栏查阅或下载。"
        f"如对本报告有疑问，请与{agency}办公室联系。")
    out["overall"] = (
        f"{year}年，{agency}深入贯彻落实《条例》和上级关于政务公开工作的部署要求，"
        f"围绕中心工作，坚持以公开为常态、不公开为例外，不断完善政府信息公开工作机制，"
        f"着力提升政务公开质量和实效，现将有关情况报告如下。")
    if truth["fmt"] == "2021":
        gz = t2["行政规范性文件"]
        zd = (f"全年制发行政规范性文件{fmt_num(gz[0])}件、废止{fmt_num(gz[1])}件，"
              f"现行有效行政规范性文件{fmt_num(gz[2])}件，均按规定在门户网站规范性文件栏目集中公开。"
              f"公开行政许可决定{fmt_num(t2['行政许可'][0])}件、行政处罚决定{fmt_num(t2['行政处罚'][0])}件。")
    else:
        gz = t2["规范性文件"]
        zd = (f"全年新制作规范性文件{fmt_num(gz[0])}件、新公开{fmt_num(gz[1])}件，"
              f"对外公开规范性文件总数{fmt_num(gz[2])}件。")
    out["active"] = (
        "坚持把主动公开作为政府信息公开的主渠道，按照主动公开基本目录，"
        "及时公开机构职能、规划计划、财政预决算、重大决策和重点工作进展等信息。" + zd +
        "同步做好政策解读，对涉及群众切身利益的政策文件采用图文解读、问答等形式进行解读。")
    if cout:
        jz = f"结转下年度继续办理{cout}件"
    else:
        jz = "所有申请均已按期办结"
    out["apply"] = (
        f"进一步规范依申请公开受理、登记、审核、答复等环节，严格按照法定时限答复。"
        f"全年共收到政府信息公开申请{new}件（其中自然人申请{nat}件，法人或其他组织申请{legal}件），"
        f"上年结转{cin}件，办结{done}件，{jz}。办结的申请中，予以公开{open_}件，部分公开{part}件，"
        f"不予公开{by_group.get('（三）不予公开', 0)}件，无法提供{by_group.get('（四）无法提供', 0)}件，"
        f"不予处理{by_group.get('（五）不予处理', 0)}件，其他处理{by_group.get('（六）其他处理', 0)}件。"
        + (f"全年发生政府信息公开行政复议{fuyi}件、行政诉讼{zhisu + fusu}件。"
           if fuyi or zhisu or fusu else "全年未发生因政府信息公开引起的行政复议、行政诉讼。"))
    out["manage"] = (
        "严格落实政府信息公开保密审查制度，坚持“先审查、后公开”和“一事一审”原则，"
        "对拟公开的政府信息逐条进行保密审查和敏感信息排查，全年未发生泄密事件。"
        "定期对已公开的政策文件进行清理，及时调整主动公开目录，确保信息准确、完整、有效。")
    out["platform"] = (
        "持续优化门户网站政府信息公开专栏，规范设置栏目，做到信息分类清晰、检索便捷。"
        "加强政务新媒体管理，健全信息发布审核机制，及时回应社会关切。"
        "在办公场所设置政府信息查阅点，为群众查阅政府信息提供便利。")
    out["supervise"] = (
        "将政务公开工作纳入年度目标考核，明确专人负责信息发布和日常维护。"
        "组织开展政府信息公开业务培训2次，参训人员60余人次。"
        "全年未发生因政府信息公开工作被责任追究的情况，未收到有关政府信息公开工作的举报投诉。")
    out["problems"] = [
        ("（一）上年度问题整改情况。",
         "针对上年度报告中提出的部分栏目更新不及时、政策解读形式单一等问题，"
         "建立栏目更新台账，实行周检查、月通报，问题已整改完毕。"),
        ("（二）存在的主要问题。",
         "一是部分领域信息公开的深度和广度还不够；二是政策解读的针对性和可读性有待提升；"
         "三是工作人员业务能力与新形势新要求还有差距。"),
        ("（三）改进措施。",
         "一是拓展公开内容，重点做好重大项目、民生事项等领域的信息公开；"
         "二是丰富解读形式，多用图表、短视频等群众喜闻乐见的方式解读政策；"
         "三是加强业务培训，不断提升政府信息公开工作规范化水平。"),
    ]
    if truth["fmt"] == "2021":
        fee = truth["fee"] or (0, 0)
        if fee[0]:
            fee_txt = (f"本年度按照《政府信息公开信息处理费管理办法》收取信息处理费{fee[0]}件，"
                       f"金额共计{fmt_num(fee[1])}元。")
        else:
            fee_txt = "本年度未收取信息处理费。"
        out["other"] = fee_txt + "本年度无其他需要报告的事项。"
    else:
        out["other"] = "本年度无其他需要报告的事项。"
    out["sign"] = (agency, f"{year + 1}年1月20日")
    return out


# --------------------------------------------------------------------------------------
# Document
# --------------------------------------------------------------------------------------

def build_docx(truth: dict, layout: str, out_path: Path):
    L = LAYOUTS[layout]
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    sec.footer_distance = Cm(2.5)

    normal = doc.styles["Normal"]
    style_font(normal, BODY_FONT, 16)
    npf = normal.paragraph_format
    npf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    npf.line_spacing = Pt(28)
    npf.space_before = npf.space_after = Pt(0)
    npf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    from docx.enum.style import WD_STYLE_TYPE
    ts = doc.styles.add_style("表格文字", WD_STYLE_TYPE.PARAGRAPH)
    ts.base_style = normal
    style_font(ts, TABLE_FONT, L["font"])
    tpf = ts.paragraph_format
    tpf.first_line_indent = Pt(0)
    tpf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    tpf.space_before = tpf.space_after = Pt(0)
    tpf.alignment = WD_ALIGN_PARAGRAPH.LEFT

    # footer
    if L["footer"] == "odd-even":
        doc.settings.odd_and_even_pages_header_footer = True
        fp = sec.footer.paragraphs[0]
        fp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fp.paragraph_format.right_indent = Pt(14)
        add_page_number(fp)
        ep = sec.even_page_footer.paragraphs[0]
        ep.alignment = WD_ALIGN_PARAGRAPH.LEFT
        ep.paragraph_format.left_indent = Pt(14)
        add_page_number(ep)
    elif L["footer"] == "center":
        fp = sec.footer.paragraphs[0]
        fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_page_number(fp)
    for fpar in list(sec.footer.paragraphs) + list(sec.even_page_footer.paragraphs):
        fpar.paragraph_format.first_line_indent = Pt(0)

    n = narrative(truth)
    title = f"{truth['agency']}{truth['year']}年政府信息公开工作年度报告"
    tp = para(doc, title, HEAD_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    tp.paragraph_format.line_spacing = Pt(36)
    tp.paragraph_format.space_after = Pt(16)
    para(doc, n["intro"])

    def heading(text):
        h = para(doc, text, HEAD_FONT, 16)
        h.paragraph_format.keep_with_next = True
        return h

    heading(SECTION_HEADINGS[0])
    para(doc, n["overall"])
    para(doc, n["active"], lead="（一）主动公开。")
    para(doc, n["apply"], lead="（二）依申请公开。")
    para(doc, n["manage"], lead="（三）政府信息管理。")
    para(doc, n["platform"], lead="（四）政府信息公开平台建设。")
    para(doc, n["supervise"], lead="（五）监督保障。")

    heading(SECTION_HEADINGS[1])
    build_table2(doc, truth, L)

    # Table 三 starts on a fresh page: whole on one page in most layouts; in `split` the
    # paragraph below pushes it down so that it must break.
    heading(SECTION_HEADINGS[2]).paragraph_format.page_break_before = True
    if L.get("t3_push_down"):
        # Deterministic position: table 三 starts about a third down a fresh page, so it
        # cannot fit and breaks onto the next page.
        para(doc, "本年度依申请公开工作情况统计如下。申请人情况按自然人和法人或其他组织分列，"
                  "法人或其他组织细分为商业企业、科研机构、社会公益组织、法律服务机构和其他；"
                  "办理结果按予以公开、部分公开、不予公开、无法提供、不予处理和其他处理分类统计，"
                  "每件申请只计一种办理结果。上年结转的申请在本年度办结的，计入本年度办理结果；"
                  "本年度收到但在统计期限截止时尚未办结的申请，计入结转下年度继续办理。")
    build_table3(doc, truth, L)

    heading(SECTION_HEADINGS[3])
    build_table4(doc, truth, L)

    heading(SECTION_HEADINGS[4])
    for lead, text in n["problems"]:
        para(doc, text, lead=lead)
    heading(SECTION_HEADINGS[5])
    para(doc, n["other"])
    para(doc, "")
    for line in n["sign"]:
        p = para(doc, line, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        p.paragraph_format.right_indent = Pt(32)

    doc.core_properties.title = title
    doc.core_properties.author = truth["agency"]
    doc.save(str(out_path))
    return out_path


# --------------------------------------------------------------------------------------
# PDF conversion
# --------------------------------------------------------------------------------------

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
""" + "".join(
    f'  <alias binding="same"><family>{name}</family><prefer><family>{face}</family>'
    f'</prefer></alias>\n'
    for name, face in (("仿宋", "Noto Serif CJK SC"), ("仿宋_GB2312", "Noto Serif CJK SC"),
                       ("宋体", "Noto Serif CJK SC"), ("楷体", "Noto Serif CJK SC"),
                       ("黑体", "Noto Sans CJK SC"))) + "</fontconfig>\n"


def find_soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx_paths: list[Path], out_dir: Path, timeout=600) -> list[Path]:
    exe = find_soffice()
    if not exe:
        raise SystemExit(2)
    # A private LibreOffice profile per process, so concurrent runs do not collide.
    profile = Path(tempfile.gettempdir()) / f"lo-{os.getpid()}"
    # Map the Windows font names used in the document to the Noto CJK faces, as Word's
    # 仿宋 (serif) / 黑体 (sans) would print; without this LibreOffice falls back to one
    # sans face for everything.  Only this soffice process sees the mapping.
    fonts_conf = Path(tempfile.gettempdir()) / f"lo-{os.getpid()}-fonts.conf"
    fonts_conf.write_text(FONTS_CONF, encoding="utf-8")
    env = dict(os.environ, FONTCONFIG_FILE=str(fonts_conf))
    cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless",
           "--convert-to", "pdf", "--outdir", str(out_dir)] + [str(p) for p in docx_paths]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        print(f"make_layouts.py: soffice timed out after {timeout}s: {' '.join(cmd)}",
              file=sys.stderr)
        sys.exit(4)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        fonts_conf.unlink(missing_ok=True)
    pdfs = [out_dir / (p.stem + ".pdf") for p in docx_paths]
    missing = [p for p in pdfs if not p.exists()]
    if proc.returncode != 0 or missing:
        print(f"make_layouts.py: soffice failed (rc={proc.returncode}); command: {' '.join(cmd)}\n"
              f"stdout: {proc.stdout}\nstderr: {proc.stderr}", file=sys.stderr)
        sys.exit(4)
    return pdfs


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Write a realistic annual-report .docx/.pdf from a figures YAML.")
    ap.add_argument("truth", nargs="?", type=Path, help="figures YAML (the ground truth)")
    ap.add_argument("--layout", choices=sorted(LAYOUTS), action="append",
                    help="layout name (repeatable)")
    ap.add_argument("--all", action="store_true",
                    help="every layout that fits the truth's table format")
    ap.add_argument("-o", "--out-dir", type=Path, default=Path("."))
    ap.add_argument("--docx-only", action="store_true", help="skip the PDF conversion")
    ap.add_argument("--allow-inconsistent", action="store_true",
                    help="render truth whose figures break an identity (for checker tests)")
    ap.add_argument("--list", action="store_true", help="list the layouts and exit")
    a = ap.parse_args(argv)

    if a.list:
        for name, L in LAYOUTS.items():
            print(f"{name:11s} {L['doc']}")
        return 0
    if a.truth is None or not (a.layout or a.all):
        ap.error("give TRUTH.yaml and --layout NAME or --all")
    if not a.docx_only and not find_soffice():
        print("make_layouts.py: error: 'soffice' (LibreOffice) not found on PATH; install it "
              "(Debian: apt-get install -y libreoffice-writer-nogui fonts-noto-cjk) or pass "
              "--docx-only", file=sys.stderr)
        return 2
    try:
        truth = load_truth(a.truth)
    except TruthError as exc:
        print(f"make_layouts.py: error: {exc}", file=sys.stderr)
        return 3
    if truth["problems"]:
        for p in truth["problems"]:
            print(f"make_layouts.py: {'warning' if a.allow_inconsistent else 'error'}: {p}",
                  file=sys.stderr)
        if not a.allow_inconsistent:
            return 3

    if a.all:
        layouts = [n for n, L in LAYOUTS.items()
                   if L.get("require_format", truth["fmt"]) == truth["fmt"]]
    else:
        layouts = a.layout
        for n in layouts:
            need = LAYOUTS[n].get("require_format")
            if need and need != truth["fmt"]:
                print(f"make_layouts.py: error: layout {n} needs a {need}-format truth; "
                      f"{a.truth} is {truth['fmt']}-format", file=sys.stderr)
                return 2
    a.out_dir.mkdir(parents=True, exist_ok=True)
    docs = []
    for n in layouts:
        p = a.out_dir / f"{a.truth.stem}-{n}.docx"
        build_docx(truth, n, p)
        docs.append(p)
        print(p)
    if not a.docx_only:
        for p in to_pdf(docs, a.out_dir):
            print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
