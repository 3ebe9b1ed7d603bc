"""Retrieval benchmark: ingest throughput, query latency and memory at 20,000 and 200,000 chunks.

    python bench/retrieval_bench.py              # 20,000 and 200,000 chunks (several minutes)
    python bench/retrieval_bench.py --quick      # 2,000 chunks, a smoke run of a few seconds
    python bench/retrieval_bench.py --sizes 50000 --queries 300

Synthetic chunks are built from the sentences of the bundled corpus (mixed at random, with
random kinds, years, sections and agencies), so their character statistics are those of real
reports and regulations. Each size runs in a fresh subprocess (so its peak memory is its own):

* ingest: hash embedding + chroma add (the target: ≥ 2,000 chunks/s), then jieba tokenising and
  BM25 indexing, reported separately and as a whole;
* query latency p50/p95 of dense (chroma HNSW), BM25 and hybrid (RRF), unfiltered (the default:
  superseded documents left out) and with a ``kind`` filter;
* the same dense queries as a brute-force numpy scan over the same vectors, the latency ratio,
  and HNSW's recall@10 against that exact scan;
* peak resident memory (``ru_maxrss``).

Targets: ingest ≥ 2,000 chunks/s; hybrid p50 ≤ 50 ms at 200,000 chunks.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

KINDS = [
    "annual_report",
    "annual_report",
    "annual_report",
    "work_points",
    "implementation_report",
    "regulation",
    "spec",
]
SECTIONS = ["overview", "proactive", "requests", "review", "problems", "other", "item", "article"]
PLACES = ["杭州市", "洛阳市", "开封市", "淮安市", "上海市", "高台县", "张掖市", "郑州市", "南京市", "宁波市"]
OFFICES = ["民族宗教事务局", "人民政府办公室", "司法局", "教育局", "卫生健康委员会"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sentence_pool() -> list[str]:
    from agent.corpus.chunk_text import split_sentences
    from agent.corpus.chunking import chunk_document
    from agent.corpus.meta import load_manifest, read_document

    pool: list[str] = []
    for d in load_manifest():
        text = read_document(d.path)
        for c in chunk_document(d.meta, text, pdf=d.path.suffix == ".pdf"):
            pool += [s.strip() for s in split_sentences(c.text) if len(s.strip()) >= 8]
    return pool


def synthetic_chunks(n: int, seed: int = 7) -> list[Any]:
    from agent.corpus.chunking import Chunk, chunk_id

    rng = random.Random(seed)
    pool = sentence_pool()
    chunks = []
    for i in range(n):
        kind = rng.choice(KINDS)
        place = rng.choice(PLACES)
        agency = place + rng.choice(OFFICES)
        year = rng.randint(2015, 2025)
        text = "".join(rng.choice(pool) for _ in range(rng.randint(3, 10)))
        doc_id = f"synthetic/{i // 25:06d}.txt"
        path = (
            f"第{rng.randint(1, 60)}条"
            if kind == "regulation"
            else f"{rng.choice('一二三四五六')}、部分 > （{rng.choice('一二三四五')}）"
        )
        chunks.append(
            Chunk(
                id=chunk_id(doc_id, f"{path}#{i}", text),
                doc_id=doc_id,
                document=f"{i // 25:06d}.txt",
                title=f"{agency}{year}年政府信息公开工作年度报告" if kind != "regulation" else "某某条例",
                kind=kind,
                agency=agency,
                place=place,
                year=year,
                format="2021" if year >= 2021 else "2019",
                status="superseded" if rng.random() < 0.02 else "current",
                section=rng.choice(SECTIONS),
                section_path=path,
                locator=path,
                part=1,
                text=text,
            )
        )
    return chunks


def _instrument(store: Any, timers: dict[str, float]) -> Any:
    """Time the embedder, chroma's add and jieba inside the real ingest path."""
    import agent.corpus.store as store_mod

    emb, col, tok = store.embedder, store.collection, store_mod.tokenize_later

    class TimedEmbedder:
        name, dim, _dim = emb.name, emb.dim, emb.dim

        def embed(self, texts: Any) -> Any:
            t = time.perf_counter()
            try:
                return emb.embed(texts)
            finally:
                timers["embed"] += time.perf_counter() - t

        def embed_query(self, text: str) -> Any:
            return emb.embed_query(text)

    class TimedCollection:
        def __getattr__(self, name: str) -> Any:
            return getattr(col, name)

        def add(self, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return col.add(**kw)
            finally:
                timers["add"] += time.perf_counter() - t

    def timed_tokenize(texts: Any) -> Any:
        """Tokenising overlaps with embed + add (worker processes): time what is left to wait for."""
        later = tok(texts)

        def result() -> Any:
            t = time.perf_counter()
            try:
                return later()
            finally:
                timers["tokenize_wait"] += time.perf_counter() - t

        return result

    store.embedder = TimedEmbedder()
    store.collection = TimedCollection()
    store_mod.tokenize_later = timed_tokenize  # type: ignore[assignment]

    def restore() -> None:
        store.embedder, store.collection, store_mod.tokenize_later = emb, col, tok

    return restore


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def run_size(n: int, n_queries: int, hnsw: dict[str, Any]) -> dict[str, Any]:
    from agent.corpus.embeddings import HashEmbedder
    from agent.corpus.lexical import backend, tokenize, tokenize_many
    from agent.corpus.retrieval import Filters, Retriever
    from agent.corpus.store import DEFAULT_HNSW, Store

    out: dict[str, Any] = {
        "chunks": n,
        "hnsw": {**DEFAULT_HNSW, **hnsw},
        "tokenizer": backend(),  # loads the dictionary now
    }
    t = time.perf_counter()
    chunks = synthetic_chunks(n)
    out["generate_s"] = round(time.perf_counter() - t, 1)
    out["avg_chars"] = round(sum(len(c.text) for c in chunks) / n)
    emb = HashEmbedder()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp), emb, hnsw=hnsw)
        timers = {"embed": 0.0, "add": 0.0, "tokenize_wait": 0.0}
        restore = _instrument(store, timers)
        # ---- ingest through the real path: put_document per synthetic document of 25 chunks,
        # buffered flushes (embed → chroma add → jieba → registry), then commit (stamp + BM25)
        from agent.corpus.meta import DocMeta

        t0 = time.perf_counter()
        for s in range(0, n, 25):
            group = chunks[s : s + 25]
            c0 = group[0]
            meta = DocMeta(
                doc_id=c0.doc_id,
                file=c0.document,
                title=c0.title,
                kind=c0.kind,
                agency=c0.agency,
                place=c0.place,
                year=c0.year,
                format=c0.format,
                status=c0.status,
            )
            store.put_document(meta, "sha", "key", group)
        store.flush()
        t_flush = time.perf_counter() - t0
        t = time.perf_counter()
        store.commit()
        t_bm25 = time.perf_counter() - t
        t_total = time.perf_counter() - t0
        vectors = emb.embed([c.index_text for c in chunks])  # for the brute-force comparison
        out["embed_chunks_per_s"] = round(n / timers["embed"])
        out["chroma_add_chunks_per_s"] = round(n / timers["add"])
        out["ingest_chunks_per_s"] = round(n / (timers["embed"] + timers["add"]))
        sample = [c.index_text for c in chunks[:1000]]
        t = time.perf_counter()
        tokenize_many(sample)
        out["jieba_serial_chunks_per_s"] = round(len(sample) / (time.perf_counter() - t))
        out["tokenize_wait_s"] = round(timers["tokenize_wait"], 2)
        out["registry_other_s"] = round(
            t_flush - timers["embed"] - timers["add"] - timers["tokenize_wait"], 2
        )
        out["bm25_build_s"] = round(t_bm25, 2)
        out["full_ingest_chunks_per_s"] = round(n / t_total)
        out["rss_after_ingest_mb"] = round(rss_mb())
        # ---- queries
        rng = random.Random(11)
        from agent.evals.retrieval import load_queries

        qs = [q.query for q in load_queries()]
        while len(qs) < n_queries:
            c = rng.choice(chunks)
            start = rng.randint(0, max(0, len(c.text) - 20))
            qs.append(c.text[start : start + rng.randint(8, 20)])
        qs = qs[:n_queries]
        restore()
        retriever = Retriever(store, emb)
        store.bm25()
        default, narrow = Filters(), Filters.make(kinds=["regulation"])
        for _ in range(5):  # warm up
            retriever.hybrid(qs[0], default, 5)
        lat: dict[str, list[float]] = {
            k: []
            for k in (
                "dense",
                "bm25",
                "hybrid",
                "dense_kind",
                "hybrid_kind",
                "brute",
                "embed_q",
                "tokenize_q",
            )
        }
        recall_hits = 0
        for q in qs:
            t = time.perf_counter()
            qv = emb.embed_query(q)
            lat["embed_q"].append(time.perf_counter() - t)
            t = time.perf_counter()
            tokenize(q)
            lat["tokenize_q"].append(time.perf_counter() - t)
            t = time.perf_counter()
            retriever._dense_raw(qv, default, 50)
            lat["dense"].append(time.perf_counter() - t + lat["embed_q"][-1])
            t = time.perf_counter()
            retriever._bm25_raw(q, default, 50)
            lat["bm25"].append(time.perf_counter() - t)
            t = time.perf_counter()
            retriever.hybrid(q, default, 5)
            lat["hybrid"].append(time.perf_counter() - t)
            t = time.perf_counter()
            retriever._dense_raw(emb.embed_query(q), narrow, 50)
            lat["dense_kind"].append(time.perf_counter() - t)
            t = time.perf_counter()
            retriever.hybrid(q, narrow, 5)
            lat["hybrid_kind"].append(time.perf_counter() - t)
            t = time.perf_counter()
            scores = vectors @ emb.embed_query(q)
            top = np.argpartition(-scores, 50)[:50]
            top = top[np.argsort(-scores[top])]
            lat["brute"].append(time.perf_counter() - t)
            exact10 = {chunks[i].id for i in top[:10]}
            raw10 = store.query(qv, 10)
            recall_hits += len(exact10 & {r[0] for r in raw10})
        out["queries"] = len(qs)
        for k, v in lat.items():
            out[f"{k}_p50_ms"] = round(pct(v, 50), 2)
            out[f"{k}_p95_ms"] = round(pct(v, 95), 2)
        out["dense_over_brute_p50"] = round(out["dense_p50_ms"] / max(out["brute_p50_ms"], 1e-6), 2)
        out["hnsw_recall@10_vs_exact"] = round(recall_hits / (10 * len(qs)), 3)
        out["peak_rss_mb"] = round(rss_mb())
        store.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="Retrieval benchmark (see the module docstring).")
    ap.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--quick", action="store_true", help="2,000 chunks and 30 queries: a smoke run")
    ap.add_argument("--ef-construction", type=int, default=None)
    ap.add_argument("--max-neighbors", type=int, default=None)
    ap.add_argument("--ef-search", type=int, default=None)
    ap.add_argument("--size", type=int, help=argparse.SUPPRESS)  # child process
    ap.add_argument("--json", action="store_true", help="print one JSON object per size")
    args = ap.parse_args()
    hnsw = {
        k: v
        for k, v in (
            ("ef_construction", args.ef_construction),
            ("max_neighbors", args.max_neighbors),
            ("ef_search", args.ef_search),
        )
        if v is not None
    }
    if args.size:
        print(json.dumps(run_size(args.size, args.queries, hnsw), ensure_ascii=False))
        return
    sizes, n_queries = ([2_000], 30) if args.quick else (args.sizes, args.queries)
    print(f"retrieval bench — {os.cpu_count()} CPU(s), sizes {sizes}, {n_queries} queries", flush=True)
    for n in sizes:
        cmd = [sys.executable, __file__, "--size", str(n), "--queries", str(n_queries)]
        for flag, key in (
            ("--ef-construction", "ef_construction"),
            ("--max-neighbors", "max_neighbors"),
            ("--ef-search", "ef_search"),
        ):
            if key in hnsw:
                cmd += [flag, str(hnsw[key])]
        t = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            print(res.stderr, file=sys.stderr)
            raise SystemExit(res.returncode)
        r = json.loads(res.stdout.strip().splitlines()[-1])
        r["wall_s"] = round(time.perf_counter() - t, 1)
        if args.json:
            print(json.dumps(r, ensure_ascii=False), flush=True)
            continue
        print(
            f"\n== {n:,} chunks (avg {r['avg_chars']} chars; {r['wall_s']} s wall)\n"
            f"HNSW: ef_construction {r['hnsw']['ef_construction']}, max_neighbors {r['hnsw']['max_neighbors']}, "
            f"ef_search {r['hnsw']['ef_search']}\n"
            f"ingest (hash embed + chroma add): {r['ingest_chunks_per_s']:,} chunks/s "
            f"[embed {r['embed_chunks_per_s']:,}/s, chroma add {r['chroma_add_chunks_per_s']:,}/s]\n"
            f"BM25: {r['tokenizer']} {r['jieba_serial_chunks_per_s']:,} chunks/s in one process "
            f"({r['tokenize_wait_s']} s spent waiting for tokens during ingest), index build {r['bm25_build_s']} s; "
            f"registry writes {r['registry_other_s']} s\n"
            f"whole ingest (everything, through Store.put_document + commit): {r['full_ingest_chunks_per_s']:,} chunks/s\n"
            f"query p50/p95 ms ({r['queries']} queries, top 50 candidates, k=5):\n"
            f"  dense  {r['dense_p50_ms']:>7} / {r['dense_p95_ms']:<7}  bm25 {r['bm25_p50_ms']:>7} / {r['bm25_p95_ms']:<7}"
            f"  hybrid {r['hybrid_p50_ms']:>7} / {r['hybrid_p95_ms']}\n"
            f"  with kind=regulation: dense {r['dense_kind_p50_ms']} / {r['dense_kind_p95_ms']}, "
            f"hybrid {r['hybrid_kind_p50_ms']} / {r['hybrid_kind_p95_ms']}\n"
            f"  brute-force numpy scan {r['brute_p50_ms']} / {r['brute_p95_ms']} → dense/brute p50 ratio "
            f"{r['dense_over_brute_p50']}; HNSW recall@10 vs exact {r['hnsw_recall@10_vs_exact']}\n"
            f"peak RSS {r['peak_rss_mb']:,} MB (after ingest {r['rss_after_ingest_mb']:,} MB)",
            flush=True,
        )


if __name__ == "__main__":
    main()
