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
