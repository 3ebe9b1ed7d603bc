"""The registry: a SQLite file beside the vectors with every document and chunk (text, metadata,
jieba tokens), from which the BM25 index is built and search hits get their text.

Crash safety rests on two things kept here:

* every document has a ``state``: ``pending`` is written (and committed) *before* its vectors are
  added to or deleted from the collection, ``ok`` only *after* — so a crash at any point leaves
  the document either ``ok`` with all its vectors or ``pending``, which the store repairs on the
  next opening (:meth:`agent.corpus.store.Store.repair`). Reads (:meth:`get`, :meth:`bm25_records`)
  see ``ok`` documents only, so a search while another process ingests sees finished documents.
* a random ``stamp`` changes in the same transaction as every committed change: the BM25 index
  and the collection record the stamp they were built with, and are rebuilt or reconciled when
  it differs.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.corpus.chunking import Chunk

SCHEMA = 2  # 2: docs.state
OK, PENDING = "ok", "pending"
_PART = 500  # ids per IN (…) query

DocRow = tuple[str, str, str, str, str, int, int]  # doc_id, file, sha, meta_key, meta json, n_chunks, bundled
ChunkRow = tuple[str, str, str, str, int, str, str, str, str, str]  # id, doc_id, kind, section, year,
# agency, status, tokens, text, meta json


@dataclass
class DocRecord:
    doc_id: str
    file: str
    sha: str
    meta_key: str
    meta: dict[str, Any]
    n_chunks: int
    bundled: bool
    state: str = OK


_DOC_COLUMNS = "doc_id, file, sha, meta_key, meta, n_chunks, bundled, state"


def _record(r: Sequence[Any]) -> DocRecord:
    return DocRecord(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], bool(r[6]), r[7])


class Registry:
    """The SQLite side of the index (one file; WAL journal, so readers never wait for a writer)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._init_schema()

    def _init_schema(self) -> None:
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS docs(doc_id TEXT PRIMARY KEY, file TEXT, sha TEXT, meta_key TEXT,
                meta TEXT, n_chunks INTEGER, bundled INTEGER, state TEXT NOT NULL DEFAULT 'ok');
            CREATE TABLE IF NOT EXISTS chunks(id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, kind TEXT,
                section TEXT, year INTEGER, agency TEXT, status TEXT, tokens TEXT, text TEXT, meta TEXT);
            CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
            CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, value TEXT);
            """
        )
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(docs)")}
        if "state" not in columns:  # a schema-1 index: every document it holds was complete
            try:
                self.db.execute("ALTER TABLE docs ADD COLUMN state TEXT NOT NULL DEFAULT 'ok'")
            except sqlite3.OperationalError as exc:  # another process added it a moment ago
                if "duplicate column" not in str(exc):
                    raise
        self.db.execute("INSERT OR REPLACE INTO info VALUES ('schema', ?)", (str(SCHEMA),))

    @contextmanager
    def tx(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ stamp

    def stamp(self) -> str:
        row = self.db.execute("SELECT value FROM info WHERE key='stamp'").fetchone()
        return row[0] if row else ""

    def new_stamp(self) -> str:
        """A new stamp (call inside the transaction that makes the change)."""
        stamp = uuid.uuid4().hex
        self.db.execute("INSERT OR REPLACE INTO info VALUES ('stamp', ?)", (stamp,))
        return stamp

    # ------------------------------------------------------------------ reading

    def documents(self, state: str | None = OK) -> dict[str, DocRecord]:
        sql = f"SELECT {_DOC_COLUMNS} FROM docs" + (" WHERE state=?" if state else "")
        rows = self.db.execute(sql, (state,) if state else ()).fetchall()
        return {r[0]: _record(r) for r in rows}

    def document(self, doc_id: str) -> DocRecord | None:
        """The document if it is complete (``ok``); a pending one counts as absent."""
        r = self.db.execute(
            f"SELECT {_DOC_COLUMNS} FROM docs WHERE doc_id=? AND state='ok'", (doc_id,)
        ).fetchone()
        return _record(r) if r else None

    def chunk_ids(self, doc_id: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc_id=?", (doc_id,))]

    def chunk_ids_of(self, doc_ids: Iterable[str]) -> list[str]:
        out: list[str] = []
        for part in _parts(list(doc_ids)):
            marks = ",".join("?" * len(part))
            out += [r[0] for r in self.db.execute(f"SELECT id FROM chunks WHERE doc_id IN ({marks})", part)]
        return out

    def ok_chunk_ids(self) -> set[str]:
        return {
            r[0]
            for r in self.db.execute(
                "SELECT c.id FROM chunks c JOIN docs d ON d.doc_id = c.doc_id WHERE d.state='ok'"
            )
        }

    def chunk_count(self, complete_only: bool = True) -> int:
        if not complete_only:
            return int(self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])
        return int(
            self.db.execute(
                "SELECT COUNT(*) FROM chunks c JOIN docs d ON d.doc_id = c.doc_id WHERE d.state='ok'"
            ).fetchone()[0]
        )

    def stray_chunk_ids(self) -> list[str]:
        """Chunk rows whose document row is missing (left by an older version's crash)."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT c.id FROM chunks c LEFT JOIN docs d ON d.doc_id = c.doc_id WHERE d.doc_id IS NULL"
            )
        ]

    def docs_of_chunks(self, ids: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for part in _parts(list(ids)):
            marks = ",".join("?" * len(part))
            out |= {
                r[0]
                for r in self.db.execute(f"SELECT DISTINCT doc_id FROM chunks WHERE id IN ({marks})", part)
            }
        return out

    def get(self, ids: Sequence[str]) -> dict[str, tuple[dict[str, Any], str]]:
        """Metadata and text of chunks of complete documents."""
        out: dict[str, tuple[dict[str, Any], str]] = {}
        for part in _parts(list(ids)):
            marks = ",".join("?" * len(part))
            for cid, meta, text in self.db.execute(
                "SELECT c.id, c.meta, c.text FROM chunks c JOIN docs d ON d.doc_id = c.doc_id "
                f"WHERE d.state='ok' AND c.id IN ({marks})",
                part,
            ):
                out[cid] = (json.loads(meta), text)
        return out

    def bm25_records(self) -> Iterator[tuple[str, list[str], dict[str, Any]]]:
        """(id, tokens, filter fields) of every chunk of a complete document, in insertion order."""
        cur = self.db.execute(
            "SELECT c.id, c.tokens, c.kind, c.section, c.agency, c.status, c.doc_id, c.year FROM chunks c "
            "JOIN docs d ON d.doc_id = c.doc_id WHERE d.state='ok' ORDER BY c.rowid"
        )
        for r in cur:
            fields = {
                "kind": r[2],
                "section": r[3],
                "agency": r[4],
                "status": r[5],
                "doc_id": r[6],
                "year": r[7],
            }
            yield r[0], (r[1].split(" ") if r[1] else []), fields

    # ------------------------------------------------------------------ writing

    def mark_pending(self, doc_ids: Iterable[str]) -> None:
        """Intent: these documents are about to change in the collection."""
        with self.tx():
            self.db.executemany("UPDATE docs SET state='pending' WHERE doc_id=?", [(d,) for d in doc_ids])

    def write_intent(self, docs: Sequence[DocRow], chunks: Sequence[ChunkRow]) -> None:
        """Documents (as ``pending``) and their new chunk rows, before their vectors are written."""
        with self.tx():
            self.db.executemany("INSERT OR REPLACE INTO docs VALUES (?,?,?,?,?,?,?,'pending')", docs)
            self.db.executemany("INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)", chunks)

    def finish(self, doc_ids: Sequence[str], tokens: Sequence[tuple[str, str]]) -> None:
        """After the vectors are written: the chunks' tokens, the documents ``ok``, a new stamp."""
        with self.tx():
            self.db.executemany("UPDATE chunks SET tokens=? WHERE id=?", tokens)
            self.db.executemany("UPDATE docs SET state='ok' WHERE doc_id=?", [(d,) for d in doc_ids])
            self.new_stamp()

    def delete_chunks(self, ids: Sequence[str]) -> None:
        with self.tx():
            self.db.executemany("DELETE FROM chunks WHERE id=?", [(i,) for i in ids])

    def update_chunks(self, rows: Sequence[tuple[str, int, str, str, str, str]]) -> None:
        """(kind, year, agency, status, meta json, id) of chunks whose text is unchanged."""
        with self.tx():
            self.db.executemany(
                "UPDATE chunks SET kind=?, year=?, agency=?, status=?, meta=? WHERE id=?", rows
            )

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        with self.tx():
            self.db.executemany("DELETE FROM chunks WHERE doc_id=?", [(d,) for d in doc_ids])
            self.db.executemany("DELETE FROM docs WHERE doc_id=?", [(d,) for d in doc_ids])
            self.new_stamp()

    def clear(self) -> None:
        with self.tx():
            self.db.execute("DELETE FROM docs")
            self.db.execute("DELETE FROM chunks")
            self.db.execute("DELETE FROM info WHERE key='stamp'")

    def replace_all(self, docs: Sequence[DocRow], chunks: Sequence[ChunkRow]) -> None:
        """Everything at once (a registry rebuilt from a Chroma server's collection)."""
        with self.tx():
            self.db.execute("DELETE FROM docs")
            self.db.execute("DELETE FROM chunks")
            self.db.executemany("INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)", chunks)
            self.db.executemany("INSERT OR REPLACE INTO docs VALUES (?,?,?,?,?,?,?,'ok')", docs)
            self.new_stamp()


def chunk_row(c: Chunk, extra: dict[str, Any], tokens: str = "") -> ChunkRow:
    """A chunk as a registry row (``extra``: doc_sha, meta_key, bundled)."""
    return (
        c.id,
        c.doc_id,
        c.kind,
        c.section,
        c.year or 0,
        c.agency or "",
        c.status,
        tokens,
        c.text,
        json.dumps({**c.metadata(), **extra}, ensure_ascii=False),
    )


def _parts(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _PART):
        yield items[start : start + _PART]
