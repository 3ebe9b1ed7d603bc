"""User-facing errors: always name the file, and the line, sheet or cell where known."""

from __future__ import annotations


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
