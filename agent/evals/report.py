"""Eval results for people: a terminal table and a self-contained HTML page."""

from __future__ import annotations

import html
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agent.evals.cases import AssertionResult, CaseResult
from agent.fsutil import write_text

_STATUS = {
    "passed": ("通过", "green"),
    "failed": ("未通过", "red"),
    "skipped": ("跳过", "yellow"),
    "error": ("出错", "red"),
}


def _delta(a: AssertionResult) -> str:
    if a.baseline is None:
        return "—"
    d = a.score - a.baseline
    mark = "（退步）" if a.regressed else ""
    return f"{d:+.3f}{mark}" if d else f"±0{mark}"


def print_results(console: Console, results: list[CaseResult]) -> None:
    table = Table(title="评测结果", show_lines=False)
    for col in ("用例", "断言", "结果", "得分", "与基线相比", "说明"):
        table.add_column(col, overflow="fold")
    for r in results:
        label, color = _STATUS[r.status]
        if not r.assertions:
            table.add_row(r.case, "—", f"[{color}]{label}[/{color}]", "", "", r.error.split("\n")[0][:120])
            continue
        for i, a in enumerate(r.assertions):
            ok = a.passed and not a.regressed
            mark = "[green]✓[/green]" if ok else "[red]✗[/red]"
            table.add_row(r.case if i == 0 else "", a.id, mark, f"{a.score:g}", _delta(a), a.detail[:120])
    console.print(table)
    counts = {s: sum(1 for r in results if r.status == s) for s in _STATUS}
    console.print(
        f"共 {len(results)} 个用例：通过 {counts['passed']}，未通过 {counts['failed']}，"
        f"跳过 {counts['skipped']}，出错 {counts['error']}。"
    )


_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top}
th{background:#f3f3f3}.passed{color:#16803c}.failed,.error{color:#c62828}.skipped{color:#a66b00}
.bad{background:#fdecea}.case{font-weight:bold}pre{white-space:pre-wrap;font-size:12px}
"""


def results_html(results: list[CaseResult], title: str = "report-agent 评测报告") -> str:
    rows = []
    for r in results:
        label, _ = _STATUS[r.status]
        head = f'<tr><td class="case" colspan="5">{html.escape(r.case)}（{r.kind}，{r.mode}，{r.seconds:.1f} 秒）：<span class="{r.status}">{label}</span></td></tr>'
        rows.append(head)
        if r.error:
            rows.append(f'<tr><td colspan="5"><pre>{html.escape(r.error)}</pre></td></tr>')
        for a in r.assertions:
            cls = "" if a.passed and not a.regressed else ' class="bad"'
            rows.append(
                f"<tr{cls}><td>{html.escape(a.id)}</td><td>{'✓' if a.passed and not a.regressed else '✗'}</td>"
                f"<td>{a.score:g}</td><td>{html.escape(_delta(a))}</td><td>{html.escape(a.detail)}</td></tr>"
            )
    passed = sum(1 for r in results if r.ok)
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p>{passed}/{len(results)} 个用例通过。</p><table><tr><th>断言</th><th>结果</th><th>得分</th>"
        f"<th>与基线相比</th><th>说明</th></tr>{''.join(rows)}</table></body></html>\n"
    )


def write_html(path: Path, results: list[CaseResult]) -> None:
    write_text(path, results_html(results))
