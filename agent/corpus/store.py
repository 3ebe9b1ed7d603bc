"""The index: chunk vectors in chromadb, beside them the registry (:mod:`agent.corpus.registry`:
documents and chunks with text, metadata and jieba tokens) and the BM25 index built from it.

* chromadb runs embedded (``<index_dir>/chroma``) or as a client of a Chroma server
  (``--chroma-url``); telemetry off, vectors always passed in. Embedded, chroma holds the vectors
  and the five filter fields; on a server it also holds texts and metadata, so another machine
  can rebuild its registry from it. The collection records its embedder: opening it with
  another is refused (``ingest --rebuild``). Chunk ids are content hashes: unchanged text is
  never embedded twice.
* Crash safety (``kill -9`` anywhere in an ingest): documents are ``pending`` in the registry
  before their vectors change and ``ok`` after; every opening checks and repairs
  (:mod:`agent.corpus.index_health`), so searches return exactly the documents whose ingest
  completed. Writers hold ``<index>/ingest.lock``: a second ingest waits or gives up, never
  interleaves. :meth:`Store.check` is ``report-agent ingest --check``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agent.corpus.chroma import COLLECTION, DEFAULT_HNSW, collection_meta, open_client, open_collection
from agent.corpus.chunking import Chunk
from agent.corpus.embeddings import Embedder
from agent.corpus.index_health import IndexHealth, RepairReport, index_error, rebuild_index
from agent.corpus.lexical import BM25Index, tokenize_later
from agent.corpus.meta import DocMeta
from agent.corpus.registry import PENDING, SCHEMA, DocRecord, DocRow, Registry, chunk_row
from agent.errors import InputError
from agent.fsutil import LockBusy, file_lock

__all__ = ["ADD_BATCH", "DocChange", "DocRecord", "IndexBusy", "Store", "tokenize_later"]

ADD_BATCH = 2000  # chunks per chroma call and (at most) per flush
FLUSH_DOCS = 32  # documents per flush: a crash loses at most this many documents' work
READY_MARK = "index.ready"  # written once the registry and the collection exist completely
_log = logging.getLogger(__name__)


class IndexBusy(InputError):
    """Another process is writing to the index."""


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
    doc_row: DocRow
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
        repair: bool = True,
        lock_wait: float = 600.0,
        on_wait: Callable[[str], None] | None = None,
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
        self.hnsw = {**DEFAULT_HNSW, **(hnsw or {})}
        self.lock_wait = lock_wait
        self.on_wait = on_wait  # told the holder's process id when the lock is busy and we wait
        self.on_committed: Callable[[list[str]], None] | None = None  # file names, after each commit
        self._pending: list[_Pending] = []
        self._pending_n = 0
        self._bm25: BM25Index | None = None
        self._bm25_stamp: str | None = None
        self._lock_depth = 0
        self.dirty = False
        self.repair_report: RepairReport | None = None
        try:
            self._open(rebuild)
            if repair:
                self.repair_report = self.repair()
        except (InputError, KeyboardInterrupt):
            raise
        except Exception as exc:
            error = index_error(exc, self.where, self.local_dir)
            if error is None:
                raise
            raise error from exc

    # ------------------------------------------------------------------ opening

    @property
    def where(self) -> str:
        return self.chroma_url or str(self.index_dir)

    @property
    def lock_path(self) -> Path:
        return self.local_dir / "ingest.lock"

    def _open(self, rebuild: bool) -> None:
        if self.local_dir.exists() and not self.local_dir.is_dir():
            raise InputError(
                "索引位置是一个文件，而不是文件夹；请删除它，或用 REPORT_AGENT_INDEX_PATH 另选位置",
                path=str(self.local_dir),
            )
        self.local_dir.mkdir(parents=True, exist_ok=True)
        if rebuild:
            with self.writing(on_wait=self.on_wait):
                rebuild_index(self)
            return
        new = not (self.local_dir / "registry.sqlite3").exists() or not (
            self.remote or (self.local_dir / "chroma").exists()
        )
        ready = self.local_dir / READY_MARK
        with ExitStack() as stack:  # two creating one index: one at a time
            if new or not ready.exists():  # being created (maybe by another process right now)
                try:
                    stack.enter_context(self.writing(on_wait=self.on_wait))
                except OSError:
                    if new:
                        raise
                    # an existing index in a folder we cannot write to: nobody is creating it
            self.registry = Registry(self.local_dir / "registry.sqlite3")
            self.client = open_client(self.index_dir, self.chroma_url)
            self.collection = self._open_collection()
            if not ready.exists():
                with suppress(OSError):
                    ready.write_text("the registry and the collection were created completely\n")

    def _drop_collection(self) -> None:
        import chromadb.errors

        with suppress(chromadb.errors.NotFoundError, ValueError):
            self.client.delete_collection(COLLECTION)

    def _clear_local(self) -> None:
        self.registry.clear()
        if (self.local_dir / "bm25").exists():
            shutil.rmtree(self.local_dir / "bm25")
        self._bm25 = self._bm25_stamp = None

    def _collection_meta(self, stamp: str) -> dict[str, Any]:
        return collection_meta(self.embedder, stamp, SCHEMA)

    def _open_collection(self) -> Any:
        col = open_collection(self.client, self.embedder, self.hnsw, self.where)
        if col is None:  # an empty collection of another embedder was dropped: start again
            self._clear_local()
            col = open_collection(self.client, self.embedder, self.hnsw, self.where)
        return col

    # ------------------------------------------------------------------ the write lock

    @contextmanager
    def writing(
        self, wait: float | None = None, on_wait: Callable[[str], None] | None = None
    ) -> Iterator[None]:
        """Hold the index's write lock (re-entrant within this store). Another process holding it
        is waited for up to ``wait`` seconds (default ``lock_wait``), then :class:`IndexBusy`."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        limit = self.lock_wait if wait is None else wait
        try:
            lock = file_lock(self.lock_path, limit, on_wait)
            lock.__enter__()
        except LockBusy as busy:
            pid = f"（进程 {busy.holder}）" if busy.holder else ""
            waited = f"，已等待 {limit:.0f} 秒" if limit >= 1 else ""
            raise IndexBusy(
                f"另一个 report-agent 进程{pid}正在写入这个索引{waited}；请等它完成后再运行", path=self.where
            ) from None
        self._lock_depth = 1
        try:
            yield
        finally:
            self._lock_depth = 0
            lock.__exit__(None, None, None)

    # ------------------------------------------------------------------ registry

    def count(self) -> int:
        return int(self.collection.count())

    def local_stamp(self) -> str:
        return self.registry.stamp()

    def remote_stamp(self) -> str:
        """The collection's stamp, read afresh (another process may have committed since)."""
        with suppress(Exception):
            self.collection = self.client.get_collection(COLLECTION, embedding_function=None)
        return str((self.collection.metadata or {}).get("stamp") or "")

    def documents(self) -> dict[str, DocRecord]:
        self.flush()
        return self.registry.documents()

    def document(self, doc_id: str) -> DocRecord | None:
        return self.registry.document(doc_id)

    def chunk_ids(self, doc_id: str) -> list[str]:
        return self.registry.chunk_ids(doc_id)

    def registry_count(self) -> int:
        return self.registry.chunk_count()

    # ------------------------------------------------------------------ changes

    def _chroma_meta(self, c: Chunk, extra: dict[str, Any]) -> dict[str, Any]:
        return {**c.metadata(), **extra} if self.remote else c.filter_metadata()

    def put_document(
        self,
        meta: DocMeta,
        sha: str,
        meta_key: str,
        chunks: Sequence[Chunk],
        on_chunks: Callable[[int], None] | None = None,
    ) -> DocChange:
        """Make the index hold exactly ``chunks`` for this document, embedding only new text.

        New chunks are buffered and written in batches (:meth:`flush`, also called by
        :meth:`commit`); until then the document is not searchable."""
        with self.writing():
            return self._put(meta, sha, meta_key, chunks, on_chunks)

    def _put(
        self,
        meta: DocMeta,
        sha: str,
        meta_key: str,
        chunks: Sequence[Chunk],
        on_chunks: Callable[[int], None] | None,
    ) -> DocChange:
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
        touch_kept = bool(kept) and (meta_changed or (old is not None and old.sha != sha))
        if gone or touch_kept:
            self.registry.mark_pending([meta.doc_id])  # intent first: a crash from here is repaired
        if gone:
            self._delete_ids(gone)
            self.registry.delete_chunks(gone)
            change.removed = len(gone)
        if touch_kept:
            if meta_changed or self.remote:
                for start in range(0, len(kept), ADD_BATCH):
                    ids = kept[start : start + ADD_BATCH]
                    self.collection.update(
                        ids=ids, metadatas=[self._chroma_meta(new_by_id[i], extra) for i in ids]
                    )
            self.registry.update_chunks(
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
                ]
            )
        change.updated = len(kept) if meta_changed else 0
        change.unchanged = 0 if meta_changed else len(kept)
        if on_chunks and kept:
            on_chunks(len(kept))
        doc_row: DocRow = (
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
        if self._pending_n >= ADD_BATCH or len(self._pending) >= FLUSH_DOCS:
            self.flush()
        return change

    def flush(self) -> None:
        """Write the buffered documents: registry rows as ``pending``, then their vectors, then
        their tokens and ``ok`` (with a new stamp) in one transaction."""
        pending, self._pending, self._pending_n = self._pending, [], 0
        if not pending:
            return
        with self.writing():
            self._flush(pending)
        for p in pending:
            if p.on_chunks and p.chunks:
                p.on_chunks(len(p.chunks))
        if self.on_committed is not None:
            self.on_committed([p.doc_row[1] for p in pending])

    def _flush(self, pending: list[_Pending]) -> None:
        items = [(c, p.extra) for p in pending for c in p.chunks]
        tokens_of = tokenize_later([c.index_text for c, _ in items])  # overlaps with the embedding below
        self.registry.write_intent([p.doc_row for p in pending], [chunk_row(c, e) for c, e in items])
        present = set(self._existing(c.id for c, _ in items))  # e.g. left over on a server
        if present:
            redo = [(c, e) for c, e in items if c.id in present]
            self.collection.update(
                ids=[c.id for c, _ in redo], metadatas=[self._chroma_meta(c, e) for c, e in redo]
            )
        todo = [(c, e) for c, e in items if c.id not in present]
        for start in range(0, len(todo), ADD_BATCH):
            batch = todo[start : start + ADD_BATCH]
            self.collection.add(
                ids=[c.id for c, _ in batch],
                embeddings=self.embedder.embed([c.index_text for c, _ in batch]),
                metadatas=[self._chroma_meta(c, e) for c, e in batch],
                documents=[c.text for c, _ in batch] if self.remote else None,
            )
        tokens = tokens_of()
        self.registry.finish(
            [p.doc_row[0] for p in pending],
            [(" ".join(t), c.id) for (c, _), t in zip(items, tokens, strict=True)],
        )

    def remove_document(self, doc_id: str) -> int:
        with self.writing():
            ids = self.chunk_ids(doc_id)
            self.registry.mark_pending([doc_id])
            self._delete_ids(ids)
            self.registry.delete_documents([doc_id])
        self.dirty = True
        return len(ids)

    def _delete_ids(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), ADD_BATCH):
            self.collection.delete(ids=ids[start : start + ADD_BATCH])

    def _existing(self, ids: Iterable[str]) -> list[str]:
        wanted = list(ids)
        found: list[str] = []
        for start in range(0, len(wanted), ADD_BATCH):
            found += self.collection.get(ids=wanted[start : start + ADD_BATCH], include=[])["ids"]
        return found

    def commit(self) -> None:
        """After changes: the collection gets the registry's stamp, and BM25 is rebuilt."""
        self.flush()
        if not self.dirty:
            return
        with self.writing():
            self.collection.modify(metadata=self._collection_meta(self.registry.stamp()))
            self.rebuild_bm25()
        self.dirty = False

    # ------------------------------------------------------------------ BM25

    def rebuild_bm25(self) -> BM25Index:
        stamp = self.registry.stamp()
        index = BM25Index.build(self.registry.bm25_records())
        try:
            index.save(self.local_dir / "bm25", stamp=stamp)
        except OSError as exc:  # a read-only index: search with the index in memory
            _log.warning("could not save the BM25 index in %s: %s", self.local_dir, exc)
        self._bm25, self._bm25_stamp = index, stamp
        return index

    def bm25_saved_stamp(self) -> str | None:
        path = self.local_dir / "bm25" / "stamp"
        try:
            return path.read_text(encoding="utf-8") if path.is_file() else None
        except OSError:
            return None

    def bm25(self) -> BM25Index:
        """The BM25 index matching the registry (loaded, or rebuilt when its stamp differs)."""
        stamp = self.registry.stamp()
        if self._bm25 is not None and self._bm25_stamp == stamp:
            return self._bm25
        index = None
        if self.bm25_saved_stamp() == stamp:
            try:
                index = BM25Index.load(self.local_dir / "bm25")
            except Exception as exc:  # replaced by another process while loading, or damaged
                _log.info("BM25 index not loadable (%s): rebuilding", exc)
        if index is None:
            return self.rebuild_bm25()
        self._bm25, self._bm25_stamp = index, stamp
        return index

    # ------------------------------------------------------------------ consistency

    def all_collection_ids(self) -> list[str]:
        ids: list[str] = []
        total = self.count()
        for offset in range(0, total, 5000):
            ids += self.collection.get(include=[], limit=5000, offset=offset)["ids"]
        return ids

    def needs_repair(self) -> bool:
        """The cheap checks made on every opening."""
        stamp = self.registry.stamp()
        chunks = self.registry.chunk_count()
        return bool(
            self.registry.documents(state=PENDING)
            or self.remote_stamp() != stamp
            or self.count() != chunks
            or (chunks > 0 and self.bm25_saved_stamp() != stamp)
        )

    def check(self) -> IndexHealth:
        """Full consistency report; changes nothing."""
        from agent.corpus.index_health import check_store

        return check_store(self)

    def repair(self) -> RepairReport | None:
        """Check and, when something is wrong, repair (under the write lock; when another process
        is writing, its pending documents are left to it). None when all was well."""
        if not self.needs_repair():
            return None
        from agent.corpus.index_health import repair_store

        try:
            with self.writing(wait=0):
                report = repair_store(self)
        except IndexBusy:
            return RepairReport(busy=True)
        for line in report.lines():
            _log.warning("%s: %s", self.where, line)
        return report

    def sync(self) -> bool:
        """Repair when needed (kept for callers of the older API). True if anything was done."""
        report = self.repair()
        return report is not None and not report.busy

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
        """Metadata and text of chunks of complete documents, from the registry."""
        return self.registry.get(ids)

    def close(self) -> None:
        with suppress(sqlite3.Error, AttributeError):
            self.registry.close()
