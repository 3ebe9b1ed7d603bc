"""`report-agent serve`: the web pages (起草、检查、批量、问答) on this computer."""

from __future__ import annotations

from typing import Annotated

import typer

from agent.cli.app import app, friendly, out
from agent.errors import InputError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@app.command("serve")
@friendly
def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="监听地址；默认只允许本机访问。")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口。")] = 8700,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="访问密码（也可用环境变量 REPORT_AGENT_WEB_PASSWORD）；监听本机以外的地址时必须设置。",
        ),
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="不使用大模型。")] = False,
    keep_minutes: Annotated[
        float | None, typer.Option("--keep-minutes", help="上传的文件和结果在多少分钟不用后删除（默认 60）。")
    ] = None,
    upload_mb: Annotated[
        int | None, typer.Option("--upload-mb", help="单个上传文件的大小上限（MB，默认 20）。")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="大模型名称（OpenAI 兼容接口）。")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="大模型接口地址。")] = None,
) -> None:
    """在本机打开网页版：起草、检查、批量检查和问答（浏览器访问 http://127.0.0.1:8700）。"""
    import uvicorn

    from agent.settings import load_settings
    from agent.web.app import create_app

    settings = load_settings(
        model=model,
        base_url=base_url,
        offline=True if offline else None,
        web_keep_minutes=keep_minutes,
        web_upload_mb=upload_mb,
    )
    secret = password or (settings.web_password.get_secret_value() if settings.web_password else None)
    if host not in LOCAL_HOSTS and not secret:
        raise InputError(
            f"监听 {host} 时其他电脑也能访问，必须设置访问密码：--password …（或环境变量 REPORT_AGENT_WEB_PASSWORD）"
        )
    if not 1 <= port <= 65535:
        raise InputError(f"端口应在 1 到 65535 之间，而不是 {port}")
    shown = f"[{host}]" if ":" in host else host
    out.print(
        f"网页版已启动：http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/　（按 Ctrl+C 停止）"
    )
    if secret:
        out.print("已设置访问密码：每个页面都会先要求输入密码。")
    try:
        uvicorn.run(create_app(settings, password=secret), host=host, port=port, log_level="warning")
    except OSError as exc:
        raise InputError(
            f"无法在 {host}:{port} 上启动网页版（{exc.strerror or exc}），请换一个端口：--port …"
        ) from exc
