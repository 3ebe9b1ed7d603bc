"""Benchmark: how many text reports `check` reads and checks per second on one core.

Generates N consistent 2021-format reports (random figures, the narrative of a clean report)
as markdown, then times parse + every rule on each. Target: ≥ 200 reports/s.

    python bench/check_bench.py [--n 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.draft.assemble import report_markdown  # noqa: E402
from agent.report.checks import check_report  # noqa: E402
from agent.report.labels import TABLE2_BLOCKS, TABLE3_APPLICANT_COLUMNS, TABLE3_RESULT_ROWS, TABLE3_ROWS  # noqa: E402
from agent.report.model import Figures, InfoFee, Table2, Table3, Table4  # noqa: E402
from agent.report.parser import parse_report  # noqa: E402
from agent.report.tables import complete_figures  # noqa: E402

NARRATIVE = {
    "overview": (
        "{year}年，本机关认真贯彻《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外。\n\n"
        "（一）主动公开\n\n一是及时发布基础信息；二是做好规范性文件动态更新；三是加强政策解读。\n\n"
        "（二）依申请公开\n\n全年共收到政府信息公开申请{new}件，办结申请{answered}件，结转下年度继续办理{carry}件。\n\n"
        "（三）政府信息管理\n\n严格执行保密审查制度。\n\n（四）政府信息公开平台建设\n\n加强网站专栏建设。\n\n"
        "（五）监督保障\n\n将政府信息公开工作纳入年度考核。"
    ),
    "problems": "存在的问题：一是政策解读形式不够丰富；二是更新不够及时。下一步将加强培训。",
    "other": "本年度未收取信息处理费。",
}


def random_figures(rng: random.Random) -> Figures:
    t2 = Table2.blank("2021", 0)
    for b in TABLE2_BLOCKS["2021"]:
        for rk, _ in b.rows:
            for c in b.columns:
                t2.set(
                    b.key,
                    rk,
                    c.key,
                    round(rng.random() * 100, 2) if c.kind == "amount" else rng.randint(0, 500),
                )
    t3 = Table3.blank("2021")
    for r in TABLE3_ROWS["2021"]:
        if not r.derived and r.key not in ("new", "carried", "carry_next"):
            for c in TABLE3_APPLICANT_COLUMNS:
                t3.set(r.key, c, rng.choice([0, 0, 0, rng.randint(0, 300)]))
    for c in TABLE3_APPLICANT_COLUMNS:
        results = sum(int(t3.get(k, c) or 0) for k in TABLE3_RESULT_ROWS["2021"])
        carry = rng.randint(0, 20)
        carried = rng.randint(0, results + carry)
        t3.set("carried", c, carried)
        t3.set("new", c, results + carry - carried)
        t3.set("carry_next", c, carry)
    t4 = Table4.blank()
    for g in t4.cells:
        for c in ("upheld", "corrected", "other", "pending"):
            t4.set(g, c, rng.randint(0, 30))
    fig = Figures(
        agency="示例县民族宗教事务局", year=2024, table2=t2, table3=t3, table4=t4, info_fee=InfoFee()
    )
    complete_figures(fig)
    return fig


def make_reports(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        fig = random_figures(rng)
        t3 = fig.table3
        narr = {
            k: v.format(
                year=2024,
                new=t3.get("new", "total"),
                answered=t3.get("result_total", "total"),
                carry=t3.get("carry_next", "total"),
            )
            for k, v in NARRATIVE.items()
        }
        out.append(report_markdown(fig, narr, agency="示例县民族宗教事务局", year=2024))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    reports = make_reports(args.n, args.seed)
    check_report(parse_report(reports[0]))  # warm caches (division index, regexes)
    errors = 0
    start = time.perf_counter()
    for text in reports:
        findings = check_report(parse_report(text, source="bench.md"))
        errors += sum(1 for f in findings if f.severity == "error")
    elapsed = time.perf_counter() - start
    size = sum(len(r) for r in reports) / len(reports)
    print(f"reports checked: {len(reports)} (average {size:,.0f} characters each)")
    print(f"wall time: {elapsed:.2f} s on one core")
    print(f"reports checked per second: {len(reports) / elapsed:,.0f}  (target ≥ 200)")
    print(f"errors found in generated (consistent) reports: {errors}")


if __name__ == "__main__":
    main()
