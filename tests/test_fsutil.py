"""Writing the user's files: atomic, all or nothing, modes from the umask, unique backups, output
paths checked before any work."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from agent.errors import InputError
from agent.fsutil import (
    backup_name,
    check_output_dir,
    check_output_file,
    current_umask,
    publish_files,
    write_text,
)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_atomic_write_gets_the_mode_the_umask_gives(tmp_path):
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "a.md", "x")
        assert stat.S_IMODE((tmp_path / "a.md").stat().st_mode) == 0o644
        os.umask(0o002)
        assert current_umask() == 0o002
        write_text(tmp_path / "b.md", "x")
        assert stat.S_IMODE((tmp_path / "b.md").stat().st_mode) == 0o664
        os.chmod(tmp_path / "a.md", 0o640)  # an existing file keeps its mode
        write_text(tmp_path / "a.md", "y")
        assert stat.S_IMODE((tmp_path / "a.md").stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_a_failed_write_leaves_the_target_and_no_temporary_file(tmp_path):
    target = tmp_path / "new" / "deeper" / "t.md"
    from agent.fsutil import write_with

    def boom(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        write_with(target, boom)
    assert list(tmp_path.iterdir()) == []  # not even the folders made for it
    existing = tmp_path / "keep.md"
    existing.write_text("mine", encoding="utf-8")
    with pytest.raises(RuntimeError):
        write_with(existing, boom)
    assert _tree(tmp_path) == {"keep.md": b"mine"}


def test_output_paths_are_checked_before_any_work(tmp_path):
    a_file = tmp_path / "notes.md"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="文件夹"):
        check_output_file(tmp_path, (".docx",))
    with pytest.raises(InputError, match="是一个文件，而不是文件夹"):
        check_output_file(a_file / "out.md")
    with pytest.raises(InputError, match=r"\.docx"):
        check_output_file(tmp_path / "t.doc", (".md", ".docx"))
    with pytest.raises(InputError, match="是一个文件，而不是文件夹"):
        check_output_dir(a_file)
    with pytest.raises(InputError, match="无法在文件夹"):
        check_output_dir(Path("/proc/report-agent-test/out"))
    check_output_dir(tmp_path / "new" / "out")  # creatable: fine, and nothing is created
    check_output_file(tmp_path / "new" / "t.md", (".md",))
    assert _tree(tmp_path) == {"notes.md": b"x"} and not (tmp_path / "new").exists()


def _writers(tag: str, fail_at: str | None = None):
    def make(name: str):
        def write(path: Path) -> None:
            if name == fail_at:
                raise RuntimeError("failed half-way")
            path.write_text(f"{tag}:{name}", encoding="utf-8")

        return write

    return {n: make(n) for n in ("draft.md", "draft.docx", "draft.check.json")}


def test_publish_is_all_or_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        publish_files(out, _writers("v1", fail_at="draft.check.json"))
    assert list(tmp_path.iterdir()) == []  # no staging folder, no out folder
    files, backups = publish_files(out, _writers("v1"))
    assert backups == [] and _tree(out) == {n: f"v1:{n}".encode() for n in files}
    (out / "draft.md").write_text("我改过的草稿", encoding="utf-8")
    before = _tree(tmp_path)
    with pytest.raises(RuntimeError):
        publish_files(out, _writers("v2", fail_at="draft.docx"))
    assert _tree(tmp_path) == before
    files, backups = publish_files(out, _writers("v2"))
    assert [b.read_text(encoding="utf-8") for b in backups].count("我改过的草稿") == 1
    assert all((out / n).read_text(encoding="utf-8") == f"v2:{n}" for n in files)


def test_an_identical_file_is_not_backed_up(tmp_path):
    out = tmp_path / "out"
    publish_files(out, _writers("same"))
    _, backups = publish_files(out, _writers("same"))
    assert backups == [] and len(list(out.iterdir())) == 3


def test_concurrent_runs_never_share_a_backup_name(tmp_path):
    out = tmp_path / "out"
    publish_files(out, _writers("v0"))
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            publish_files(out, _writers(f"v{i}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    texts = [p.read_text(encoding="utf-8") for p in out.glob("draft.*md")]
    # every version of draft.md ever written is still there: 9 runs, 1 current + 8 backups
    assert sorted(texts) == sorted(f"v{i}:draft.md" for i in range(9))


def test_backup_names_count_up_when_taken(tmp_path):
    p = tmp_path / "draft.check.json"
    first = backup_name(p, "20250101-090000")
    assert first.name == "draft.20250101-090000.check.json"
    first.write_text("x")
    assert backup_name(p, "20250101-090000").name == "draft.20250101-090000-2.check.json"
