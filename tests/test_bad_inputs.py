"""Every command on the bad-input corpus (tests/bad_input_cases.py), each case a process of its
own (tests/fork_runner.py): no traceback, the documented exit code, a message naming the file,
and on failure no new file and every file the user had byte-identical.

A few cases also run through a fresh interpreter (``python -m agent.cli``), to show that the
forked processes behave as the real command does.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bad_input_cases import Case, make_cases

ROOT = Path(__file__).resolve().parents[1]
RUNNER = Path(__file__).with_name("fork_runner.py")
PARALLEL = 2
FRESH = (
    "check-mixed-encodings",
    "tables-xlsx-encrypted",
    "draft-out-parent-is-file",
    "search-broken-registry",
)


def _names() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return [c.name for c in make_cases(Path(tmp))]


NAMES = _names()


# --------------------------------------------------------------------------- set-up helpers


def _tree(folder: Path, skip: tuple[Path, ...]) -> dict[str, str]:
    """Path → sha256 (or "dir") of everything under ``folder`` but ``skip``."""
    out: dict[str, str] = {}
    for p in sorted(folder.rglob("*")):
        if any(p == s or s in p.parents for s in skip):
            continue
        rel = str(p.relative_to(folder))
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _read_only(path: Path) -> bool:
    """Make ``path`` unwritable (chmod; as root, the immutable attribute). False if impossible."""
    if os.geteuid() != 0:
        for p in [path, *path.rglob("*")]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        return True
    done = subprocess.run(["chattr", "-R", "+i", str(path)], capture_output=True, check=False)
    return done.returncode == 0


def _writable_again(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-R", "-i", str(path)], capture_output=True, check=False)
    else:
        for p in [path, *path.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)


def _own_index(folder: Path, state: str) -> None:
    """Build a small index of the case's docs/ in ``folder/index`` and put it in ``state``."""
    from agent.corpus.embeddings import HashEmbedder
    from agent.corpus.ingest import ingest
    from agent.corpus.store import Store

    store = Store(folder / "index", HashEmbedder())
    ingest(store, [folder / "docs"])
    if state == "crashed":
        store.registry.mark_pending(list(store.registry.documents()))
    store.close()
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    if state == "broken-registry":
        for p in (folder / "index").glob("registry.sqlite3*"):
            p.unlink()
        (folder / "index" / "registry.sqlite3").write_bytes(b"this is not a database" * 100)
    elif state == "broken-chroma":
        (folder / "index" / "chroma" / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)


def _shared_index(path: Path) -> None:
    from agent.corpus.ingest import ingest, open_store
    from agent.settings import load_settings

    store = open_store(load_settings(index_path=path))
    if store.count() == 0:
        ingest(store)
    store.close()


# --------------------------------------------------------------------------- the run


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, shared_index: Path) -> dict[str, dict]:
    root = tmp_path_factory.mktemp("bad-inputs")
    cases = make_cases(root / "cases")
    _shared_index(shared_index)
    jobs, locked, skipped = [], [], set()
    for case in cases:
        folder = root / "cases" / case.name
        if case.setup and case.setup.startswith("index:"):
            state = case.setup.split(":", 1)[1]
            _own_index(folder, "ok" if state == "readonly" else state)
            if state == "readonly":
                if not _read_only(folder / "index"):
                    skipped.add(case.name)
                locked.append(folder / "index")
        elif case.setup and case.setup.startswith("readonly:"):
            target = folder / case.setup.split(":", 1)[1]
            if not _read_only(target):
                skipped.add(case.name)
            locked.append(target)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(folder / "home"),
            "LANG": "C.UTF-8",
            "REPORT_AGENT_HOME": str(folder / "home"),
            "REPORT_AGENT_INDEX_PATH": str(shared_index),
            "REPORT_AGENT_LOCK_WAIT": "120",
            **case.env,
        }
        skip = (folder / "home",) + ((folder / "index",) if (folder / "index").is_dir() else ())
        before = _tree(folder, skip)
        jobs.append(
            {
                "id": case.name,
                "argv": case.argv,
                "cwd": str(folder),
                "env": env,
                "stdout": str(root / f"{case.name}.out"),
                "stderr": str(root / f"{case.name}.err"),
                "group": case.group,
                "timeout": 300,
            }
        )
        (root / f"{case.name}.before.json").write_text(json.dumps(before), encoding="utf-8")
    (root / "jobs.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    try:
        subprocess.run(
            [sys.executable, str(RUNNER), str(root / "jobs.json"), str(root / "results.json"), str(PARALLEL)],
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=1200,
        )
        results = json.loads((root / "results.json").read_text(encoding="utf-8"))
        out: dict[str, dict] = {}
        for case, job in zip(cases, jobs, strict=True):
            folder = Path(job["cwd"])
            skip = (folder / "home",) + ((folder / "index",) if (folder / "index").is_dir() else ())
            out[case.name] = {
                "case": case,
                "code": results[case.name]["code"],
                "seconds": results[case.name]["seconds"],
                "output": Path(job["stdout"]).read_text(encoding="utf-8", errors="replace")
                + Path(job["stderr"]).read_text(encoding="utf-8", errors="replace"),
                "before": json.loads((root / f"{case.name}.before.json").read_text(encoding="utf-8")),
                "after": _tree(folder, skip),
                "folder": folder,
                "env": job["env"],
                "skipped": case.name in skipped,
            }
        report = os.environ.get("BAD_INPUTS_REPORT")  # a table of every case, for reading the messages
        if report:
            rows = [
                f"| {n} | {r['code']} | {r['seconds']:.1f} | {' / '.join(r['output'].split())[:200]} |"
                for n, r in out.items()
            ]
            Path(report).write_text(
                "\n".join(["| case | exit | s | message |", "|---|---|---|---|", *rows]) + "\n",
                encoding="utf-8",
            )
        yield out
    finally:
        for path in locked:
            _writable_again(path)


# --------------------------------------------------------------------------- the rules


def test_the_corpus_covers_every_command() -> None:
    cases = make_cases_list()
    assert len(cases) >= 80
    from agent.cli import app

    registered = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    assert len(registered) >= 11  # a command added later must get cases here too
    assert {c.argv[0] for c in cases} >= registered


def make_cases_list() -> list[Case]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return make_cases(Path(tmp))


@pytest.mark.parametrize("name", NAMES)
def test_bad_input(corpus: dict[str, dict], name: str) -> None:
    run = corpus[name]
    case: Case = run["case"]
    if run["skipped"]:
        pytest.skip("cannot make a folder read-only here (root without chattr)")
    output, code = run["output"], run["code"]
    assert "Traceback" not in output, output
    assert code in case.codes, f"exit {code}, expected {case.codes}:\n{output}"
    for word in case.words:
        assert word in output, f"{word!r} not in the message:\n{output}"
    before, after = run["before"], run["after"]
    if code != 0:
        assert after == before, (
            f"files changed on failure: {sorted(set(after.items()) ^ set(before.items()))}"
        )
    else:
        allowed = set(case.outputs) | {
            str(Path(o).parent) for o in case.outputs if Path(o).parent != Path(".")
        }
        allowed |= {str(p) for o in case.outputs for p in Path(o).parents if str(p) != "."}
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        extra = {k for k in changed - allowed if not _is_backup(k, case)}
        assert not extra, f"unexpected files changed or left: {sorted(extra)}"
        assert all(before[k] == after.get(k) or k in allowed for k in before if not _is_backup(k, case))
    if case.check == "backup":
        backups = [p for p in (run["folder"] / "out").glob("draft.*.md")]
        assert [b.read_text(encoding="utf-8") for b in backups] == ["我改过的草稿"]


def _is_backup(rel: str, case: Case) -> bool:
    return case.check == "backup" and rel.startswith("out/draft.") and rel.count(".") >= 2


def test_concurrent_drafts_lose_nothing(corpus: dict[str, dict]) -> None:
    shared = next(r for r in corpus.values() if r["case"].check == "concurrent-draft")["folder"].parent
    out = shared / "concurrent-draft-shared" / "out"
    codes = [r["code"] for r in corpus.values() if r["case"].check == "concurrent-draft"]
    assert codes == [0, 0, 0]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in out.glob("draft*.md")]
    assert texts.count("我改过的草稿") == 1  # the user's edited draft is kept, once
    assert {p.name for p in out.iterdir()} >= {
        "draft.md",
        "draft.docx",
        "draft.check.json",
        "draft.sources.json",
    }
    assert not [
        p for p in (shared / "concurrent-draft-shared").iterdir() if p.name != "out"
    ]  # no staging left


def test_concurrent_ingests_do_not_interleave(corpus: dict[str, dict]) -> None:
    from agent.corpus.embeddings import HashEmbedder
    from agent.corpus.store import Store

    runs = [r for r in corpus.values() if r["case"].check == "concurrent-ingest"]
    assert [r["code"] for r in runs] == [0, 0]
    index = runs[0]["folder"].parent / "concurrent-ingest-index"
    store = Store(index, HashEmbedder(), repair=False)
    health = store.check()
    store.close()
    assert health.ok and health.documents == 24, health.lines()


@pytest.mark.parametrize("name", FRESH)
def test_a_fresh_interpreter_gives_the_same_result(
    corpus: dict[str, dict], name: str, tmp_path: Path
) -> None:
    run = corpus[name]
    if run["skipped"]:
        pytest.skip("set-up not possible here")
    folder = tmp_path / name
    shutil.copytree(run["folder"], folder, ignore=shutil.ignore_patterns("home"))
    env = {
        **run["env"],
        "PYTHONPATH": str(ROOT),
        "HOME": str(folder / "home"),
        "REPORT_AGENT_HOME": str(folder / "home"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli", *run["case"].argv],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == run["code"]
    assert "Traceback" not in done.stderr
    assert all(w in done.stdout + done.stderr for w in run["case"].words)
