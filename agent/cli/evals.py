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

from agent.cli.app import app, friendly, out
from agent.errors import InputError

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
app.add_typer(eval_app, name="eval")


@eval_app.command("run", hidden=True)
@friendly
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
    from agent.fsutil import check_output_file

    for path, suffixes in ((report, (".html", ".htm")), (json_out, (".json",))):
        if path is not None:
            check_output_file(path, suffixes)
    if update_baseline:
        check_output_file(baseline, (".json",))
    code = _run(cases or [DEFAULT_CASES], baseline, update_baseline, report, json_out, offline, out)
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

    from agent.evals.cases import baseline_of, discover, exit_code, results_json, run_cases
    from agent.evals.report import print_results, write_html
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
        out.print(f"HTML 报告：{report}", markup=False)
    if json_out:
        write_text(json_out, results_json(results))
    if update:
        merged = json.loads(baseline.read_text(encoding="utf-8")) if baseline.is_file() else {}
        merged.update(baseline_of(results))
        write_text(baseline, json.dumps(merged, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        out.print(f"已更新基线 {baseline}", markup=False)
    return exit_code(results)


@eval_app.command("ask")
@friendly
def eval_ask_cmd(
    questions: Annotated[
        Path | None, typer.Option("--questions", help="问答评测集（默认 eval/ask/questions.yaml）。")
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="即使配置了大模型也离线运行。")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="输出格式：text 或 json。")] = "text",
) -> None:
    """问答评测：引用准确率（@1、@3）和对语料外问题的拒答率。未达到目标时退出码为 1。"""
    from agent.evals.ask import (
        ask_eval_json,
        default_questions_path,
        eval_settings,
        print_ask_eval,
        run_ask_eval,
    )
    from agent.settings import load_settings

    settings = eval_settings(load_settings(offline=True if offline else None))
    result = run_ask_eval(questions or default_questions_path(), settings)
    if fmt == "json":
        sys.stdout.write(json.dumps(ask_eval_json(result), ensure_ascii=False, indent=2) + "\n")
    else:
        print_ask_eval(out, result)
    raise typer.Exit(0 if result.meets_targets else 1)


# ----------------------------------------------------------------------------- eval retrieval


@eval_app.command("retrieval")
@friendly
def eval_retrieval_cmd(
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="计算 recall@k 的 k。")] = 5,
    queries: Annotated[
        Path | None, typer.Option("--queries", help="评测问题集（默认 eval/retrieval/queries.yaml）。")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="输出格式：text 或 json。")] = "text",
    embedder: Annotated[str | None, typer.Option("--embedder", help="嵌入方式：hash 或 openai。")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="列出没找到相关段落的问题。")] = False,
) -> None:
    """检索评测：在内置语料的独立索引上，给出向量、BM25、混合三种检索的 recall@k 与 MRR。"""
    from rich.table import Table

    from agent.evals.retrieval import results_json, run_retrieval_eval
    from agent.settings import load_settings

    if fmt not in ("text", "json"):
        raise InputError(f"--format 只能是 text 或 json，而不是“{fmt}”")
    settings = load_settings(embedder=embedder)
    results, n_chunks = run_retrieval_eval(settings, k=k, queries_path=queries)
    if fmt == "json":
        sys.stdout.write(json.dumps(results_json(results), ensure_ascii=False, indent=2) + "\n")
        return
    n_queries = len(results[0].queries) if results else 0
    table = Table(title=f"检索评测（{n_queries} 个问题，{n_chunks} 个分块）")
    table.add_column("检索方式")
    table.add_column(f"recall@{k}", justify="right")
    table.add_column("MRR@10", justify="right")
    table.add_column("首位命中", justify="right")
    names = {"dense": "向量 dense", "bm25": "BM25", "hybrid": "混合 hybrid"}
    for r in results:
        table.add_row(names.get(r.method, r.method), f"{r.recall:.3f}", f"{r.mrr:.3f}", f"{r.hit_at_1:.3f}")
    out.print(table)
    if verbose:
        for r in results:
            for q in r.queries:
                if q.missed:
                    out.print(f"[{r.method}] {q.query} → 未找到 {'；'.join(q.missed)}", markup=False)
