"""Calibration of the copied-narrative flag (agent.review.similarity): prints the scores of the real
consecutive pair 平潭综合实验区 2021 → 2022 and of made-up copies of the 2021 report.

    python bench/copy_similarity.py

Copies: the 2021 text with every number changed; and with a quarter, a half or three quarters of
its sentences replaced by sentences of other agencies' reports (the seed reports), numbers changed
too. Each is scored as the whole text (how today's parser sees the one-line crawler text) and per
section (with line breaks put back before the six headings, as a parser that finds them will).
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.report.parser import parse_report  # noqa: E402
from agent.review.similarity import COPY_THRESHOLD, section_similarity  # noqa: E402

DEV = ROOT.parent / "shared" / "realdata" / "dev"
SEEDS = ROOT / "corpus" / "seeds"
_HEADINGS = re.compile(
    r"([一二三四五六]、(?:总体情况|主动公开政府信息情况|收到和处理政府信息公开申请情况|"
    r"政府信息公开行政法?复议、行政诉讼情况|存在的主要问题及改进情况|其他需要报告的事项))\s*"
)
_SENT = re.compile(r"(?<=[。；])")


def with_headings(text: str) -> str:
    """Line breaks before the six headings, as a parser that finds them in crawler text sees it."""
    return _HEADINGS.sub(lambda m: f"\n{m.group(1)}\n", text)


def other_sentences() -> list[str]:
    out: list[str] = []
    for p in sorted(SEEDS.glob("*.txt")):
        text = p.read_text(encoding="utf-8").replace("\n", "")
        out += [
            s
            for s in _SENT.split(text)
            if len(s) > 25 and "|" not in s and not re.search(r"[一二三四五六]、", s)
        ]
    return out


def bump_numbers(text: str, rng: random.Random) -> str:
    return re.sub(r"\d+", lambda m: str(int(m.group(0)) + rng.randint(1, 9)), text)


def rewrite(text: str, share: float, rng: random.Random, pool: list[str]) -> str:
    sentences = _SENT.split(text)
    for i in range(len(sentences)):
        if len(sentences[i]) > 10 and not _HEADINGS.search(sentences[i]) and rng.random() < share:
            sentences[i] = rng.choice(pool)
    return "".join(sentences)


def score(this: str, last: str) -> tuple[float, list[tuple[str, float, int]]]:
    whole = section_similarity(parse_report(this), parse_report(last))[0].score
    per = section_similarity(parse_report(with_headings(this)), parse_report(with_headings(last)))
    return whole, [(s.heading, s.score, s.chars) for s in per]


SEEDS_PER_CASE = 5


def main() -> None:
    y21 = (DEV / "pingtan-zonghe-2021.txt").read_text(encoding="utf-8")
    y22 = (DEV / "pingtan-zonghe-2022.txt").read_text(encoding="utf-8")
    pool = other_sentences()
    print(f"threshold {COPY_THRESHOLD}; copies: mean (min–max) over {SEEDS_PER_CASE} seeds")
    whole, per = score(y22, y21)
    shown = "  ".join(f"{h.split('、')[-1][:6]} {s:.2f}({n}字)" for h, s, n in per)
    print(f"{'real 2022 vs 2021':30s} whole {whole:.2f} | {shown}")
    for share in (0.0, 0.25, 0.5, 0.75):
        wholes, overview, problems = [], [], []
        for seed in range(SEEDS_PER_CASE):
            rng = random.Random(seed)
            text = bump_numbers(rewrite(y21, share, rng, pool) if share else y21, rng)
            w, p = score(text, y21)
            wholes.append(w)
            overview.append(p[0][1])
            problems.append(next(s for h, s, _ in p if h.startswith("五")))
        name = f"copy, {int(share * 100)}% sentences rewritten"
        print(
            f"{name:30s} whole {_stat(wholes)} | 总体情况 {_stat(overview)}  存在的主要问题 {_stat(problems)}"
        )


def _stat(xs: list[float]) -> str:
    return f"{sum(xs) / len(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})"


if __name__ == "__main__":
    main()
