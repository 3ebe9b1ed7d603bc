"""Every bundled prompt and corpus file is covered by pyproject's package data (so `pip install .`
installs it), and the resource lookup finds both folders."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from agent.resources import corpus_dir, prompts_dir

ROOT = Path(__file__).resolve().parents[1]


def _patterns(package: str) -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data["tool"]["setuptools"]["package-data"][package]


def _covered(rel: str, patterns: list[str]) -> bool:
    return rel.endswith(".py") or any(
        fnmatch.fnmatch(rel, p) or ("/" not in rel and fnmatch.fnmatch(rel, p.removeprefix("**/")))
        for p in patterns
    )


def test_every_bundled_file_is_package_data():
    for folder, package in (("prompts", "agent.bundle.prompts"), ("corpus", "agent.bundle.corpus")):
        patterns = _patterns(package)
        files = [p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        assert files
        missing = [
            str(p.relative_to(ROOT / folder))
            for p in files
            if not _covered(str(p.relative_to(ROOT / folder)), patterns)
        ]
        assert missing == [], f"not installed by pip: {missing}"


def test_resource_folders_are_found():
    assert (prompts_dir() / "draft_system.md").is_file()
    assert (corpus_dir() / "manifest.yaml").is_file()
