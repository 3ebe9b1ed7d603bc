"""The index survives a crash: ``kill -9`` during ingest at random points, then the next opening
reports and repairs, and search returns exactly the documents whose ingest completed. Two writers
never interleave (lock file); ``ingest --check`` reports consistency."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.corpus.embeddings import HashEmbedder
from agent.corpus.ingest import ingest
from agent.corpus.lexical import tokenize
from agent.corpus.store import FLUSH_DOCS, Store
from agent.fsutil import file_lock

ROOT = Path(__file__).resolve().parents[1]
DRIVER = Path(__file__).with_name("crash_ingest.py")
N_DOCS = 240
runner = CliRunner()


def make_docs(folder: Path, n: int = N_DOCS) -> None:
    """``n`` small reports, each with two unique words (one per section) to find it by."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"doc{i:04d}.txt").write_text(
            f"第{i}号示例局2023年政府信息公开工作年度报告\n一、总体情况\n"
            f"本局全年主动公开信息{i}条，编号 uniq{i:04d}key。\n二、主动公开政府信息情况\n"
            f"门户网站发布政务信息，政策解读{i % 7}篇，标识 mark{i:04d}x。\n五、存在的主要问题及改进情况\n"
            + "政策解读形式比较单一，需要进一步丰富。" * (1 + i % 5)
            + "\n",
            encoding="utf-8",
        )


def _crash(tmp: Path, seed: int) -> tuple[Path, set[str]]:
    """Start an ingest of the documents and kill -9 it at a random point; return the index and
    the documents the ingest had logged as committed."""
    make_docs(tmp / "docs")
    index, log = tmp / "index", tmp / "committed.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(DRIVER), tmp / "docs", index, log], env=env)
    rng = random.Random(seed)
    batches = rng.randint(0, N_DOCS // FLUSH_DOCS - 1)  # kill after this many committed batches …
    started = Path(f"{log}.started")
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        done = len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0
        if started.exists() and done >= batches * FLUSH_DOCS:
            break
        time.sleep(0.005)
    time.sleep(rng.uniform(0.0, 0.5))  # … and at a random moment of the next one
    proc.kill()
    proc.wait()
    logged = set(log.read_text(encoding="utf-8").splitlines()) if log.exists() else set()
    return index, logged


def _bm25_docs(store: Store) -> set[str]:
    """Documents BM25 finds by their unique word."""
    index = store.bm25()
    found: set[str] = set()
    for i in range(N_DOCS):
        hits = index.top(tokenize(f"uniq{i:04d}key"), 1)
        if hits:
            meta, _ = store.get([hits[0][0]])[hits[0][0]]
            found.add(meta["document"])
    return found


def _dense_docs(store: Store) -> set[str]:
    """Documents whose chunks the vector search finds: each chunk's own text is its nearest
    neighbour (the hash embedder maps equal text to equal vectors)."""
    rows = store.registry.db.execute("SELECT id, meta, text FROM chunks").fetchall()
    found: set[str] = set()
    import json

    for cid, meta, text in rows:
        m = json.loads(meta)
        index_text = f"{m.get('title', '')} {m.get('context', '')} {m.get('section_path', '')}\n{text}"
        vec = store.embedder.embed([index_text])[0]
        top = store.query(np.asarray(vec), 1)
        if top and top[0][0] == cid:
            found.add(m["document"])
    return found


@pytest.mark.parametrize("seed", [11, 23, 37, 41])
def test_kill_9_during_ingest_then_the_index_repairs_itself(tmp_path: Path, seed: int) -> None:
    index, logged = _crash(tmp_path, seed)
    before = Store(index, HashEmbedder(), repair=False)
    health = before.check()
    before.close()
    store = Store(index, HashEmbedder())  # opening repairs
    report = store.repair_report
    if not health.ok:
        assert report is not None and not report.busy and report.lines()
    after = store.check()
    assert after.ok, after.lines()
    completed = {r.file for r in store.registry.documents().values()}
    # every document logged as committed survived; at most the batch in flight at the kill
    # completed without its log line
    assert logged <= completed and len(completed - logged) <= FLUSH_DOCS
    # search returns exactly the completed documents, by words (BM25) and by vectors
    assert _bm25_docs(store) == completed
    assert _dense_docs(store) == completed
    assert store.count() == store.registry_count()
    # and the next ingest adds the rest
    again = ingest(store, [tmp_path / "docs"])
    assert again.files == N_DOCS and store.check().ok
    assert len(store.registry.documents()) == N_DOCS
    store.close()


def test_ingest_check_reports_then_opening_repairs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_docs(tmp_path / "docs", 40)
    index = tmp_path / "index"
    store = Store(index, HashEmbedder())
    ingest(store, [tmp_path / "docs"])
    victim = next(iter(store.registry.documents()))
    store.registry.mark_pending([victim])  # as a crash between intent and commit leaves it
    store.collection.add(
        ids=["orphan"], embeddings=HashEmbedder().embed(["孤立"]), metadatas=[{"kind": "spec"}]
    )
    store.close()
    monkeypatch.setenv("REPORT_AGENT_INDEX_PATH", str(index))
    checked = runner.invoke(app, ["ingest", "--check"])
    assert checked.exit_code == 1, checked.output
    assert "1 个文档入库未完成" in checked.output and "1 个登记表中没有的向量" in checked.output
    searched = runner.invoke(app, ["search", "uniq0001key", "--method", "bm25"])
    assert searched.exit_code == 0 and "已自动修复" in searched.output
    assert runner.invoke(app, ["ingest", "--check"]).exit_code == 0
    redone = runner.invoke(app, ["ingest", str(tmp_path / "docs")])
    assert redone.exit_code == 0 and "分块新增" in redone.output
    final = runner.invoke(app, ["ingest", "--check"])
    assert final.exit_code == 0 and "索引一致：40 个文档" in final.output


def test_a_second_ingest_waits_for_the_first_or_gives_up(tmp_path: Path) -> None:
    make_docs(tmp_path / "docs", 5)
    index = tmp_path / "index"
    env = {**os.environ, "REPORT_AGENT_INDEX_PATH": str(index), "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "agent.cli", "ingest", str(tmp_path / "docs")]
    index.mkdir()
    with file_lock(index / "ingest.lock"):  # another ingest holds the index
        refused = subprocess.run(
            cmd, env={**env, "REPORT_AGENT_LOCK_WAIT": "1"}, capture_output=True, text=True, check=False
        )
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert f"进程 {os.getpid()}" in refused.stderr and "正在写入这个索引" in refused.stderr

    with file_lock(index / "ingest.lock"):  # held until the second ingest says it is waiting
        proc = subprocess.Popen(
            cmd,
            env={**env, "REPORT_AGENT_LOCK_WAIT": "60"},  # bounded, should this test ever fail
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        first = proc.stderr.readline()
    out, rest = proc.communicate(timeout=120)
    assert proc.returncode == 0, first + rest
    assert "等待它完成" in first and "文件 5 个" in out


def test_an_index_still_being_created_is_opened_only_after_its_creator(tmp_path: Path) -> None:
    """A second process that finds the registry and the chroma folder of an index whose creation
    has not finished (no ready mark) waits for the creator's lock instead of opening it half-made
    (two first ingests at once: chroma's "table collections already exists")."""
    from agent.corpus.store import READY_MARK, IndexBusy

    index = tmp_path / "index"
    Store(index, HashEmbedder()).close()
    ready = index / READY_MARK
    assert ready.exists()
    ready.unlink()  # as while the first process is still creating it
    with file_lock(index / "ingest.lock"), pytest.raises(IndexBusy):
        Store(index, HashEmbedder(), lock_wait=0.3)
    store = Store(index, HashEmbedder(), lock_wait=0.3)  # the creator is done: opens, marks it ready
    store.close()
    assert ready.exists()
