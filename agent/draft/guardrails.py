"""Guardrails in code: what a narrative may say, checked sentence by sentence.

- every number comes from the notes or the figures or is derived from them (sums, the year);
- no agency or place name other than the user's own;
- no placeholders;
- every bullet is used (its characteristic characters appear in the text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from agent.draft.notes import Bullet
from agent.report.checks import PLACEHOLDER_RE
from agent.report.model import Figures
from agent.report.narrative import split_sentences

_NUMBER_RE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")
_IGNORED_RE = re.compile(
    r"《[^》]*》|〔\d{4}〕\d+号|\[\d{4}\]\d+号|第[\d一二三四五六七八九十百]+[条款项章节]|\d{1,2}\s*月\s*\d{1,2}\s*日|（[一二三四五六七八九十]+）"
)
_STOP = set("的了和与及在对为是将等并其中年月日本我局委办一二三四五六七八九十，。；：、（）“”《》")


@dataclass(frozen=True)
class Violation:
    kind: str  # number | foreign | placeholder | bullet
    sentence: str
    reason: str
    detail: str = ""


@dataclass
class Allowed:
    numbers: set[float] = field(default_factory=set)

    def ok(self, value: float) -> bool:
        return value in self.numbers


def numbers_in(text: str) -> list[float]:
    return [float(m.group(0)) for m in _NUMBER_RE.finditer(_IGNORED_RE.sub(" ", text))]


def allowed_numbers(figures: Figures, year: int, texts: Iterable[str] = ()) -> Allowed:
    """Numbers a narrative may use: the year (±1), every cell, sums of cells, and the inputs' numbers."""
    allowed: set[float] = {float(year), float(year - 1), float(year + 1)}
    cells: list[float] = []
    for grid in (figures.table3.cells, figures.table4.cells, *figures.table2.cells.values()):
        for row in grid.values():
            cells += [
                float(v) for v in row.values() if isinstance(v, int | float) and not isinstance(v, bool)
            ]
    allowed.update(cells)
    if figures.info_fee:
        allowed.update({float(figures.info_fee.cases), float(figures.info_fee.amount_yuan)})
    for text in texts:
        allowed.update(numbers_in(text))
    from agent.draft.facts import fee_fact, proactive_fact, requests_fact, review_fact

    facts = [requests_fact(figures), review_fact(figures), fee_fact(figures), proactive_fact(figures)]
    for fact in facts:
        if fact:
            allowed.update(fact.numbers)
    return Allowed(allowed)


def number_violations(text: str, allowed: Allowed) -> list[Violation]:
    out: list[Violation] = []
    for sent in split_sentences(text, None, 1):
        bad = [n for n in numbers_in(sent.text) if not allowed.ok(n)]
        if bad:
            shown = "、".join(f"{n:g}" for n in bad)
            out.append(Violation("number", sent.text, f"数字{shown}在要点和统计数据中都找不到依据", shown))
    return out


def placeholder_violations(text: str) -> list[Violation]:
    return [
        Violation("placeholder", sent.text, f"含占位文字“{m.group(0)}”", m.group(0))
        for sent in split_sentences(text, None, 1)
        for m in PLACEHOLDER_RE.finditer(sent.text)
    ]


def foreign_violations(
    text: str, agency: str, full_text: str = "", known: tuple[str, ...] = ()
) -> list[Violation]:
    from agent.report.names import find_foreign_names, own_identity

    identity = own_identity(agency, full_text)
    out: list[Violation] = []
    for sent in split_sentences(text, None, 1):
        names = sorted({h.name for h in find_foreign_names(sent.text, identity, known)})
        if names:
            out.append(
                Violation(
                    "foreign", sent.text, f"出现其他机关或地方的名称“{'、'.join(names)}”", "、".join(names)
                )
            )
    return out


def bigrams(text: str) -> set[str]:
    chars = [c for c in text if c not in _STOP and not c.isspace()]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)} or set(chars)


def bullet_used(bullet: Bullet, text: str, threshold: float = 0.5) -> bool:
    """A bullet is used when at least ``threshold`` of its character bigrams and all its numbers appear."""
    grams = bigrams(bullet.text)
    have = bigrams(text)
    share = len(grams & have) / len(grams) if grams else 1.0
    numbers_ok = all(n in numbers_in(text) for n in numbers_in(bullet.text))
    return share >= threshold and numbers_ok


def bullet_violations(bullets: list[Bullet], text: str) -> list[Violation]:
    return [
        Violation("bullet", b.text, f"要点 {b.id}（第{b.line}行）“{b.text}”没有写入正文", b.id)
        for b in bullets
        if b.text.strip() not in ("无", "") and not bullet_used(b, text)
    ]


def all_violations(
    text: str, *, allowed: Allowed, agency: str, bullets: list[Bullet], known_agencies: tuple[str, ...] = ()
) -> list[Violation]:
    return (
        number_violations(text, allowed)
        + foreign_violations(text, agency, known=known_agencies)
        + placeholder_violations(text)
        + bullet_violations(bullets, text)
    )


def mark_unresolved(text: str, violations: list[Violation]) -> str:
    """Prefix each still-violating sentence with 【待核实：reason】 so nothing is published silently."""
    for v in violations:
        if v.kind in ("number", "foreign") and v.sentence in text:
            text = text.replace(v.sentence, f"【待核实：{v.reason}】{v.sentence}", 1)
    return text
