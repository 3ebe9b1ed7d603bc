"""`report-agent requirements NOTICE`: a 政务公开工作要点 notice as a list of requirements."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from agent.cli.app import app, err, friendly, out
from agent.errors import InputError

FORMATS = ("text", "json", "xlsx")
_SUFFIX_FORMAT = {".xlsx": "xlsx", ".json": "json", ".txt": "text", ".md": "text", "": "text"}
_SUFFIX_HINT = {
    ".doc": "不能生成 Word 文件，请用 .xlsx（表格，可在 Word 中粘贴）或 .txt",
    ".docx": "不能生成 Word 文件，请用 .xlsx（表格，可在 Word 中粘贴）或 .txt",
    ".xls": "请用 .xlsx（新版 Excel 格式）",
    ".et": "请用 .xlsx（WPS 表格也能打开）",
    ".csv": "请用 .xlsx 或 .json",
}


def _choose_format(fmt: str | None, output: Path | None) -> str:
    """The --format given, else the one the output file's suffix implies, else text. A suffix that
    does not fit (``-o 清单.doc``) is refused with a suggestion, never written as something else."""
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"--format 只能是 text、json 或 xlsx，而不是“{fmt}”")
    if output is None:
        if fmt == "xlsx":
            raise InputError("xlsx 格式需要用 -o 指定输出文件，例如：-o 工作要点清单.xlsx")
        return fmt or "text"
    suffix = output.suffix.lower()
    implied = _SUFFIX_FORMAT.get(suffix)
    if implied is None:
        hint = _SUFFIX_HINT.get(suffix, "请用 .xlsx、.json、.txt 或 .md")
        raise InputError(f"不支持的输出文件类型“{output.suffix}”：{hint}", path=str(output))
    chosen = fmt or implied
    if chosen != implied:
        want = {"xlsx": ".xlsx", "json": ".json", "text": ".txt 或 .md"}[chosen]
        raise InputError(f"{chosen} 格式的输出文件名应以 {want} 结尾", path=str(output))
    return chosen


@app.command("requirements")
@friendly
def requirements_cmd(
    notice: Annotated[Path, typer.Argument(help="政务公开工作要点文件（.txt .md .docx .html .pdf）。")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="输出格式：text、json 或 xlsx（默认按 -o 的扩展名，否则 text）。"
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="输出文件；不指定时显示在屏幕上（xlsx 必须指定）。")
    ] = None,
) -> None:
    """把政务公开工作要点拆成逐条任务清单，列出每条的期限、数量等可核查要求。

    编号缺失、跳号（如从“（二）”直接到“（四）”）时照原样保留编号，并给出提示。
    """
    from agent.fsutil import check_output_file, write_text
    from agent.workpoints.requirements import read_notice
    from agent.workpoints.requirements_output import (
        requirements_text,
        requirements_to_json,
        write_requirements_xlsx,
    )

    chosen = _choose_format(fmt, output)
    if output is not None:
        check_output_file(output, example="工作要点清单.xlsx")
    parsed = read_notice(notice)
    if chosen == "xlsx" and output is not None:
        write_requirements_xlsx(parsed, output)
    elif output is not None:
        body = requirements_to_json(parsed) + "\n" if chosen == "json" else requirements_text(parsed)
        write_text(output, body)
    elif chosen == "json":
        sys.stdout.write(requirements_to_json(parsed) + "\n")
    else:
        out.print(requirements_text(parsed), markup=False, end="")
        return
    for w in parsed.warnings:
        err.print(f"注意：{notice}: {w}", markup=False)
    if output is not None:
        out.print(f"已生成 {output}（{len(parsed.requirements)} 项）", markup=False)
