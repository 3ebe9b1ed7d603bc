"""Writing the user's files safely: all or nothing, nothing the user has is lost.

* :func:`atomic_path` / :func:`write_text` / :func:`write_with`: a file is written to a temporary
  file beside it and moved into place only when complete; on failure the target is untouched and
  no temporary file is left. The new file gets the mode the umask gives (an existing file keeps
  its mode), not ``mkstemp``'s 0600, so colleagues on a shared folder can open it.
* :func:`check_output_file` / :func:`check_output_dir`: an output path is checked before any
  work is done (a folder where a file is wanted, a file in the parent path, a read-only folder,
  ``/proc``…), and refused with a sentence naming it.
* :func:`publish_files`: several files (a draft) written into a temporary folder next to the
  target folder and moved in only when every one is complete. Files already there are kept as
  backups with unique names (time + counter), chosen under a lock on the folder so that two runs
  at once cannot take the same name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from agent.errors import InputError, os_error, os_reason

Writer = Callable[[Path], None]


# --------------------------------------------------------------------------- modes


def current_umask() -> int:
    """The process umask (read without changing it where the system allows)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode(target: Path | None = None) -> int:
    """An existing file's mode, else what ``open()`` would give a new file (0666 less the umask)."""
    if target is not None:
        with contextlib.suppress(OSError):
            st = os.stat(target)
            if stat.S_ISREG(st.st_mode):
                return stat.S_IMODE(st.st_mode)
    return 0o666 & ~current_umask()


def new_dir_mode() -> int:
    return 0o777 & ~current_umask()


# --------------------------------------------------------------------------- checking output paths


def _existing_ancestor(path: Path) -> Path:
    """The nearest ancestor of ``path`` (or ``path`` itself) that exists."""
    path = Path(os.path.abspath(path))
    while not os.path.lexists(path) and path.parent != path:
        path = path.parent
    return path


def _check_can_create_in(folder: Path, target: Path) -> None:
    """``folder`` (the nearest existing ancestor of where we will write) must be a folder in which
    we can create files: probed by creating and removing a temporary file."""
    if not folder.is_dir():
        raise InputError(f"路径中的“{folder}”是一个文件，而不是文件夹，无法在其下创建文件", path=str(target))
    try:
        fd, probe = tempfile.mkstemp(prefix=".report-agent-probe-", dir=folder)
    except OSError as exc:
        raise InputError(f"无法在文件夹“{folder}”中创建文件：{os_reason(exc)}", path=str(target)) from exc
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def check_output_file(path: Path, suffixes: tuple[str, ...] | None = None, example: str = "") -> None:
    """Refuse, before any work, an output file that cannot be written: a folder, a wrong suffix
    (``suffixes``), a read-only file, or a parent path that is a file or not writable."""
    path = Path(path)
    if path.is_dir():
        name = example or f"输出文件{suffixes[0] if suffixes else ''}"
        raise InputError(f"这是一个文件夹，请给出文件名，例如 {path / name}", path=str(path))
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise InputError(
            f"输出文件的扩展名应为 {'、'.join(suffixes)}，而不是“{path.suffix or '（无扩展名）'}”",
            path=str(path),
        )
    if os.path.lexists(path) and not os.access(path, os.W_OK):
        raise InputError("文件是只读的，无法覆盖；请换一个文件名或修改文件属性", path=str(path))
    _check_can_create_in(_existing_ancestor(path.parent), path)


def check_output_dir(path: Path) -> None:
    """Refuse, before any work, an output folder that is a file or cannot be written to."""
    path = Path(path)
    if os.path.lexists(path) and not path.is_dir():
        raise InputError("这是一个文件，而不是文件夹；请用 -o 给出一个文件夹", path=str(path))
    _check_can_create_in(_existing_ancestor(path), path)


# --------------------------------------------------------------------------- single files


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return the ones created (outermost first)."""
    missing: list[Path] = []
    p = Path(os.path.abspath(folder))
    while not os.path.lexists(p) and p.parent != p:
        missing.append(p)
        p = p.parent
    created: list[Path] = []
    for d in reversed(missing):
        try:
            d.mkdir(mode=0o777)
        except FileExistsError:
            continue
        created.append(d)
    return created


def _remove_empty(dirs: list[Path]) -> None:
    for d in reversed(dirs):
        with contextlib.suppress(OSError):
            d.rmdir()


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``.

    On any failure the target is as it was, and neither the temporary file nor folders created
    for it are left behind. OSErrors become an InputError naming ``target``."""
    target = Path(target)
    created: list[Path] = []
    tmp_path: Path | None = None
    done = False
    try:
        created = _make_parents(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        tmp_path = Path(tmp)
        yield tmp_path
        os.chmod(tmp_path, new_file_mode(target))
        os.replace(tmp_path, target)
        done = True
    except OSError as exc:
        raise os_error(exc, "无法写入", target) from exc
    finally:
        if not done:
            if tmp_path is not None:
                with contextlib.suppress(OSError):
                    tmp_path.unlink()
            _remove_empty(created)


def write_text(target: Path, text: str, encoding: str = "utf-8") -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding)


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_with(target: Path, writer: Writer) -> None:
    """Call ``writer(tmp_path)`` (e.g. ``doc.save``) and move the result into place."""
    with atomic_path(target) as tmp:
        writer(tmp)


# --------------------------------------------------------------------------- locks


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` among cooperating processes (``flock`` on the folder itself,
    so no lock file is left in the user's folder). Where folders cannot be locked (Windows, some
    network file systems) it does nothing: renames there never replace an existing file."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class LockBusy(Exception):
    """Another process holds the lock (``holder``: its process id as written in the lock file)."""

    def __init__(self, path: Path, holder: str) -> None:
        self.path, self.holder = path, holder
        super().__init__(f"{path} is locked by process {holder or '?'}")


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def file_lock(path: Path, wait: float = 0.0, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """An exclusive lock held through the lock file ``path`` (created if missing; it stays, and
    names the holder's process id). Waits up to ``wait`` seconds (``on_wait(holder)`` is called
    once when it starts waiting), then raises :class:`LockBusy`. The lock is released when the
    block ends or the process dies (even by ``kill -9``)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + wait
        told = False
        while not _try_lock(fd):
            holder = _holder(fd)
            if time.monotonic() >= deadline:
                raise LockBusy(Path(path), holder)
            if on_wait is not None and not told:
                on_wait(holder)
                told = True
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:
        return ""


# --------------------------------------------------------------------------- several files


def backup_name(path: Path, stamp: str | None = None) -> Path:
    """A name for a backup of ``path`` that is not taken: ``draft.md`` → ``draft.20250101-093000.md``,
    then ``draft.20250101-093000-2.md`` … Call it under :func:`folder_lock` so that two processes
    cannot both choose the same free name."""
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S")
    stem, dot, ext = path.name.partition(".")
    n = 1
    while True:
        tag = stamp if n == 1 else f"{stamp}-{n}"
        candidate = path.with_name(f"{stem}.{tag}{dot}{ext}")
        if not os.path.lexists(candidate):
            return candidate
        n += 1


def _same_content(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _rename_no_replace(src: Path, dst: Path) -> None:
    """Move ``src`` to ``dst`` without ever replacing an existing ``dst`` (a hard link fails when
    the name is taken; where there are no hard links the folder lock guards the name)."""
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, "exists", str(dst))
    try:
        os.link(src, dst)
    except FileExistsError:
        raise
    except OSError:
        os.rename(src, dst)
        return
    os.unlink(src)


def publish_files(out_dir: Path, writers: Mapping[str, Writer]) -> tuple[dict[str, Path], list[Path]]:
    """Write every file of ``writers`` (name → ``writer(path)``) into ``out_dir``, all or nothing.

    The files are written into a temporary folder beside ``out_dir``; only when all are complete
    are they moved in. A file already in ``out_dir`` under one of the names is kept as a backup
    (:func:`backup_name`) unless it is byte-identical to the new one. On failure nothing new is
    left (no temporary folder, no created parent folders) and the user's files are as they were.
    Returns (name → final path, backups made)."""
    out_dir = Path(out_dir)
    check_output_dir(out_dir)
    created: list[Path] = []
    staging: Path | None = None
    done = False
    try:
        created = _make_parents(out_dir.parent)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
        for name, writer in writers.items():
            writer(staging / name)
            os.chmod(staging / name, new_file_mode())
        files = {name: out_dir / name for name in writers}
        if _move_folder(staging, out_dir):
            staging = None
            backups: list[Path] = []
        else:
            backups = _move_files(staging, out_dir, list(writers))
        done = True
        return files, backups
    except OSError as exc:
        raise os_error(exc, "无法写入输出文件夹", out_dir) from exc
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if not done:
            _remove_empty(created)


def _move_folder(staging: Path, out_dir: Path) -> bool:
    """When ``out_dir`` does not exist yet, the staging folder becomes it (one rename)."""
    if os.path.lexists(out_dir):
        return False
    try:
        os.rename(staging, out_dir)
    except OSError:  # created meanwhile by another run: move the files in one by one
        return False
    os.chmod(out_dir, new_dir_mode())
    return True


def _move_files(staging: Path, out_dir: Path, names: list[str]) -> list[Path]:
    """Move the staged files into ``out_dir`` under its lock, backing up what they replace; on a
    failure half-way, every move is undone."""
    done: list[tuple[Path, Path]] = []  # (from, to) renames, in order, for the undo
    backups: list[Path] = []
    with folder_lock(out_dir):
        stamp = time.strftime("%Y%m%d-%H%M%S")
        try:
            for name in names:
                new, final = staging / name, out_dir / name
                if os.path.lexists(final) and _same_content(final, new):
                    continue  # the user's file is already exactly this: leave it be
                if os.path.lexists(final):
                    while True:
                        backup = backup_name(final, stamp)
                        try:
                            _rename_no_replace(final, backup)
                            break
                        except FileExistsError:
                            continue
                    done.append((final, backup))
                    backups.append(backup)
                os.replace(new, final)
                done.append((new, final))
        except BaseException:
            for src, dst in reversed(done):
                with contextlib.suppress(OSError):
                    os.replace(dst, src)
            raise
    return backups
