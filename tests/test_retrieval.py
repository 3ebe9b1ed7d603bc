"""Hybrid retrieval over the bundled corpus: ranking, filters, superseded texts, the eval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.corpus.retrieval import RRF_K, Filters, Hit, Retriever, clear_cache, retrieve
from agent.evals.retrieval import EvalQuery, Label, evaluate

runner = CliRunner()
TIAOLI = "zfxxgk-tiaoli-2019.md"
TIAOLI_2007 = "zfxxgk-tiaoli-2007-superseded.md"
SEED_000 = "000_a21e83c10faf4679.txt"


@pytest.fixture
def bundled(shared_index: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """REPORT_AGENT_HOME with the bundled corpus ingested (once per session)."""
    monkeypatch.setenv("REPORT_AGENT_HOME", str(shared_index))
    marker = shared_index / ".bundled-ingested"
    if not marker.exists():
        result = runner.invoke(app, ["ingest"])
        assert result.exit_code == 0, result.output
        marker.touch()
    return shared_index


def search(*args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["search", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# ----------------------------------------------------------------------------- ranking


def test_answer_deadline_query_ranks_article_33_first(bundled: Path) -> None:
    hits = search("依申请公开 答复期限 工作日")
    assert hits[0]["document"] == TIAOLI
    assert hits[0]["section_path"] == "第三十三条"
    assert {"document", "title", "section_path", "score", "text"} <= set(hits[0])
    assert hits[0]["score"] >= hits[-1]["score"]


def test_new_media_query_finds_the_kaifeng_platform_section(bundled: Path) -> None:
    hits = search("政务新媒体 微博账号 备案", "-k", "3")
    assert any(h["document"] == SEED_000 and "微博账号" in h["text"] for h in hits)


def test_text_output_names_document_path_and_snippet(bundled: Path) -> None:
    result = runner.invoke(app, ["search", "依申请公开 答复期限 工作日", "-k", "2"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("1. ") and TIAOLI in first and "第三十三条" in first
    assert "20个工作日内予以答复" in result.output


# ----------------------------------------------------------------------------- superseded and filters


def test_superseded_2007_regulation_is_left_out_by_default(bundled: Path) -> None:
    query = "行政机关不能当场答复的 应当自收到申请之日起15个工作日内予以答复"
    default = search(query, "-k", "10")
    assert default and all(h["document"] != TIAOLI_2007 for h in default)
    everything = search(query, "-k", "10", "--include-superseded")
    assert any(h["document"] == TIAOLI_2007 for h in everything)
    for method in ("dense", "bm25"):
        assert all(h["document"] != TIAOLI_2007 for h in search(query, "--method", method, "-k", "10"))


def test_kind_section_year_and_agency_filters(bundled: Path) -> None:
    regs = search("政府信息公开", "--kind", "regulation", "-k", "8")
    assert regs and all(h["kind"] == "regulation" for h in regs)
    two = search("政府信息公开 工作要点", "--kind", "工作要点,落实情况", "-k", "8")
    assert two and {h["kind"] for h in two} <= {"work_points", "implementation_report"}
    problems = search("存在的主要问题", "--section", "problems", "-k", "8")
    assert problems and all(h["section_path"].startswith("五、") for h in problems)
    recent = search("依申请公开", "--year-from", "2024", "-k", "8")
    assert recent and all((h["year"] or 0) >= 2024 for h in recent)
    old = search("依申请公开", "--year-to", "2020", "--kind", "annual_report", "-k", "8")
    assert old and all(h["year"] <= 2020 for h in old)
    others = search("民族宗教 政务公开", "--exclude-agency", "上海市民族和宗教事务局", "-k", "10")
    assert others and all(h["agency"] != "上海市民族和宗教事务局" for h in others)
    nothing = search("依申请公开", "--kind", "spec", "--year-from", "2030")
    assert nothing == []


def test_bad_search_options_exit_2_with_a_message(bundled: Path) -> None:
    bad = runner.invoke(app, ["search", "公开", "--section", "chapter"])
    assert bad.exit_code == 2 and "--section" in bad.output
    bad_kind = runner.invoke(app, ["search", "公开", "--kind", "novel"])
    assert bad_kind.exit_code == 2 and "kind" in bad_kind.output
    empty = runner.invoke(app, ["search", "  "])
    assert empty.exit_code == 2 and "不能为空" in empty.output


def test_retrieve_api_returns_hits_with_metadata(bundled: Path) -> None:
    clear_cache()
    hits = retrieve("政府信息公开工作年度报告应当包括哪些内容", kinds=["regulation"], k=3)
    assert len(hits) == 3 and all(isinstance(h, Hit) and h.kind == "regulation" for h in hits)
    assert any(h.document == TIAOLI and h.locator == "第五十条" for h in hits)
    own = retrieve(
        "门户网站 政务新媒体",
        kinds="annual_report",
        exclude_agency="杭州市民族宗教事务局",
        section="overview",
        k=5,
    )
    assert own and all(h.section == "overview" and h.agency != "杭州市民族宗教事务局" for h in own)
    assert all(h.label.startswith("《") for h in own)


def test_retrieve_builds_the_index_on_first_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORT_AGENT_HOME", str(tmp_path / "fresh"))
    clear_cache()
    hits = retrieve("依申请公开 答复期限 工作日", k=1)
    assert hits[0].document == TIAOLI and hits[0].section_path == "第三十三条"
    assert (tmp_path / "fresh" / "index" / "chroma").is_dir()
    clear_cache()


# ----------------------------------------------------------------------------- fusion and eval


class _FakeRetriever(Retriever):
    def __init__(self, dense: list[str], lexical: list[str]) -> None:
        self._d, self._l = dense, lexical
        self.embedder = type("E", (), {"embed_query": staticmethod(lambda q: None)})()  # type: ignore[assignment]
        self.candidates = 50

    def _dense_raw(self, vec: Any, filters: Filters, n: int) -> list[tuple[str, float]]:
        return [(i, 1.0) for i in self._d[:n]]

    def _bm25_raw(self, query: str, filters: Filters, n: int) -> list[tuple[str, float]]:
        return [(i, 1.0) for i in self._l[:n]]

    def _semantic_raw(self, query: str, filters: Filters, n: int) -> None:
        return None  # no semantic vectors here: the fusion is of the two lexical lists

    def _sentences_raw(self, query: str, filters: Filters, n: int) -> None:
        return None

    def _hits(self, ranked: list[tuple[str, float]], method: str) -> list[Hit]:
        return [
            Hit(
                id=i,
                document=i,
                doc_id=i,
                title="",
                kind="spec",
                section="item",
                section_path="",
                score=s,
                text="",
            )
            for i, s in ranked
        ]


def test_reciprocal_rank_fusion() -> None:
    hits = _FakeRetriever(["a", "b", "c"], ["c", "d", "a"]).hybrid("q", k=4)
    assert [h.id for h in hits] == ["a", "c", "b", "d"]
    assert hits[0].score == pytest.approx(1 / (RRF_K + 1) + 1 / (RRF_K + 3))
    assert hits[2].score == pytest.approx(1 / (RRF_K + 2))


def test_label_matching_and_metrics() -> None:
    def hit(doc: str, locator: str = "", text: str = "", section: str = "item") -> Hit:
        return Hit(
            id=doc + locator,
            document=Path(doc).name,
            doc_id="corpus/" + doc,
            title="",
            kind="regulation",
            section=section,
            section_path=locator,
            locator=locator,
            score=1.0,
            text=text,
        )

    lab = Label(doc="regulations/x.md", article="第三条")
    assert lab.matches(hit("regulations/x.md", "第三条")) and not lab.matches(
        hit("regulations/x.md", "第四条")
    )
    assert Label(doc="seeds/a.txt", contains="微博 账号").matches(hit("seeds/a.txt", text="……微博账号备案"))

    class Fixed:
        def search(self, query: str, **_: Any) -> list[Hit]:
            return [hit("regulations/x.md", "第四条"), hit("regulations/x.md", "第三条")]

    q = EvalQuery("q", (lab, Label(doc="regulations/y.md", article="第一条")))
    (res,) = evaluate(Fixed(), [q], k=5, methods=("hybrid",))  # type: ignore[arg-type]
    assert res.recall == pytest.approx(0.5) and res.mrr == pytest.approx(0.5) and res.hit_at_1 == 0.0


def test_eval_retrieval_command_meets_the_target(bundled: Path) -> None:
    result = runner.invoke(app, ["eval", "retrieval", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["method"]: r for r in json.loads(result.output)}
    assert set(rows) == {"dense", "bm25", "semantic", "lexical", "hybrid"}
    assert rows["hybrid"]["recall@5"] >= 0.9
    assert rows["hybrid"]["mrr"] >= 0.8
    table = runner.invoke(app, ["eval", "retrieval"])
    assert table.exit_code == 0 and "recall@5" in table.output and "混合 hybrid" in table.output
