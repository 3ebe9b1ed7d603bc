"""`report-agent draft`: an annual report or an implementation report from notes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from agent.cli.app import app, err, friendly, out, warn
from agent.errors import InputError

# ----------------------------------------------------------------------------- draft


@app.command("draft")
@friendly
def draft_cmd(
    notes: Annotated[Path, typer.Argument(help="要点文件（Markdown，按报告各部分分标题列出要点）。")],
    figures: Annotated[
        Path | None,
        typer.Option("--figures", "-F", help="统计数据（.yaml .json .xlsx），起草年度报告时必需。"),
    ] = None,
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="annual：政府信息公开工作年度报告；implementation：工作要点落实情况的报告。"
        ),
    ] = "annual",
    requirements: Annotated[
        Path | None, typer.Option("--requirements", "-r", help="政务公开工作要点（起草落实情况报告时必需）。")
    ] = None,
    previous: Annotated[
        Path | None, typer.Option("--previous", "-p", help="上一年度的报告（用于结转核对和第五部分）。")
    ] = None,
    out_dir: Annotated[Path, typer.Option("--output", "-o", help="输出目录。")] = Path("draft-out"),
    offline: Annotated[bool, typer.Option("--offline", help="不使用大模型，离线起草。")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="不使用大模型回复缓存。")] = False,
    agency: Annotated[str | None, typer.Option("--agency", help="机关名称（覆盖要点文件中的设置）。")] = None,
    year: Annotated[int | None, typer.Option("--year", help="报告年度（覆盖要点文件中的设置）。")] = None,
    model: Annotated[str | None, typer.Option("--model", help="大模型名称（OpenAI 兼容接口）。")] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="大模型接口地址，如 http://127.0.0.1:8000/v1。")
    ] = None,
    place: Annotated[
        str | None,
        typer.Option(
            "--place", help="机关所在地（省、市、县全称，如“湖北省武汉市”），机关名称中的地名有重名时使用。"
        ),
    ] = None,
) -> None:
    """根据要点和统计数据起草年度报告，或根据工作要点起草落实情况的报告（draft.md、draft.docx 及检查结果）。

    退出码：0 草稿的自动检查没有错误；1 自动检查有错误（或统计数据有误）；2 输入文件无法读取。
    """
    from agent.draft.pipeline import FiguresInvalid, draft_report
    from agent.fsutil import check_output_dir
    from agent.settings import load_settings

    if kind not in ("annual", "implementation"):
        raise InputError(f"--kind 只能是 annual 或 implementation，而不是“{kind}”")
    if kind == "annual" and figures is None:
        raise InputError("起草年度报告需要统计数据：--figures 文件（可用 report-agent template 生成模板）")
    if kind == "implementation" and requirements is None:
        raise InputError("起草落实情况的报告需要工作要点：--requirements 文件")
    check_output_dir(out_dir)

    settings = load_settings(model=model, base_url=base_url, cache=False if no_cache else None)
    if not settings.llm_configured or offline:
        reason = (
            "已指定 --offline" if offline else "未配置大模型（OPENAI_BASE_URL / OPENAI_API_KEY 与模型名称）"
        )
        out.print(f"离线模式：{reason}，使用内置起草规则。")
    if kind == "implementation":
        from agent.draft.implementation import draft_implementation

        assert requirements is not None
        impl = draft_implementation(
            notes, requirements, out_dir, settings, agency=agency, year=year, offline=offline
        )
        _print_draft_result(impl)
        return
    assert figures is not None
    from agent.cli.draft_progress import PartsDisplay

    try:
        with PartsDisplay(err) as progress:
            result = draft_report(
                notes,
                figures,
                out_dir,
                settings,
                previous_path=previous,
                agency=agency,
                year=year,
                offline=offline,
                place=place,
                progress=progress,
            )
    except FiguresInvalid as exc:
        err.print(f"{exc}：", markup=False)
        for f in exc.findings:
            err.print(f"  [{f.rule}] {f.location}：{f.message}", markup=False)
        raise typer.Exit(1) from None
    _print_draft_result(result)
    if result.errors:
        raise typer.Exit(1)


def _input_warnings(check_json: Path | None) -> list[str]:
    """The warnings about the inputs (notes, figures, retrieval) recorded in draft.check.json."""
    import json

    if check_json is None or not check_json.is_file():
        return []
    try:
        data = json.loads(check_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(w) for w in data.get("warnings", [])]


def _print_draft_result(result: Any) -> None:
    mode = "大模型" if result.mode == "llm" else "离线"
    out.print(f"起草完成（{mode}模式，用时 {result.seconds:.1f} 秒）：")
    for path in result.files.values():
        out.print(f"  {path}", markup=False)
    if result.usage:
        out.print(result.usage, markup=False)
    reasons = getattr(result, "fallback_reasons", {}) or {}
    for part in result.fallbacks:
        why = reasons.get(part) or "大模型调用失败"
        warn(out, "  注意", f"“{part}”已改用离线起草：{why}")
    removed = getattr(result, "removed", []) or []
    if removed:
        warn(
            out,
            "  注意",
            f"大模型写的 {len(removed)} 处文字没有依据或不合要求，已删除（原文见 draft.check.json）。",
        )
    for path in getattr(result, "backups", []):
        out.print(f"  原有草稿已保留为 {path}", markup=False)
    for warning in _input_warnings(result.files.get("draft.check.json")):
        warn(err, "  注意", warning)
    items = [f if isinstance(f, dict) else f.model_dump() for f in result.findings]
    c = {s: sum(1 for f in items if f["severity"] == s) for s in ("error", "warning")}
    out.print(f"自动检查：错误 {c['error']}，警告 {c['warning']}（详见 draft.check.json）。")
    for f in items:
        if f["severity"] == "error":
            where = f"{f['location']}：" if f["location"] else ""
            out.print(f"  [{f['rule']}] {where}{f['message']}", markup=False)
