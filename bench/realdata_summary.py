"""What `check` makes of the real reports in ../shared/realdata: cells by state, findings by severity.

    python bench/realdata_summary.py

One line per report: the tables found, how many cells were read, derived (from an identity)
and uncertain, and the findings (errors / warnings / infos) with the rules of the errors.
Every cell is also asserted against the hand-made truth in tests/test_realdata.py.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.report.checks import check_report  # noqa: E402
from agent.report.reader import read_report  # noqa: E402

SHARED = ROOT.parent / "shared" / "realdata"


def main() -> None:
    found = [*SHARED.glob("*"), *(SHARED / "dev").glob("*")]
    files = sorted(p for p in found if p.suffix in (".pdf", ".txt", ".md") and p.name != "SOURCES.md")
    print(f"{'report':48} tables  read derived uncertain  err warn info  seconds")
    for path in files:
        start = time.perf_counter()
        report = read_report(path)
        findings = check_report(report)
        took = time.perf_counter() - start
        states = {"read": 0, "derived": 0, "uncertain": 0}
        tables = [t for t in (report.table2, report.table3, report.table4) if t is not None]
        for t in tables:
            for rd in t.readings.values():
                states[rd.state] = states.get(rd.state, 0) + 1
        sev = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
        rules = sorted({f.rule for f in findings if f.severity == "error"})
        print(
            f"{path.relative_to(SHARED).as_posix():48} {len(tables):>6} {states['read']:>5} {states['derived']:>7}"
            f" {states['uncertain']:>9} {sev['error']:>4} {sev['warning']:>4} {sev['info']:>4} {took:>8.2f}"
            + (f"  errors: {', '.join(rules)}" if rules else "")
        )


if __name__ == "__main__":
    main()
