"""The coverage matrix for people and scripts: a terminal table, a dict/JSON and an xlsx sheet."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agent.workpoints.coverage import Coverage
from agent.workpoints.coverage_model import STATUS_CN, ObligationCheck
from agent.workpoints.requirements_output import safe_row, style_sheet

# --------------------------------------------------------------------------- renderings

_STATUS_STYLE = {"addressed": "green", "partly": "yellow", "not_addressed": "red"}


def _snippet(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _obligation_line(c: ObligationCheck, width: int = 40) -> str:
    return f"{c.mark} {_snippet(c.obligation.text, width)}：{c.note}"


def coverage_table(cov: Coverage) -> Table:
    """A rich table: 编号, 事项, 落实情况, 得分, 佐证（行号）, 可核查要求 ✓/✗."""
    counts = cov.counts()
    caption = "　".join(f"{STATUS_CN[s]} {n} 项" for s, n in counts.items())
    table = Table(title=f"对照《{cov.notice_title or '工作要点'}》", caption=caption, show_lines=True)
    for name, kw in (
        ("编号", {"no_wrap": True}),
        ("事项", {"max_width": 24}),
        ("落实情况", {"no_wrap": True}),
        ("得分", {"justify": "right"}),
        ("佐证（行号）", {"max_width": 60}),
        ("可核查要求", {"max_width": 50}),
    ):
        table.add_column(name, **kw)  # type: ignore[arg-type]
    for item in cov.items:
        ev = "\n".join(f"{e.location}：{_snippet(e.text)}" for e in item.evidence) or "—"
        obs = "\n".join(_obligation_line(c, 16) for c in item.obligations) or "—"
        status = f"[{_STATUS_STYLE[item.status]}]{STATUS_CN[item.status]}[/]"
        table.add_row(item.requirement.id, item.requirement.title, status, f"{item.score:.2f}", ev, obs)
    return table


def print_coverage(console: Console, cov: Coverage) -> None:
    """The table, then a one-line summary and the unmet quantities/deadlines spelled out."""
    for w in cov.warnings:
        console.print(f"注意：{w}", markup=False)
    console.print(coverage_table(cov))
    for item in cov.items:
        for c in item.obligations:
            if c.satisfied is False:
                console.print(
                    f"✗ {item.requirement.id}（要点第{c.obligation.line}行）“{c.obligation.text}”：{c.note}"
                    + (f"，见报告{c.evidence.location}" if c.evidence else ""),
                    markup=False,
                )


def coverage_dict(cov: Coverage) -> dict[str, object]:
    items = []
    for i in cov.items:
        items.append(
            {
                "id": i.requirement.id,
                "title": i.requirement.title,
                "line": i.requirement.line,
                "status": i.status,
                "status_cn": STATUS_CN[i.status],
                "score": i.score,
                "title_coverage": i.title_coverage,
                "key_coverage": i.key_coverage,
                "matched_terms": i.matched_terms,
                "missing_terms": i.missing_terms,
                "evidence": [e.model_dump() for e in i.evidence],
                "obligations": [
                    {
                        "text": c.obligation.text,
                        "kind": c.obligation.kind,
                        "requirement": c.obligation.describe(),
                        "evidenced": c.evidenced,
                        "satisfied": c.satisfied,
                        "found": c.found,
                        "note": c.note,
                        "evidence": c.evidence.model_dump() if c.evidence else None,
                    }
                    for c in i.obligations
                ],
            }
        )
    return {
        "notice": {"title": cov.notice_title, "source": cov.notice_source},
        "report": {"source": cov.source},
        "summary": cov.counts(),
        "warnings": cov.warnings,
        "items": items,
    }


def coverage_json(cov: Coverage) -> str:
    return json.dumps(coverage_dict(cov), ensure_ascii=False, indent=2)


def write_coverage_xlsx(cov: Coverage, path: Path) -> None:
    """Sheet 覆盖情况 (one row per requirement) and sheet 可核查要求 (one row per obligation)."""
    from openpyxl import Workbook

    from agent.fsutil import write_with

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "覆盖情况"
    ws.append(["编号", "事项", "落实情况", "得分", "佐证（行号）", "未覆盖的关键词", "可核查要求"])
    for i in cov.items:
        ws.append(
            safe_row(
                [
                    i.requirement.id,
                    i.requirement.title,
                    STATUS_CN[i.status],
                    i.score,
                    "\n".join(f"{e.location}：{e.text}" for e in i.evidence),
                    "、".join(i.missing_terms),
                    "\n".join(_obligation_line(c) for c in i.obligations),
                ]
            )
        )
    style_sheet(ws, [10, 28, 10, 8, 70, 24, 50])
    wo = wb.create_sheet("可核查要求")
    wo.append(
        ["编号", "要求原文", "类型", "要求", "是否体现", "是否达到", "报告所述", "说明", "佐证（行号）"]
    )
    for i in cov.items:
        for c in i.obligations:
            wo.append(
                safe_row(
                    [
                        i.requirement.id,
                        c.obligation.text,
                        {"deadline": "期限", "quantity": "数量", "action": "行动"}[c.obligation.kind],
                        c.obligation.describe(),
                        "是" if c.evidenced else "否",
                        {True: "是", False: "否", None: "无法判断"}[c.satisfied],
                        c.found or "",
                        c.note,
                        f"{c.evidence.location}：{c.evidence.text}" if c.evidence else "",
                    ]
                )
            )
    style_sheet(wo, [10, 40, 8, 16, 10, 10, 12, 36, 60])
    write_with(Path(path), lambda tmp: wb.save(str(tmp)))
