"""Progress of the parts a model drafts: waiting, drafting, repairing, retrying (with the reason),
done, or written offline (with the reason). The CLI draws it; tests record it.

Retries happen inside :class:`agent.llm.LLMClient`; they are seen here through its log record
(``agent.llm``: host, purpose, cause, delay, attempt), whose *purpose* is the part's key.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

WAITING, DRAFTING, REPAIRING, RETRYING, DONE, OFFLINE = (
    "waiting",
    "drafting",
    "repairing",
    "retrying",
    "done",
    "offline",
)
STATE_LABELS = {
    WAITING: "等待",
    DRAFTING: "起草中",
    REPAIRING: "修改中",
    RETRYING: "重试中",
    DONE: "完成",
    OFFLINE: "改用离线",
}


class DraftProgress(Protocol):
    def start(self, parts: dict[str, str]) -> None:
        """``parts``: key → title, all waiting."""

    def update(self, key: str, state: str, detail: str = "") -> None: ...

    def finish(self) -> None: ...


class NullProgress:
    def start(self, parts: dict[str, str]) -> None:
        pass

    def update(self, key: str, state: str, detail: str = "") -> None:
        pass

    def finish(self) -> None:
        pass


class RecordingProgress(NullProgress):
    """Every update, in order (for tests and the eval)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()

    def update(self, key: str, state: str, detail: str = "") -> None:
        with self._lock:
            self.events.append((key, state, detail))

    def states(self, key: str) -> list[str]:
        return [s for k, s, _ in self.events if k == key]


class _RetryHandler(logging.Handler):
    def __init__(self, keys: set[str], on_retry: Callable[[str, str], None]) -> None:
        super().__init__(logging.INFO)
        self.keys, self.on_retry = keys, on_retry

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) >= 3 and str(args[1]) in self.keys:
            self.on_retry(str(args[1]), str(args[2]))


@contextmanager
def watching_retries(keys: set[str], on_retry: Callable[[str, str], None]) -> Iterator[None]:
    """Call ``on_retry(key, cause)`` whenever the LLM client retries a request for ``key``."""
    logger = logging.getLogger("agent.llm")
    handler = _RetryHandler(keys, on_retry)
    old_level = logger.level
    if not logger.isEnabledFor(logging.INFO):
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
