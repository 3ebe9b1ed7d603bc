"""Per-browser sessions: a random id in a cookie, a temporary folder, the results, background jobs.

Everything a session uploads or produces lives in ``<root>/<session id>/`` (``root`` is a fresh
temporary folder of the server). A session unused for ``keep_seconds`` is deleted with its folder
(unless a job of it is still running); the whole root is deleted when the server stops.
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import InputError

log = logging.getLogger(__name__)
COOKIE = "ra_session"
_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_SESSIONS = 200


@dataclass
class Job:
    id: str
    kind: str  # draft | batch
    dir: Path
    state: str = "running"  # running | done | failed
    stage: str = "排队中"
    done: int = 0
    total: int = 0
    error: str | None = None
    result: Any = None
    info: dict[str, Any] = field(default_factory=dict)  # what the pages need again (inputs, names)
    parts: dict[str, dict[str, str]] = field(default_factory=dict)  # per part: title, state, label, detail
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def status(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "error": self.error,
            "seconds": round((self.finished or time.time()) - self.started, 1),
            "parts": [{"key": k, **v} for k, v in list(self.parts.items())],
        }


@dataclass
class Session:
    id: str
    dir: Path
    touched: float = field(default_factory=time.time)
    checks: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # id → check result (agent.review.results)
    jobs: dict[str, Job] = field(default_factory=dict)

    def new_dir(self, prefix: str) -> tuple[str, Path]:
        key = secrets.token_hex(6)
        path = self.dir / f"{prefix}-{key}"
        path.mkdir(parents=True)
        return key, path

    @property
    def busy(self) -> bool:
        return any(j.state == "running" for j in self.jobs.values())


class SessionStore:
    def __init__(self, root: Path, keep_seconds: float, workers: int = 2) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.keep_seconds = keep_seconds
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report-agent-job")

    def get(self, sid: str | None) -> tuple[Session, bool]:
        """The session of ``sid`` (or a new one); True when it is new."""
        with self._lock:
            s = self._sessions.get(sid or "") if sid and _ID.match(sid) else None
            created = s is None
            if s is None:
                if len(self._sessions) >= MAX_SESSIONS:
                    self._evict_oldest()
                sid = secrets.token_urlsafe(24)
                s = Session(sid, self.root / sid)
                s.dir.mkdir(parents=True)
                self._sessions[sid] = s
            s.touched = time.time()
            return s, created

    def _evict_oldest(self) -> None:
        idle = sorted((s for s in self._sessions.values() if not s.busy), key=lambda s: s.touched)
        if idle:
            self._remove(idle[0])

    def _remove(self, s: Session) -> None:
        self._sessions.pop(s.id, None)
        shutil.rmtree(s.dir, ignore_errors=True)

    def sweep(self, now: float | None = None) -> int:
        """Delete the sessions unused for ``keep_seconds``; the number deleted."""
        now = time.time() if now is None else now
        with self._lock:
            old = [s for s in self._sessions.values() if now - s.touched > self.keep_seconds and not s.busy]
            for s in old:
                self._remove(s)
            return len(old)

    def __len__(self) -> int:
        return len(self._sessions)

    def start(self, session: Session, job: Job, work: Callable[[Job], Any]) -> Job:
        """Run ``work(job)`` in the background; its result or its error lands on ``job``."""
        session.jobs[job.id] = job
        self._pool.submit(_run_job, job, work)
        return job

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            self._sessions.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def _run_job(job: Job, work: Callable[[Job], Any]) -> None:
    try:
        job.result = work(job)
        job.state = "done"
    except InputError as exc:
        from agent.web.errors import user_message

        job.error, job.state = user_message(exc, job.info.get("names")), "failed"
    except Exception as exc:  # shown as one sentence on the page; the traceback goes to the log
        log.exception("job %s failed", job.id)
        job.error, job.state = f"处理时出错（{type(exc).__name__}），请检查上传的文件后重试", "failed"
    finally:
        job.finished = time.time()
