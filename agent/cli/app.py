"""The `report-agent` Typer app, its consoles and the error boundary every command uses.

Imports none of the command modules: they import this one and register on `app`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from agent import __version__
from agent.errors import explain

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
    """The error boundary of every command: any exception becomes one sentence in Chinese naming
    the file (and line, cell or byte where known) and an exit code — 2 for unreadable input, an
    unusable output path or bad settings, 3 for a fault of the program — never a traceback.
    ``REPORT_AGENT_DEBUG=1`` prints the traceback as well."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException):  # typer's own exits and usage errors
            raise
        except KeyboardInterrupt:
            err.print("已中断。")
            raise typer.Exit(130) from None
        except Exception as exc:
            raise typer.Exit(report_failure(exc)) from None

    wrapper.__friendly__ = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def warn(console: Console, label: str, text: str) -> None:
    """``label`` in yellow, then ``text`` as it is (user text never goes through rich markup)."""
    console.print(f"[yellow]{label}[/yellow] ", end="", markup=True)
    console.print(text, markup=False, highlight=False)


def report_failure(exc: BaseException) -> int:
    """Print the one-sentence explanation of ``exc`` (and, when debugging, the traceback)."""
    message, code = explain(exc)
    if os.environ.get("REPORT_AGENT_DEBUG", "").strip() not in ("", "0"):
        import traceback

        err.print("".join(traceback.format_exception(exc)), markup=False, highlight=False)
    err.print("[red]错误[/red] ", end="", markup=True)
    err.print(message, markup=False, highlight=False)
    return code


def run_app() -> int:
    """Run the app as the ``report-agent`` script does, with command-line usage errors (an unknown
    option, a missing argument, a value of the wrong type) explained in Chinese."""
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        err.print("已中断。")
        return 130
    except typer.TyperException as exc:  # click's usage errors, as vendored by typer
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()  # type: ignore[attr-defined]
            return 0
        err.print("[red]错误[/red] ", end="", markup=True)
        err.print(usage_message(exc), markup=False, highlight=False)
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            err.print(f"运行 {ctx.command_path} --help 查看用法。", markup=False, highlight=False)
        return int(getattr(exc, "exit_code", 2))
    except KeyboardInterrupt:
        err.print("已中断。")
        return 130
    return code if isinstance(code, int) else 0


def usage_message(exc: Exception) -> str:
    """A click usage error in Chinese (the original words kept where no translation fits)."""
    import re

    kind = type(exc).__name__
    text = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    hint = getattr(exc, "param_hint", None)
    param = getattr(exc, "param", None)
    name = hint if isinstance(hint, str) else "/".join(hint) if hint else getattr(param, "opts", [None])[0]
    name = name or (getattr(param, "name", None) or "参数")
    if kind == "NoSuchOption":
        close = getattr(exc, "possibilities", None) or []
        return f"没有选项 {exc.option_name}" + (f"，是否应为 {'、'.join(close)}？" if close else "")  # type: ignore[attr-defined]
    if kind == "MissingParameter":
        return f"缺少 {name}"
    if kind == "BadParameter":
        low = text.lower()
        if m := re.search(r"(greater|less) than or equal to (-?[\d.]+)", low):
            return f"{name} 的值应{'不小于' if m.group(1) == 'greater' else '不大于'} {m.group(2)}"
        if "integer" in low:
            return f"{name} 的值无效，应为整数（如 2024）"
        if "float" in low or "number" in low:
            return f"{name} 的值无效，应为数字"
        return f"{name} 的值无效（{text}）"
    if m := re.match(r"No such command '(.+?)'\.(?: Did you mean '(.+?)'\?)?", text):
        return f"没有命令“{m.group(1)}”" + (f"，是否应为“{m.group(2)}”？" if m.group(2) else "")
    if m := re.match(r"Option '(.+?)' requires an argument", text):
        return f"选项 {m.group(1)} 后面需要给出一个值"
    return f"命令行用法错误：{text}"


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
