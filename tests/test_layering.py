"""Imports point one way: cli → web → evals/review → draft → ask/workpoints → figures/corpus → report → plumbing.

An AST walk over every module of the package (top-level and function-level imports alike): a module
may import its own sub-package, any sub-package on a lower layer, and the plumbing; never one on its
own layer or above. ``agent.cli.app`` imports no other command module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "agent"

# layer of each sub-package; the top-level modules (settings, errors, llm, …) are the plumbing (0)
LAYERS: dict[str, int] = {
    "bundle": 0,
    "report": 1,
    "figures": 2,
    "corpus": 2,
    "ask": 3,
    "workpoints": 3,
    "draft": 4,
    "evals": 5,
    "review": 5,
    "web": 6,
    "cli": 7,
}


def _unit(module: str) -> str:
    """The sub-package a dotted module name belongs to, or "" for plumbing."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else ""


def _layer(unit: str) -> int:
    return LAYERS.get(unit, 0)


def _module_name(path: Path, package: Path) -> str:
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("agent")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "agent":  # from agent import x → agent.x
                found += [(node.lineno, f"agent.{a.name}") for a in node.names]
            elif node.module.startswith("agent."):
                found.append((node.lineno, node.module))
    return found


def violations(package: Path = PACKAGE) -> list[str]:
    bad: list[str] = []
    for path in sorted(package.rglob("*.py")):
        me = _module_name(path, package)
        mine = _unit(me)
        for line, target in _imports(path):
            theirs = _unit(target)
            if theirs == mine:
                continue
            if _layer(theirs) >= _layer(mine):
                where = f"{path.relative_to(package.parent)}:{line}"
                bad.append(f"{where}: {me} (layer {_layer(mine)}) imports {target} (layer {_layer(theirs)})")
    return bad


def test_imports_point_one_way() -> None:
    assert violations() == []


def test_cli_app_imports_no_command_module() -> None:
    targets = {t for _, t in _imports(PACKAGE / "cli" / "app.py")}
    assert not {t for t in targets if t.startswith("agent.cli")}


def test_every_subpackage_has_a_layer_and_a_docstring() -> None:
    for init in PACKAGE.glob("*/__init__.py"):
        name = init.parent.name
        if name in ("__pycache__",):
            continue
        assert name in LAYERS, f"agent/{name}/ has no layer in tests/test_layering.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"agent/{name}/__init__.py"


@pytest.mark.parametrize(
    ("importer", "source", "ok"),
    [
        ("report", "from agent.draft.notes import Bullet\n", False),  # upward
        ("figures", "from agent.corpus.store import Store\n", False),  # sideways, same layer
        ("draft", "from agent.report.labels import SECTIONS\n", True),  # downward
        ("report", "def f():\n    from agent.cli.app import app\n", False),  # lazy imports count too
        ("report", "from agent.errors import InputError\n", True),  # plumbing
    ],
)
def test_the_walk_catches_an_import_against_the_direction(
    tmp_path: Path, importer: str, source: str, ok: bool
) -> None:
    pkg = tmp_path / "agent"
    (pkg / importer).mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / importer / "__init__.py").write_text('"""x"""\n')
    (pkg / importer / "mod.py").write_text(source)
    assert (violations(pkg) == []) is ok
