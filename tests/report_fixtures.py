"""A clean, fully consistent 2021-format report for a made-up agency, to plant defects into."""

from __future__ import annotations

from agent.draft.assemble import report_markdown
from agent.report.model import Figures, InfoFee, Table2, Table3, Table4
from agent.report.tables import complete_figures

AGENCY = "示例县民族宗教事务局"
YEAR = 2024


def clean_figures(fmt: str = "2021") -> Figures:
    t2 = Table2.blank(fmt, 0)  # type: ignore[arg-type]
    if fmt == "2021":
        t2.set("art20_1", "normative", "issued", 2)
        t2.set("art20_1", "normative", "repealed", 1)
        t2.set("art20_1", "normative", "in_force", 9)
        t2.set("art20_5", "licensing", "decisions", 12)
    t3 = Table3.blank(fmt, 0)  # type: ignore[arg-type]
    for row, col, value in (
        ("new", "natural", 5),
        ("new", "business", 1),
        ("carried", "natural", 1),
        ("granted", "natural", 3),
        ("partial", "business", 1),
        ("unable_not_held", "natural", 1),
        ("refused_repeat", "natural", 1),
        ("carry_next", "natural", 1),
    ):
        t3.set(row, col, value)
    for r in t3.cells:
        t3.set(r, "total", None)
    for c in t3.cells["result_total"]:
        t3.set("result_total", c, None)
    t4 = Table4.blank(0)
    t4.set("review", "upheld", 1)
    for g in t4.cells:
        t4.set(g, "total", None)
    fig = Figures(agency=AGENCY, year=YEAR, format=fmt, table2=t2, table3=t3, table4=t4, info_fee=InfoFee())  # type: ignore[arg-type]
    complete_figures(fig)
    return fig


NARRATIVES = {
    "overview": (
        "2024年，示例县民族宗教事务局认真贯彻《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
        "持续提升政府信息公开质量和实效。\n\n"
        "（一）主动公开\n\n"
        "全年在门户网站主动公开政府信息，一是及时发布机构职能、领导分工等基础信息；二是做好行政规范性文件的动态更新；"
        "三是围绕民族团结进步创建加强政策解读。\n\n"
        "（二）依申请公开\n\n"
        "全年共收到政府信息公开申请6件，上年结转政府信息公开申请1件，办结申请6件，结转下年度继续办理1件。"
        "全年发生政府信息公开行政复议1件、行政诉讼0件。\n\n"
        "（三）政府信息管理\n\n"
        "严格执行公开前保密审查制度，做到先审查、后公开。\n\n"
        "（四）政府信息公开平台建设\n\n"
        "加强门户网站政府信息公开专栏建设，及时更新栏目内容。\n\n"
        "（五）监督保障\n\n"
        "将政府信息公开工作纳入年度目标考核，开展业务培训。"
    ),
    "problems": (
        "2024年，本局政府信息公开工作仍存在一些不足：一是政策解读形式不够丰富；二是信息更新的及时性有待提高。"
        "针对上年度存在的问题，本局已完善信息发布审核流程。下一步将加强培训，提升工作水平。"
    ),
    "other": "本年度未收取信息处理费。本年度无其他需要报告的事项。",
}


def clean_report_text(
    fig: Figures | None = None, narratives: dict[str, str] | None = None, year: int = YEAR
) -> str:
    fig = fig or clean_figures()
    return report_markdown(fig, narratives or NARRATIVES, agency=AGENCY, year=year)
