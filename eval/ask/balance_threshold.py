"""Choose the answerability threshold of `ask` (hybrid) that balances the issue's two targets on the
colloquial sets the model was not fitted on (RESULTS §14).

    python eval/ask/balance_threshold.py            # sweep and print
    python eval/ask/balance_threshold.py --save     # also write the threshold into agent/ask/fitted.json

`fit_decision.py` sets the threshold that answers 90 % of the fitting data's answerable questions;
with that rule acc@3 has room and refusal does not on the sets written later. Here the threshold is
the one that maximises the smaller of pooled acc@3 and pooled refusal recall over ``SETS`` (every
question asked offline once; a question a rule refuses — a value no passage states, a document the
corpus lacks — stays refused, one resting on an old rule stays answered). One number fitted on some
2,000 questions of thirteen writers; a later held-out set is what measures it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from agent.ask.answer import ask  # noqa: E402
from agent.ask.citations import normalize_key  # noqa: E402
from agent.evals.ask import eval_settings, load_cases  # noqa: E402
from agent.settings import load_settings  # noqa: E402

SETS = tuple(f"colloquial{n}" for n in range(7, 20))  # not fitted on (fit_decision.py: SETS)
GRID = [round(0.40 + 0.0025 * i, 4) for i in range(81)]  # 0.40 … 0.60


@dataclass(frozen=True)
class Row:
    answerable: bool
    probability: float
    forced: bool  # rests on an old rule: answered whatever the probability
    ruled_out: bool  # refused whatever the probability
    right: bool  # an expected key among the first three cited (or listed, if refused now)


def rows_of(name: str, settings: object) -> list[Row]:
    out = []
    for case in load_cases(ROOT / "eval/ask" / f"{name}.yaml"):
        a = ask(case.question, settings, offline=True)
        e = a.evidence
        want = {normalize_key(k) for k in case.expect}
        shown = a.passages[:3] if a.refused else a.citations[:3]
        out.append(
            Row(
                answerable=bool(case.expect),
                probability=e.probability if e else 0.0,
                forced=bool(e and e.old_rule),
                ruled_out=bool(e and (e.value_missing or e.unknown_document)),
                right=any(normalize_key(p.key) in want for p in shown),
            )
        )
    return out


def figures(rows: list[Row], threshold: float) -> tuple[float, float]:
    """(acc@3, refusal recall) at ``threshold``."""

    def answered(r: Row) -> bool:
        return not r.ruled_out and (r.forced or r.probability >= threshold)

    pos = [r for r in rows if r.answerable]
    neg = [r for r in rows if not r.answerable]
    acc = sum(1 for r in pos if answered(r) and r.right) / max(1, len(pos))
    refusal = sum(1 for r in neg if not answered(r)) / max(1, len(neg))
    return acc, refusal


def main() -> None:
    settings = eval_settings(load_settings())
    rows = [r for name in SETS for r in rows_of(name, settings)]
    best = max(GRID, key=lambda t: (min(figures(rows, t)), -abs(t - 0.5)))
    for t in GRID[::4]:
        acc, refusal = figures(rows, t)
        print(f"{t:.4f}  acc@3 {acc:.3f}  refusal {refusal:.3f}")
    acc, refusal = figures(rows, best)
    print(f"balanced: {best:.4f}  acc@3 {acc:.3f}  refusal {refusal:.3f}  ({len(rows)} questions)")
    if "--save" in sys.argv:
        path = ROOT / "agent/ask/fitted.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["answer-hybrid"]["threshold"] = best
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"saved {path}")


if __name__ == "__main__":
    main()
