"""User-facing errors: always name the file, and the line, sheet or cell where known.

:func:`explain` turns any exception into one sentence and an exit code; the CLI's error boundary
(``agent.cli.app.friendly``) uses it, so that a user never sees a traceback.
"""

from __future__ import annotations

import errno

EXIT_FINDINGS = 1  # the check found errors; figures that break the table identities
EXIT_INPUT = 2  # input unreadable, output path unusable, bad option or configuration
EXIT_INTERNAL = 3  # a fault of the program itself (REPORT_AGENT_DEBUG=1 shows the traceback)


class InputError(Exception):
    """Bad input from the user. The CLI prints it (no traceback) and exits 2."""

    def __init__(self, message: str, path: str | None = None, where: str | None = None) -> None:
        self.message = message
        self.path = path
        self.where = where
        super().__init__(str(self))

    def __str__(self) -> str:
        place = ":".join(p for p in (self.path, self.where) if p)
        return f"{place}: {self.message}" if place else self.message


class FiguresError(InputError):
    """Figures that cannot be read; ``problems`` lists every bad place, not just the first."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("；".join(problems) if len(problems) == 1 else f"{len(problems)} 处错误", path=path)

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return f"{self.path}: {self.problems[0]}"
        return f"{self.path}: {len(self.problems)} 处错误\n" + "\n".join(f"  - {p}" for p in self.problems)


# --------------------------------------------------------------------------- operating-system errors

_OS_REASONS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有权限（请检查文件和文件夹的权限）",
    errno.EPERM: "没有权限（请检查文件和文件夹的权限）",
    errno.EROFS: "所在的磁盘或文件夹是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出了磁盘配额",
    errno.EISDIR: "这是一个文件夹，而不是文件",
    errno.ENOTDIR: "路径中有一段是文件，而不是文件夹",
    errno.EEXIST: "已经存在",
    errno.ENOTEMPTY: "文件夹不是空的",
    errno.ENAMETOOLONG: "文件名太长",
    errno.ELOOP: "符号链接形成了循环",
    errno.EIO: "读写出错（磁盘或网络盘故障）",
    errno.EBUSY: "文件正被其他程序占用",
    errno.ETXTBSY: "文件正被其他程序占用",
    errno.EMFILE: "打开的文件太多",
    errno.EINVAL: "文件名或路径无效",
}


def os_reason(exc: OSError) -> str:
    """The reason of an OSError in Chinese (errno first, then the system's own words)."""
    known = _OS_REASONS.get(exc.errno or -1)
    if known:
        return known
    return exc.strerror or type(exc).__name__


def os_error(exc: OSError, action: str, path: object | None = None) -> InputError:
    """An InputError for an OSError while doing ``action`` (e.g. "无法写入") to ``path``."""
    target = str(path) if path is not None else (exc.filename and str(exc.filename)) or None
    return InputError(f"{action}：{os_reason(exc)}", path=target)


# --------------------------------------------------------------------------- any exception


def explain(exc: BaseException) -> tuple[str, int]:
    """One sentence for any exception, and the exit code: 2 for what the user can fix (input,
    output path, settings, environment), 3 for a fault of the program."""
    if isinstance(exc, InputError):
        return str(exc), EXIT_INPUT
    if isinstance(exc, OSError):
        names = [str(f) for f in (exc.filename, getattr(exc, "filename2", None)) if f]
        place = f"{' → '.join(names)}: " if names else ""
        return f"{place}{os_reason(exc)}", EXIT_INPUT
    if isinstance(exc, MemoryError):
        return "内存不足：输入文件太大，请拆分后再处理", EXIT_INPUT
    module = type(exc).__module__ or ""
    if module.startswith("sqlite3") or module.startswith("chromadb"):
        return (
            f"检索索引无法使用（{type(exc).__name__}：{_short(exc)}）。请运行 report-agent ingest --check 检查，"
            "必要时用 report-agent ingest --rebuild 重建",
            EXIT_INPUT,
        )
    if isinstance(exc, UnicodeError):
        return f"文字编码错误：{_short(exc)}", EXIT_INPUT
    return (
        f"程序内部错误（{type(exc).__name__}：{_short(exc)}）。这不是您的操作问题；"
        "请设置环境变量 REPORT_AGENT_DEBUG=1 重新运行，把显示的详细信息发给维护者",
        EXIT_INTERNAL,
    )


def _short(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit] + "…"
