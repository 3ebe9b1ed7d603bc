"""`report-agent review`: every unit's report checked at once, consecutive years paired, one summary."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from agent.cli.app import app, err, friendly, out
from agent.errors import InputError


@app.command("review")
@friendly
def review_cmd(
    paths: Annotated[
        list[Path], typer.Argument(help="报告文件或文件夹（文件夹中的 .txt .md .docx .html .pdf 都会检查）。")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="汇总文件：summary.xlsx 或 summary.html。")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="屏幕输出：text 或 json。")] = "text",
    workers: Annotated[
        int | None, typer.Option("--workers", "-j", help="并行进程数（默认为 CPU 核数）。")
    ] = None,
) -> None:
    """批量检查各单位的年度报告：同一单位相邻两年的报告自动配对核对结转，并标出照搬上年的正文。

    有报告存在错误时退出码为 1。
    """
    from agent.fsutil import check_output_file
    from agent.review.summary import OUTPUT_SUFFIXES, review_json_text, write_review

    if fmt not in ("text", "json"):
        raise InputError(f"--format 只能是 text 或 json，而不是“{fmt}”")
    if output is not None:  # refused before any report is read: a folder, a wrong suffix, unwritable
        check_output_file(output, OUTPUT_SUFFIXES, example="summary.xlsx")
    if workers is not None and workers < 1:
        raise InputError("--workers 至少为 1")
    review = _run_with_progress(paths, workers)
    if output is not None:
        write_review(review, output)
    if fmt == "json":
        sys.stdout.write(review_json_text(review))
    else:
        _print_review(review)
        if output is not None:
            out.print(f"汇总已写入 {output}", markup=False)
    raise typer.Exit(1 if any(r.data and r.data["summary"]["error"] for r in review.reports) else 0)


def _run_with_progress(paths: list[Path], workers: int | None):  # type: ignore[no-untyped-def]
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from agent.review.batch import review_paths

    with Progress(
        TextColumn("检查报告"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=name)

        return review_paths(paths, workers=workers, progress=progress)


def _print_review(review) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    from agent.review.summary import STATUS_NAMES, summary_row

    table = Table("文件", "机关", "年度", "错误", "警告", "不确定", "跨年度", "规则")
    for col in table.columns:
        col.overflow = "fold"
    for i, r in enumerate(review.reports, 1):
        row = summary_row(i, r)
        if r.data is None:
            table.add_row(r.name, row["说明"], "", "", "", "", "", "")
            continue
        status = STATUS_NAMES.get((r.data.get("cross_year") or {}).get("status", ""), "")
        values = [row[k] for k in ("机关", "年度", "错误", "警告", "不确定单元格")]
        table.add_row(r.name, *map(str, values), status, row["触发的规则"])
    out.print(table)
    bad = sum(1 for r in review.reports if r.data is None)
    errors = sum(1 for r in review.reports if r.data and r.data["summary"]["error"])
    out.print(
        f"共 {len(review.reports)} 份报告：{errors} 份有错误，{bad} 份无法读取；"
        f"用时 {review.seconds:.1f} 秒（{review.per_second:.1f} 份/秒，{review.workers} 个进程）。"
    )
    if review.skipped:
        out.print(f"跳过 {len(review.skipped)} 个不是报告的文件。")
