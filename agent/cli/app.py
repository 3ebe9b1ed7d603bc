"""The `report-agent` Typer app, its consoles and the error wrapper every command uses.

Imports none of the command modules: they import this one and register on `app`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
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
