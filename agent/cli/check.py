"""`report-agent check`, `report-agent tables` and `report-agent template`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.cli.app import app, err, friendly, out, warn
from agent.errors import InputError

# ----------------------------------------------------------------------------- check


@app.command("check")
@friendly
def check_cmd(
    report: Annotated[Path, typer.Argument(help="要检查的报告（.txt .md .docx .html .pdf）。")],
    previous: Annotated[
        Path | None, typer.Option("--previous", "-p", help="同一机关上一年度的报告，用于跨年度核对。")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="输出格式：text 或 json。")] = "text",
    agency: Annotated[str | None, typer.Option("--agency", help="机关名称（标题缺失时使用）。")] = None,
    year: Annotated[int | None, typer.Option("--year", help="报告年度（标题缺失时使用）。")] = None,
    against: Annotated[
        Path | None, typer.Option("--against", help="政务公开工作要点：逐条核对报告是否落实（覆盖矩阵）。")
    ] = None,
) -> None:
    """按规定格式和勾稽关系检查一份年度报告。有错误时退出码为 1，无法读取时为 2。"""
    from agent.report.checks import check_report
    from agent.report.findings_output import findings_json, print_findings
    from agent.report.reader import read_report

    if fmt not in ("text", "json"):
        raise InputError(f"--format 只能是 text 或 json，而不是“{fmt}”")
    doc = read_report(report, agency=agency, year=year)
    prev = read_report(previous) if previous else None
    findings = check_report(doc, previous=prev)
    if prev is not None:  # as batch review and the web page do: narrative copied from last year
        from agent.review.results import copy_findings

        findings += copy_findings(doc, prev)
    cov = _coverage(doc, report, against) if against else None
    if fmt == "json":
        data = json.loads(findings_json(doc, findings))
        if cov is not None:
            from agent.workpoints.coverage_output import coverage_dict

            data["coverage"] = coverage_dict(cov)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        out.print(f"文件：{report}", markup=False)
        print_findings(out, doc, findings)
        if cov is not None:
            from agent.workpoints.coverage_output import print_coverage

            out.print()
            print_coverage(out, cov)
    raise typer.Exit(1 if any(f.severity == "error" for f in findings) else 0)


def _coverage(doc: Any, report: Path, against: Path) -> Any:
    from agent.workpoints.coverage import coverage
    from agent.workpoints.requirements import read_notice

    return coverage("\n".join(doc.lines), read_notice(against), source=str(report))


# ----------------------------------------------------------------------------- tables


@app.command("tables")
@friendly
def tables_cmd(
    figures: Annotated[Path, typer.Argument(help="统计数据（.yaml .yml .json .xlsx）。")],
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件：.md、.html 或 .docx。")],
) -> None:
    """校验统计数据并按官方格式生成表二至表四。勾稽关系不成立时不写文件，退出码为 1。"""
    from agent.figures.reading import figures_warnings, load_figures
    from agent.figures.render import check_tables_suffix, write_tables
    from agent.fsutil import check_output_file
    from agent.report.tables import complete_figures, validate_figures

    check_output_file(output, example="统计表.docx")
    check_tables_suffix(output)
    fig = load_figures(figures)
    for warning in figures_warnings(fig):
        warn(err, "注意", warning)
    complete_figures(fig)
    problems = validate_figures(fig)
    if problems:
        err.print(f"{figures}: 统计数据有 {len(problems)} 处问题，未生成 {output}：", markup=False)
        for f in problems:
            err.print(f"  [{f.rule}] {f.location}：{f.message}", markup=False)
        raise typer.Exit(1)
    write_tables(fig, output)
    out.print(f"已生成 {output}", markup=False)


@app.command("template")
@friendly
def template_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件路径。")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="模板类型：xlsx 或 yaml。")] = "xlsx",
    year: Annotated[
        int | None, typer.Option("--year", help="报告年度；2020 年及以前使用 2019 版表格。")
    ] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="机关名称，预先填入模板。")] = None,
) -> None:
    """生成空白的统计数据模板（xlsx 只有数字单元格可编辑）。"""
    from agent.figures.templates import TEMPLATE_SUFFIXES, check_template_name, write_template
    from agent.fsutil import check_output_file

    if fmt not in ("xlsx", "yaml"):
        raise InputError(f"--format 只能是 xlsx 或 yaml，而不是“{fmt}”")
    if output.is_file() or output.is_symlink():
        raise InputError("文件已存在，为避免覆盖已填写的数据，请换一个文件名或先删除它", path=str(output))
    check_output_file(output, example=f"统计数据模板{TEMPLATE_SUFFIXES[fmt][0]}")
    check_template_name(output, fmt)
    write_template(output, kind=fmt, year=year, agency=agency)
    out.print(f"已生成模板 {output}", markup=False)
