"""`report-agent ingest` and `report-agent search`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.cli.app import app, err, friendly, out, warn
from agent.errors import InputError

_KIND_HELP = "文档类型，可多次给出：annual_report（年度报告）、work_points（工作要点）、implementation_report（落实情况）、regulation（法规）、spec（格式规范）。"
_SECTION_HELP = (
    "只检索某一部分：overview（总体情况）、proactive（主动公开）、requests（依申请公开）、review（复议诉讼）、"
    "problems（问题及改进）、other（其他事项）、preamble（标题导语）、item（要点/条目）、article（法规条文）。"
)
_SECTION_ALIASES = {
    "总体情况": "overview",
    "主动公开": "proactive",
    "依申请公开": "requests",
    "复议诉讼": "review",
    "行政复议": "review",
    "问题": "problems",
    "其他": "other",
    "条文": "article",
    "要点": "item",
}


def _settings(**overrides: Any) -> Any:
    from agent.settings import load_settings

    return load_settings(**overrides)


def _kinds(values: list[str] | None) -> list[str] | None:
    from agent.corpus.meta import normalize_meta

    if not values:
        return None
    kinds: list[str] = []
    for value in values:
        for part in value.replace("，", ",").split(","):
            if part.strip():
                kinds.append(normalize_meta({"kind": part.strip()}, where="--kind")["kind"])
    return kinds or None


def _section(value: str | None) -> str | None:
    if value is None:
        return None
    from agent.corpus.chunking import SECTION_KEYS

    key = _SECTION_ALIASES.get(value.strip(), value.strip())
    if key not in SECTION_KEYS:
        raise InputError(f"--section 只能是 {'、'.join(SECTION_KEYS)}，而不是“{value}”")
    return key


# ----------------------------------------------------------------------------- ingest


class _RichProgress:
    """Two bars on stderr: files and chunks."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        self.files = self.progress.add_task("文件", total=None)
        self.chunk_task = self.progress.add_task("分块", total=None)

    def __enter__(self) -> _RichProgress:
        self.progress.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.progress.stop()

    def start(self, files: int) -> None:
        self.progress.update(self.files, total=files)

    def file_done(self, name: str) -> None:
        self.progress.update(self.files, advance=1, description=f"文件 {name[:30]}")

    def chunks(self, n: int) -> None:
        self.progress.update(self.chunk_task, advance=n)

    def waiting(self, holder: str) -> None:
        _waiting(holder)


def _waiting(holder: str) -> None:
    pid = f"（进程 {holder}）" if holder else ""
    err.print(f"索引正被另一个 report-agent 进程{pid}写入，等待它完成……", markup=False)


@app.command("ingest")
@friendly
def ingest_cmd(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="要入库的文件或文件夹（.txt .md .docx .html .pdf）；不给出时导入内置语料。",
            show_default=False,
        ),
    ] = None,
    prune: Annotated[bool, typer.Option("--prune", help="删除源文件已不存在的文档的分块。")] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="清空索引后重建（更换嵌入方式后需要）。")
    ] = False,
    chroma_url: Annotated[
        str | None,
        typer.Option("--chroma-url", help="使用 Chroma 服务（如 http://127.0.0.1:8000），默认用本地索引。"),
    ] = None,
    embedder: Annotated[
        str | None,
        typer.Option(
            "--embedder", help="嵌入方式：hash（离线，默认）或 openai（OpenAI 兼容的 /v1/embeddings 服务）。"
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="只检查索引是否一致（向量、登记表、BM25），不导入也不修改。")
    ] = False,
    meta: Annotated[
        list[str] | None,
        typer.Option(
            "--meta",
            help="更正自动识别的元数据，键=值，可多次给出，作用于本次给出的所有文件。"
            "键：title kind agency place year format status，例如 --meta kind=工作要点 --meta year=2023。",
        ),
    ] = None,
) -> None:
    """把文档切分、向量化后存入检索索引。

    不给出文件时导入内置语料（种子文档、法规、真实年报、格式说明）。文档类型、机关、地区、年度、
    表格格式从标题和正文自动识别，可以更正：在文件旁放一个“文件名.meta.yaml”（如 报告.docx.meta.yaml，
    内容如 kind: 年度报告 / agency: 某某市某某局 / year: 2023），或用 --meta 键=值。
    重复导入未改动的文件不会重新计算；文件改动后旧分块被替换；无法读取的文件会被指出并跳过。
    """
    from agent.corpus.ingest import ingest, open_store
    from agent.corpus.meta import parse_meta_options

    settings = _settings(chroma_url=chroma_url, embedder=embedder)
    if check:
        _check_index(settings)
        return
    overrides = parse_meta_options(meta or [])
    store = open_store(settings, rebuild=rebuild, on_wait=_waiting)
    try:
        with _RichProgress() as progress:
            report = ingest(
                store, list(paths) if paths else None, prune=prune, meta=overrides, progress=progress
            )
    finally:
        store.close()
    for line in report.skipped:
        warn(err, "跳过", line)
    for line in report.notes:
        err.print(f"提示 {line}", markup=False)
    if report.pruned:
        out.print(f"已删除 {len(report.pruned)} 个已不存在的文档：{'、'.join(report.pruned)}", markup=False)
    out.print(report.summary(), markup=False)
    if report.skipped and report.files == 0:
        raise typer.Exit(2)


def _check_index(settings: Any) -> None:
    """``ingest --check``: the consistency report; exit 1 when the index is not consistent."""
    from agent.corpus.ingest import open_store

    store = open_store(settings, repair=False)
    try:
        health = store.check()
    finally:
        store.close()
    out.print(f"索引：{store.where}", markup=False)
    for line in health.lines():
        out.print(line, markup=False)
    if not health.ok:
        raise typer.Exit(1)


# ----------------------------------------------------------------------------- search


@app.command("search")
@friendly
def search_cmd(
    query: Annotated[str, typer.Argument(help="要检索的内容，例如“依申请公开 答复期限”。")],
    kind: Annotated[list[str] | None, typer.Option("--kind", help=_KIND_HELP)] = None,
    section: Annotated[str | None, typer.Option("--section", help=_SECTION_HELP)] = None,
    year_from: Annotated[int | None, typer.Option("--year-from", help="只检索该年度及以后的文档。")] = None,
    year_to: Annotated[int | None, typer.Option("--year-to", help="只检索该年度及以前的文档。")] = None,
    exclude_agency: Annotated[
        str | None, typer.Option("--exclude-agency", help="排除某一机关的文档（如本机关自己的往年报告）。")
    ] = None,
    include_superseded: Annotated[
        bool, typer.Option("--include-superseded", help="也检索已废止的文件（如 2007 年版条例）。")
    ] = False,
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=100, help="返回的条数。")] = 5,
    method: Annotated[
        str, typer.Option("--method", help="检索方式：hybrid（默认）、dense 或 bm25。")
    ] = "hybrid",
    fmt: Annotated[str, typer.Option("--format", "-f", help="输出格式：text 或 json。")] = "text",
    chroma_url: Annotated[str | None, typer.Option("--chroma-url", help="使用 Chroma 服务。")] = None,
    embedder: Annotated[
        str | None, typer.Option("--embedder", help="嵌入方式：hash 或 openai（须与建索引时一致）。")
    ] = None,
) -> None:
    """在索引中检索（向量与 BM25 混合检索）。索引为空时先导入内置语料。"""
    from agent.corpus.retrieval import METHODS, Filters, get_retriever

    if fmt not in ("text", "json"):
        raise InputError(f"--format 只能是 text 或 json，而不是“{fmt}”")
    if method not in METHODS:
        raise InputError(f"--method 只能是 {'、'.join(METHODS)}，而不是“{method}”")
    filters = Filters.make(
        _kinds(kind), _section(section), year_from, year_to, exclude_agency, include_superseded
    )
    settings = _settings(chroma_url=chroma_url, embedder=embedder)
    retriever = get_retriever(settings, build_if_empty=False)
    for line in retriever.store.repair_report.lines() if retriever.store.repair_report else []:
        warn(err, "注意", line)
    if retriever.store.count() == 0:
        from agent.corpus.ingest import ingest

        err.print("索引为空，正在导入内置语料……")
        ingest(retriever.store)
    hits = retriever.search(query, method=method, k=k, filters=filters)  # type: ignore[arg-type]
    if fmt == "json":
        data = [
            {
                "rank": i,
                "document": h.document,
                "title": h.title,
                "section_path": h.section_path,
                "locator": h.locator,
                "kind": h.kind,
                "agency": h.agency,
                "year": h.year,
                "score": round(h.score, 6),
                "text": h.text,
            }
            for i, h in enumerate(hits, 1)
        ]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    if not hits:
        out.print("没有找到相关内容。可放宽筛选条件，或先用 report-agent ingest 导入文档。")
        return
    for i, h in enumerate(hits, 1):
        snippet = " ".join(h.text.split())
        snippet = snippet[:160] + ("…" if len(snippet) > 160 else "")
        bits = [b for b in (h.agency, f"{h.year}年" if h.year else None) if b]
        out.print(f"{i}. {h.document}  {h.section_path}  ({h.score:.4f})", markup=False)
        out.print(f"   《{h.title}》{' · '.join(bits)}", markup=False)
        out.print(f"   {snippet}", markup=False)
