"""Batch review: every report of a folder checked in parallel processes, consecutive years paired.

    review = review_paths([Path("各单位年报/")], progress=lambda done, total, name: ...)
    review.reports[0].data["summary"]

1. The files (folders are searched recursively for .txt .md .docx .html .pdf) are read and
   checked in a pool of processes, one file per task (in this process when the batch is small
   enough that starting the pool would cost more, see :data:`POOL_ABOVE`); an unreadable file
   becomes a row with the reason, never a stop.
2. Each report is paired with the same agency's report for the year before, when the batch
   holds exactly one (:mod:`agent.review.pairing`); the cross-year rules (X-CARRY, X-VALID) and
   the copied-narrative flag (NARRATIVE-COPY) are applied to each pair.
3. Each report's result is the dict of :func:`agent.review.results.result_dict`, with the
   pairing status under ``cross_year``.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import InputError
from agent.report.model import AnnualReport, Finding
from agent.report.reader import SUPPORTED
from agent.review.pairing import pair_years
from agent.review.results import file_digest, result_dict, year_findings

Progress = Callable[[int, int, str], None]
# Seconds one file takes to read and check, by format (bench/review_bench.py, one process): a pool
# costs about 1–2 s to start (fork server, imports, warm-up), so a batch whose estimate is below
# POOL_ABOVE seconds is checked in this process.
COST = {".pdf": 0.8, ".docx": 0.1, ".html": 0.05, ".htm": 0.05}
DEFAULT_COST = 0.01
POOL_ABOVE = 3.0
CROSS_YEAR_RULES = ("X-CARRY", "X-VALID", "NARRATIVE-COPY")


@dataclass
class ReviewedReport:
    path: Path
    name: str  # what the user calls the file (its name, or its path inside the zip)
    data: dict[str, Any] | None = None  # the check result; None when the file could not be read
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.data is not None


@dataclass
class Review:
    reports: list[ReviewedReport]
    seconds: float = 0.0
    workers: int = 1
    skipped: list[str] = field(default_factory=list)  # files in the folders that are not reports

    @property
    def per_second(self) -> float:
        return len(self.reports) / self.seconds if self.seconds > 0 else 0.0


def collect(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """The report files named or found (recursively) in the folders; and the files skipped."""
    files: list[Path] = []
    skipped: list[str] = []
    for p in map(Path, paths):
        if not p.exists():
            raise InputError("文件或文件夹不存在", path=str(p))
        if not p.is_dir():
            files.append(
                p
            )  # a file named explicitly is checked (and refused with a reason if it is no report)
            continue
        for f in sorted(p.rglob("*")):
            if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                if f.suffix.lower() in SUPPORTED:
                    files.append(f)
                else:
                    skipped.append(str(f))
    return list(dict.fromkeys(files)), skipped


def read_and_check(path: str) -> tuple[AnnualReport | None, list[Finding], str, str | None]:
    """(report, findings, digest, error) of one file; runs in a worker process."""
    from agent.report.checks import check_report
    from agent.report.reader import read_report

    try:
        report = read_report(Path(path))
        return report, check_report(report), file_digest(Path(path)), None
    except InputError as exc:
        return None, [], "", exc.message
    except Exception as exc:  # a parser bug on one file must not stop the batch
        return None, [], "", f"检查时出错（{type(exc).__name__}: {exc}）"


def _run(files: list[Path], workers: int, progress: Progress | None) -> list[tuple[Any, ...]]:
    results: list[tuple[Any, ...] | None] = [None] * len(files)
    total = len(files)
    if workers <= 1 or estimated_seconds(files) < POOL_ABOVE:
        for i, f in enumerate(files):
            results[i] = read_and_check(str(f))
            if progress:
                progress(i + 1, total, f.name)
        return [r for r in results if r is not None]
    ctx = multiprocessing.get_context("forkserver")  # no fork of a threaded process (the web server)
    ctx.set_forkserver_preload(["agent.review.warm"])  # workers are forked warm from the fork server
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = {pool.submit(read_and_check, str(f)): i for i, f in enumerate(files)}
            for fut in as_completed(futures):
                i = futures[fut]
                results[i] = fut.result()
                done += 1
                if progress:
                    progress(done, total, files[i].name)
    except BrokenProcessPool:  # workers could not start here (e.g. no importable __main__): go on inline
        for i, f in enumerate(files):
            if results[i] is None:
                results[i] = read_and_check(str(f))
                done += 1
                if progress:
                    progress(done, total, f.name)
    return [r for r in results if r is not None]


def estimated_seconds(files: list[Path]) -> float:
    return sum(COST.get(f.suffix.lower(), DEFAULT_COST) for f in files)


def cross_year_status(data: dict[str, Any], status: str, note: str) -> dict[str, Any]:
    hits = [f for f in data["findings"] if f["rule"] in CROSS_YEAR_RULES]
    if status == "paired":
        status = "mismatch" if any(f["rule"] != "NARRATIVE-COPY" for f in hits) else "ok"
        copied = any(f["rule"] == "NARRATIVE-COPY" for f in hits)
        words = {"ok": "一致", "mismatch": f"不一致 {sum(f['rule'] != 'NARRATIVE-COPY' for f in hits)} 处"}
        note = f"{note}：{words[status]}" + ("；正文与上年雷同" if copied else "")
    return {"status": status, "note": note}


def review_paths(
    paths: Iterable[Path],
    *,
    names: dict[Path, str] | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Review:
    """Check every report in ``paths`` (files or folders) and pair consecutive years."""
    started = time.perf_counter()
    files, skipped = collect(paths)
    if not files:
        raise InputError("没有找到可检查的报告（支持 " + "、".join(SUPPORTED) + "）")
    n = workers or min(os.cpu_count() or 1, len(files))
    raw = _run(files, n, progress)
    names = names or {}
    rows = [ReviewedReport(f, names.get(f, f.name)) for f in files]
    units = [(r.agency, r.year) if r is not None else (None, None) for r, *_ in raw]
    pairings = pair_years(units)
    for row, (report, findings, digest, error), pairing in zip(rows, raw, pairings, strict=True):
        if report is None:
            row.error = error
            continue
        prev = raw[pairing.previous][0] if pairing.previous is not None else None
        extra = year_findings(report, prev) if prev is not None else []
        prev_name = rows[pairing.previous].name if pairing.previous is not None else None
        row.data = result_dict(
            report, findings + extra, name=row.name, digest=digest, previous=prev, previous_name=prev_name
        )
        row.data["cross_year"] = cross_year_status(row.data, pairing.status, pairing.note)
    used = n if n > 1 and estimated_seconds(files) >= POOL_ABOVE else 1
    return Review(rows, time.perf_counter() - started, used, skipped)
