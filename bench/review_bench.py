"""Batch review: the bundled real reports plus 40 generated ones (20 units × 2023/2024, .md .txt .html
.docx, 8 with a planted defect), checked by ``report-agent review``'s library function; the summary
is written as xlsx and read back with openpyxl. Prints wall time and reports per second.

    python bench/review_bench.py [--workers 1 2] [--units 20] [--pdf-copies 0]

``--pdf-copies N`` adds N copies of the real PDF (淮安 2024, 6 pages): a folder of PDFs is what a
政务公开办 receives, and PDF reading is where the parallel processes pay off.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from batch_fixtures import generate  # noqa: E402

from agent.review.batch import review_paths  # noqa: E402
from agent.review.summary import SUMMARY_COLUMNS, write_review  # noqa: E402

REAL = [
    *sorted((ROOT / "corpus" / "realdata").glob("*.pdf")),
    ROOT / "corpus" / "realdata" / "shanghai-office-2025-extracted.md",
    ROOT / "corpus" / "realdata" / "huaian-city-2024-section3-extracted.txt",
    *sorted((ROOT / "corpus" / "seeds").glob("*.txt")),
    *sorted((ROOT.parent / "shared" / "realdata" / "dev").glob("*.txt")),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--units", type=int, default=20)
    ap.add_argument("--pdf-copies", type=int, default=0)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="review-bench-"))
    try:
        generated = generate(folder / "generated", units=args.units)
        real = folder / "real"
        real.mkdir()
        for p in REAL:
            shutil.copy(p, real / p.name)
        pdf = ROOT / "corpus" / "realdata" / "huaian-city-2024.pdf"
        for i in range(args.pdf_copies):
            shutil.copy(pdf, real / f"copy-{i:02d}-{pdf.name}")
        n = len(generated) + len(REAL) + args.pdf_copies
        print(f"{len(REAL)} real + {args.pdf_copies} PDF copies + {len(generated)} generated = {n} reports")
        for workers in args.workers:
            started = time.perf_counter()
            review = review_paths([real, folder / "generated"], workers=workers)
            out = folder / f"summary-{workers}.xlsx"
            write_review(review, out)
            wall = time.perf_counter() - started
            rows = _rows(out)
            assert len(rows) == n, (len(rows), n)
            missed = _missed(review, generated)
            print(
                f"workers {workers}: {wall:.2f} s wall (check {review.seconds:.2f} s, summary included), "
                f"{n / wall:.1f} reports/s; summary rows {len(rows)}, unreadable "
                f"{sum(1 for r in review.reports if r.data is None)}, planted defects missed {missed}"
            )
        _per_format([*real.iterdir(), *(g.path for g in generated)])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _per_format(files: list[Path]) -> None:
    """Cost of reading and checking one file, by format (one process, after a warm-up)."""
    from agent.review.batch import read_and_check

    read_and_check(str(files[0]))
    by: dict[str, list[float]] = {}
    for f in files:
        started = time.perf_counter()
        read_and_check(str(f))
        by.setdefault(f.suffix, []).append(time.perf_counter() - started)
    shown = ", ".join(f"{k} {1000 * sum(v) / len(v):.0f} ms (×{len(v)})" for k, v in sorted(by.items()))
    print(f"per file, one process: {shown}")


def _rows(path: Path) -> list[tuple[object, ...]]:
    import openpyxl

    ws = openpyxl.load_workbook(path)["汇总"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == SUMMARY_COLUMNS
    return rows[1:]


def _missed(review: object, generated: list) -> int:
    by_path = {r.path.name: r for r in review.reports}  # type: ignore[attr-defined]
    return sum(1 for g in generated if not g.rules <= set((by_path[g.path.name].data or {}).get("rules", [])))


if __name__ == "__main__":
    main()
