"""问答: a question; the answer with its citations; a citation opens the article or item it names."""

from __future__ import annotations

import html
import re
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agent.ask.answer import MAX_QUESTION_CHARS, Answer, ask
from agent.errors import InputError
from agent.web.app import web
from agent.web.errors import user_message

EXAMPLES = (
    "行政机关不能当场答复的，多少个工作日内答复？",
    "年度报告应当在什么时候之前公布？",
    "申请内容不明确怎么处理？",
)


def marked(text: str, highlights: list[str]) -> Markup:
    """``text`` escaped, with the answering sentences in <mark>."""
    out = html.escape(text)
    for h in sorted({h for h in highlights if h}, key=len, reverse=True):
        e = html.escape(h)
        out = out.replace(e, f"<mark>{e}</mark>", 1)
    return Markup(out)


def linked_answer(answer: Answer, dialogs: dict[str, str]) -> Markup:
    """The answer text escaped, each citation key a button that opens its passage."""
    text = html.escape(answer.answer)
    keys = {html.escape(k): d for k, d in dialogs.items()}
    if not keys:
        return Markup(text)
    pattern = re.compile("|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)))
    return Markup(
        pattern.sub(
            lambda m: (
                f'<button type="button" class="cite" data-dialog="{keys[m.group(0)]}">{m.group(0)}</button>'
            ),
            text,
        )
    )


def _views(answer: Answer) -> tuple[list[dict[str, Any]], dict[str, str]]:
    shown = answer.citations or answer.passages
    items: list[dict[str, Any]] = []
    dialogs: dict[str, str] = {}
    for i, c in enumerate(shown):
        dialog = f"passage-{i}"
        dialogs.setdefault(c.key, dialog)
        items.append({"c": c, "dialog": dialog, "text": marked(c.text, c.highlights)})
    return items, dialogs


async def ask_page(request: Request) -> Response:
    w = web(request)
    question = request.query_params.get("q", "").strip()
    reports = request.query_params.get("reports") == "1"
    ctx: dict[str, Any] = {
        "question": question,
        "reports": reports,
        "examples": EXAMPLES,
        "limit": MAX_QUESTION_CHARS,
    }
    if not question:
        return w.render(request, "ask.html", answer=None, **ctx)
    try:
        answer = await run_in_threadpool(ask, question, w.settings, include_reports=reports)
    except InputError as exc:
        return w.render(request, "ask.html", status=400, answer=None, error=user_message(exc), **ctx)
    items, dialogs = _views(answer)
    return w.render(
        request, "ask.html", answer=answer, items=items, text=linked_answer(answer, dialogs), **ctx
    )


ROUTES = [Route("/ask", ask_page, methods=["GET"])]
