"""起草: notes (pasted, uploaded or typed part by part) + figures (+ last year's report) → the draft.

The draft runs in the background (``agent.draft.pipeline.draft_report``); the page shows its
progress, then each paragraph with its sources and findings, the tables with the findings on
their cells, and the downloads. Edited paragraphs are checked again (``agent.review.draft_view``).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from agent.draft.notes import PARTS
from agent.draft.pipeline import OUTPUT_NAMES
from agent.draft.progress import DONE, OFFLINE, STATE_LABELS, WAITING
from agent.errors import InputError
from agent.report.reader import SUPPORTED
from agent.review.draft_view import MAX_PARAGRAPH_CHARS, draft_view, notes_from_parts, recheck_draft
from agent.settings import Settings
from agent.web.app import session, web
from agent.web.errors import user_message
from agent.web.sessions import Job, Session
from agent.web.uploads import check_not_empty, receive_form, require_suffix

NOTES_TYPES = (".md", ".txt", ".markdown")
FIGURES_TYPES = (".xlsx", ".yaml", ".yml", ".json")
FORM_PARTS = [(key, title) for key, _, _, title in PARTS]
STEPS = (
    "读取要点和统计数据",
    "检索往年报告中的同类段落",
    "撰写各部分",
    "填写统计表并核对",
    "检查初稿、生成 Word 文件",
)
MEDIA = {
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _form_context(request: Request, **extra: Any) -> dict[str, Any]:
    s = web(request).settings
    llm = s.model if s.llm_configured else None
    return {"parts": FORM_PARTS, "llm": llm, "report_types": " ".join(SUPPORTED), **extra}


async def draft_form(request: Request) -> Response:
    return web(request).render(request, "draft_form.html", **_form_context(request))


async def draft_template(request: Request) -> Response:
    from agent.figures.templates import write_template

    year_text = request.query_params.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2008 <= int(year_text) <= 2100 else None
    _, folder = session(request).new_dir("template")
    path = folder / "template.xlsx"
    await run_in_threadpool(write_template, path, "xlsx", year, None)
    return FileResponse(path, filename="统计数据模板.xlsx")


def _notes_file(form: Any, folder: Path) -> Path:
    """The notes: an uploaded file, the pasted text, or the part-by-part form (in that order)."""
    upload = form.file("notes")
    if upload is not None:
        require_suffix(upload, NOTES_TYPES, "要点")
        return upload.path
    text = form.fields.get("notes_text", "").strip()
    if not text and any(form.fields.get(f"part-{k}", "").strip() for k, _ in FORM_PARTS):
        parts = {k: form.fields.get(f"part-{k}", "") for k, _ in FORM_PARTS}
        text = notes_from_parts(form.fields.get("agency", ""), form.fields.get("year", ""), parts)
    if not text:
        raise InputError("请上传要点文件、粘贴要点，或按部分填写要点")
    path = folder / "notes.md"
    path.write_text(text, encoding="utf-8")
    return path


async def draft_submit(request: Request) -> Response:
    w, s = web(request), session(request)
    key, folder = s.new_dir("draft")
    names: dict[str, str] = {}
    try:
        form = await receive_form(
            request, folder, per_file=w.per_file, total=3 * w.per_file + (1 << 20), max_files=3
        )
        check_not_empty(form)
        names = {str(f.path): f.name for f in form.files}
        notes = _notes_file(form, folder)
        names.setdefault(str(notes), "要点")
        figures = form.file("figures")
        if figures is None:
            raise InputError("请上传统计数据（Excel 模板或 YAML），可先下载空白模板填写")
        require_suffix(figures, FIGURES_TYPES, "统计数据")
        previous = form.file("previous")
        if previous is not None:
            require_suffix(previous, SUPPORTED, "上年报告")
    except InputError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        ctx = _form_context(request, error=user_message(exc, names))
        return w.render(request, "draft_form.html", status=getattr(exc, "status", 400), **ctx)
    info = {
        "notes": notes,
        "figures": figures.path,
        "previous": previous.path if previous else None,
        "offline": bool(form.fields.get("offline")),
        "names": names,
        "out": folder / "out",
    }
    settings = w.settings
    w.store.start(s, Job(key, "draft", folder, stage=STEPS[0], info=info), lambda job: _draft(settings, job))
    return RedirectResponse(f"/draft/{key}", status_code=303)


class JobProgress:
    """The parts a model drafts (agent.draft.progress.DraftProgress), kept on the job for the page."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def start(self, parts: dict[str, str]) -> None:
        self.job.parts = {
            k: {"title": t, "state": WAITING, "label": STATE_LABELS[WAITING], "detail": ""}
            for k, t in parts.items()
        }
        self.job.stage = "大模型起草各部分"

    def update(self, key: str, state: str, detail: str = "") -> None:
        title = self.job.parts.get(key, {}).get("title", key)
        self.job.parts[key] = {
            "title": title,
            "state": state,
            "label": STATE_LABELS.get(state, state),
            "detail": detail,
        }
        self.job.done = sum(1 for p in self.job.parts.values() if p["state"] in (DONE, OFFLINE))
        self.job.total = len(self.job.parts)

    def finish(self) -> None:
        self.job.stage = "检查初稿、生成 Word 文件"


def _draft(settings: Settings, job: Job) -> Any:
    from agent.draft.pipeline import draft_report

    i = job.info
    job.stage = "起草中"
    try:
        result = draft_report(
            i["notes"],
            i["figures"],
            i["out"],
            settings,
            previous_path=i["previous"],
            offline=i["offline"],
            progress=JobProgress(job),
        )
    except BaseException:
        shutil.rmtree(job.dir, ignore_errors=True)  # a failed draft leaves nothing behind
        raise
    job.stage = "完成"
    return result


def _job(request: Request) -> tuple[Session, Job]:
    s = session(request)
    job = s.jobs.get(request.path_params["key"])
    if job is None or job.kind != "draft":
        raise HTTPException(404)
    return s, job


async def draft_status(request: Request) -> Response:
    _, job = _job(request)
    return JSONResponse(job.status())


async def draft_page(request: Request) -> Response:
    w = web(request)
    _, job = _job(request)
    if job.state == "running":
        return w.render(request, "draft_progress.html", job=job, steps=STEPS)
    if job.state == "failed":
        exc = job.error or "起草失败"
        return w.render(request, "draft_form.html", status=400, **_form_context(request, error=exc))
    view = await run_in_threadpool(draft_view, job.info["out"])
    return w.render(
        request, "draft_result.html", key=job.id, view=view, job=job, result=job.result, files=OUTPUT_NAMES
    )


def _figures_of(job: Job) -> Any:
    from agent.draft.pipeline import prepare_inputs

    _, fig, _, _ = prepare_inputs(job.info["notes"], job.info["figures"], None, None)
    return fig


async def draft_recheck(request: Request) -> Response:
    from agent.report.reader import read_report

    w = web(request)
    _, job = _job(request)
    if job.state != "done":
        raise HTTPException(404)
    form = await request.form(max_files=0, max_fields=400, max_part_size=MAX_PARAGRAPH_CHARS * 4)
    edits = {k: str(v) for k, v in form.items() if k.startswith("p-")}
    previous = job.info["previous"]

    def work() -> None:
        prev = read_report(previous) if previous else None
        recheck_draft(job.info["out"], edits, _figures_of(job), w.settings, previous=prev)

    await run_in_threadpool(work)
    job.info["rechecked"] = job.info.get("rechecked", 0) + 1
    return RedirectResponse(f"/draft/{job.id}#checked", status_code=303)


async def draft_file(request: Request) -> Response:
    _, job = _job(request)
    name = request.path_params["name"]
    if job.state != "done" or name not in OUTPUT_NAMES:
        raise HTTPException(404)
    path = job.info["out"] / name
    return FileResponse(path, filename=name, media_type=MEDIA.get(path.suffix, "application/octet-stream"))


ROUTES = [
    Route("/draft", draft_form, methods=["GET"]),
    Route("/draft", draft_submit, methods=["POST"]),
    Route("/draft/template.xlsx", draft_template, methods=["GET"]),
    Route("/draft/{key:str}", draft_page, methods=["GET"]),
    Route("/draft/{key:str}/status", draft_status, methods=["GET"]),
    Route("/draft/{key:str}/recheck", draft_recheck, methods=["POST"]),
    Route("/draft/{key:str}/files/{name:str}", draft_file, methods=["GET"]),
]
