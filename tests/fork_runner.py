"""Run many ``report-agent`` command lines, each in its own process, fast.

``python tests/fork_runner.py JOBS.json RESULTS.json [PARALLEL]``: this interpreter imports the
CLI and its heavy libraries once, then forks one child process per job. A child changes to the
job's folder, takes the job's environment, sends stdout and stderr to the job's files and runs
``agent.cli.main`` exactly as the ``report-agent`` script does; an exception escaping it is
printed as the interpreter would (a traceback) and exits 1. So every job is a real process with
its own exit code and output, without paying the 2–3 s of imports each time.

Jobs of one ``group`` are started together (concurrent runs); the others, ``PARALLEL`` at a time.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def preload() -> None:
    import bs4  # noqa: F401
    import chromadb  # noqa: F401
    import docx  # noqa: F401
    import openpyxl  # noqa: F401
    import pdfplumber  # noqa: F401

    import agent.ask.answer  # noqa: F401  (the LLM stack: openai, langchain)
    import agent.cli  # noqa: F401
    import agent.corpus.store  # noqa: F401
    import agent.draft.pipeline  # noqa: F401
    from agent.corpus.lexical import tokenize

    tokenize("预热分词词典")


def _run_cli(argv: list[str]) -> int:
    from agent.cli import main

    sys.argv = ["report-agent", *argv]
    try:
        main()
    except SystemExit as exc:
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        print(exc.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def _child(job: dict) -> None:
    code = 1
    try:
        os.chdir(job["cwd"])
        os.environ.clear()
        os.environ.update(job["env"])
        for fd, name in ((1, "stdout"), (2, "stderr")):
            target = os.open(job[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(target, fd)
            os.close(target)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        code = _run_cli(job["argv"])
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _start(job: dict) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        _child(job)
    return pid


def run(jobs: list[dict], parallel: int) -> dict[str, dict]:
    results: dict[str, dict] = {}
    waiting = [j for j in jobs if not j.get("group")]
    groups: dict[str, list[dict]] = {}
    for j in jobs:
        if j.get("group"):
            groups.setdefault(j["group"], []).append(j)
    batches: list[list[dict]] = [[j] for j in waiting] + list(groups.values())
    running: dict[int, tuple[dict, float]] = {}
    while batches or running:
        while batches:
            group = len(batches[0]) > 1
            if (group and running) or (not group and len(running) >= parallel):
                break  # a group starts alone, all its jobs at once
            for job in batches.pop(0):
                running[_start(job)] = (job, time.monotonic())
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            now = time.monotonic()
            for p, (job, started) in list(running.items()):
                if now - started > job.get("timeout", 180):
                    os.kill(p, signal.SIGKILL)
            time.sleep(0.01)
            continue
        job, started = running.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        results[job["id"]] = {"code": code, "seconds": round(time.monotonic() - started, 3)}
    return results


def main() -> None:
    jobs = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    parallel = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    preload()
    results = run(jobs, parallel)
    Path(sys.argv[2]).write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
