"""Repeat round 6's experiment (README.md here): append the items of each draft file to the file of
the same name under corpus/situations/ or corpus/limits/, then rebuild the vectors and refit:

    python eval/ask/drafts/merge.py
    python -c "from agent.corpus.situations import build_vectors as b; b(); b(kind='limits')"
    python eval/ask/fit_decision.py --dry-run --cv-sets --cache=/tmp/g.pkl

Undo with ``git checkout corpus/situations corpus/limits corpus/vectors agent/ask/fitted.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
KINDS = ("situations", "limits")


def _quoted(text: Any) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _entry(item: dict[str, Any], kind: str) -> str:
    head = f"  - key: {item['key']}\n    {kind}:\n"
    if kind == "situations":
        return head + "".join(f"      - {_quoted(s)}\n" for s in item[kind])
    return head + "".join(
        f"      - ask: {_quoted(x['ask'])}\n        says: {_quoted(x.get('says', ''))}\n" for x in item[kind]
    )


def merge(kind: str) -> int:
    added = 0
    for draft in sorted((ROOT / "eval/ask/drafts" / f"{kind}-more").glob("*.yaml")):
        target = ROOT / "corpus" / kind / draft.name
        more = yaml.safe_load(draft.read_text(encoding="utf-8"))
        base = yaml.safe_load(target.read_text(encoding="utf-8"))
        if more["source"] != base["source"]:
            raise SystemExit(f"{draft}: source {more['source']} is not {base['source']}")
        have = {it["key"] for it in base["items"]}
        new = [it for it in more["items"] if it["key"] not in have and it.get(kind)]
        text = target.read_text(encoding="utf-8").rstrip("\n") + "\n  # ---- 补充（round 6） ----\n"
        target.write_text(text + "".join(_entry(it, kind) for it in new), encoding="utf-8")
        yaml.safe_load(target.read_text(encoding="utf-8"))  # still parses
        added += sum(len(it[kind]) for it in new)
    return added


if __name__ == "__main__":
    for k in KINDS:
        print(k, "added", merge(k))
