"""What a page says when something goes wrong: one sentence in Chinese, never a traceback or a server path."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from agent.errors import InputError

log = logging.getLogger(__name__)
_STATUS_TEXT = {
    404: "页面不存在或已过期（上传的文件和结果在一段时间不用后会自动删除）。",
    405: "请求方式不正确。",
}


def user_message(exc: InputError, names: dict[str, str] | None = None) -> str:
    """``exc`` for the page: the user's file name instead of the server's path, every listed problem."""
    names = names or {}
    where = names.get(exc.path or "", "") if exc.path else ""
    if exc.path and not where:
        where = "上传的文件"
    problems = getattr(exc, "problems", None)
    findings = getattr(exc, "findings", None)
    text = exc.message
    if problems and len(problems) > 1:
        text = "；".join(problems)
    if findings:
        text += "：" + "；".join(f"{f.location}：{f.message}" for f in findings[:20])
        if len(findings) > 20:
            text += f"；……另有 {len(findings) - 20} 处"
    if exc.where:
        text = f"{exc.where}：{text}"
    return f"“{where}”：{text}" if where else text


def install_error_pages(app: Starlette) -> None:
    async def http_error(request: Request, exc: Exception) -> Response:
        from agent.web.app import web

        assert isinstance(exc, HTTPException)
        message = _STATUS_TEXT.get(exc.status_code, exc.detail or "请求无法处理。")
        return web(request).render(request, "error.html", status=exc.status_code, error=message)

    async def input_error(request: Request, exc: Exception) -> Response:
        from agent.web.app import web

        assert isinstance(exc, InputError)
        return web(request).render(
            request, "error.html", status=getattr(exc, "status", 400), error=user_message(exc)
        )

    async def server_error(request: Request, exc: Exception) -> Response:
        from agent.web.app import web

        log.exception("error on %s", request.url.path, exc_info=exc)
        message = f"处理时出错（{type(exc).__name__}），请检查上传的文件后重试。"
        return web(request).render(request, "error.html", status=500, error=message)

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(InputError, input_error)
    app.add_exception_handler(Exception, server_error)
