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
