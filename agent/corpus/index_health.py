"""The index's health: a full consistency check (``report-agent ingest --check``), the repair made
when an index is opened after a crash, and clear messages for an index that cannot be opened."""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import sqlite3
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.corpus.lexical import tokenize
from agent.corpus.registry import PENDING, ChunkRow, DocRecord, DocRow, Registry
from agent.errors import InputError

if TYPE_CHECKING:
    from agent.corpus.store import Store

_log = logging.getLogger(__name__)


def _names(records: list[DocRecord] | list[str], limit: int = 5) -> str:
    names = [r.file if isinstance(r, DocRecord) else r for r in records]
    shown = "、".join(names[:limit])
    return shown + (f" 等 {len(names)} 个" if len(names) > limit else "")


@dataclass
class IndexHealth:
    """What a full check found (nothing is changed)."""

    documents: int = 0
    vectors: int = 0  # in the collection
    chunks: int = 0  # of complete documents, in the registry
    pending: list[str] = field(default_factory=list)  # files whose ingest did not complete
    orphans: int = 0  # vectors the registry does not know
    missing: int = 0  # chunks of complete documents without a vector
    missing_docs: list[str] = field(default_factory=list)
    stray: int = 0  # chunk rows without a document row
    stamps_differ: bool = False
    bm25_stale: bool = False

    @property
    def ok(self) -> bool:
        return not (
            self.pending
            or self.orphans
            or self.missing
            or self.stray
            or self.stamps_differ
            or self.bm25_stale
        )

    def lines(self) -> list[str]:
        if self.ok:
            return [
                f"索引一致：{self.documents} 个文档，{self.chunks} 个分块；向量库、登记表与 BM25 索引相符。"
            ]
        out = ["索引不一致（上次写入可能被中断）："]
        if self.pending:
            out.append(f"  {len(self.pending)} 个文档入库未完成：{_names(self.pending)}")
        if self.orphans:
            out.append(f"  向量库中有 {self.orphans} 个登记表中没有的向量（孤立向量）")
        if self.missing:
            out.append(f"  {self.missing} 个分块缺少向量，涉及 {_names(self.missing_docs)}")
        if self.stray:
            out.append(f"  登记表中有 {self.stray} 个不属于任何文档的分块")
        if self.stamps_differ and not (self.pending or self.orphans or self.missing):
            out.append("  向量库与登记表的版本标记不同")
        if self.bm25_stale:
            out.append("  BM25 索引与登记表不符，需要重建")
        out.append(
            "下次打开索引时（运行 report-agent ingest、search 或 ask）会自动修复；"
            "未完成的文档会被移除，重新运行 report-agent ingest 即可补上。"
        )
        return out


@dataclass
class RepairReport:
    """What the repair on opening did."""

    removed_pending: list[DocRecord] = field(default_factory=list)
    removed_incomplete: list[DocRecord] = field(default_factory=list)
    orphans_deleted: int = 0
    stray_deleted: int = 0
    resynced: bool = False  # server mode: registry rebuilt from the collection
    busy: bool = False  # another process is writing: nothing was done

    @property
    def removed(self) -> list[DocRecord]:
        return self.removed_pending + self.removed_incomplete

    def lines(self) -> list[str]:
        if self.busy:
            return ["索引正被另一个进程写入，未完成的文档暂不显示在检索结果中"]
        bits: list[str] = []
        if self.removed:
            bits.append(f"移除了未完成入库的文档 {len(self.removed)} 个（{_names(self.removed)}）")
        if self.orphans_deleted:
            bits.append(f"删除了孤立向量 {self.orphans_deleted} 个")
        if self.stray_deleted:
            bits.append(f"删除了无主分块 {self.stray_deleted} 个")
        if self.resynced:
            bits.append("按 Chroma 服务中的内容重建了登记表")
        bits.append("重建了 BM25 索引")
        tail = "；重新运行 report-agent ingest 即可补上移除的文档" if self.removed else ""
        return ["索引上次写入被中断，已自动修复：" + "，".join(bits) + tail + "。"]


# --------------------------------------------------------------------------- check


def check_store(store: Store) -> IndexHealth:
    reg = store.registry
    health = IndexHealth(
        documents=len(reg.documents()),
        vectors=store.count(),
        chunks=reg.chunk_count(),
        pending=[r.file for r in reg.documents(state=PENDING).values()],
        stamps_differ=store.remote_stamp() != reg.stamp(),
        stray=len(reg.stray_chunk_ids()),
    )
    in_chroma = set(store.all_collection_ids())
    in_registry = reg.ok_chunk_ids()
    pending_ids = set(reg.chunk_ids_of(reg.documents(state=PENDING)))
    health.orphans = len(in_chroma - in_registry - pending_ids)
    missing = in_registry - in_chroma
    health.missing = len(missing)
    docs = reg.documents()
    health.missing_docs = sorted(docs[d].file for d in reg.docs_of_chunks(missing) if d in docs)
    saved = store.bm25_saved_stamp()
    health.bm25_stale = saved is not None and saved != reg.stamp() or (saved is None and health.chunks > 0)
    return health


# --------------------------------------------------------------------------- repair


def repair_store(store: Store) -> RepairReport:
    """Make registry, collection and BM25 agree (call under the store's write lock)."""
    reg = store.registry
    report = RepairReport()
    pending = reg.documents(state=PENDING)
    if pending:
        store._delete_ids(reg.chunk_ids_of(pending))
        reg.delete_documents(list(pending))
        report.removed_pending = list(pending.values())
    stray = reg.stray_chunk_ids()
    if stray:
        store._delete_ids(stray)
        reg.delete_chunks(stray)
        report.stray_deleted = len(stray)
    if store.remote:
        if store.remote_stamp() != reg.stamp() or store.count() != reg.chunk_count():
            resync_from_collection(store)
            report.resynced = True
    else:
        _reconcile(store, report)
    with reg.tx():
        stamp = reg.new_stamp()
    store.collection.modify(metadata=store._collection_meta(stamp))
    store.rebuild_bm25()
    return report


def _reconcile(store: Store, report: RepairReport) -> None:
    """Embedded mode: delete the vectors the registry does not know; remove the documents some of
    whose vectors are missing (the next ingest adds them again)."""
    reg = store.registry
    in_chroma = set(store.all_collection_ids())
    in_registry = reg.ok_chunk_ids()
    orphans = sorted(in_chroma - in_registry)
    if orphans:
        store._delete_ids(orphans)
        report.orphans_deleted = len(orphans)
    missing = in_registry - in_chroma
    if missing:
        docs = reg.documents()
        broken = sorted(reg.docs_of_chunks(missing))
        store._delete_ids(reg.chunk_ids_of(broken))
        reg.delete_documents(broken)
        report.removed_incomplete = [docs[d] for d in broken if d in docs]


def resync_from_collection(store: Store) -> None:
    """Server mode: rebuild the registry from the texts and metadata in the collection."""
    total = store.count()
    docs: dict[str, tuple[Any, ...]] = {}
    rows: list[ChunkRow] = []
    for offset in range(0, total, 2000):
        got = store.collection.get(include=["metadatas", "documents"], limit=2000, offset=offset)
        for cid, md, text in zip(got["ids"], got["metadatas"] or [], got["documents"] or [], strict=False):
            md = dict(md or {})
            rows.append(_row_from_server(cid, md, text or ""))
            doc_id = str(md.get("doc_id", ""))
            if doc_id not in docs:
                docs[doc_id] = _doc_from_server(doc_id, md)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[1]] = counts.get(r[1], 0) + 1
    doc_rows: list[DocRow] = [(*d[:5], counts.get(d[0], 0), d[5]) for d in docs.values()]  # type: ignore[misc]
    store.registry.replace_all(doc_rows, rows)


def _row_from_server(cid: str, md: dict[str, Any], text: str) -> ChunkRow:
    index_text = f"{md.get('title', '')} {md.get('context', '')} {md.get('section_path', '')}\n{text}"
    return (
        cid,
        str(md.get("doc_id", "")),
        str(md.get("kind", "")),
        str(md.get("section", "")),
        int(md.get("year") or 0),
        str(md.get("agency", "")),
        str(md.get("status", "current")),
        " ".join(tokenize(index_text)),
        text,
        json.dumps(md, ensure_ascii=False),
    )


def _doc_from_server(doc_id: str, md: dict[str, Any]) -> tuple[Any, ...]:
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
    return (
        doc_id,
        meta["file"],
        md.get("doc_sha", ""),
        md.get("meta_key", ""),
        json.dumps(meta, ensure_ascii=False),
        int(meta["bundled"]),
    )


# --------------------------------------------------------------------------- --rebuild


def rebuild_index(store: Store) -> None:
    """``ingest --rebuild``: drop the collection and clear the registry; an index too broken to
    open is removed file by file instead (so a damaged index can always be rebuilt)."""
    from agent.corpus.chroma import open_client

    try:
        store.registry = Registry(store.local_dir / "registry.sqlite3")
        store.client = open_client(store.index_dir, store.chroma_url)
        store._drop_collection()
        store._clear_local()
    except (InputError, KeyboardInterrupt):
        raise
    except Exception as exc:
        if store.remote:
            raise
        _log.info("index %s cannot be opened (%s): removing its files", store.where, exc)
        with suppress(Exception):
            store.registry.close()
        for name in ("registry.sqlite3", "registry.sqlite3-wal", "registry.sqlite3-shm"):
            (store.local_dir / name).unlink(missing_ok=True)
        for folder in ("bm25", "chroma"):
            if (store.local_dir / folder).exists():
                shutil.rmtree(store.local_dir / folder)
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()  # chroma keeps the folder it opened in memory
        store.registry = Registry(store.local_dir / "registry.sqlite3")
        store.client = open_client(store.index_dir, store.chroma_url)
    store.collection = store._open_collection()


# --------------------------------------------------------------------------- errors on opening

_READ_ONLY = ("readonly", "read-only", "read only")


def index_error(exc: BaseException, where: str, folder: Path | None = None) -> InputError | None:
    """A clear message for an index that cannot be opened or written, or None (not an index
    problem: let it through). ``folder`` is probed for write access when the error is vague."""
    text = str(exc).lower()
    if isinstance(exc, OSError):
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return _read_only(where, exc.filename)
        if exc.errno in (errno.ENOTDIR, errno.EEXIST):
            return InputError(
                f"索引位置（或其上级）是一个文件，而不是文件夹（{exc.filename}）；请删除它，"
                "或用环境变量 REPORT_AGENT_INDEX_PATH 另选一个文件夹",
                path=where,
            )
        if exc.errno == errno.ENOSPC:
            return InputError("磁盘空间不足，无法写入索引", path=where)
        return None
    chroma = type(exc).__module__.startswith("chromadb")
    if not (isinstance(exc, sqlite3.Error) or chroma):
        return None
    if any(w in text for w in _READ_ONLY) or "permission denied" in text or not _writable(folder):
        return _read_only(where, None)
    if "locked" in text:
        return InputError("索引正被另一个程序占用（数据库被锁定）；请稍后再试", path=where)
    return InputError(
        f"索引已损坏，无法打开（{type(exc).__name__}：{' '.join(str(exc).split())[:160]}）。"
        "请运行 report-agent ingest --rebuild 重建索引（内置语料会重新导入，自己的文件需要再导入一次）",
        path=where,
    )


def _writable(folder: Path | None) -> bool:
    """Whether files can be created in ``folder`` (and its chroma folder); True when unknown."""
    import tempfile

    if folder is None:
        return True
    for d in (folder, folder / "chroma"):
        if not d.is_dir():
            continue
        try:
            fd, probe = tempfile.mkstemp(prefix=".probe-", dir=d)
        except OSError:
            return False
        os.close(fd)
        with suppress(OSError):
            os.unlink(probe)
    return True


def _read_only(where: str, filename: Any) -> InputError:
    detail = f"（{filename}）" if filename else ""
    return InputError(
        f"索引文件夹是只读的或没有写入权限{detail}；请检查文件夹权限，"
        "或用环境变量 REPORT_AGENT_INDEX_PATH 指定一个可写的文件夹",
        path=where,
    )
