"""The `report-agent` command line: a thin layer over the library functions.

Owns argument parsing, console output and exit codes, nothing else. `app` (agent.cli.app) holds the
Typer app and imports no command module; each command module imports it and registers its commands.
May import every other sub-package; nothing outside agent.cli imports it.
"""

from __future__ import annotations

# The order of these imports is the order of the commands in `report-agent --help`.
# isort: off
from agent.cli import check as _check  # noqa: F401  (check, tables, template)
from agent.cli import draft as _draft  # noqa: F401  (draft)
from agent.cli import ask as _ask  # noqa: F401  (ask)
from agent.cli import corpus as _corpus  # noqa: F401  (ingest, search)
from agent.cli import requirements as _requirements  # noqa: F401  (requirements)
from agent.cli import evals as _evals  # noqa: F401  (eval, eval ask, eval retrieval)
from agent.cli import review as _review  # noqa: F401  (review)
from agent.cli import serve as _serve  # noqa: F401  (serve)
from agent.cli.app import app, report_failure, run_app

# isort: on

__all__ = ["app", "main"]


def main() -> None:
    try:
        code = run_app()
    except Exception as exc:  # outside any command (typer itself): still no traceback
        code = report_failure(exc)
    raise SystemExit(code)
