"""A report’s sentences for coverage matching, with their section and whether they only echo the notice’s titles."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.report.narrative import Sentence, split_sentences
from agent.workpoints.requirements import Notice
from agent.workpoints.terms import (
    Tok,
    char_bigrams,
    normalise,
    tokens,
)

# --------------------------------------------------------------------------- report sentences

ECHO_MIN = 0.8
ECHO_MAX_LEN = 20
HEADING_MAX = 24
NOT_HEADING = re.compile(r"[。；;！!？?：:，,、|]$|\|")


@dataclass
class RSentence:
    sentence: Sentence
    terms: set[str]
    toks: list[Tok]
    norm: str
    echo: bool
    location: str

    def concepts(self, used: set[str]) -> int:
        """How many distinct words of the sentence the used terms come from."""
        return len({t.word for t in self.toks if t.term in used})


def _section_locator(text: str) -> list[tuple[int, str]]:
    from agent.report.sections import split_report

    _, sections = split_report(text)
    return [(s.line, s.heading) for s in sections]


def _heading_lines(lines: list[str]) -> set[int]:
    """1-based numbers of the report's own sub-headings: short lines without a sentence end."""
    found: set[int] = set()
    for i, raw in enumerate(lines):
        t = raw.strip()
        if t and len(t) <= HEADING_MAX and not NOT_HEADING.search(t) and "\t" not in raw:
            found.add(i + 1)
    return found


def report_sentences_for(text: str, notice: Notice) -> list[RSentence]:
    heads = _section_locator(text)
    names = {notice.title, *(r.parent for r in notice.requirements), *(r.title for r in notice.requirements)}
    titles = [char_bigrams(t) for t in names if t]
    lines = text.split("\n")
    headings = _heading_lines(lines)
    # a heading followed directly by its paragraph is cut off as a sentence of its own
    cut = [f"{line}。" if n in headings else line for n, line in enumerate(lines, start=1)]
    out = []
    for s in split_sentences("\n".join(cut), None, 1):
        is_heading = s.line in headings and s.text.removesuffix("。") == lines[s.line - 1].strip()
        body = s.text.removesuffix("。") if is_heading else s.text
        if len(body) < 4:
            continue
        head = next((h for line, h in reversed(heads) if line <= s.line), "")
        toks = tokens(body)
        out.append(
            RSentence(
                sentence=Sentence(body, s.section, s.line),
                terms={t.term for t in toks},
                toks=toks,
                norm=normalise(body),
                echo=is_heading or _is_echo(body, titles),
                location=f"{head} 第{s.line}行" if head else f"第{s.line}行",
            )
        )
    return out


def _is_echo(text: str, titles: list[set[str]]) -> bool:
    """A short sentence (≤ 20 characters, no number) made of one of the notice's titles (≥ 80 %)."""
    grams = char_bigrams(text)
    if not grams:
        return True
    if len(text) > ECHO_MAX_LEN or re.search(r"\d", text):
        return False
    return any(len(grams & t) / len(grams) >= ECHO_MIN for t in titles)
