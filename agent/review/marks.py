"""Reviewer marks on findings — 已核实 (verified) or 忽略 (ignored), with a note — in a small SQLite file.

Marks are keyed by the document's SHA-256 and the finding's key (:func:`agent.review.results.finding_key`),
so a reviewer who checks the same file again (in another session, or in a batch) sees the marks
made before. The file lives in the data folder (``<home>/review-marks.sqlite``).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent.errors import InputError

STATUSES = {"verified": "已核实", "ignored": "忽略"}
MAX_NOTE_CHARS = 1000
FILE_NAME = "review-marks.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS marks (
    document TEXT NOT NULL,
    finding TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    updated REAL NOT NULL,
    PRIMARY KEY (document, finding)
)
"""


class MarkStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(_SCHEMA)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    def set(self, document: str, finding: str, status: str, note: str = "") -> None:
        """Mark a finding; status "" removes the mark."""
        if status and status not in STATUSES:
            raise InputError(f"核实状态只能是{'、'.join(STATUSES.values())}")
        if len(note) > MAX_NOTE_CHARS:
            raise InputError(f"备注太长（{len(note)} 字），请控制在 {MAX_NOTE_CHARS} 字以内")
        with self._db() as db:
            if not status and not note.strip():
                db.execute("DELETE FROM marks WHERE document = ? AND finding = ?", (document, finding))
                return
            db.execute(
                "INSERT INTO marks (document, finding, status, note, updated) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (document, finding) DO UPDATE SET status = excluded.status, "
                "note = excluded.note, updated = excluded.updated",
                (document, finding, status, note.strip(), time.time()),
            )

    def for_document(self, document: str) -> dict[str, dict[str, str]]:
        with self._db() as db:
            rows = db.execute(
                "SELECT finding, status, note FROM marks WHERE document = ?", (document,)
            ).fetchall()
        return {f: {"status": s, "note": n} for f, s, n in rows}


def reviewed(data: dict[str, Any], marks: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The check result with each finding's mark (``review``: status, label, note) and the tallies."""
    findings = []
    for f in data["findings"]:
        m = marks.get(f.get("key", ""), {})
        status = m.get("status", "")
        findings.append(
            {**f, "review": {"status": status, "label": STATUSES.get(status, ""), "note": m.get("note", "")}}
        )
    tally = {s: sum(1 for f in findings if f["review"]["status"] == s) for s in STATUSES}
    tally["open"] = len(findings) - sum(tally.values())
    return {**data, "findings": findings, "review_summary": tally}
