"""A notice’s requirements for people and scripts: text, JSON and an xlsx sheet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.workpoints.requirements import Notice, Obligation, Requirement

# --------------------------------------------------------------------------- renderings


def requirement_dict(req: Requirement) -> dict[str, object]:
    data = req.model_dump()
    data["obligations"] = [_obligation_dict(o) for o in req.obligations]
    return data


def _obligation_dict(o: Obligation) -> dict[str, object]:
    data: dict[str, object] = {k: v for k, v in o.model_dump().items() if v is not None}
    if o.number is not None and float(o.number).is_integer():
        data["number"] = int(o.number)
    data["requirement"] = o.describe()
    return data


def requirements_to_json(notice: Notice) -> str:
    """A JSON list of the items: id, parent, title, text, line, numbered, obligations[…]."""
    return json.dumps([requirement_dict(r) for r in notice.requirements], ensure_ascii=False, indent=2)


_KIND_CN = {"deadline": "期限", "quantity": "数量", "action": "行动"}


def requirements_text(notice: Notice) -> str:
    """Plain lines for people: header, warnings, then each item and its obligations."""
    out = [f"工作要点：{notice.title or '（未识别标题）'}"]
    out.append(
        f"机关：{notice.agency or '未识别'}　年度：{notice.year or '未识别'}　共 {len(notice.requirements)} 项"
    )
    for w in notice.warnings:
        out.append(f"注意：{w}")
    parent = None
    for r in notice.requirements:
        if r.parent and r.parent != parent:
            out.append("")
            out.append(r.parent)
        parent = r.parent
        mark = "" if r.numbered else "（编号为推定）"
        out.append(f"  {r.id} {r.title}{mark}　第{r.line}行")
        for o in r.obligations:
            out.append(f"      · [{_KIND_CN[o.kind]}] {o.text}（{o.describe()}）")
    return "\n".join(out) + "\n"


def write_requirements_xlsx(notice: Notice, path: Path) -> None:
    """One row per obligation (a requirement without obligations gets one row); atomic write."""
    from openpyxl import Workbook

    from agent.fsutil import write_with

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "工作要点"
    header = ["编号", "上级标题", "事项", "可核查的要求", "类型", "期限", "数量", "周期", "行号"]
    ws.append(header)
    for r in notice.requirements:
        rows: list[Obligation | None] = list(r.obligations) or [None]
        for o in rows:
            ws.append(
                safe_row(
                    [
                        r.id + ("" if r.numbered else "（推定）"),
                        r.parent,
                        r.title,
                        o.text if o else "",
                        _KIND_CN[o.kind] if o else "",
                        (o.deadline or "") if o else "",
                        (f"{o.describe()}" if o and o.number is not None else ""),
                        (o.period or "") if o else "",
                        o.line if o else r.line,
                    ]
                )
            )
    style_sheet(ws, [10, 28, 30, 48, 8, 12, 14, 10, 8])
    if notice.warnings:
        wsw = wb.create_sheet("提示")
        wsw.append(["编号问题"])
        for w in notice.warnings:
            wsw.append(safe_row([w]))
        style_sheet(wsw, [80])
    write_with(Path(path), lambda tmp: wb.save(str(tmp)))


def safe_row(values: list[Any]) -> list[Any]:
    """Cell values without the control characters openpyxl refuses (text from the user's files)."""
    from agent.textfile import xml_safe

    return [xml_safe(v) if isinstance(v, str) else v for v in values]


def style_sheet(ws: Any, widths: list[int]) -> None:
    """Bold, frozen header row; column widths; wrapped, top-aligned cells (openpyxl worksheet)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = wrap
    ws.freeze_panes = "A2"
