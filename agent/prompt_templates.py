"""Prompt templates from prompts/*.md, each declaring its variables on its first line.

The first line is ``<!-- variables: a, b, c -->`` (or ``(none)``). Rendering checks that the
caller supplies exactly those variables, so a template and its code cannot drift apart.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from agent.resources import prompts_dir

_HEADER_RE = re.compile(r"^<!--\s*variables:\s*(.*?)\s*-->\s*\n", re.S)


@dataclass(frozen=True)
class Prompt:
    name: str
    variables: tuple[str, ...]
    template: str

    def render(self, **values: str) -> str:
        given, declared = set(values), set(self.variables)
        if given != declared:
            raise ValueError(
                f"prompt {self.name}: expected variables {sorted(declared)}, got {sorted(given)}"
            )
        return self.template.format_map(values)


@functools.cache
def load_prompt(name: str) -> Prompt:
    text = (prompts_dir() / f"{name}.md").read_text(encoding="utf-8")
    m = _HEADER_RE.match(text)
    if not m:
        raise ValueError(f"prompts/{name}.md must start with <!-- variables: … -->")
    names = tuple(v.strip() for v in m.group(1).split(",") if v.strip() and v.strip() != "(none)")
    return Prompt(name, names, text[m.end() :])
