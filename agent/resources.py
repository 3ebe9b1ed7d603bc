"""Where the bundled prompts/ and corpus/ are, installed or in a checkout.

`pip install .` installs them inside the package as ``agent.prompts`` and ``agent.corpus``;
in a checkout (or when the checkout's ``agent/`` shadows the installed one, as in the tests)
they are the top-level ``prompts/`` and ``corpus/`` folders beside ``agent/``.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


def _resource_dir(name: str) -> Path:
    try:
        found = Path(str(importlib.resources.files(f"agent.{name}")))
        if found.is_dir():
            return found
    except (ModuleNotFoundError, TypeError):  # not installed as package data here
        pass
    checkout = _REPO / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"找不到内置的 {name}/ 目录，请重新安装 report-agent")


def prompts_dir() -> Path:
    return _resource_dir("prompts")


def corpus_dir() -> Path:
    return _resource_dir("corpus")
