"""Benchmark: large inputs. `draft` (offline) with very long notes, and `requirements` on a very
large notice, each as a fresh process; prints wall time and peak memory (max RSS).

    python bench/scale_bench.py [--notes-lines 1000 100000] [--notice-mb 1.9 50] [--inprocess 1 2 4 8]

The CLI refuses notes over 2 MB or 1000 bullets and notices over 2 MB (documented limits): notes
of 100,000 lines and a notice of 50 MB are refused at once. --inprocess times the library's parse_notice on the sizes given (no limit there),
to show it grows linearly.
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


_CN = "一二三四五六七八九"


def _cn(n: int) -> str:
    """1 … 99 in Chinese numerals (一, 十, 十一, 二十三 …)."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _CN[tens - 1]) + "十" if tens else "") + (_CN[ones - 1] if ones else "")


def big_notice(mb: float) -> str:
    """A work-point notice of about ``mb`` MB, numbered as notices are (一、 / （一） / 1. / （1）),
    every item with a deadline and a quantity."""
    out = ["2025年政务公开工作要点", ""]
    size, target = 0, int(mb * 1024 * 1024)
    for a in range(1, 100):
        out.append(f"{_cn(a)}、加强第{a}方面的政务公开")
        for b in range(1, 11):
            out.append(f"（{_cn(b)}）做好第{b}类信息发布")
            for c in range(1, 100):
                for d in range(1, 10):
                    line = f"（{d}）第{a}-{b}-{c}-{d}项：要在6月底前发布解读材料不少于{d}篇，确保专栏每月更新，严格落实保密审查。"
                    if d == 1:
                        out.append(f"{c}. 第{c}项具体工作")
                    out.append(line)
                    size += len(line.encode()) + 1
                    if size >= target:
                        return "\n".join(out) + "\n"
    return "\n".join(out) + "\n"


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK, *argv], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    wall = time.perf_counter() - start
    peak = next((ln[5:] for ln in proc.stderr.splitlines() if ln.startswith("PEAK:")), "0")
    tail = next((ln for ln in proc.stderr.strip().splitlines() if not ln.startswith("PEAK:")), "")[:120]
    return wall, float(peak) / 1024, proc.returncode, tail


_PEAK = (
    "import resource, runpy, sys\n"
    "sys.argv = ['report-agent'] + sys.argv[1:]\n"
    "code = 0\n"
    "try:\n"
    "    runpy.run_module('agent.cli', run_name='__main__')\n"
    "except SystemExit as exc:\n"
    "    code = exc.code if isinstance(exc.code, int) else 0\n"
    "sys.stderr.write('PEAK:%d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def inprocess(label: str, func: object, *args: object) -> None:
    import gc

    gc.collect()
    start = time.perf_counter()
    result = func(*args)  # type: ignore[operator]
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<44} {wall:8.2f} s  peak RSS so far {peak:7.0f} MB")
    del result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--notes-lines", type=int, nargs="+", default=[1000, 100_000])
    ap.add_argument("--notice-mb", type=float, nargs="+", default=[1.9, 50])
    ap.add_argument("--inprocess", type=float, nargs="*", help="also time parse_notice on these sizes (MB)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "REPORT_AGENT_HOME": str(work / "home")}
        run(["ingest"], env)  # the index once, so the draft's figure is drafting, not the first ingest
        figures = str(ROOT / "examples" / "figures-2024.yaml")
        cases = []
        for lines in args.notes_lines:
            notes = work / f"notes-{lines}.md"
            notes.write_text(big_notes(lines), encoding="utf-8")
            cases.append(
                (
                    f"draft, {lines} lines ({notes.stat().st_size / 1e6:.2f} MB)",
                    ["draft", str(notes), "-F", figures, "-o", str(work / f"out-{lines}"), "--offline"],
                )
            )
        for mb in args.notice_mb:
            notice = work / f"notice-{mb:g}.txt"
            notice.write_text(big_notice(mb), encoding="utf-8")
            cases.append(
                (
                    f"requirements, {notice.stat().st_size / 2**20:.0f} MB",
                    ["requirements", str(notice), "-o", str(work / f"items-{mb:g}.json")],
                )
            )
        print(f"{'CLI':<44} {'wall':>8}    {'max RSS':>8}  exit  first line of stderr")
        for label, argv in cases:
            wall, peak, code, tail = run(argv, env)
            print(f"{label:<44} {wall:8.2f} s  {peak:6.0f} MB  {code:>4}  {tail}")
        if args.inprocess:
            sys.path.insert(0, str(ROOT))
            from agent.draft.notes import parse_notes
            from agent.workpoints.requirements import parse_notice

            for lines in args.notes_lines:
                text = (work / f"notes-{lines}.md").read_text(encoding="utf-8")
                inprocess(f"parse_notes, {lines} lines (library)", parse_notes, text)
            for mb in args.inprocess:
                inprocess(f"parse_notice, {mb:g} MB (library)", parse_notice, big_notice(mb))


if __name__ == "__main__":
    main()
