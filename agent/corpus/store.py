"""The index: chunk vectors in chromadb, and beside them a sqlite registry of documents and
chunks (text, metadata, jieba tokens) from which the BM25 index is rebuilt after every change.

* chromadb runs embedded (``PersistentClient`` under ``<index_dir>/chroma``) or, with
  ``--chroma-url`` / ``REPORT_AGENT_CHROMA_URL``, as a client of a Chroma server. Telemetry is
  off, and vectors are always passed in: chroma's own embedding function is never used.
* Embedded, chroma holds the vectors and the five fields filters use (kind, section, year,
  agency, status); texts and the rest live in the registry. That keeps ingest fast (chroma's
  cost grows with every metadata field and with stored documents). On a Chroma server the
  collection also holds the texts and all metadata, so another machine can rebuild its
  registry from the server.
* The collection's metadata records the embedder's name and dimension; opening it with another
  embedder is refused (``report-agent ingest --rebuild`` starts again).
* HNSW build parameters (:data:`DEFAULT_HNSW`) are fixed in the collection when it is created: an
  index built with other ones keeps them (``--rebuild`` applies the current ones) and is only
  given the current ``ef_search`` when opened.
* Chunk ids are content hashes: re-ingesting unchanged text embeds nothing, a changed file
  replaces its old chunks, removed files can be pruned.
* A random ``stamp`` is written to the collection and to the registry after each change. When
  they differ (an interrupted run, or another machine writing to the same server) the two are
  reconciled before use.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agent.corpus.chroma import COLLECTION, DEFAULT_HNSW, known_dim, open_client
from agent.corpus.chunking import Chunk
from agent.corpus.embeddings import Embedder
from agent.corpus.lexical import BM25Index, tokenize, tokenize_later
from agent.corpus.meta import DocMeta
from agent.errors import InputError

SCHEMA = 1
ADD_BATCH = 2000
_log = logging.getLogger(__name__)


@dataclass
class DocRecord:
    doc_id: str
    file: str
    sha: str
    meta_key: str
    meta: dict[str, Any]
    n_chunks: int
    bundled: bool


@dataclass
class DocChange:
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    updated: int = 0  # metadata corrected without re-embedding


@dataclass
class _Pending:
    chunks: list[Chunk]
    extra: dict[str, Any]
    doc_row: tuple[Any, ...]
    on_chunks: Callable[[int], None] | None


class Store:
    """One collection of chunks with its registry and BM25 index."""

    def __init__(
        self,
        index_dir: Path,
        embedder: Embedder,
        *,
        chroma_url: str | None = None,
        rebuild: bool = False,
        hnsw: dict[str, Any] | None = None,
    ):
        self.index_dir = Path(index_dir)
        self.embedder = embedder
        self.chroma_url = chroma_url
        self.remote = bool(chroma_url)
        self.local_dir = (
            self.index_dir / f"remote-{hashlib.sha256(chroma_url.encode()).hexdigest()[:12]}"
            if chroma_url
            else self.index_dir
        )
        self.local_dir.mkdir(parents=True, exist_ok=True)
        self.client = open_client(self.index_dir, chroma_url)
        self.hnsw = {**DEFAULT_HNSW, **(hnsw or {})}
        self._db = sqlite3.connect(
            str(self.local_dir / "registry.sqlite3"), isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._init_db()
        self._pending: list[_Pending] = []
        self._pending_n = 0
        self._bm25: BM25Index | None = None
        self._bm25_stamp: str | None = None
        self.dirty = False
        if rebuild:
            self._drop()
        self.collection = self._open_collection()
        self.sync()

    # ------------------------------------------------------------------ opening

    @property
    def where(self) -> str:
        return self.chroma_url or str(self.index_dir)

    def _init_db(self) -> None:
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS docs(doc_id TEXT PRIMARY KEY, file TEXT, sha TEXT, meta_key TEXT,
                meta TEXT, n_chunks INTEGER, bundled INTEGER);
            CREATE TABLE IF NOT EXISTS chunks(id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, kind TEXT,
                section TEXT, year INTEGER, agency TEXT, status TEXT, tokens TEXT, text TEXT, meta TEXT);
            CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
            CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, value TEXT);
            """
        )

    @contextmanager
    def _tx(self) -> Any:
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _drop(self) -> None:
        import chromadb.errors

        with suppress(chromadb.errors.NotFoundError, ValueError):
            self.client.delete_collection(COLLECTION)
        self._clear_local()

    def _clear_local(self) -> None:
        with self._tx():
            self._db.execute("DELETE FROM docs")
            self._db.execute("DELETE FROM chunks")
            self._db.execute("DELETE FROM info")
        folder = self.local_dir / "bm25"
        if folder.exists():
            shutil.rmtree(folder)
        self._bm25 = self._bm25_stamp = None

    def _collection_meta(self, stamp: str) -> dict[str, Any]:
        return {
            "embedder": self.embedder.name,
            "dim": int(self.embedder.dim),
            "stamp": stamp,
            "schema": SCHEMA,
        }

    def _open_collection(self) -> Any:
        import chromadb.errors

        try:
            col = self.client.get_collection(COLLECTION, embedding_function=None)
        except (chromadb.errors.NotFoundError, ValueError):
            col = None
        if col is not None:
            meta = col.metadata or {}
            same_name = meta.get("embedder") == self.embedder.name
            dim = known_dim(self.embedder)
            if same_name and (dim is None or dim == meta.get("dim")):
                self._apply_search_width(col)
                return col
            if col.count() == 0:  # nothing to mix up: start again with this embedder
                self.client.delete_collection(COLLECTION)
                self._clear_local()
            else:
                raise InputError(
                    f"索引 {self.where} 是用嵌入方式“{meta.get('embedder')}”（{meta.get('dim')} 维）建立的，"
                    f"当前设置为“{self.embedder.name}”。两种向量不能混用：请运行 report-agent ingest --rebuild "
                    "用当前设置重建索引，或改回原来的 --embedder 设置。"
                )
        return self.client.create_collection(
            COLLECTION,
            embedding_function=None,
            metadata=self._collection_meta(""),
            configuration={"hnsw": self.hnsw},
        )

    def _apply_search_width(self, col: Any) -> None:
        """Give an existing collection the current ef_search. Its build parameters (space,
        ef_construction, max_neighbors) are fixed when it is created and stay as they were, so an
        index built before they changed opens and grows as before."""
        want = self.hnsw.get("ef_search")
        try:
            current = (col.configuration_json or {}).get("hnsw")
        except Exception:  # pragma: no cover - a chroma without collection configurations
            current = None
        if want is None or not isinstance(current, dict) or current.get("ef_search") == want:
            return
        try:
            col.modify(configuration={"hnsw": {"ef_search": int(want)}})
        except Exception as exc:  # e.g. a read-only server: searching still works, a little narrower
            _log.warning("could not set ef_search=%s on %s: %s", want, self.where, exc)

    # ------------------------------------------------------------------ registry

    def count(self) -> int:
        return int(self.collection.count())

    def local_stamp(self) -> str:
        row = self._db.execute("SELECT value FROM info WHERE key='stamp'").fetchone()
        return row[0] if row else ""

    def remote_stamp(self) -> str:
        return str((self.collection.metadata or {}).get("stamp") or "")

    def _record(self, r: Sequence[Any]) -> DocRecord:
        return DocRecord(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], bool(r[6]))

    def documents(self) -> dict[str, DocRecord]:
        self.flush()
        rows = self._db.execute(
            "SELECT doc_id, file, sha, meta_key, meta, n_chunks, bundled FROM docs"
        ).fetchall()
        return {r[0]: self._record(r) for r in rows}

    def document(self, doc_id: str) -> DocRecord | None:
        r = self._db.execute(
            "SELECT doc_id, file, sha, meta_key, meta, n_chunks, bundled FROM docs WHERE doc_id=?", (doc_id,)
        ).fetchone()
        return self._record(r) if r else None

    def chunk_ids(self, doc_id: str) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT id FROM chunks WHERE doc_id=?", (doc_id,))]

    def registry_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    # ------------------------------------------------------------------ changes

    def _chroma_meta(self, c: Chunk, extra: dict[str, Any]) -> dict[str, Any]:
        if self.remote:
            return {**c.metadata(), **extra}
        return c.filter_metadata()

    def put_document(
        self,
        meta: DocMeta,
        sha: str,
        meta_key: str,
        chunks: Sequence[Chunk],
        on_chunks: Callable[[int], None] | None = None,
    ) -> DocChange:
        """Make the index hold exactly ``chunks`` for this document, embedding only new text.

        New chunks are buffered and written in large batches (:meth:`flush`, also called by
        :meth:`commit`); a document's registry row is written together with its chunks."""
        change = DocChange()
        old_ids = set(self.chunk_ids(meta.doc_id))
        new_by_id: dict[str, Chunk] = {}
        for c in chunks:
            new_by_id.setdefault(c.id, c)
        gone = [i for i in old_ids if i not in new_by_id]
        kept = [i for i in new_by_id if i in old_ids]
        fresh = [c for i, c in new_by_id.items() if i not in old_ids]
        old = self.document(meta.doc_id)
        meta_dump = meta.model_dump()
        meta_changed = old is not None and old.meta != meta_dump
        extra = {"doc_sha": sha, "meta_key": meta_key, "bundled": meta.bundled}
        if gone:
            self._delete_ids(gone)
            with self._tx():
                self._db.executemany("DELETE FROM chunks WHERE id=?", [(i,) for i in gone])
            change.removed = len(gone)
        if kept and (meta_changed or (self.remote and old is not None and old.sha != sha)):
            for start in range(0, len(kept), ADD_BATCH):
                ids = kept[start : start + ADD_BATCH]
                self.collection.update(
                    ids=ids, metadatas=[self._chroma_meta(new_by_id[i], extra) for i in ids]
                )
        if kept and (meta_changed or (old is not None and old.sha != sha)):
            with self._tx():
                self._db.executemany(
                    "UPDATE chunks SET kind=?, year=?, agency=?, status=?, meta=? WHERE id=?",
                    [
                        (
                            meta.kind,
                            meta.year or 0,
                            meta.agency or "",
                            meta.status,
                            json.dumps({**new_by_id[i].metadata(), **extra}, ensure_ascii=False),
                            i,
                        )
                        for i in kept
                    ],
                )
        change.updated = len(kept) if meta_changed else 0
        change.unchanged = 0 if meta_changed else len(kept)
        if on_chunks and kept:
            on_chunks(len(kept))
        doc_row = (
            meta.doc_id,
            meta.file,
            sha,
            meta_key,
            json.dumps(meta_dump, ensure_ascii=False),
            len(new_by_id),
            int(meta.bundled),
        )
        self._pending.append(_Pending(fresh, extra, doc_row, on_chunks))
        self._pending_n += len(fresh)
        change.added = len(fresh)
        self.dirty = True
        if self._pending_n >= ADD_BATCH:
            self.flush()
        return change

    def flush(self) -> None:
        """Embed and write the buffered new chunks, then their registry rows."""
        pending, self._pending, self._pending_n = self._pending, [], 0
        if not pending:
            return
        items = [(c, p.extra) for p in pending for c in p.chunks]
        tokens_of = tokenize_later([c.index_text for c, _ in items])  # overlaps with the embedding below
        present = set(self._existing(c.id for c, _ in items))  # left over by an interrupted run
        if present:
            redo = [(c, e) for c, e in items if c.id in present]
            self.collection.update(
                ids=[c.id for c, _ in redo], metadatas=[self._chroma_meta(c, e) for c, e in redo]
            )
        todo = [(c, e) for c, e in items if c.id not in present]
        for start in range(0, len(todo), ADD_BATCH):
            batch = todo[start : start + ADD_BATCH]
            vectors = self.embedder.embed([c.index_text for c, _ in batch])
            self.collection.add(
                ids=[c.id for c, _ in batch],
                embeddings=vectors,
                metadatas=[self._chroma_meta(c, e) for c, e in batch],
                documents=[c.text for c, _ in batch] if self.remote else None,
            )
        tokens = tokens_of()
        rows = [
            (
                c.id,
                c.doc_id,
                c.kind,
                c.section,
                c.year or 0,
                c.agency or "",
                c.status,
                " ".join(t),
                c.text,
                json.dumps({**c.metadata(), **e}, ensure_ascii=False),
            )
            for (c, e), t in zip(items, tokens, strict=True)
        ]
        with self._tx():
            self._db.executemany("INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
            self._db.executemany(
                "INSERT OR REPLACE INTO docs VALUES (?,?,?,?,?,?,?)", [p.doc_row for p in pending]
            )
        for p in pending:
            if p.on_chunks and p.chunks:
                p.on_chunks(len(p.chunks))

    def remove_document(self, doc_id: str) -> int:
        ids = self.chunk_ids(doc_id)
        if ids:
            self._delete_ids(ids)
        with self._tx():
            self._db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
            self._db.execute("DELETE FROM docs WHERE doc_id=?", (doc_id,))
        self.dirty = True
        return len(ids)

    def _delete_ids(self, ids: list[str]) -> None:
        for start in range(0, len(ids), ADD_BATCH):
            self.collection.delete(ids=ids[start : start + ADD_BATCH])

    def _existing(self, ids: Iterable[str]) -> list[str]:
        wanted = list(ids)
        found: list[str] = []
        for start in range(0, len(wanted), ADD_BATCH):
            found += self.collection.get(ids=wanted[start : start + ADD_BATCH], include=[])["ids"]
        return found

    def commit(self) -> None:
        """After changes: a new stamp on both sides and a fresh BM25 index."""
        self.flush()
        if not self.dirty:
            return
        stamp = uuid.uuid4().hex
        self._db.execute("INSERT OR REPLACE INTO info VALUES ('stamp', ?)", (stamp,))
        self.collection.modify(metadata=self._collection_meta(stamp))
        self.rebuild_bm25()
        self.dirty = False

    # ------------------------------------------------------------------ BM25

    def rebuild_bm25(self) -> BM25Index:
        stamp = self.local_stamp()
        cur = self._db.execute(
            "SELECT id, tokens, kind, section, agency, status, doc_id, year FROM chunks ORDER BY rowid"
        )
        records = (
            (
                r[0],
                r[1].split(" ") if r[1] else [],
                {"kind": r[2], "section": r[3], "agency": r[4], "status": r[5], "doc_id": r[6], "year": r[7]},
            )
            for r in cur
        )
        index = BM25Index.build(records)
        folder = self.local_dir / "bm25"
        index.save(folder)
        (folder / "stamp").write_text(stamp, encoding="utf-8")
        self._bm25, self._bm25_stamp = index, stamp
        return index

    def bm25(self) -> BM25Index:
        """The BM25 index matching the registry (loaded, or rebuilt when stale)."""
        stamp = self.local_stamp()
        if self._bm25 is not None and self._bm25_stamp == stamp:
            return self._bm25
        folder = self.local_dir / "bm25"
        saved = (folder / "stamp").read_text(encoding="utf-8") if (folder / "stamp").is_file() else None
        index = BM25Index.load(folder) if saved == stamp else None
        if index is None:
            return self.rebuild_bm25()
        self._bm25, self._bm25_stamp = index, stamp
        return index

    # ------------------------------------------------------------------ consistency

    def sync(self) -> bool:
        """Reconcile registry and collection when their stamps differ. True if it did."""
        remote, local = self.remote_stamp(), self.local_stamp()
        if remote == local:
            return False
        if self.count() == 0:
            self._clear_local()
            if remote:
                self.collection.modify(metadata=self._collection_meta(""))
            return True
        _log.info("registry and collection differ (%s ≠ %s): reconciling", local, remote)
        if self.remote:
            self._resync_from_collection()
        else:
            self._reconcile()
        stamp = uuid.uuid4().hex
        self._db.execute("INSERT OR REPLACE INTO info VALUES ('stamp', ?)", (stamp,))
        self.collection.modify(metadata=self._collection_meta(stamp))
        self.rebuild_bm25()
        return True

    def _all_collection_ids(self) -> list[str]:
        ids: list[str] = []
        total = self.count()
        for offset in range(0, total, 5000):
            ids += self.collection.get(include=[], limit=5000, offset=offset)["ids"]
        return ids

    def _reconcile(self) -> None:
        """Embedded mode: drop vectors the registry does not know, and registry rows without a
        vector (their documents are marked changed, so the next ingest redoes them)."""
        in_chroma = set(self._all_collection_ids())
        in_registry = {r[0] for r in self._db.execute("SELECT id FROM chunks")}
        orphans = sorted(in_chroma - in_registry)
        if orphans:
            self._delete_ids(orphans)
        missing = sorted(in_registry - in_chroma)
        if missing:
            with self._tx():
                docs = {
                    r[0]
                    for i in missing
                    for r in self._db.execute("SELECT doc_id FROM chunks WHERE id=?", (i,))
                }
                self._db.executemany("DELETE FROM chunks WHERE id=?", [(i,) for i in missing])
                self._db.executemany("UPDATE docs SET sha='' WHERE doc_id=?", [(d,) for d in docs])

    def _resync_from_collection(self) -> None:
        """Server mode: rebuild the registry from the texts and metadata in the collection."""
        total = self.count()
        docs: dict[str, tuple[Any, ...]] = {}
        rows: list[tuple[Any, ...]] = []
        for offset in range(0, total, 2000):
            got = self.collection.get(include=["metadatas", "documents"], limit=2000, offset=offset)
            for cid, md, text in zip(
                got["ids"], got["metadatas"] or [], got["documents"] or [], strict=False
            ):
                md = dict(md or {})
                text = text or ""
                index_text = (
                    f"{md.get('title', '')} {md.get('context', '')} {md.get('section_path', '')}\n{text}"
                )
                rows.append(
                    (
                        cid,
                        md.get("doc_id", ""),
                        md.get("kind", ""),
                        md.get("section", ""),
                        int(md.get("year") or 0),
                        md.get("agency", ""),
                        md.get("status", "current"),
                        " ".join(tokenize(index_text)),
                        text,
                        json.dumps(md, ensure_ascii=False),
                    )
                )
                doc_id = str(md.get("doc_id", ""))
                if doc_id not in docs:
                    meta = {
                        "doc_id": doc_id,
                        "file": md.get("document", ""),
                        "title": md.get("title", ""),
                        "kind": md.get("kind", ""),
                        "agency": md.get("agency") or None,
                        "place": md.get("place") or None,
                        "year": int(md.get("year") or 0) or None,
                        "format": md.get("format") or None,
                        "status": md.get("status", "current"),
                        "bundled": bool(md.get("bundled", False)),
                    }
                    docs[doc_id] = (
                        doc_id,
                        meta["file"],
                        md.get("doc_sha", ""),
                        md.get("meta_key", ""),
                        json.dumps(meta, ensure_ascii=False),
                        int(meta["bundled"]),
                    )
        counts: dict[str, int] = {}
        for r in rows:
            counts[r[1]] = counts.get(r[1], 0) + 1
        with self._tx():
            self._db.execute("DELETE FROM docs")
            self._db.execute("DELETE FROM chunks")
            self._db.executemany("INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
            self._db.executemany(
                "INSERT OR REPLACE INTO docs VALUES (?,?,?,?,?,?,?)",
                [(*d[:5], counts.get(d[0], 0), d[5]) for d in docs.values()],
            )

    # ------------------------------------------------------------------ reading

    def query(
        self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the ``n`` nearest chunks."""
        total = self.count()
        if total == 0 or n <= 0:
            return []
        res = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=min(n, total),
            where=where,
            include=["distances"],
        )
        ids = res["ids"][0]
        dists = (res.get("distances") or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=False)]

    def get(self, ids: Sequence[str]) -> dict[str, tuple[dict[str, Any], str]]:
        """Metadata and text of chunks, from the registry."""
        out: dict[str, tuple[dict[str, Any], str]] = {}
        ids = list(ids)
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for cid, meta, text in self._db.execute(
                f"SELECT id, meta, text FROM chunks WHERE id IN ({marks})", part
            ):
                out[cid] = (json.loads(meta), text)
        return out

    def close(self) -> None:
        self._db.close()
