"""The ``report-agent eval`` command group.

Other modules add their evaluations to ``eval_app`` with ``@eval_app.command(...)``; a default
action for a bare ``report-agent eval`` can be set with ``@eval_app.callback(invoke_without_command=True)``
in the module that owns it (none is set here, so a bare ``eval`` shows the help).
"""

from __future__ import annotations

import typer

eval_app = typer.Typer(
    name="eval",
    help="评测：检索质量（以及问答、起草质量）。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
_registered = False


def register(app: typer.Typer) -> None:
    """Attach the group to the main app (once)."""
    global _registered
    if not _registered:
        app.add_typer(eval_app, name="eval")
        _registered = True
