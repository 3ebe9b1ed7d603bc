"""The seed documents, from ../shared/seeds or, failing that, the bundled copy in corpus/seeds."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_DIRS = (ROOT.parent / "shared" / "seeds", ROOT / "corpus" / "seeds")


def seed(prefix: str) -> Path:
    for d in SEED_DIRS:
        hits = sorted(d.glob(f"{prefix}_*.txt"))
        if hits:
            return hits[0]
    raise FileNotFoundError(prefix)
