"""Ingest documents into the index: read, detect metadata, chunk, embed what is new.

An unreadable or corrupt file is reported by name and skipped; the rest is ingested.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from agent.corpus.chunking import chunk_document
from agent.corpus.embeddings import Embedder, make_embedder
from agent.corpus.meta import (
    DocMeta,
    SourceDoc,
    collect_files,
    file_sha256,
    load_manifest,
    load_sidecar,
    read_document,
    user_document,
)
from agent.corpus.store import Store
from agent.errors import InputError

CHUNKER_VERSION = "1"  # bump when chunking changes: every document is chunked again


@dataclass
class IngestReport:
    files: int = 0  # documents ingested or found unchanged (skipped files not counted)
    ingested: int = 0  # documents read and (re)chunked
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)  # "file: reason"
    notes: list[str] = field(default_factory=list)  # "file: what was guessed"
    pruned: list[str] = field(default_factory=list)  # file names whose chunks were removed
    total_chunks: int = 0

    def summary(self) -> str:
        parts = [
            f"文件 {self.files} 个",
            f"分块新增 {self.added}",
            f"未变 {self.unchanged}",
            f"删除 {self.removed}",
        ]
        if self.updated:
            parts.append(f"更新元数据 {self.updated}")
        if self.skipped:
            parts.append(f"跳过 {len(self.skipped)} 个文件")
        return "入库完成：" + "，".join(parts) + f"。索引共 {self.total_chunks} 个分块。"


class _IndexFailed(Exception):
    """Writing to the index failed (its cause is the real error): the ingest stops."""


class Progress(Protocol):
    """What ingest reports while it works (the CLI draws bars from it)."""

    def start(self, files: int) -> None: ...

    def file_done(self, name: str) -> None: ...

    def chunks(self, n: int) -> None: ...


class NullProgress:
    def start(self, files: int) -> None:
        pass

    def file_done(self, name: str) -> None:
        pass

    def chunks(self, n: int) -> None:
        pass


def meta_key(fixes: dict[str, Any], extra: str = "") -> str:
    payload = json.dumps(fixes, ensure_ascii=False, sort_keys=True, default=str) + extra + CHUNKER_VERSION
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def open_store(
    settings: Any,
    embedder: Embedder | None = None,
    *,
    rebuild: bool = False,
    repair: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> Store:
    """The configured index, checked and (``repair``) repaired on opening. ``on_wait(pid)`` is
    called when another process holds the index's lock and this one waits for it."""
    embedder = embedder or make_embedder(settings)
    return Store(
        settings.index_dir,
        embedder,
        chroma_url=settings.chroma_url,
        rebuild=rebuild,
        repair=repair,
        lock_wait=float(getattr(settings, "lock_wait", 600.0)),
        on_wait=on_wait,
    )


def ingest(
    store: Store,
    paths: list[Path] | None = None,
    *,
    prune: bool = False,
    meta: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest ``paths`` (files or folders), or the bundled corpus when ``paths`` is None.

    Holds the index's write lock throughout: another ingest of the same index waits for this one
    (up to the store's ``lock_wait``) instead of interleaving. Documents are committed in batches;
    after a crash the next opening removes the unfinished ones and a new ingest adds them."""
    report = IngestReport()
    progress = progress or NullProgress()
    if store.repair_report is not None:
        report.notes += store.repair_report.lines()
    if paths is None:
        sources: list[SourceDoc | Path] = list(load_manifest())
        if meta:
            raise InputError("--meta 只能用于自己添加的文件，内置语料的元数据在 corpus/manifest.yaml 中")
    else:
        files, problems = collect_files(paths)
        report.skipped += problems
        sources = list(files)
    with store.writing(on_wait=getattr(progress, "waiting", None) or store.on_wait):
        if store.needs_repair():  # another process crashed while we waited for the lock
            repaired = store.repair()
            if repaired is not None:
                report.notes += repaired.lines()
        store.on_committed = getattr(progress, "committed", None)
        try:
            _ingest_all(store, sources, meta or {}, report, progress)
            if prune:
                _prune(store, report)
            store.commit()
        finally:
            store.on_committed = None
    report.total_chunks = store.count()
    return report


def _ingest_all(
    store: Store,
    sources: list[SourceDoc | Path],
    meta: dict[str, Any],
    report: IngestReport,
    progress: Progress,
) -> None:
    progress.start(len(sources))
    seen: set[str] = set()
    for src in sources:
        name = src.meta.file if isinstance(src, SourceDoc) else src.name
        try:
            _ingest_one(store, src, meta, report, seen, progress)
        except _IndexFailed as failed:
            raise failed.__cause__ from None  # type: ignore[misc]
        except InputError as exc:
            report.skipped.append(f"{exc}，已跳过")
        except Exception as exc:  # a corrupt file must not stop the others
            where = src.path if isinstance(src, SourceDoc) else src
            report.skipped.append(f"{where}: 无法处理（{type(exc).__name__}：{exc}），已跳过")
        progress.file_done(name)


def _ingest_one(
    store: Store,
    src: SourceDoc | Path,
    overrides: dict[str, Any],
    report: IngestReport,
    seen: set[str],
    progress: Progress,
) -> None:
    path = src.path if isinstance(src, SourceDoc) else src
    if not path.is_file():
        raise InputError("文件不存在", path=str(path))
    sha = file_sha256(path)
    if isinstance(src, SourceDoc):
        doc_id = src.meta.doc_id
        key = meta_key(src.meta.model_dump())
    else:
        doc_id = str(path.resolve())
        key = meta_key({**load_sidecar(path), **overrides})
    seen.add(doc_id)
    old = store.document(doc_id)
    if old is not None and old.sha == sha and old.meta_key == key:
        report.files += 1
        report.unchanged += old.n_chunks
        progress.chunks(old.n_chunks)
        return
    text = read_document(path)
    doc = src if isinstance(src, SourceDoc) else user_document(path, text, overrides)
    report.notes += [f"{doc.meta.file}: {n}" for n in doc.notes]
    meta = _screened(doc.meta, text, report)
    chunks = chunk_document(meta, text, pdf=path.suffix.lower() == ".pdf")
    if not chunks:
        raise InputError("没有可入库的文字", path=str(path))
    try:
        change = store.put_document(meta, sha, key, chunks, on_chunks=progress.chunks)
    except Exception as exc:  # the index failed, not this file: stop (the next opening repairs)
        raise _IndexFailed() from exc
    report.files += 1
    report.ingested += 1
    report.added += change.added
    report.unchanged += change.unchanged
    report.removed += change.removed
    report.updated += change.updated


def _screened(meta: DocMeta, text: str, report: IngestReport) -> DocMeta:
    """The metadata with the instruction-like phrases of the text (corpus text is data)."""
    from agent.corpus.screening import instructions_in, screening_note

    found = instructions_in(text)
    if found:
        report.notes.append(f"{meta.file}: {screening_note(found)}")
    return meta.model_copy(update={"instructions": found})


def _prune(store: Store, report: IngestReport) -> None:
    """Remove the chunks of documents whose file no longer exists (or left the manifest)."""
    bundled = {d.meta.doc_id for d in load_manifest()}
    for doc_id, rec in store.documents().items():
        gone = doc_id not in bundled if rec.bundled else not Path(doc_id).is_file()
        if gone:
            report.removed += store.remove_document(doc_id)
            report.pruned.append(rec.file)
