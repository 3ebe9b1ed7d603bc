"""Bullets that restate what the figures sentences already say, and sentences said twice.

Clerks copy the year's figures into their notes (“全年收到申请9件，上年结转1件，已办结…”, “本年度未
收取信息处理费”). The code writes those figures itself, so a clause of a bullet that only restates
a figures sentence is dropped — the rest of the bullet (its extra content) is kept — and a bullet
with nothing left is not used (listed in draft.sources.json with the reason).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.draft.facts import Fact
from agent.draft.notes import Bullet
from agent.draft.support import Source, judge
from agent.report.narrative import split_sentences

RESTATED_COVERAGE = 0.75
_CLAUSE = re.compile(r"[^，；,;。]+[，；,;。]?")
_DROP = re.compile(r"[\s，。；：、！？,.;:!?“”\"'（）()]+")
_ENUM = re.compile(r"^(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])")


@dataclass
class Restated:
    bullet: Bullet
    original: str
    dropped: list[str]  # the clauses dropped

    @property
    def whole(self) -> bool:
        return not self.bullet.text


_SAME = (
    ("明年", "下年度"),
    ("下一年", "下年度"),
    ("今年", "本年度"),
    ("去年", "上年"),
    ("转到", "结转"),
    ("还有", ""),
)


def _restates(clause: str, sources: list[Source], self_names: tuple[str, ...]) -> bool:
    for a, b in _SAME:
        clause = clause.replace(a, b)
    s = judge(clause, sources, self_names=self_names)
    return s.kind == "figures" and not s.ungrounded and s.coverage >= RESTATED_COVERAGE


def drop_restatements(
    bullets: list[Bullet], facts: list[Fact], self_names: tuple[str, ...]
) -> list[Restated]:
    """Shorten (in place) the bullets that restate figures; returns what was dropped."""
    sources = [Source(f"F:{f.key}", "figures", f.text) for f in facts]
    out: list[Restated] = []
    for b in bullets:
        clauses = [c for c in _CLAUSE.findall(b.text) if c.strip("，；,;。 ")]
        dropped = [c for c in clauses if _restates(c.strip("，；,;。 "), sources, self_names)]
        if not dropped:
            continue
        original = b.text
        kept = [c for c in clauses if c not in dropped]
        b.text = "".join(kept).strip("，；,;。 ")
        out.append(Restated(b, original, [c.strip("，；,;。 ") for c in dropped]))
    return out


def _key(sentence: str) -> str:
    return _DROP.sub("", _ENUM.sub("", sentence.strip()))


def dedupe_sentences(texts: list[str], min_chars: int = 6) -> tuple[list[str], list[str]]:
    """Each text with sentences already said earlier (anywhere before it) removed; and those removed."""
    seen: set[str] = set()
    removed: list[str] = []
    out: list[str] = []
    for text in texts:
        paras = []
        for para in text.split("\n\n"):
            kept = []
            for s in split_sentences(para, None, 1):
                key = _key(s.text)
                if len(key) >= min_chars and key in seen:
                    removed.append(s.text)
                    continue
                seen.add(key)
                kept.append(s.text)
            joined = "".join(kept)
            if joined:
                paras.append(re.sub(r"[；，、]$", "。", joined))
        out.append("\n\n".join(paras))
    return out, removed
