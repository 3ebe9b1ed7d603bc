"""Benchmark: how many text reports `check` reads and checks per second on one core, and how
long one very large report takes.

Default: generates N consistent 2021-format reports (random figures, the narrative of a clean
report) as markdown, then times parse + every rule on each. Target: ≥ 200 reports/s.

    python bench/check_bench.py [--n 1000] [--seed 7]

``--pdf [--rounds 3]``: PDF input — the layout fixtures (tests/data/layouts, Word → LibreOffice →
PDF) and the real 淮安 2024 PDF, read from the page layout and checked; PDF reports per second.
Wall time and CPU time are both printed: on a busy machine the CPU time is the fairer figure.

``--size 5MB 10MB 50MB``: one consistent report padded to each size with distinct narrative
sentences (no two alike, so no rule is helped by repetition). Each size runs in a fresh process
on one core: reading the file, parse_report and check_report are timed in-process (the library
has no size limit), with the peak memory; then ``report-agent check`` itself is run on the file,
which refuses a report over the documented 20 MB limit (agent/textfile.py) with a message.
Target: under 30 s at 50 MB, growing linearly.

    python bench/check_bench.py --size 5MB 10MB 50MB
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
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


PADDING = (
    "本机关围绕第{i}项重点工作及时发布信息，做好政策解读。",
    "第{i}次专题会议研究部署政务公开工作，明确责任分工；",
    "在门户网站专栏更新第{i}批规范性文件，方便群众查阅！",
    "组织第{i}期业务培训，提升工作人员的公开意识和能力。",
)


def big_report(megabytes: float, seed: int) -> str:
    """A consistent report of about ``megabytes`` MB: the overview padded with distinct sentences."""
    base = make_reports(1, seed)[0]
    target = int(megabytes * 1024 * 1024)
    parts: list[str] = []
    size, i = len(base.encode()), 0
    while size < target:
        para = "".join(t.format(i=i + k) for k, t in enumerate(PADDING)) + "\n\n"
        parts.append(para)
        size += len(para.encode())
        i += len(PADDING)
    cut = base.index("（二）依申请公开")
    return base[:cut] + "".join(parts) + base[cut:]


def parse_size(text: str) -> float:
    t = text.strip().upper().removesuffix("B").removesuffix("M")
    return float(t)


def one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def child(path: Path) -> None:
    """Time reading, parsing and checking ``path`` in this process; print one JSON line."""
    one_core()
    start = time.perf_counter()
    text = path.read_bytes().decode("utf-8")
    read = time.perf_counter()
    report = parse_report(text, source=str(path))
    parsed = time.perf_counter()
    findings = check_report(report)
    checked = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "read": read - start,
        "parse": parsed - read,
        "check": checked - parsed,
        "errors": sum(1 for f in findings if f.severity == "error"),
        "findings": len(findings),
        "peak_mb": peak,
    }
    print(json.dumps(result))


def sizes(megabytes: list[float], seed: int) -> None:
    root = Path(__file__).resolve().parents[1]
    print(
        f"{'size':>8} {'read':>7} {'parse':>7} {'check':>7} {'total':>7} {'s/MB':>6} {'peak':>8} {'errors':>6}"
        "  report-agent check"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for mb in megabytes:
            path = Path(tmp) / f"report-{mb:g}MB.md"
            path.write_text(big_report(mb, seed), encoding="utf-8")
            real = path.stat().st_size / 1024 / 1024
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True
            )
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            total = r["read"] + r["parse"] + r["check"]
            start = time.perf_counter()
            cli = subprocess.run(
                [sys.executable, "-m", "agent.cli", "check", str(path), "--format", "json"],
                capture_output=True,
                text=True,
                cwd=root,
                check=False,
            )
            wall = time.perf_counter() - start
            said = cli.stderr.strip().splitlines()[-1][:70] if cli.returncode == 2 else ""
            print(
                f"{real:6.1f}MB {r['read']:6.2f}s {r['parse']:6.2f}s {r['check']:6.2f}s {total:6.2f}s "
                f"{total / real:6.2f} {r['peak_mb']:6.0f}MB {r['errors']:6d}  exit {cli.returncode} in {wall:.2f} s {said}"
            )
            path.unlink()
    print("read/parse/check: the library in a fresh process on one core (errors: 0 expected, the reports")
    print("are consistent); last column: the command itself, which refuses a report over 20 MB.")


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--size", nargs="+", help="time one report of each size, e.g. 5MB 10MB 50MB")
    ap.add_argument("--pdf", action="store_true", help="time PDF input (layout fixtures and the 淮安 PDF)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    if args.size:
        sizes([parse_size(s) for s in args.size], args.seed)
        return
    one_core()
    if args.pdf:
        bench_pdf(args.rounds)
        return
    reports = make_reports(args.n, args.seed)
    check_report(parse_report(reports[0]))  # warm caches (division index, regexes)
    errors = 0
    start, cpu = time.perf_counter(), time.process_time()
    for text in reports:
        findings = check_report(parse_report(text, source="bench.md"))
        errors += sum(1 for f in findings if f.severity == "error")
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    size = sum(len(r) for r in reports) / len(reports)
    print(f"reports checked: {len(reports)} (average {size:,.0f} characters each)")
    print(f"wall time: {elapsed:.2f} s on one core (CPU time {cpu:.2f} s)")
    print(
        f"reports checked per second: {len(reports) / elapsed:,.0f} wall, {len(reports) / cpu:,.0f} CPU  (target ≥ 200)"
    )
    print(f"errors found in generated (consistent) reports: {errors}")


if __name__ == "__main__":
    main()
