"""The parts of an LLM-mode draft on screen: waiting / drafting / repairing / retrying (why) /
done / written offline (why). Drawn on stderr with rich; nothing is drawn in offline mode."""

from __future__ import annotations

import threading
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from agent.draft.progress import DONE, OFFLINE, RETRYING, STATE_LABELS, WAITING


class PartsDisplay:
    """A live table of the parts (a DraftProgress); a plain line per change when not a terminal."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.titles: dict[str, str] = {}
        self.states: dict[str, tuple[str, str]] = {}
        self.lock = threading.Lock()
        self.live: Live | None = None

    def __enter__(self) -> PartsDisplay:
        return self

    def __exit__(self, *_: Any) -> None:
        self.finish()

    def _table(self) -> Table:
        done = sum(1 for s, _ in self.states.values() if s in (DONE, OFFLINE))
        table = Table(title=f"大模型起草：{done}/{len(self.titles)} 部分完成", show_header=False, box=None)
        for key, title in self.titles.items():
            state, detail = self.states.get(key, (WAITING, ""))
            table.add_row(title, STATE_LABELS.get(state, state), detail)
        return table

    def start(self, parts: dict[str, str]) -> None:
        with self.lock:
            self.titles = dict(parts)
            self.states = {k: (WAITING, "") for k in parts}
            if self.console.is_terminal:
                self.live = Live(self._table(), console=self.console, refresh_per_second=4, transient=True)
                self.live.start()

    def update(self, key: str, state: str, detail: str = "") -> None:
        with self.lock:
            self.states[key] = (state, detail)
            if self.live is not None:
                self.live.update(self._table())
            elif state in (RETRYING, OFFLINE):
                title = self.titles.get(key, key)
                self.console.print(f"  {title}：{STATE_LABELS[state]}（{detail}）", markup=False)

    def finish(self) -> None:
        with self.lock:
            if self.live is not None:
                self.live.stop()
                self.live = None
