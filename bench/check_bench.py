"""Benchmark `check`: text reports per second, PDF reports per second, and one very large report.

    python bench/check_bench.py [--n 1000] [--seed 7]      # text: N generated reports (target ≥ 200/s)
    python bench/check_bench.py --pdf [--rounds 3]          # PDF: the layout fixtures and the 淮安 PDF
    python bench/check_bench.py --size 50MB                 # one report of about 50 MB (target < 30 s)
    python bench/check_bench.py --growth                    # 5, 10 and 50 MB: is the time linear?

Text reports are consistent 2021-format reports (random figures, the narrative of a clean
report) as markdown; every one is parsed and put through every rule. A large report is the same
report with its narrative paragraphs repeated until it reaches the size, as a long report or a
careless paste makes it. Runs on one core.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.draft.assemble import report_markdown  # noqa: E402
from agent.report.checks import check_report  # noqa: E402
from agent.report.labels import TABLE2_BLOCKS, TABLE3_APPLICANT_COLUMNS, TABLE3_RESULT_ROWS, TABLE3_ROWS  # noqa: E402
from agent.report.model import Figures, InfoFee, Table2, Table3, Table4  # noqa: E402
from agent.report.parser import parse_report  # noqa: E402
from agent.report.reader import read_report  # noqa: E402
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
FILLER = (
    "本机关坚持以公开为常态、不公开为例外，围绕中心工作做好政策发布、解读和回应，"
    "及时更新政府信息公开专栏，规范信息发布审核流程，做到先审查、后公开。\n\n"
)
PDFS = [
    *sorted((ROOT / "tests" / "data" / "layouts").glob("*.pdf")),
    ROOT.parent / "shared" / "realdata" / "huaian-city-2024.pdf",
]


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


def make_report(rng: random.Random, filler: int = 0) -> str:
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
    if filler:
        narr["overview"] += "\n\n" + FILLER * filler
        narr["problems"] += "\n\n" + FILLER * (filler // 4)
    return report_markdown(fig, narr, agency="示例县民族宗教事务局", year=2024)


def one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def bench_text(n: int, seed: int) -> None:
    rng = random.Random(seed)
    reports = [make_report(rng) for _ in range(n)]
    check_report(parse_report(reports[0]))  # warm caches (division index, regexes)
    errors = 0
    start, cpu = time.perf_counter(), time.process_time()
    for text in reports:
        findings = check_report(parse_report(text, source="bench.md"))
        errors += sum(1 for f in findings if f.severity == "error")
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    size = sum(len(r) for r in reports) / len(reports)
    print(f"text reports checked: {len(reports)} (average {size:,.0f} characters each)")
    print(
        f"wall time: {elapsed:.2f} s on one core (CPU time {cpu:.2f} s: on a busy machine, the fairer figure)"
    )
    print(
        f"text reports checked per second: {len(reports) / elapsed:,.0f} wall, {len(reports) / cpu:,.0f} CPU"
    )
    print("  (target ≥ 200)")
    print(f"errors found in generated (consistent) reports: {errors}")


def bench_pdf(rounds: int) -> None:
    pdfs = [p for p in PDFS if p.is_file()]
    check_report(read_report(pdfs[0]))
    start, cpu = time.perf_counter(), time.process_time()
    errors = 0
    for _ in range(rounds):
        for path in pdfs:
            errors += sum(1 for f in check_report(read_report(path)) if f.severity == "error")
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    count = rounds * len(pdfs)
    print(f"PDF reports checked: {count} ({len(pdfs)} files × {rounds}; 5–6 pages each)")
    print(f"wall time: {elapsed:.2f} s on one core (CPU time {cpu:.2f} s)")
    print(f"PDF reports checked per second: {count / elapsed:.2f} wall, {count / cpu:.2f} CPU")
    print(f"errors found (consistent reports): {errors}")


def _size(text: str) -> int:
    return int(float(text.upper().removesuffix("MB")) * 1_000_000)


def large_report(size_bytes: int) -> str:
    unit = len(FILLER.encode("utf-8"))
    return make_report(random.Random(1), filler=max(1, size_bytes // unit))


def bench_size(size_bytes: int) -> float:
    text = large_report(size_bytes)
    mb = len(text.encode("utf-8")) / 1e6
    start = time.perf_counter()
    report = parse_report(text, source="large.md")
    findings = check_report(report)
    elapsed = time.perf_counter() - start
    print(f"{mb:6.1f} MB: {elapsed:6.2f} s ({elapsed / mb:.2f} s/MB), {len(findings)} findings")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--pdf", action="store_true", help="time PDF input (fixtures and the 淮安 PDF)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--size", help="one report of this size, e.g. 50MB (target < 30 s)")
    ap.add_argument("--growth", action="store_true", help="5, 10 and 50 MB")
    args = ap.parse_args()
    one_core()
    if args.growth:
        times = {mb: bench_size(mb * 1_000_000) for mb in (5, 10, 50)}
        print(f"50 MB / 5 MB time ratio: {times[50] / times[5]:.1f} (linear: 10)")
    elif args.size:
        bench_size(_size(args.size))
    elif args.pdf:
        bench_pdf(args.rounds)
    else:
        bench_text(args.n, args.seed)


if __name__ == "__main__":
    main()
