"""`report-agent requirements NOTICE`: a 政务公开工作要点 notice as a list of requirements."""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from agent.cli.app import app, err, friendly, out
from agent.errors import InputError

FORMATS = ("text", "json", "xlsx")
_OS_ERRORS = {
    errno.ENOENT: "所在文件夹不存在或无法创建",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "磁盘只读",
    errno.ENOSPC: "磁盘空间不足",
    errno.EISDIR: "这是一个文件夹，请给出文件名",
}
_SUFFIX_FORMAT = {".xlsx": "xlsx", ".json": "json"}


def _choose_format(fmt: str | None, output: Path | None) -> str:
    """The --format given, else the one the output file's suffix implies, else text."""
    if fmt is None:
        return _SUFFIX_FORMAT.get(output.suffix.lower(), "text") if output else "text"
    if fmt not in FORMATS:
        raise InputError(f"--format 只能是 text、json 或 xlsx，而不是“{fmt}”")
    if fmt == "xlsx" and output is None:
        raise InputError("xlsx 格式需要用 -o 指定输出文件，例如：-o 工作要点清单.xlsx")
    if fmt == "xlsx" and output is not None and output.suffix.lower() != ".xlsx":
        raise InputError("xlsx 格式的输出文件名应以 .xlsx 结尾", path=str(output))
    return fmt


def _write(output: Path, action: str, writer: Callable[[], None]) -> None:
    """Run ``writer()``; a file that cannot be written becomes an InputError naming it."""
    try:
        writer()
    except OSError as exc:
        reason = _OS_ERRORS.get(exc.errno or 0, exc.strerror or str(exc))
        raise InputError(f"无法写入{action}：{reason}", path=str(output)) from exc


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
    from agent.fsutil import write_text
    from agent.workpoints.requirements import read_notice
    from agent.workpoints.requirements_output import (
        requirements_text,
        requirements_to_json,
        write_requirements_xlsx,
    )

    chosen = _choose_format(fmt, output)
    parsed = read_notice(notice)
    if chosen == "xlsx" and output is not None:
        _write(output, "表格", lambda: write_requirements_xlsx(parsed, output))
    elif output is not None:
        body = requirements_to_json(parsed) + "\n" if chosen == "json" else requirements_text(parsed)
        _write(output, "文件", lambda: write_text(output, body))
    elif chosen == "json":
        sys.stdout.write(requirements_to_json(parsed) + "\n")
    else:
        out.print(requirements_text(parsed), markup=False, end="")
        return
    for w in parsed.warnings:
        err.print(f"注意：{notice}: {w}", markup=False)
    if output is not None:
        out.print(f"已生成 {output}（{len(parsed.requirements)} 项）", markup=False)
