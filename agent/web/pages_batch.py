"""批量: several reports or a zip → units × (errors, warnings, uncertain cells, cross-year), each to its 检查 page."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from agent.errors import InputError
from agent.report.reader import SUPPORTED
from agent.review.batch import Review, review_paths
from agent.review.summary import STATUS_NAMES, review_html, review_workbook
from agent.web.app import session, web
from agent.web.errors import user_message
from agent.web.pages_check import attachment
from agent.web.sessions import Job, Session
from agent.web.uploads import StoredFile, UploadError, check_not_empty, expand_zip, receive_form

MAX_FILES = 200


async def batch_form(request: Request) -> Response:
    return web(request).render(request, "batch_form.html", types=" ".join(SUPPORTED))


def _reports(
    files: list[StoredFile], folder: Path, per_file: int, total: int
) -> tuple[list[StoredFile], list[str]]:
    """The uploaded reports, zips unpacked; the names of the files inside zips that are not reports."""
    out: list[StoredFile] = []
    skipped: list[str] = []
    for f in files:
        if f.suffix == ".zip":
            found, skip = expand_zip(
                f, folder, allowed=SUPPORTED, per_file=per_file, total=total, max_files=MAX_FILES - len(out)
            )
            out += found
            skipped += skip
        elif f.suffix in SUPPORTED:
            out.append(f)
        else:
            raise UploadError(
                f"“{f.name}”不是报告文件（支持 {' '.join(SUPPORTED)}，或把它们打成 .zip 压缩包）"
            )
    if not out:
        raise UploadError(
            "没有可检查的报告" + (f"（压缩包中只有：{'、'.join(skipped[:10])}）" if skipped else "")
        )
    return out, skipped


async def batch_submit(request: Request) -> Response:
    w, s = web(request), session(request)
    key, folder = s.new_dir("batch")
    try:
        form = await receive_form(
            request, folder, per_file=w.batch_total, total=w.batch_total, max_files=MAX_FILES
        )
        check_not_empty(form)
        if not form.all("reports"):
            raise InputError("请选择要检查的报告文件（可多选），或一个 zip 压缩包")
        for f in form.all("reports"):
            if f.suffix != ".zip" and f.size > w.per_file:
                raise UploadError(f"“{f.name}”超过 {w.settings.web_upload_mb} MB 的上限", status=413)
        reports, skipped = _reports(form.all("reports"), folder, w.per_file, w.batch_total)
    except InputError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        status = getattr(exc, "status", 400)
        return w.render(
            request, "batch_form.html", status=status, error=user_message(exc), types=" ".join(SUPPORTED)
        )
    names = {f.path: f.name for f in reports}
    job = Job(key, "batch", folder, stage="检查报告", total=len(reports), info={"skipped": skipped})
    w.store.start(s, job, lambda j: _review(s, j, list(names), names))
    return RedirectResponse(f"/batch/{key}", status_code=303)


def _review(s: Session, job: Job, paths: list[Path], names: dict[Path, str]) -> Review:
    def progress(done: int, total: int, name: str) -> None:
        job.done, job.total, job.stage = done, total, "检查报告"

    review = review_paths(paths, names=names, progress=progress)
    job.info["checks"] = []
    for r in review.reports:
        ck = ""
        if r.data is not None:
            ck = f"{job.id}-{len(job.info['checks'])}"
            s.checks[ck] = r.data
        job.info["checks"].append(ck)
    job.stage = "完成"
    return review


def _job(request: Request) -> Job:
    job = session(request).jobs.get(request.path_params["key"])
    if job is None or job.kind != "batch":
        raise HTTPException(404)
    return job


async def batch_status(request: Request) -> Response:
    return JSONResponse(_job(request).status())


def rows(job: Job) -> list[dict[str, Any]]:
    review: Review = job.result
    out = []
    for r, ck in zip(review.reports, job.info["checks"], strict=True):
        d = r.data or {}
        rep, c, cross = d.get("report", {}), d.get("summary", {}), d.get("cross_year", {})
        out.append(
            {
                "name": r.name,
                "check": ck,
                "error": r.error,
                "agency": rep.get("agency") or "",
                "year": rep.get("year") or "",
                "format": rep.get("format") or "",
                "errors": c.get("error", ""),
                "warnings": c.get("warning", ""),
                "uncertain": d.get("uncertain_cells", "") if d else "",
                "cross": STATUS_NAMES.get(cross.get("status", ""), ""),
                "cross_note": cross.get("note", ""),
                "rules": "、".join(d.get("rules", [])),
            }
        )
    return out


async def batch_page(request: Request) -> Response:
    w = web(request)
    job = _job(request)
    if job.state == "running":
        return w.render(request, "batch_progress.html", job=job)
    if job.state == "failed":
        return w.render(request, "batch_form.html", status=400, error=job.error, types=" ".join(SUPPORTED))
    return w.render(request, "batch_result.html", job=job, review=job.result, rows=rows(job))


async def batch_export(request: Request) -> Response:
    job = _job(request)
    if job.state != "done":
        raise HTTPException(404)
    if request.path_params["fmt"] == "html":
        return attachment(
            review_html(job.result).encode("utf-8"), "批量检查汇总.html", "text/html; charset=utf-8"
        )
    if request.path_params["fmt"] != "xlsx":
        raise HTTPException(404)
    buf = io.BytesIO()
    review_workbook(job.result).save(buf)
    return attachment(
        buf.getvalue(),
        "批量检查汇总.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


ROUTES = [
    Route("/batch", batch_form, methods=["GET"]),
    Route("/batch", batch_submit, methods=["POST"]),
    Route("/batch/{key:str}", batch_page, methods=["GET"]),
    Route("/batch/{key:str}/status", batch_status, methods=["GET"]),
    Route("/batch/{key:str}/summary.{fmt:str}", batch_export, methods=["GET"]),
]
