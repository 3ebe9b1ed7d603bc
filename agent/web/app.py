"""The web application: Starlette, server-rendered Jinja2 pages, a little bundled JavaScript.

    app = create_app(load_settings())          # then: uvicorn.run(app, host="127.0.0.1", port=8700)

Four pages — 起草 (/draft), 检查 (/check), 批量 (/batch), 问答 (/ask) — over the same library
functions as the command line (``agent.review``, ``agent.draft``, ``agent.ask``) and the same
settings. Each browser gets a session (a cookie) whose uploads and results live in its own
temporary folder, deleted after ``web_keep_minutes`` unused and when the server stops. With a
password every page asks for it first (a login form; the cookie it sets is an HMAC of a secret
made at start-up).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import secrets
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from agent.review.marks import FILE_NAME, MarkStore
from agent.settings import Settings
from agent.web.sessions import COOKIE, Session, SessionStore

HERE = Path(__file__).resolve().parent
AUTH_COOKIE = "ra_auth"
OPEN_PATHS = ("/login", "/static/")
SWEEP_EVERY = 30.0  # seconds between two sweeps of idle sessions


@dataclass
class Web:
    settings: Settings
    store: SessionStore
    templates: Jinja2Templates
    marks: MarkStore
    password: str | None
    secret: bytes

    @property
    def per_file(self) -> int:
        return int(self.settings.web_upload_mb) << 20

    @property
    def batch_total(self) -> int:
        return int(self.settings.web_batch_mb) << 20

    def auth_token(self) -> str:
        return hmac.new(self.secret, b"report-agent-web", hashlib.sha256).hexdigest()

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("error", None)
        context["nav"] = template.split("_", 1)[0]
        context["logged_in"] = self.password is not None
        return self.templates.TemplateResponse(request, template, context, status_code=status)


def web(request: Request) -> Web:
    return request.app.state.web  # type: ignore[no-any-return]


def session(request: Request) -> Session:
    return request.state.session  # type: ignore[no-any-return]


class SessionMiddleware(BaseHTTPMiddleware):
    """Password (when set), the session cookie, and the periodic sweep of idle sessions."""

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        w = web(request)
        path = request.url.path
        if path.startswith("/static/"):
            return await call_next(request)
        if w.password is not None and not path.startswith(OPEN_PATHS):
            token = request.cookies.get(AUTH_COOKIE, "")
            if not hmac.compare_digest(token, w.auth_token()):
                return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
        s, created = w.store.get(request.cookies.get(COOKIE))
        request.state.session = s
        response = await call_next(request)
        if created:
            response.set_cookie(COOKIE, s.id, httponly=True, samesite="strict")
        return response


async def login_page(request: Request) -> Response:
    return web(request).render(request, "login.html", next=_next(request.query_params.get("next")))


async def login_submit(request: Request) -> Response:
    w = web(request)
    form = await request.form(max_files=0, max_fields=5, max_part_size=2000)
    given, target = str(form.get("password", "")), _next(str(form.get("next", "")))
    if w.password is None or hmac.compare_digest(given.encode(), w.password.encode()):
        response = RedirectResponse(target, status_code=303)
        if w.password is not None:
            response.set_cookie(AUTH_COOKIE, w.auth_token(), httponly=True, samesite="strict")
        return response
    await asyncio.sleep(0.5)  # slows down guessing
    return w.render(request, "login.html", status=401, next=target, error="密码不正确。")


def _next(target: str | None) -> str:
    """Only a local path may follow the login (no open redirect)."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


async def home(request: Request) -> Response:
    return RedirectResponse("/draft", status_code=303)


def routes() -> list[Route | Mount]:
    from agent.web import pages_ask, pages_batch, pages_check, pages_draft

    return [
        Route("/", home),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        *pages_draft.ROUTES,
        *pages_check.ROUTES,
        *pages_batch.ROUTES,
        *pages_ask.ROUTES,
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]


def create_app(settings: Settings, *, password: str | None = None, root: Path | None = None) -> Starlette:
    """The application. ``password``: every page asks for it; ``root``: where sessions keep files."""
    root = root or Path(tempfile.mkdtemp(prefix="report-agent-web-"))
    store = SessionStore(root, keep_seconds=float(settings.web_keep_minutes) * 60)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["static_version"] = str(int(time.time()))
    state = Web(
        settings, store, templates, MarkStore(settings.home / FILE_NAME), password, secrets.token_bytes(32)
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_sweeper(store))
        try:
            yield
        finally:
            task.cancel()
            store.close()

    app = Starlette(routes=routes(), middleware=[Middleware(SessionMiddleware)], lifespan=lifespan)
    app.state.web = state
    from agent.web.errors import install_error_pages

    install_error_pages(app)
    return app


async def _sweeper(store: SessionStore) -> None:
    every = min(SWEEP_EVERY, max(1.0, store.keep_seconds / 2))
    while True:
        await asyncio.sleep(every)
        store.sweep()
