"""Reading a YAML file the user or the project supplies, with a clear message when it is bad."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from agent.errors import InputError


def load_yaml(path: Path, what: str) -> Any:
    """The parsed file; a missing or malformed file is an InputError naming ``what`` and the line."""
    if not path.is_file():
        raise InputError(f"找不到{what}", path=str(path))
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取{what}：{exc}", path=str(path)) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark is not None else None
        raise InputError(
            f"{what}格式错误：{getattr(exc, 'problem', exc)}", path=str(path), where=where
        ) from exc
