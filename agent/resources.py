"""Where the bundled prompts/ and corpus/ are, installed or in a checkout.

`pip install .` installs them inside the package as ``agent/bundle/prompts`` and ``agent/bundle/corpus``;
in a checkout (editable install, or the tests running the checkout's ``agent/``) they are the
top-level ``prompts/`` and ``corpus/`` folders beside ``agent/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _resource_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "bundle" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"找不到内置的 {name}/ 目录，请重新安装 report-agent")


def prompts_dir() -> Path:
    return _resource_dir("prompts")


def corpus_dir() -> Path:
    return _resource_dir("corpus")
