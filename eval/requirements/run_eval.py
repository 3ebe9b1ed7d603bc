"""Run the labelled coverage cases and print agreement, evidence recall and score margins.

    python eval/requirements/run_eval.py            # summary per case
    python eval/requirements/run_eval.py -v         # every item, with the best sentence scores

Used to set the thresholds of agent/coverage.py (see README.md in this folder).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from agent.report.reader import read_text  # noqa: E402
from agent.workpoints.coverage import Coverage, coverage  # noqa: E402
from agent.workpoints.requirements import Notice, parse_notice  # noqa: E402

SEED_DIRS = (ROOT.parent / "shared" / "seeds", ROOT / "corpus" / "seeds")


def resolve(name: str) -> Path:
    if name.startswith("seed:"):
        prefix = name.removeprefix("seed:")
        for d in SEED_DIRS:
            hits = sorted(d.glob(f"{prefix}_*.txt"))
            if hits:
                return hits[0]
        raise FileNotFoundError(name)
    return HERE / name


def load_cases() -> list[dict[str, Any]]:
    data = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
    return list(data["cases"])


@dataclass
class Result:
    name: str
    agree: int
    total: int
    recall_hit: int
    recall_total: int
    obligations_ok: int
    obligations_total: int
    problems: list[str]


def run_case(case: dict[str, Any]) -> tuple[Notice, Coverage, Result]:
    notice_path, report_path = resolve(case["notice"]), resolve(case["report"])
    notice = parse_notice(read_text(notice_path), source=str(notice_path))
    cov = coverage(read_text(report_path), notice, source=str(report_path))
    labels: dict[str, Any] = case.get("labels") or {}
    default = case.get("default", ["not_addressed"])
    res = Result(case["name"], 0, 0, 0, 0, 0, 0, [])
    for item in cov.items:
        rid = item.requirement.id
        label = labels.get(rid, {"status": default})
        res.total += 1
        if item.status in label["status"]:
            res.agree += 1
        else:
            res.problems.append(f"{rid}: {item.status}, expected {'/'.join(label['status'])}")
        lines = label.get("lines") or []
        if lines:
            res.recall_total += 1
            if any(e.line in lines for e in item.evidence):
                res.recall_hit += 1
            else:
                res.problems.append(
                    f"{rid}: none of lines {lines} in evidence {[e.line for e in item.evidence]}"
                )
    for rid, marks in (case.get("obligations") or {}).items():
        found = cov.get(rid)
        got = [c.mark for c in found.obligations] if found else []
        res.obligations_total += 1
        if got == marks:
            res.obligations_ok += 1
        else:
            res.problems.append(f"{rid}: obligations {got}, expected {marks}")
    return notice, cov, res


def main(verbose: bool = False) -> int:
    results = []
    for case in load_cases():
        _, cov, res = run_case(case)
        results.append(res)
        print(f"# {res.name}")
        print(
            f"  status {res.agree}/{res.total}  evidence {res.recall_hit}/{res.recall_total}  "
            f"obligations {res.obligations_ok}/{res.obligations_total}"
        )
        for p in res.problems:
            print(f"  ! {p}")
        if verbose:
            for item in cov.items:
                ev = ", ".join(f"L{e.line}:{e.score:.2f}" for e in item.evidence)
                print(f"    {item.requirement.id:8} {item.status:14} {item.score:.2f}  {ev}")
    agree = sum(r.agree for r in results)
    total = sum(r.total for r in results)
    print(
        f"\nALL: status {agree}/{total}, evidence {sum(r.recall_hit for r in results)}/"
        f"{sum(r.recall_total for r in results)}, obligations {sum(r.obligations_ok for r in results)}/"
        f"{sum(r.obligations_total for r in results)}"
    )
    return 0 if agree == total else 1


if __name__ == "__main__":
    raise SystemExit(main("-v" in sys.argv[1:]))
