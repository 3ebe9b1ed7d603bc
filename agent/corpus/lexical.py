"""Words and BM25: jieba tokens of every chunk, and the bm25s index built from them.

Tokens come from jieba's search mode without HMM. When ``rjieba`` (jieba-rs, the same
dictionary and algorithm in Rust, ~10× faster) is installed it is used; it gives the same tokens
as jieba on the whole bundled corpus (checked in tests/test_corpus.py). Otherwise jieba is loaded
once, quietly (its "Building prefix dict…" messages are silenced; its dictionary cache lives in
the temp folder, so later runs load it in well under a second), and large ingests tokenise in
worker processes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

_WORD = re.compile(r"\w", re.U)
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "等",
        "在",
        "是",
        "对",
        "为",
        "以",
        "将",
        "把",
        "被",
        "由",
        "从",
        "向",
        "于",
        "之",
        "其",
        "该",
        "各",
        "本",
        "此",
        "并",
        "也",
        "而",
        "又",
        "就",
        "都",
        "要",
        "已",
        "中",
        "上",
        "下",
        "个",
        "一",
        "不",
        "有",
        "无",
        "我",
        "我们",
        "进行",
        "相关",
        "情况",
        "工作",
        "有关",
    ]
)
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba() -> Any:
    with _lock:
        import jieba

        jieba.setLogLevel(logging.ERROR)
        logging.getLogger("jieba").setLevel(logging.ERROR)
        jieba.initialize()
        return jieba


@lru_cache(maxsize=1)
def _cutter() -> tuple[str, Callable[[str], list[str]]]:
    """(backend name, search-mode cut without HMM)."""
    try:
        import rjieba

        return "rjieba", lambda text: rjieba.cut_for_search(text, False)
    except ImportError:
        jb = _jieba()
        return "jieba", lambda text: jb.lcut_for_search(text, HMM=False)


def backend() -> str:
    return _cutter()[0]


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens (compound words and their parts), lower case, no punctuation
    or stop words."""
    cut = _cutter()[1]
    return [t for t in (w.strip().lower() for w in cut(text)) if t and _WORD.search(t) and t not in STOPWORDS]


def tokenize_jieba(text: str) -> list[str]:
    """The same with the pure-Python jieba (to check that both backends agree)."""
    jb = _jieba()
    return [
        t
        for t in (w.strip().lower() for w in jb.lcut_for_search(text, HMM=False))
        if t and _WORD.search(t) and t not in STOPWORDS
    ]


def tokenize_many(texts: Sequence[str]) -> list[list[str]]:
    return [tokenize(t) for t in texts]


# Large ingests tokenise in worker processes (jieba is pure Python): the work overlaps with
# embedding and chroma's writes in the main process. Small batches stay in-process.
PARALLEL_MIN = 1500
_PART = 250
_pool: Any = None


def _worker_init() -> None:
    _cutter()


def _get_pool() -> Any:
    global _pool
    if _pool is None:
        import atexit
        import multiprocessing
        import os
        from concurrent.futures import ProcessPoolExecutor

        workers = min(4, os.cpu_count() or 1)
        _pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init
        )
        atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
    return _pool


def tokenize_later(texts: Sequence[str]) -> Callable[[], list[list[str]]]:
    """Start tokenising ``texts``; the returned function gives the tokens (in order)."""
    import os

    texts = list(texts)
    if len(texts) < PARALLEL_MIN or (os.cpu_count() or 1) < 2 or backend() == "rjieba":
        return lambda: tokenize_many(texts)
    try:
        pool = _get_pool()
        futures = [pool.submit(tokenize_many, texts[i : i + _PART]) for i in range(0, len(texts), _PART)]
    except Exception:  # no worker processes here: do it in-process
        return lambda: tokenize_many(texts)

    def result() -> list[list[str]]:
        try:
            return [tokens for f in futures for tokens in f.result()]
        except Exception:
            return tokenize_many(texts)

    return result


# --------------------------------------------------------------------------- the BM25 index

FILTER_FIELDS = ("kind", "section", "agency", "status", "doc_id")


@dataclass
class LexicalRows:
    """Chunk ids in index order and their filter fields (codes into small vocabularies)."""

    ids: np.ndarray  # str (unicode array)
    year: np.ndarray  # int32, 0 = unknown
    codes: dict[str, np.ndarray]  # field → int32 code per chunk
    vocab: dict[str, list[str]]  # field → value per code

    def code(self, field: str, value: str) -> int:
        try:
            return self.vocab[field].index(value)
        except ValueError:
            return -1


class BM25Index:
    """A bm25s index over token lists, saved to and loaded from a folder."""

    def __init__(self, retriever: Any, rows: LexicalRows):
        self.retriever = retriever
        self.rows = rows
        vocab = getattr(retriever, "vocab_dict", None) or {}
        self._vocab: dict[str, int] = vocab
        self._row_of: dict[str, int] | None = None

    @property
    def size(self) -> int:
        return len(self.rows.ids)

    @property
    def row_of(self) -> dict[str, int]:
        """Chunk id → row (built on first use)."""
        if self._row_of is None:
            self._row_of = {str(cid): i for i, cid in enumerate(self.rows.ids)}
        return self._row_of

    @classmethod
    def build(cls, records: Iterable[tuple[str, list[str], dict[str, Any]]]) -> BM25Index:
        """``records``: (chunk id, tokens, fields with kind/section/agency/status/doc_id/year)."""
        import bm25s

        ids: list[str] = []
        corpus: list[list[str]] = []
        years: list[int] = []
        vocab: dict[str, dict[str, int]] = {f: {} for f in FILTER_FIELDS}
        codes: dict[str, list[int]] = {f: [] for f in FILTER_FIELDS}
        for cid, tokens, fields in records:
            ids.append(cid)
            corpus.append(tokens or [""])
            years.append(int(fields.get("year") or 0))
            for f in FILTER_FIELDS:
                v = str(fields.get(f) or "")
                codes[f].append(vocab[f].setdefault(v, len(vocab[f])))
        retriever = bm25s.BM25()
        if corpus:
            retriever.index(corpus, show_progress=False)
        rows = LexicalRows(
            ids=np.array(ids, dtype=str),
            year=np.array(years, dtype=np.int32),
            codes={f: np.array(c, dtype=np.int32) for f, c in codes.items()},
            vocab={f: list(v) for f, v in vocab.items()},
        )
        return cls(retriever if corpus else None, rows)

    def save(self, folder: Path, stamp: str | None = None) -> None:
        """Write the index to ``folder`` (with ``stamp`` in ``folder/stamp``) by building it in a
        fresh temporary folder and swapping it in, so a reader or a crash never sees half of it and
        two processes saving at once cannot mix their files."""
        import tempfile
        import uuid

        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".tmp-", dir=folder.parent))
        try:
            if self.retriever is not None:
                self.retriever.save(str(tmp / "bm25"))
            np.save(tmp / "year.npy", self.rows.year)
            for f, arr in self.rows.codes.items():
                np.save(tmp / f"code_{f}.npy", arr)
            np.save(tmp / "ids.npy", self.rows.ids.astype(str))
            (tmp / "rows.json").write_text(
                json.dumps({"vocab": self.rows.vocab}, ensure_ascii=False), encoding="utf-8"
            )
            if stamp is not None:
                (tmp / "stamp").write_text(stamp, encoding="utf-8")
            old = folder.with_name(f"{folder.name}.old-{uuid.uuid4().hex[:8]}")
            with contextlib.suppress(FileNotFoundError):  # gone meanwhile: another process swapped it
                folder.rename(old)
            with contextlib.suppress(OSError):  # another process put its index there first: keep that
                tmp.rename(folder)
            if old.exists():
                shutil.rmtree(old, ignore_errors=True)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> BM25Index | None:
        if not (folder / "rows.json").is_file():
            return None
        import bm25s

        meta = json.loads((folder / "rows.json").read_text(encoding="utf-8"))
        rows = LexicalRows(
            ids=np.load(folder / "ids.npy"),
            year=np.load(folder / "year.npy"),
            codes={f: np.load(folder / f"code_{f}.npy") for f in FILTER_FIELDS},
            vocab=meta["vocab"],
        )
        retriever = None
        if (folder / "bm25").is_dir():
            retriever = bm25s.BM25.load(str(folder / "bm25"), mmap=False, load_corpus=False)
        return cls(retriever, rows)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk (index order) for the query."""
        if self.retriever is None:
            return np.zeros(0, dtype=np.float32)
        known = [t for t in query_tokens if t in self._vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)

    def top(self, query_tokens: list[str], n: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """The ``n`` best chunks with a positive score, among those where ``mask`` is True."""
        scores = self.scores(query_tokens)
        if scores.size == 0:
            return []
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        positive = int((scores > 0).sum())
        n = min(n, positive)
        if n <= 0:
            return []
        idx = np.argpartition(-scores, n - 1)[:n] if n < scores.size else np.arange(scores.size)
        idx = idx[np.argsort(-scores[idx], kind="stable")]
        return [(str(self.rows.ids[i]), float(scores[i])) for i in idx if scores[i] > 0]
