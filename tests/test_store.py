"""The index: ingest, idempotence, changes, pruning, embedder guard, corrupt files, embedders."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.corpus.embeddings import EmbeddingServiceError, HashEmbedder, OpenAIEmbedder
from agent.corpus.ingest import ingest
from agent.corpus.retrieval import Filters, Retriever
from agent.corpus.store import Store
from agent.errors import InputError

runner = CliRunner()


class CountingEmbedder:
    """A HashEmbedder that counts the texts it is asked to embed."""

    def __init__(self, dim: int = 1024) -> None:
        self.inner = HashEmbedder(dim)
        self.texts = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    _dim = 1024

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection that leaves the machine (downloads, telemetry)."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if self.family == socket.AF_UNIX or host in ("127.0.0.1", "::1", "localhost"):
            return real_connect(self, address)
        raise AssertionError(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)


DOC_A = """甲市民族宗教事务局2023年政府信息公开工作年度报告
一、总体情况
（一）主动公开情况。全年在门户网站主动公开政务信息120条，开设清真食品监管专栏。
（二）依申请公开情况。全年收到依申请公开申请2件，均按期答复。
五、存在的主要问题及改进情况
政策解读形式比较单一，下一步将增加图解和短视频解读。
"""
DOC_B = """乙县教育局2023年政务公开工作要点
一、加强信息公开
（一）做好招生入学信息公开。及时公开义务教育招生范围和入学条件。
（二）做好教育收费信息公开。公开学校收费项目、标准和依据。
"""


@pytest.fixture
def user_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(DOC_A, encoding="utf-8")
    (folder / "b.md").write_text(DOC_B, encoding="utf-8")
    return folder


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "index", CountingEmbedder())
    yield s
    s.close()


def _ids_in_collection(store: Store, ids: list[str]) -> set[str]:
    return set(store.collection.get(ids=ids, include=[])["ids"])


# ----------------------------------------------------------------------------- the bundled corpus


def test_cli_ingests_the_bundled_corpus_offline_and_idempotently(no_network: None) -> None:
    first = runner.invoke(app, ["ingest"])
    assert first.exit_code == 0, first.output
    m = re.search(r"文件 (\d+) 个，分块新增 (\d+)，未变 (\d+)，删除 (\d+)", first.output)
    assert m, first.output
    files, added, unchanged, removed = map(int, m.groups())
    assert files == 20 and added > 500 and unchanged == 0 and removed == 0
    second = runner.invoke(app, ["ingest"])
    assert second.exit_code == 0, second.output
    assert f"分块新增 0，未变 {added}，删除 0" in second.output


# ----------------------------------------------------------------------------- user files


def test_reingest_embeds_nothing(store: Store, user_corpus: Path) -> None:
    first = ingest(store, [user_corpus])
    assert first.added > 0 and first.files == 2
    embedder = store.embedder
    assert isinstance(embedder, CountingEmbedder)
    before = embedder.texts
    again = ingest(store, [user_corpus])
    assert (again.added, again.removed, again.unchanged) == (0, 0, first.added)
    assert embedder.texts == before  # nothing embedded the second time
    assert store.count() == first.added


def test_changed_file_replaces_its_chunks(store: Store, user_corpus: Path) -> None:
    ingest(store, [user_corpus])
    a_id = str((user_corpus / "a.txt").resolve())
    old_ids = store.chunk_ids(a_id)
    text = DOC_A.replace(
        "政策解读形式比较单一，下一步将增加图解和短视频解读。", "档案移交工作滞后，下一步将按期向档案馆移交。"
    )
    (user_corpus / "a.txt").write_text(text, encoding="utf-8")
    report = ingest(store, [user_corpus])
    assert report.removed >= 1 and report.added >= 1
    new_ids = store.chunk_ids(a_id)
    gone = sorted(set(old_ids) - set(new_ids))
    assert gone and not _ids_in_collection(store, gone)
    hits = Retriever(store).search("档案移交工作滞后", method="bm25", k=3)
    assert hits and "档案移交" in hits[0].text
    assert not Retriever(store).search("图解和短视频解读", method="bm25", k=3, filters=Filters())


def test_prune_removes_the_chunks_of_deleted_files(store: Store, user_corpus: Path) -> None:
    ingest(store, [user_corpus])
    b_id = str((user_corpus / "b.md").resolve())
    b_ids = store.chunk_ids(b_id)
    assert b_ids
    (user_corpus / "b.md").unlink()
    kept = ingest(store, [user_corpus])  # without --prune nothing is removed
    assert kept.removed == 0 and store.chunk_ids(b_id)
    pruned = ingest(store, [user_corpus], prune=True)
    assert pruned.removed == len(b_ids) and pruned.pruned == ["b.md"]
    assert not store.chunk_ids(b_id) and not _ids_in_collection(store, b_ids)
    assert b_id not in store.documents()


def test_metadata_correction_updates_without_reembedding(store: Store, user_corpus: Path) -> None:
    ingest(store, [user_corpus])
    embedder = store.embedder
    assert isinstance(embedder, CountingEmbedder)
    before = embedder.texts
    report = ingest(store, [user_corpus / "a.txt"], meta={"year": 2019, "agency": "丙市民宗局"})
    assert report.added == 0 and report.updated > 0
    assert embedder.texts == before
    hits = Retriever(store).search("清真食品监管专栏", k=3, filters=Filters.make(year_to=2019))
    assert hits and hits[0].document == "a.txt" and hits[0].agency == "丙市民宗局" and hits[0].year == 2019


def test_cli_skips_corrupt_files_and_ingests_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad.pdf").write_bytes(b"this is not a pdf at all")
    (folder / "bad.docx").write_bytes(b"not a zip either")
    (folder / "good.txt").write_text(DOC_A, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(folder)])
    assert result.exit_code == 0, result.output
    assert "bad.pdf" in result.output and "bad.docx" in result.output and "跳过" in result.output
    assert "文件 1 个" in result.output
    found = runner.invoke(app, ["search", "清真食品监管专栏", "--format", "json", "-k", "1"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)[0]["document"] == "good.txt"


def test_cli_meta_option_and_bad_meta(tmp_path: Path, user_corpus: Path) -> None:
    bad = runner.invoke(app, ["ingest", str(user_corpus), "--meta", "colour=red"])
    assert bad.exit_code == 2 and "colour" in bad.output
    ok = runner.invoke(
        app, ["ingest", str(user_corpus / "b.md"), "--meta", "kind=年度报告", "--meta", "year=2021"]
    )
    assert ok.exit_code == 0, ok.output
    res = runner.invoke(app, ["search", "招生入学", "--kind", "annual_report", "--format", "json", "-k", "1"])
    assert json.loads(res.output)[0]["document"] == "b.md"


# ----------------------------------------------------------------------------- embedder guard


def test_opening_with_another_embedder_is_refused(tmp_path: Path, user_corpus: Path) -> None:
    s = Store(tmp_path / "idx", HashEmbedder(1024))
    ingest(s, [user_corpus])
    s.close()
    with pytest.raises(InputError, match=r"ingest --rebuild") as info:
        Store(tmp_path / "idx", HashEmbedder(512))
    assert "hash-char12-d1024-v1" in str(info.value) and "不能混用" in str(info.value)
    rebuilt = Store(tmp_path / "idx", HashEmbedder(512), rebuild=True)
    assert rebuilt.count() == 0
    assert ingest(rebuilt, [user_corpus]).added > 0
    rebuilt.close()


def test_cli_refuses_an_index_built_by_another_embedder(
    llm_server: Any, monkeypatch: pytest.MonkeyPatch, user_corpus: Path
) -> None:
    assert runner.invoke(app, ["ingest", str(user_corpus)]).exit_code == 0
    monkeypatch.setenv("REPORT_AGENT_EMBEDDING_MODEL", "bge-m3")
    monkeypatch.setenv("REPORT_AGENT_EMBEDDING_BASE_URL", llm_server.base_url)
    refused = runner.invoke(app, ["ingest", str(user_corpus), "--embedder", "openai"])
    assert refused.exit_code == 2
    assert "report-agent ingest --rebuild" in refused.output
    rebuilt = runner.invoke(app, ["ingest", str(user_corpus), "--embedder", "openai", "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    found = runner.invoke(
        app, ["search", "招生入学条件", "--embedder", "openai", "--format", "json", "-k", "1"]
    )
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)[0]["document"] == "b.md"


def test_reconcile_drops_vectors_the_registry_does_not_know(tmp_path: Path, user_corpus: Path) -> None:
    s = Store(tmp_path / "idx", HashEmbedder())
    ingest(s, [user_corpus])
    s.collection.add(
        ids=["orphan"], embeddings=HashEmbedder().embed(["孤儿向量"]), metadatas=[{"kind": "spec"}]
    )
    s.collection.modify(metadata={**s.collection.metadata, "stamp": "someone-else"})
    n = s.registry_count()
    s.close()
    again = Store(tmp_path / "idx", HashEmbedder())
    assert again.count() == n
    assert not _ids_in_collection(again, ["orphan"])
    assert again.local_stamp() == again.remote_stamp()
    again.close()


# ----------------------------------------------------------------------------- embedders


def test_hash_embedder_is_deterministic_and_normalised() -> None:
    e = HashEmbedder()
    a = e.embed(["依申请公开 答复期限", "依申请公开答复期限！", ""])
    assert a.shape == (3, 1024) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a[:2], axis=1), 1.0, atol=1e-5)
    assert float(a[0] @ a[1]) == pytest.approx(1.0, abs=1e-6)  # punctuation and spaces ignored
    assert not a[2].any()
    assert np.array_equal(e.embed(["政务新媒体"]), HashEmbedder().embed(["政务新媒体"]))
    v, q = e.embed(["政府信息公开申请", "清真食品标示牌"]), e.embed_query("政府信息公开")
    assert float(v[0] @ q) > 0.5 > float(v[1] @ q)
    assert e.name == "hash-char12-d1024-v1" and HashEmbedder(2048, (1, 2, 3)).name == "hash-char123-d2048-v1"


def test_openai_embedder_uses_the_embedding_key_and_batches(llm_server: Any) -> None:
    e = OpenAIEmbedder("bge-m3", llm_server.base_url, "emb-key", batch_size=2)
    out = e.embed(["一", "二", "三"])
    assert out.shape == (3, e.dim) and np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    assert llm_server.count("/v1/embeddings") == 2
    assert set(llm_server.authorizations("/v1/embeddings")) == {"Bearer emb-key"}
    assert e.name == "openai:bge-m3"


def _httpx() -> Any:
    """The httpx module the installed openai client is built on (httpx, or its fork httpx2)."""
    import importlib

    import openai._base_client as base

    name = "httpx2" if hasattr(base, "httpx2") else "httpx"
    return importlib.import_module(name)


def test_openai_embedder_retries_then_reports_in_chinese() -> None:
    import openai

    httpx = _httpx()

    calls: list[int] = []

    def handler(request: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(429, json={"error": {"message": "slow down"}})
        if len(calls) == 2:
            return httpx.Response(503, json={"error": {"message": "busy"}})
        body = json.loads(request.content)
        data = [
            {"object": "embedding", "index": i, "embedding": [1.0, 0.0, 0.0]}
            for i, _ in enumerate(body["input"])
        ]
        return httpx.Response(200, json={"object": "list", "data": data, "model": "m"})

    client = openai.OpenAI(
        base_url="http://embed.test/v1",
        api_key="k",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    e = OpenAIEmbedder("m", "http://embed.test/v1", client=client, max_wait=0.01)
    assert e.embed(["甲"]).shape == (1, 3) and len(calls) == 3

    def always_500(request: Any) -> Any:
        return httpx.Response(500, json={"error": {"message": "down"}})

    broken = openai.OpenAI(
        base_url="http://embed.test/v1",
        api_key="k",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(always_500)),
    )
    with pytest.raises(EmbeddingServiceError, match="嵌入服务调用失败.*http://embed.test/v1"):
        OpenAIEmbedder("m", "http://embed.test/v1", client=broken, max_attempts=2, max_wait=0.01).embed(
            ["乙"]
        )
