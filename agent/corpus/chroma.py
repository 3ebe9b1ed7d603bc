"""The chroma side of the index: the client (embedded or a server), the collection name and HNSW settings."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from agent.corpus.embeddings import Embedder
from agent.errors import InputError

COLLECTION = "report_agent_chunks"

# HNSW parameters (measured in eval/retrieval/RESULTS.md, "Chroma's knobs"). Embedded, nearly all of
# chroma's add time is the HNSW insert (its inner-product loop), which grows with ef_construction and
# the graph degree. ef_construction 50 with max_neighbors 24 costs 25-45 % less CPU per chunk than
# chroma's default 100 / 16; searching with ef_search 400 instead of 100 more than restores the
# recall (recall@10 against an exact scan at 200,000 chunks: 0.88 instead of 0.84) for ~3 ms more per
# query. ef_search is the one setting chroma lets an existing collection change, so indexes built with
# other parameters get it too when opened (_open_collection). Measured without gain: hnsw batch_size,
# num_threads and sync_threshold (a larger one only defers HNSW inserts to the next opening), the
# size of each add call, and chroma's sqlite journal mode and log purging.
DEFAULT_HNSW: dict[str, Any] = {
    "space": "cosine",
    "ef_construction": 50,
    "ef_search": 400,
    "max_neighbors": 24,
}


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


def open_client(index_dir: Path, chroma_url: str | None) -> Any:
    """An embedded PersistentClient, or an HttpClient for ``chroma_url``."""
    import chromadb

    logging.getLogger("chromadb").setLevel(logging.ERROR)
    if chroma_url:
        u = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        if not u.hostname:
            raise InputError(f"Chroma 服务地址“{chroma_url}”无效，应形如 http://127.0.0.1:8000")
        ssl = u.scheme == "https"
        try:
            return chromadb.HttpClient(
                host=u.hostname, port=u.port or (443 if ssl else 8000), ssl=ssl, settings=_chroma_settings()
            )
        except Exception as exc:
            raise InputError(f"无法连接 Chroma 服务 {chroma_url}（{type(exc).__name__}：{exc}）") from exc
    path = index_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())


def known_dim(embedder: Embedder) -> int | None:
    """The dimension when it is known without calling a remote service."""
    cached = getattr(embedder, "_dim", None)
    return int(cached) if cached else None


def collection_meta(embedder: Embedder, stamp: str, schema: int) -> dict[str, Any]:
    """What the collection records about itself: the embedder, the registry stamp, the schema."""
    return {"embedder": embedder.name, "dim": int(embedder.dim), "stamp": stamp, "schema": schema}


def open_collection(client: Any, embedder: Embedder, hnsw: dict[str, Any], where: str) -> Any:
    """The collection, created with ``hnsw`` when missing. One built with another embedder is
    refused, unless it is empty: then it is dropped and None returned (the caller clears its own
    files and asks again)."""
    import chromadb.errors

    try:
        col = client.get_collection(COLLECTION, embedding_function=None)
    except (chromadb.errors.NotFoundError, ValueError):
        col = None
    if col is None:
        try:
            return client.create_collection(
                COLLECTION,
                embedding_function=None,
                metadata={"embedder": embedder.name, "dim": int(embedder.dim), "stamp": ""},
                configuration={"hnsw": hnsw},
            )
        except Exception as exc:  # another process created it a moment ago: open that one
            if "already exists" not in str(exc):
                raise
            col = client.get_collection(COLLECTION, embedding_function=None)
    meta = col.metadata or {}
    dim = known_dim(embedder)
    if meta.get("embedder") == embedder.name and (dim is None or dim == meta.get("dim")):
        apply_search_width(col, hnsw, where)
        return col
    if col.count() == 0:
        client.delete_collection(COLLECTION)
        return None
    raise InputError(
        f"索引 {where} 是用嵌入方式“{meta.get('embedder')}”（{meta.get('dim')} 维）建立的，"
        f"当前设置为“{embedder.name}”。两种向量不能混用：请运行 report-agent ingest --rebuild "
        "用当前设置重建索引，或改回原来的 --embedder 设置。"
    )


def apply_search_width(col: Any, hnsw: dict[str, Any], where: str) -> None:
    """Give an existing collection the current ef_search. Its build parameters (space,
    ef_construction, max_neighbors) are fixed when it is created and stay as they were, so an
    index built before they changed opens and grows as before."""
    want = hnsw.get("ef_search")
    try:
        current = (col.configuration_json or {}).get("hnsw")
    except Exception:  # pragma: no cover - a chroma without collection configurations
        current = None
    if want is None or not isinstance(current, dict) or current.get("ef_search") == want:
        return
    try:
        col.modify(configuration={"hnsw": {"ef_search": int(want)}})
    except Exception as exc:  # e.g. a read-only server: searching still works, a little narrower
        logging.getLogger(__name__).warning("could not set ef_search=%s on %s: %s", want, where, exc)
