"""Assemble a whole annual report (markdown) from its narrative and its figures."""

from __future__ import annotations

from agent.figures.render import tables_markdown
from agent.report.labels import REPORT_TITLE_SUFFIX, SECTIONS, STAT_PERIOD_TEMPLATE
from agent.report.model import Figures

NARRATIVE_KEYS = ("overview", "problems", "other")


def report_title(agency: str, year: int) -> str:
    return f"{agency}{year}年{REPORT_TITLE_SUFFIX}"


def default_preamble(year: int) -> str:
    return (
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》"
        f"要求编制。{STAT_PERIOD_TEMPLATE.format(year=year)}"
    )


def report_markdown(
    fig: Figures, narratives: dict[str, str], *, agency: str, year: int, preamble: str | None = None
) -> str:
    """Title, preamble, the six sections in order: narrative for 一、五、六, tables for 二、三、四."""
    tables = tables_markdown(fig, heading_level=2)
    parts = [
        f"# {report_title(agency, year)}",
        "",
        preamble if preamble is not None else default_preamble(year),
        "",
    ]
    for spec in SECTIONS:
        if spec.key == "proactive":
            parts += [tables.rstrip(), ""]
        elif spec.key in NARRATIVE_KEYS:
            parts += [f"## {spec.heading}", "", narratives.get(spec.key, "").strip(), ""]
    return "\n".join(parts).rstrip() + "\n"
