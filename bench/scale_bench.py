"""Benchmark: large inputs. `draft` (offline) with very long notes, and `requirements` on a very
large notice, each as a fresh process; prints wall time and peak memory (max RSS).

    python bench/scale_bench.py [--notes-lines 100000] [--notice-mb 50] [--inprocess]

The CLI refuses notes over 2 MB and reports over 20 MB (documented limits), so the figures are
given twice: through the CLI (at the size given, which may be refused) and, with --inprocess, the
library functions on the same text (the limits do not apply there).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("主动公开", "依申请公开", "政府信息管理", "平台建设", "监督保障", "存在的问题", "改进措施")


def big_notes(lines: int) -> str:
    """Notes of about ``lines`` lines: the example's front matter, headings and short bullets."""
    head = "---\n机关: 示例县民族宗教事务局\n年度: 2024\n---\n# 总体情况\n"
    out = [head]
    per = max(1, lines // len(PARTS))
    for i, part in enumerate(PARTS):
        if part == "存在的问题":
            out.append("# 存在的主要问题及改进情况\n")
        out.append(f"## {part}\n")
        out.extend(f"- 事项{i}{n:05d}\n" for n in range(per))
    return "".join(out)


def big_notice(mb: float) -> str:
    """A work-point notice of about ``mb`` MB: numbered items with deadlines and quantities."""
    lines = ["2025年政务公开工作要点", ""]
    size, n = 0, 0
    target = int(mb * 1024 * 1024)
    while size < target:
        n += 1
        block = (
            f"{n}. 加强第{n}项政策解读\n"
            f"要在6月底前发布解读材料不少于{n % 9 + 1}篇，确保门户网站专栏每月更新，严格落实保密审查。\n"
        )
        lines.append(block)
        size += len(block.encode())
    return "\n".join(lines)


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK, *argv], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    wall = time.perf_counter() - start
    peak = next((ln[5:] for ln in proc.stderr.splitlines() if ln.startswith("PEAK:")), "0")
    tail = (proc.stderr.strip().splitlines() or [""])[0][:120]
    return wall, float(peak) / 1024, proc.returncode, tail


_PEAK = (
    "import resource, runpy, sys\n"
    "sys.argv = ['report-agent'] + sys.argv[1:]\n"
    "try:\n"
    "    runpy.run_module('agent.cli', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "sys.stderr.write('PEAK:%d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)


def inprocess(label: str, func: object, *args: object) -> None:
    start = time.perf_counter()
    func(*args)  # type: ignore[operator]
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<44} {wall:8.2f} s  peak RSS so far {peak:7.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--notes-lines", type=int, default=100_000)
    ap.add_argument("--notice-mb", type=float, default=50)
    ap.add_argument("--inprocess", action="store_true", help="also time the library functions")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "REPORT_AGENT_HOME": str(work / "home")}
        notes = work / "notes.md"
        notes.write_text(big_notes(args.notes_lines), encoding="utf-8")
        notice = work / "notice.txt"
        notice.write_text(big_notice(args.notice_mb), encoding="utf-8")
        # build the index once, so the draft's figure is drafting, not the first ingest
        run(["ingest"], env)
        figures = str(ROOT / "examples" / "figures-2024.yaml")
        cases = [
            (
                f"draft, {args.notes_lines} lines ({notes.stat().st_size / 1e6:.1f} MB)",
                ["draft", str(notes), "-F", figures, "-o", str(work / "out"), "--offline"],
            ),
            (
                f"requirements, {notice.stat().st_size / 2**20:.0f} MB",
                ["requirements", str(notice), "-o", str(work / "items.json")],
            ),
        ]
        print(f"{'CLI':<44} {'wall':>8}    {'max RSS':>8}  exit  first line of stderr")
        for label, argv in cases:
            wall, peak, code, tail = run(argv, env)
            print(f"{label:<44} {wall:8.2f} s  {peak:6.0f} MB  {code:>4}  {tail}")
        if args.inprocess:
            sys.path.insert(0, str(ROOT))
            from agent.draft.notes import parse_notes
            from agent.workpoints.requirements import parse_notice

            inprocess("parse_notes (library)", parse_notes, notes.read_text(encoding="utf-8"))
            inprocess("parse_notice (library)", parse_notice, notice.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
