"""检查: upload a report (and last year's), see Tables 2–4 with the failing cells, mark the findings."""

from __future__ import annotations

import io
import json
import shutil
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from agent.errors import InputError
from agent.report.labels import SECTIONS
from agent.report.reader import SUPPORTED
from agent.review.grid import table_views
from agent.review.marks import STATUSES, reviewed
from agent.review.results import check_file
from agent.review.summary import reviewed_workbook
from agent.web.app import session, web
from agent.web.errors import user_message
from agent.web.uploads import check_not_empty, receive_form, require_suffix

REPORT_TYPES = tuple(s for s in SUPPORTED if s not in (".markdown", ".htm"))
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}


def attachment(content: bytes, filename: str, media_type: str) -> Response:
    header = f"attachment; filename=\"{filename.encode('ascii', 'replace').decode()}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": header})


async def check_form(request: Request) -> Response:
    return web(request).render(request, "check_form.html", types=" ".join(REPORT_TYPES))


async def check_submit(request: Request) -> Response:
    w, s = web(request), session(request)
    key, folder = s.new_dir("check")
    names: dict[str, str] = {}
    try:
        form = await receive_form(
            request, folder, per_file=w.per_file, total=2 * w.per_file + (1 << 20), max_files=2
        )
        check_not_empty(form)
        report, previous = form.file("report"), form.file("previous")
        if report is None:
            raise InputError("请选择要检查的报告文件")
        require_suffix(report, SUPPORTED, "报告")
        if previous is not None:
            require_suffix(previous, SUPPORTED, "上年报告")
        names = {str(f.path): f.name for f in form.files}
        data = await run_in_threadpool(
            check_file,
            report.path,
            previous.path if previous else None,
            name=report.name,
            previous_name=previous.name if previous else None,
        )
    except InputError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        status = getattr(exc, "status", 400)
        return w.render(
            request,
            "check_form.html",
            status=status,
            error=user_message(exc, names),
            types=" ".join(REPORT_TYPES),
        )
    s.checks[key] = data
    return RedirectResponse(f"/check/{key}", status_code=303)


def _result(request: Request) -> tuple[str, dict[str, Any]]:
    key = request.path_params["key"]
    data = session(request).checks.get(key)
    if data is None:
        raise HTTPException(404)
    return key, data


def grouped(findings: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Findings by section (全文 first), errors first within a section."""
    groups = [("全文", [f for f in findings if f.get("section") is None])]
    groups += [(s.heading, [f for f in findings if f.get("section") == s.key]) for s in SECTIONS]
    order = {"error": 0, "warning": 1, "info": 2}
    return [
        (title, sorted(items, key=lambda f: order.get(f["severity"], 3))) for title, items in groups if items
    ]


def split_quote(message: str) -> tuple[str, str]:
    """(message, quoted sentence): a finding on a sentence ends with ：“…”."""
    head, sep, tail = message.rpartition("：“")
    if sep and tail.endswith("”"):
        return head, "“" + tail
    return message, ""


async def check_result(request: Request) -> Response:
    w = web(request)
    key, data = _result(request)
    marks = w.marks.for_document(data["document"]["sha256"])
    data_r = reviewed(data, marks)
    return w.render(
        request,
        "check_result.html",
        key=key,
        data=data_r,
        tables=table_views(data),
        groups=grouped(data_r["findings"]),
        statuses=STATUSES,
        severity_names=SEVERITY_NAMES,
        split_quote=split_quote,
        back=request.query_params.get("from", ""),
    )


async def check_mark(request: Request) -> Response:
    w = web(request)
    key, data = _result(request)
    form = await request.form(max_files=0, max_fields=10, max_part_size=10_000)
    finding = str(form.get("finding", ""))
    if finding not in {f["key"] for f in data["findings"]}:
        raise HTTPException(404)
    w.marks.set(data["document"]["sha256"], finding, str(form.get("status", "")), str(form.get("note", "")))
    back = str(form.get("from", ""))
    suffix = f"?from={quote(back)}" if back.startswith("/batch/") else ""
    return RedirectResponse(f"/check/{key}{suffix}#f-{finding}", status_code=303)


async def check_export(request: Request) -> Response:
    w = web(request)
    _, data = _result(request)
    marks = w.marks.for_document(data["document"]["sha256"])
    stem = data["document"]["name"].rsplit(".", 1)[0] + "-检查结果"
    if request.path_params["fmt"] not in ("json", "xlsx"):
        raise HTTPException(404)
    if request.path_params["fmt"] == "json":
        body = json.dumps(reviewed(data, marks), ensure_ascii=False, indent=2).encode("utf-8")
        return attachment(body, f"{stem}.json", "application/json")
    buf = io.BytesIO()
    reviewed_workbook(data, marks).save(buf)
    return attachment(
        buf.getvalue(), f"{stem}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


ROUTES = [
    Route("/check", check_form, methods=["GET"]),
    Route("/check", check_submit, methods=["POST"]),
    Route("/check/{key:str}", check_result, methods=["GET"]),
    Route("/check/{key:str}/mark", check_mark, methods=["POST"]),
    Route("/check/{key:str}/export.{fmt:str}", check_export, methods=["GET"]),
]
