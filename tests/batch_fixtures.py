"""A batch of generated annual reports: units × consecutive years, consistent figures, planted defects.

Each unit (示例县教育局, 示例县财政局, …) has a 2023 and a 2024 report whose Table 3 carries over
(2023's 结转下年度 = 2024's 上年结转); the narrative of each year is drawn from a phrase pool
without repeating last year's sentences. Some 2024 reports carry one planted defect, and
:func:`generate` returns what the checker must say about each file (used by the tests and by
``bench/review_bench.py``). Formats rotate through .md, .txt, .html and .docx.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from pathlib import Path

from agent.draft.assemble import default_preamble, report_markdown, report_title
from agent.figures.render import table_grids, table_html
from agent.report.labels import SECTIONS, TABLE3_APPLICANT_COLUMNS, TABLE3_RESULT_ROWS
from agent.report.model import Figures, InfoFee, Table2, Table3, Table4
from agent.report.tables import complete_figures

UNITS = (
    "教育局",
    "财政局",
    "民政局",
    "司法局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "应急管理局",
    "审计局",
    "统计局",
    "医疗保障局",
    "市场监督管理局",
    "林业局",
)
PLACE = "示例县"
FORMATS = (".md", ".txt", ".html", ".docx")
POOL = (
    "坚持以公开为常态、不公开为例外，持续提升政府信息公开质量",
    "围绕中心工作，扎实推进重点领域信息公开",
    "及时调整政府信息公开指南和目录，方便群众查阅",
    "严格落实公文公开属性源头认定制度",
    "在门户网站开设政策解读专栏，图文并茂解读重要政策",
    "健全政府信息发布审核机制，做到先审查、后公开",
    "持续做好财政预决算信息公开工作",
    "推进基层政务公开标准化规范化建设",
    "规范依申请公开办理流程，确保在法定期限内答复",
    "加强政务新媒体管理，定期开展内容巡查",
    "组织开展政务公开业务培训，提升工作人员能力",
    "将政务公开工作纳入年度绩效考核",
    "畅通政民互动渠道，及时回应社会关切",
    "做好建议提案办理结果公开",
    "加强政府网站信息内容保障，杜绝空白栏目",
    "完善政府信息公开工作年度报告编制流程",
    "开展政府信息公开工作自查，发现问题及时整改",
    "推动办事服务信息与政策文件关联发布",
    "强化保密审查，全年未发生失泄密事件",
    "探索以短视频等新形式开展政策解读",
    "建立政府信息公开工作联络员制度",
    "对现行有效规范性文件进行集中清理并公开",
    "完善政务公开专区建设，提供现场查阅服务",
    "加强对所属单位政务公开工作的指导",
    "做好重大决策预公开，广泛听取公众意见",
    "及时公开行政执法信息，接受社会监督",
    "规范政府信息公开申请登记、审核、答复全流程",
    "推进政务公开与政务服务融合",
    "健全政策解读与政策文件同步组织、同步审签、同步部署机制",
    "按时完成政府信息公开工作年度报告的编制与发布",
    "持续优化门户网站栏目设置，提升检索便利度",
    "落实政务公开工作责任，明确分管领导和具体经办人员",
)
INTROS = (
    "本单位政府信息公开工作仍存在一些不足",
    "对照新形势新要求，工作中还存在薄弱环节",
    "回顾全年工作，主要问题表现在以下方面",
    "政务公开工作与群众期待相比仍有差距",
)
NEXT_STEPS = (
    "下一步将针对上述问题认真整改，进一步提升工作水平。",
    "今后将加强统筹协调，推动各项工作落到实处。",
    "我们将对标先进地区做法，持续改进工作方式。",
    "将把整改情况纳入年度考核，确保问题按期解决。",
)
PROBLEMS = (
    "政策解读的形式还不够丰富",
    "信息发布的及时性有待提高",
    "基层政务公开的规范化水平仍需提升",
    "政务新媒体的互动回应还不够及时",
    "工作人员的业务能力有待加强",
    "部分栏目内容更新不够及时",
    "公开内容的针对性和实用性还需提高",
    "依申请公开答复文书的规范性有待加强",
)


@dataclass
class Generated:
    path: Path
    agency: str
    year: int
    rules: set[str] = field(default_factory=set)  # the rules that must fire (nothing else may be an error)
    defect: str = ""
    previous: Path | None = None  # the file of the same unit's year before


def random_figures(
    rng: random.Random, agency: str, year: int, carried: dict[str, int], in_force: int | None = None
) -> Figures:
    """Consistent figures; ``carried`` is last year's 结转下年度, ``in_force`` last year's 现行有效件数."""
    t2 = Table2.blank("2021", 0)
    issued, repealed = rng.randint(0, 5), rng.randint(0, 2)
    t2.set("art20_1", "normative", "issued", issued)
    t2.set("art20_1", "normative", "repealed", repealed)
    before = rng.randint(5, 40) if in_force is None else in_force
    t2.set("art20_1", "normative", "in_force", before + issued - repealed)
    t2.set("art20_5", "licensing", "decisions", rng.randint(0, 300))
    t2.set("art20_6", "penalty", "decisions", rng.randint(0, 30))
    t3 = Table3.blank("2021", 0)
    results = [k for k in TABLE3_RESULT_ROWS["2021"]]
    for c in TABLE3_APPLICANT_COLUMNS:
        new = rng.randint(0, 9) if c == "natural" else rng.choice((0, 0, 0, 1, 2))
        have = new + carried.get(c, 0)
        nxt = rng.randint(0, min(1, have))
        t3.set("new", c, new)
        t3.set("carried", c, carried.get(c, 0))
        t3.set("carry_next", c, nxt)
        for _ in range(have - nxt):
            row = rng.choice(results[:4] + ["unable_not_held", "refused_repeat"])
            t3.set(row, c, int(t3.get(row, c) or 0) + 1)
    for r in t3.cells:
        t3.set(r, "total", None)
    for c in t3.cells["result_total"]:
        t3.set("result_total", c, None)
    t4 = Table4.blank(0)
    t4.set("review", "upheld", rng.randint(0, 2))
    for g in t4.cells:
        t4.set(g, "total", None)
    fig = Figures(
        agency=agency, year=year, format="2021", table2=t2, table3=t3, table4=t4, info_fee=InfoFee()
    )
    complete_figures(fig)
    return fig


def _n(fig: Figures, row: str) -> int:
    return int(fig.table3.get(row, "total") or 0)


def narratives(fig: Figures, rng: random.Random, avoid: set[str]) -> tuple[dict[str, str], set[str]]:
    """The narrative of one report (its sentences differ from ``avoid``, last year's)."""
    pool = [s for s in POOL if s not in avoid]
    picks = rng.sample(pool, 6)
    probs = rng.sample([p for p in PROBLEMS if p not in avoid], 2)
    intro = rng.choice([x for x in INTROS if x not in avoid])
    step = rng.choice([x for x in NEXT_STEPS if x not in avoid])
    review = int(fig.table4.get("review", "total") or 0)
    overview = (
        f"{fig.year}年，{fig.agency}认真贯彻落实《中华人民共和国政府信息公开条例》，{picks[0]}，{picks[1]}。\n\n"
        f"（一）主动公开\n\n本年度{picks[2]}，{picks[3]}。\n\n"
        f"（二）依申请公开\n\n全年共收到政府信息公开申请{_n(fig, 'new')}件，上年结转政府信息公开申请{_n(fig, 'carried')}件，"
        f"办结申请{_n(fig, 'result_total')}件，结转下年度继续办理{_n(fig, 'carry_next')}件。"
        f"全年发生政府信息公开行政复议{review}件、行政诉讼0件。\n\n"
        f"（三）政府信息管理\n\n{picks[4]}。\n\n"
        f"（四）政府信息公开平台建设\n\n{picks[5]}。"
    )
    problems = f"{fig.year}年，{intro}：一是{probs[0]}；二是{probs[1]}。{step}"
    other = "本年度未收取信息处理费。本年度无其他需要报告的事项。"
    return {"overview": overview, "problems": problems, "other": other}, {*picks, *probs, intro, step}


def _html(fig: Figures, texts: dict[str, str]) -> str:
    assert fig.agency and fig.year
    body = [
        f"<h1>{html.escape(report_title(fig.agency, fig.year))}</h1>",
        f"<p>{default_preamble(fig.year)}</p>",
    ]
    grids = {g.section.key: g for g in table_grids("2021")}
    for s in SECTIONS:
        body.append(f"<h2>{s.heading}</h2>")
        if s.key in grids:
            body.append(table_html(grids[s.key], fig))
        else:
            body += [f"<p>{html.escape(p)}</p>" for p in texts[s.key].split("\n\n")]
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>'
        + "\n".join(body)
        + "</body></html>"
    )


def _docx(path: Path, fig: Figures, texts: dict[str, str]) -> None:
    from agent.draft.compose_offline import Paragraph
    from agent.draft.docx_report import write_report_docx
    from agent.settings import load_settings

    assert fig.agency and fig.year
    paragraphs = {
        k: [Paragraph(k, None, p, heading=p.startswith("（") and len(p) < 20) for p in v.split("\n\n")]
        for k, v in texts.items()
    }
    write_report_docx(
        path,
        title=report_title(fig.agency, fig.year),
        preamble=default_preamble(fig.year),
        paragraphs=paragraphs,
        figures=fig,
        settings=load_settings(),
    )


def write_report(path: Path, fig: Figures, texts: dict[str, str]) -> None:
    assert fig.agency and fig.year
    if path.suffix == ".docx":
        _docx(path, fig, texts)
    elif path.suffix == ".html":
        path.write_text(_html(fig, texts), encoding="utf-8")
    else:
        path.write_text(report_markdown(fig, texts, agency=fig.agency, year=fig.year), encoding="utf-8")


DEFECTS = ("t3_total", "carry", "copy", "placeholder", "narrative")


def generate(folder: Path, units: int = 20, seed: int = 15, defects: int = 8) -> list[Generated]:
    """``units`` × (2023, 2024) reports in ``folder``; the first ``defects`` 2024 reports carry one defect each."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Generated] = []
    for i, unit in enumerate(UNITS[:units]):
        agency = PLACE + unit
        fig23 = random_figures(rng, agency, 2023, {"natural": rng.randint(0, 2)})
        texts23, used = narratives(fig23, rng, set())
        carried = {c: int(fig23.table3.get("carry_next", c) or 0) for c in TABLE3_APPLICANT_COLUMNS}
        defect = DEFECTS[i % len(DEFECTS)] if i < defects else ""
        if defect == "carry":
            carried["natural"] += 1
        fig24 = random_figures(
            rng, agency, 2024, carried, int(fig23.table2.get("art20_1", "normative", "in_force") or 0)
        )
        texts24, _ = narratives(fig24, rng, used)
        rules: set[str] = set()
        if defect == "copy":
            texts24 = {k: v.replace("2023年", "2024年") for k, v in texts23.items()}
            texts24["overview"] = (
                narratives(fig24, random.Random(0), set())[0]["overview"].split("（一）")[0]
                + "（一）"
                + texts23["overview"].split("（一）", 1)[1]
            )
            rules = {"NARRATIVE-COPY", "NARRATIVE-TABLE"}
        elif defect == "carry":
            rules = {"X-CARRY"}
        elif defect == "t3_total":
            fig24.table3.set("new", "total", int(fig24.table3.get("new", "total") or 0) + 2)
            rules = {"T3-ROW", "T3-BALANCE", "NARRATIVE-TABLE"}
        elif defect == "placeholder":
            texts24["problems"] = texts24["problems"].replace("一是", "一是【待补充】")
            rules = {"PLACEHOLDER"}
        elif defect == "narrative":
            n = _n(fig24, "new") + _n(fig24, "carried") + 5  # neither 新收 nor 新收 + 结转
            texts24["overview"] = texts24["overview"].replace(
                f"收到政府信息公开申请{_n(fig24, 'new')}件", f"收到政府信息公开申请{n}件"
            )
            rules = {"NARRATIVE-TABLE"}
        suffix23, suffix24 = FORMATS[(2 * i) % 4], FORMATS[(2 * i + 1) % 4]
        p23 = folder / f"{i + 1:02d}-{agency}-2023{suffix23}"
        p24 = folder / f"{i + 1:02d}-{agency}-2024{suffix24}"
        write_report(p23, fig23, texts23)
        write_report(p24, fig24, texts24)
        out.append(Generated(p23, agency, 2023))
        out.append(Generated(p24, agency, 2024, rules, defect, previous=p23))
    return out
