"""Text → vector. Two embedders, each with a stable ``name`` and ``dim``:

* :class:`HashEmbedder` (default, offline): hashed character n-grams (1–2 by default), signed,
  weighted log(1+tf), L2-normalised. No weights to download, deterministic across machines and
  Python runs (no ``hash()``), pure numpy, >10,000 chunks/s.
* :class:`OpenAIEmbedder`: any OpenAI-compatible ``/v1/embeddings`` endpoint (bge-m3 on vLLM or
  Xinference, text-embedding-3-*, …), batched, with retries on 429, 5xx and timeouts.

A vector collection records the ``name`` and ``dim`` of the embedder that built it
(:mod:`agent.corpus.store`), so vectors of different embedders are never mixed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from agent.errors import InputError


class Embedder(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, rows L2-normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) float32."""
        ...


class EmbeddingServiceError(InputError):
    """The embeddings endpoint failed after retries (shown to the user, exit code 2)."""


# --------------------------------------------------------------------------- hashed n-grams

_NON_WORD = re.compile(r"[\W_]+")
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_M3 = np.uint64(0x165667B19E3779F9)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_ORDER_SALT = (
    np.uint64(0),
    np.uint64(0x27D4EB2F165667C5),
    np.uint64(0x94D049BB133111EB),
    np.uint64(0xBF58476D1CE4E5B9),
)
_TEXT_SHIFT = np.uint64(40)  # key = text index << 40 | 40 bits of the n-gram hash
_LOW40 = np.uint64((1 << 40) - 1)


def normalize_for_hash(text: str) -> str:
    """NFKC (full-width → half-width), lower case, only letters and digits (CJK included)."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def _mix(k: np.ndarray) -> np.ndarray:
    k = k ^ (k >> np.uint64(33))
    k = k * _MIX
    return k ^ (k >> np.uint64(29))


class HashEmbedder:
    """Signed feature hashing of character n-grams with log(1+tf) weights, L2-normalised."""

    VERSION = 1

    def __init__(
        self, dim: int = 1024, ngrams: tuple[int, ...] = (1, 2), weights: tuple[float, ...] | None = None
    ):
        if dim < 16 or dim & (dim - 1):
            raise ValueError("dim must be a power of two ≥ 16")
        if not ngrams or any(n not in (1, 2, 3) for n in ngrams):
            raise ValueError("ngrams must be among 1, 2, 3")
        self._dim = dim
        self.ngrams = tuple(sorted(set(ngrams)))
        self.weights = tuple(weights) if weights else tuple(1.0 for _ in self.ngrams)
        if len(self.weights) != len(self.ngrams):
            raise ValueError("one weight per n-gram order")
        grams = "".join(str(n) for n in self.ngrams)
        wtag = "" if all(w == 1.0 for w in self.weights) else "-w" + "_".join(f"{w:g}" for w in self.weights)
        self._name = f"hash-char{grams}-d{dim}{wtag}-v{self.VERSION}"

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def embed(self, texts: Sequence[str], batch: int = 512) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for start in range(0, len(texts), batch):
            out[start : start + batch] = self._embed_batch(texts[start : start + batch])
        return out

    def _embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        n = len(texts)
        encoded = [normalize_for_hash(t).encode("utf-32-le") for t in texts]
        lengths = np.fromiter((len(e) // 4 for e in encoded), dtype=np.int64, count=n)
        vecs = np.zeros((n, self._dim), dtype=np.float64)
        total = int(lengths.sum())
        if total == 0:
            return vecs.astype(np.float32)
        codes = np.frombuffer(b"".join(encoded), dtype=np.uint32).astype(np.uint64)
        owner = np.repeat(np.arange(n, dtype=np.uint64), lengths)
        keys: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for order, w in zip(self.ngrams, self.weights, strict=True):
            if total < order:
                continue
            m = total - order + 1
            h = codes[:m] * _M1
            if order >= 2:
                h = h ^ (codes[1 : m + 1] * _M2)
            if order >= 3:
                h = h ^ _mix(codes[2 : m + 2] * _M3)
            h = _mix(h + _ORDER_SALT[order])
            own = owner[:m]
            valid = owner[order - 1 : order - 1 + m] == own  # the n-gram lies inside one text
            keys.append((own[valid] << _TEXT_SHIFT) | (h[valid] & _LOW40))
            owners.append(own[valid])
            weights.append(np.full(int(valid.sum()), w))
        if not keys:
            return vecs.astype(np.float32)
        allkeys = np.concatenate(keys)
        allw = np.concatenate(weights)
        uniq, first, counts = np.unique(allkeys, return_index=True, return_counts=True)
        text_idx = (uniq >> _TEXT_SHIFT).astype(np.int64)
        feat = uniq & _LOW40
        bucket = (feat & np.uint64(self._dim - 1)).astype(np.int64)
        sign = np.where((feat >> np.uint64(39)) & np.uint64(1), -1.0, 1.0)
        vals = sign * np.log1p(counts) * allw[first]
        flat = np.bincount(text_idx * self._dim + bucket, weights=vals, minlength=n * self._dim)
        out = flat.reshape(n, self._dim)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return (out / norms).astype(np.float32)


# --------------------------------------------------------------------------- OpenAI-compatible


def _retryable(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, openai.RateLimitError | openai.APITimeoutError | openai.APIConnectionError):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible endpoint; the key comes only from the embedding settings."""

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        batch_size: int = 64,
        timeout: float = 60.0,
        max_attempts: int = 5,
        max_wait: float = 20.0,
        client: Any = None,
    ):
        if not model:
            raise InputError(
                "使用 openai 嵌入时需要设置嵌入模型：REPORT_AGENT_EMBEDDING_MODEL 或配置文件 embedding_model"
            )
        self.model = model
        self.base_url = base_url
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        if client is None:
            from openai import OpenAI

            client = OpenAI(base_url=base_url, api_key=api_key or "EMPTY", timeout=timeout, max_retries=0)
        self._client = client
        self._dim: int | None = None

    @property
    def name(self) -> str:
        return f"openai:{self.model}"

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self.embed(["维度"]).shape[1])
        return self._dim

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows: list[np.ndarray] = []
        for start in range(0, len(texts), self.batch_size):
            batch = [t if t.strip() else " " for t in texts[start : start + self.batch_size]]
            rows.append(self._create(batch))
        if not rows:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        out = np.vstack(rows).astype(np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        out /= norms
        self._dim = int(out.shape[1])
        return out

    def _create(self, batch: list[str]) -> np.ndarray:
        from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

        where = self.base_url or "默认 OpenAI 地址"
        try:
            for attempt in Retrying(
                retry=retry_if_exception(_retryable),
                wait=wait_exponential(multiplier=0.5, max=self.max_wait),
                stop=stop_after_attempt(self.max_attempts),
                reraise=True,
            ):
                with attempt:
                    resp = self._client.embeddings.create(model=self.model, input=batch)
        except Exception as exc:
            raise EmbeddingServiceError(
                f"嵌入服务调用失败（{type(exc).__name__}：{str(exc)[:200]}），地址 {where}，模型 {self.model}"
            ) from exc
        data = sorted(resp.data, key=lambda d: d.index)
        if len(data) != len(batch):
            raise EmbeddingServiceError(
                f"嵌入服务返回 {len(data)} 个向量，应为 {len(batch)} 个（地址 {where}）"
            )
        return np.asarray([d.embedding for d in data], dtype=np.float32)


# --------------------------------------------------------------------------- factory


def make_embedder(settings: Any, kind: str | None = None) -> Embedder:
    """The embedder the settings ask for: ``hash`` (default) or ``openai``."""
    kind = (kind or getattr(settings, "embedder", None) or "hash").strip().lower()
    if kind == "hash":
        return HashEmbedder()
    if kind == "openai":
        key = settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else None
        return OpenAIEmbedder(settings.embedding_model or "", settings.embedding_base_url, key)
    raise InputError(f"嵌入方式只能是 hash 或 openai，而不是“{kind}”")
