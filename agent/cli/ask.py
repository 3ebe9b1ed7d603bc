"""`report-agent ask "问题"`: a compliance question answered from the corpus, with checked citations."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from agent.ask.limits import DEFAULT_K, MAX_K
from agent.cli.app import app, friendly, out
from agent.errors import InputError

if TYPE_CHECKING:
    from agent.ask.answer import Answer, Citation

PASSAGE_PREVIEW_CHARS = 600


@app.command("ask")
@friendly
def ask_cmd(
    question: Annotated[
        str,
        typer.Argument(
            help="要问的问题，例如：“年报必须在什么时候前公布？”", metavar="问题", show_default=False
        ),
    ],
    include_reports: Annotated[
        bool, typer.Option("--include-reports", help="同时检索往年的年度报告和落实情况报告。")
    ] = False,
    offline: Annotated[bool, typer.Option("--offline", help="不使用大模型，只摘录语料原文作答。")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="输出格式：text 或 json。")] = "text",
    k: Annotated[int, typer.Option("-k", help=f"检索并列出的段落数（1–{MAX_K}）。")] = DEFAULT_K,
    model: Annotated[str | None, typer.Option("--model", help="大模型名称（OpenAI 兼容接口）。")] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="大模型接口地址，如 http://127.0.0.1:8000/v1。")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="不使用大模型回复缓存。")] = False,
) -> None:
    """回答政府信息公开、政务公开的合规问题，并注明依据的条文、要点或格式要求。

    引用编号由程序根据检索到的段落生成（如 [条例 第三十三条]）；语料中找不到依据时，回答“语料中未找到依据”并列出最接近的段落。
    """
    from agent.ask.answer import answer_json, ask
    from agent.settings import load_settings

    if fmt not in ("text", "json"):
        raise InputError(f"--format 只能是 text 或 json，而不是“{fmt}”")
    settings = load_settings(
        model=model, base_url=base_url, cache=False if no_cache else None, offline=True if offline else None
    )
    answer = ask(question, settings, include_reports=include_reports, k=k, offline=offline)
    if fmt == "json":
        sys.stdout.write(json.dumps(answer_json(answer), ensure_ascii=False, indent=2) + "\n")
    else:
        print_answer(out, answer)


def print_answer(console: Console, answer: Answer) -> None:
    """The answer, notices, then the cited passages with their keys (answering sentences in bold)."""
    mode = "大模型" if answer.mode == "llm" else "离线摘录"
    console.print(Text(f"问：{answer.question}", style="bold"))
    console.print(Text(f"答（{mode}）：", style="bold"))
    console.print(Text(answer.answer))
    for note in answer.notices:
        console.print(Text.assemble(("注意 ", "yellow"), note))
    if answer.evidence is not None:
        ev = answer.evidence
        basis = "、".join(ev.retrievers) or "无"
        console.print(
            Text(
                f"判断：有依据的把握度 {ev.probability:.2f}（阈值 {ev.threshold:.2f}；检索方式：{basis}）",
                style="dim",
            )
        )
    if answer.citations:
        console.print()
        console.print(Text("依据：", style="bold"))
        for c in answer.citations:
            print_citation(console, c)
    if answer.usage:
        console.print(Text(answer.usage, style="dim"))


def print_citation(console: Console, c: Citation) -> None:
    console.print(Text.assemble((c.key, "bold cyan"), f" 《{c.title}》{c.section_path}（{c.document}）"))
    console.print(highlighted(c.text, c.highlights, PASSAGE_PREVIEW_CHARS))


def highlighted(text: str, highlights: list[str], limit: int, indent: str = "    ") -> Text:
    """The passage, indented, cut to ``limit`` characters around the first highlight, with the
    answering sentences in bold."""
    first = min((text.find(h) for h in highlights if h and h in text), default=-1)
    start = first - limit // 3 if len(text) > limit and first > limit // 3 else 0
    shown = text[start : start + limit]
    shown = ("……" if start else "") + shown + ("……" if start + limit < len(text) else "")
    lines = [ln.strip() for ln in shown.split("\n") if ln.strip()]
    body = Text("\n".join(indent + ln for ln in lines))
    plain = body.plain
    for h in highlights:
        pos = plain.find(h)
        if h and pos >= 0:
            body.stylize("bold yellow", pos, pos + len(h))
    return body
