"""`ask` benchmark: seconds per question offline, and the bundled-corpus ingest on a fresh home.

    python bench/ask_bench.py                 # ingest into a fresh home, then 30 questions
    python bench/ask_bench.py --questions 60 --cli 5

* ingest: ``report-agent ingest`` of the bundled corpus into an empty temporary home (what a
  fresh machine does first; the semantic vectors are shipped, not computed). Target < 60 s.
* in-process: ``ask()`` on questions of eval/ask/colloquial.yaml after one warm-up question
  (the index built): p50 / p95 / max seconds. Target p50 < 2 s.
* CLI: ``report-agent ask "…" --offline`` as a user runs it (a new process each time: Python
  start, imports, model load included): p50 seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _run(args: list[str], home: str) -> float:
    env = {**os.environ, "REPORT_AGENT_HOME": home}
    env.pop("OPENAI_API_KEY", None)
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=30)
    ap.add_argument("--cli", type=int, default=3)
    opts = ap.parse_args()
    exe = str(Path(sys.executable).with_name("report-agent"))
    with tempfile.TemporaryDirectory(prefix="ask-bench-") as home:
        ingest = _run([exe, "ingest"], home)
        print(f"ingest of the bundled corpus (fresh home): {ingest:.1f} s  (target < 60 s)")
        os.environ["REPORT_AGENT_HOME"] = home
        from agent.ask.answer import ask
        from agent.evals.ask import load_cases
        from agent.settings import load_settings

        settings = load_settings(offline=True)
        cases = load_cases(ROOT / "eval" / "ask" / "colloquial.yaml")[: opts.questions + 1]
        ask(cases[0].question, settings, offline=True)  # warm-up: models and index loaded
        times = []
        for c in cases[1:]:
            t = time.perf_counter()
            ask(c.question, settings, offline=True)
            times.append(time.perf_counter() - t)
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"ask in-process, {len(times)} questions: p50 {statistics.median(times):.2f} s, "
            f"p95 {p95:.2f} s, max {times[-1]:.2f} s  (target p50 < 2 s)"
        )
        cli = [_run([exe, "ask", c.question, "--offline"], home) for c in cases[1 : 1 + opts.cli]]
        if cli:
            print(f"report-agent ask (new process each), {len(cli)} runs: p50 {statistics.median(cli):.2f} s")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
