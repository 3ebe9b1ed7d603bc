"""The ``report-agent eval`` command group.

``report-agent eval [CASES…]`` runs the draft regression cases (the group's default command);
``eval retrieval`` and ``eval ask`` are the retrieval and question-answering evaluations.
Other modules add commands with ``@eval_app.command(...)``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

DEFAULT_CASES = Path("eval/cases")
DEFAULT_BASELINE = Path("eval/baseline.json")


class DefaultRunGroup(TyperGroup):
    """A group whose arguments, when they are not a subcommand, go to the ``run`` command."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's vendored click Context
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["run", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(
    name="eval",
    cls=DefaultRunGroup,
    help="评测：起草回归用例（默认）、检索质量（retrieval）、问答引用（ask）。",
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


@eval_app.command("run", hidden=True)
def eval_run_cmd(
    cases: Annotated[
        list[Path] | None, typer.Argument(help="评测用例文件或目录（默认 eval/cases）。")
    ] = None,
    baseline: Annotated[Path, typer.Option("--baseline", help="基线文件。")] = DEFAULT_BASELINE,
    update_baseline: Annotated[bool, typer.Option("--update-baseline", help="用本次得分更新基线。")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="另存一份 HTML 报告。")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="另存一份 JSON 结果。")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="即使配置了大模型也离线运行。")] = False,
) -> None:
    """运行起草回归评测：逐个用例、逐条断言，与基线比较。全部通过且无退步时退出码为 0。"""
    from agent.cli import err, out

    try:
        code = _run(cases or [DEFAULT_CASES], baseline, update_baseline, report, json_out, offline, out)
    except Exception as exc:  # noqa: BLE001 - configuration errors and crashes both exit 2
        err.print(f"评测无法运行：{exc}", markup=False)
        raise typer.Exit(2) from None
    raise typer.Exit(code)


def _run(
    cases: list[Path],
    baseline: Path,
    update: bool,
    report: Path | None,
    json_out: Path | None,
    offline: bool,
    out: Any,
) -> int:
    import json

    from agent.eval_report import print_results, write_html
    from agent.evaluate import baseline_of, discover, exit_code, results_json, run_cases
    from agent.fsutil import write_text
    from agent.settings import load_settings

    found = discover(cases)
    settings = load_settings(offline=True if offline else None)
    base = json.loads(baseline.read_text(encoding="utf-8")) if baseline.is_file() and not update else None
    with tempfile.TemporaryDirectory(prefix="report-agent-eval-") as work:
        results = run_cases(found, settings, Path(work), base)
    print_results(out, results)
    if report:
        write_html(report, results)
        out.print(f"HTML 报告：{report}")
    if json_out:
        write_text(json_out, results_json(results))
    if update:
        merged = json.loads(baseline.read_text(encoding="utf-8")) if baseline.is_file() else {}
        merged.update(baseline_of(results))
        write_text(baseline, json.dumps(merged, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        out.print(f"已更新基线 {baseline}")
    return exit_code(results)


@eval_app.command("ask")
def eval_ask_cmd(
    questions: Annotated[
        Path | None, typer.Option("--questions", help="问答评测集（默认 eval/ask/questions.yaml）。")
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="即使配置了大模型也离线运行。")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="输出格式：text 或 json。")] = "text",
) -> None:
    """问答评测：引用准确率（@1、@3）和对语料外问题的拒答率。未达到目标时退出码为 1。"""
    from agent.ask_eval import (
        ask_eval_json,
        default_questions_path,
        eval_settings,
        print_ask_eval,
        run_ask_eval,
    )
    from agent.cli import out
    from agent.settings import load_settings

    settings = eval_settings(load_settings(offline=True if offline else None))
    result = run_ask_eval(questions or default_questions_path(), settings)
    if fmt == "json":
        sys.stdout.write(json.dumps(ask_eval_json(result), ensure_ascii=False, indent=2) + "\n")
    else:
        print_ask_eval(out, result)
    raise typer.Exit(0 if result.meets_targets else 1)
