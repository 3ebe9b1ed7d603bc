"""The `report-agent` command: a thin layer over the library functions."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from agent import __version__
from agent.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="report-agent",
    help="政府信息公开工作年度报告助手：起草、检查、制表、检索与问答。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def friendly(func: F) -> F:
    """Turn InputError (and other expected failures) into a clear message and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            err.print(f"[red]错误[/red] {exc}", markup=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("已中断。")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        out.print(f"report-agent {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号并退出。")
    ] = None,
) -> None:
    """政府信息公开工作年度报告助手。"""


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
    from agent.checks import check_report
    from agent.findings_output import findings_json, print_findings
    from agent.report_reader import read_report

    if fmt not in ("text", "json"):
        raise InputError(f"--format 只能是 text 或 json，而不是“{fmt}”")
    doc = read_report(report, agency=agency, year=year)
    prev = read_report(previous) if previous else None
    findings = check_report(doc, previous=prev)
    cov = _coverage(doc, report, against) if against else None
    if fmt == "json":
        data = json.loads(findings_json(doc, findings))
        if cov is not None:
            from agent.coverage import coverage_dict

            data["coverage"] = coverage_dict(cov)
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        print_findings(out, doc, findings)
        if cov is not None:
            from agent.coverage import print_coverage

            out.print()
            print_coverage(out, cov)
    raise typer.Exit(1 if any(f.severity == "error" for f in findings) else 0)


def _coverage(doc: Any, report: Path, against: Path) -> Any:
    from agent.coverage import coverage
    from agent.requirements import read_notice

    return coverage("\n".join(doc.lines), read_notice(against), source=str(report))


# ----------------------------------------------------------------------------- tables


@app.command("tables")
@friendly
def tables_cmd(
    figures: Annotated[Path, typer.Argument(help="统计数据（.yaml .yml .json .xlsx）。")],
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件：.md、.html 或 .docx。")],
) -> None:
    """校验统计数据并按官方格式生成表二至表四。勾稽关系不成立时不写文件，退出码为 1。"""
    from agent.figures import load_figures
    from agent.render_tables import write_tables
    from agent.tables import complete_figures, validate_figures

    fig = load_figures(figures)
    complete_figures(fig)
    problems = validate_figures(fig)
    if problems:
        err.print(f"{figures}: 统计数据有 {len(problems)} 处问题，未生成 {output}：")
        for f in problems:
            err.print(f"  [{f.rule}] {f.location}：{f.message}", markup=False)
        raise typer.Exit(1)
    write_tables(fig, output)
    out.print(f"已生成 {output}")


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
    from agent.figures import write_template

    if fmt not in ("xlsx", "yaml"):
        raise InputError(f"--format 只能是 xlsx 或 yaml，而不是“{fmt}”")
    if output.exists():
        raise InputError("文件已存在，为避免覆盖已填写的数据，请换一个文件名或先删除它", path=str(output))
    write_template(output, kind=fmt, year=year, agency=agency)
    out.print(f"已生成模板 {output}")


# ----------------------------------------------------------------------------- draft


@app.command("draft")
@friendly
def draft_cmd(
    notes: Annotated[Path, typer.Argument(help="要点文件（Markdown，按报告各部分分标题列出要点）。")],
    figures: Annotated[
        Path | None,
        typer.Option("--figures", "-F", help="统计数据（.yaml .json .xlsx），起草年度报告时必需。"),
    ] = None,
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="annual：政府信息公开工作年度报告；implementation：工作要点落实情况的报告。"
        ),
    ] = "annual",
    requirements: Annotated[
        Path | None, typer.Option("--requirements", "-r", help="政务公开工作要点（起草落实情况报告时必需）。")
    ] = None,
    previous: Annotated[
        Path | None, typer.Option("--previous", "-p", help="上一年度的报告（用于结转核对和第五部分）。")
    ] = None,
    out_dir: Annotated[Path, typer.Option("--output", "-o", help="输出目录。")] = Path("draft-out"),
    offline: Annotated[bool, typer.Option("--offline", help="不使用大模型，离线起草。")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="不使用大模型回复缓存。")] = False,
    agency: Annotated[str | None, typer.Option("--agency", help="机关名称（覆盖要点文件中的设置）。")] = None,
    year: Annotated[int | None, typer.Option("--year", help="报告年度（覆盖要点文件中的设置）。")] = None,
    model: Annotated[str | None, typer.Option("--model", help="大模型名称（OpenAI 兼容接口）。")] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="大模型接口地址，如 http://127.0.0.1:8000/v1。")
    ] = None,
) -> None:
    """根据要点和统计数据起草年度报告，或根据工作要点起草落实情况的报告（draft.md、draft.docx 及检查结果）。"""
    from agent.draft import FiguresInvalid, draft_report
    from agent.settings import load_settings

    if kind not in ("annual", "implementation"):
        raise InputError(f"--kind 只能是 annual 或 implementation，而不是“{kind}”")
    if kind == "annual" and figures is None:
        raise InputError("起草年度报告需要统计数据：--figures 文件（可用 report-agent template 生成模板）")
    if kind == "implementation" and requirements is None:
        raise InputError("起草落实情况的报告需要工作要点：--requirements 文件")

    settings = load_settings(model=model, base_url=base_url, cache=False if no_cache else None)
    if not settings.llm_configured or offline:
        reason = (
            "已指定 --offline" if offline else "未配置大模型（OPENAI_BASE_URL / OPENAI_API_KEY 与模型名称）"
        )
        out.print(f"离线模式：{reason}，使用内置起草规则。")
    if kind == "implementation":
        from agent.implementation import draft_implementation

        assert requirements is not None
        impl = draft_implementation(
            notes, requirements, out_dir, settings, agency=agency, year=year, offline=offline
        )
        _print_draft_result(impl)
        return
    assert figures is not None
    try:
        result = draft_report(
            notes,
            figures,
            out_dir,
            settings,
            previous_path=previous,
            agency=agency,
            year=year,
            offline=offline,
        )
    except FiguresInvalid as exc:
        err.print(f"{exc}：", markup=False)
        for f in exc.findings:
            err.print(f"  [{f.rule}] {f.location}：{f.message}", markup=False)
        raise typer.Exit(1) from None
    _print_draft_result(result)


def _print_draft_result(result: Any) -> None:
    mode = "大模型" if result.mode == "llm" else "离线"
    out.print(f"起草完成（{mode}模式，用时 {result.seconds:.1f} 秒）：")
    for path in result.files.values():
        out.print(f"  {path}", markup=False)
    if result.usage:
        out.print(result.usage, markup=False)
    for part in result.fallbacks:
        out.print(f"  [yellow]注意[/yellow] “{part}”大模型调用失败，已改用离线起草。")
    for path in getattr(result, "backups", []):
        out.print(f"  原有草稿已保留为 {path}", markup=False)
    items = [f if isinstance(f, dict) else f.model_dump() for f in result.findings]
    c = {s: sum(1 for f in items if f["severity"] == s) for s in ("error", "warning")}
    out.print(f"自动检查：错误 {c['error']}，警告 {c['warning']}（详见 draft.check.json）。")
    for f in items:
        if f["severity"] == "error":
            where = f"{f['location']}：" if f["location"] else ""
            out.print(f"  [{f['rule']}] {where}{f['message']}", markup=False)


# ----------------------------------------------------------------------------- other command modules
# Each area registers its commands on `app` (keeps this file a thin layer).
# REGISTER-COMMANDS
import agent.cli_ask  # noqa: E402, F401  (ask)
import agent.cli_corpus  # noqa: E402, F401  (ingest, search, eval retrieval)
import agent.cli_requirements  # noqa: E402, F401  (requirements)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    # run the registered app of the importable module, not this __main__ copy
    from agent.cli import main as _main

    _main()
