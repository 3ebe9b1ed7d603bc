"""The guard a model's text is held to, sentence by sentence.

Every sentence must be Chinese prose of the part (no section headings, no placeholders), name no
place or agency but the agency's own place and its ancestors (and what the notes name), copy no
other agency's text, and be supported by a bullet of its part or a figures sentence with every
number in it stated by that same support (:mod:`agent.draft.support`). A sentence that only
restates a figures sentence is redundant: the code writes the figures itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.draft.copying import ForeignText
from agent.draft.facts import Fact
from agent.draft.notes import Bullet
from agent.draft.ownplace import PlaceRule
from agent.draft.prose import foreign_language, headings_in, remove_headings
from agent.draft.support import Source, Support, judge
from agent.report.checks import PLACEHOLDER_RE
from agent.report.narrative import split_sentences

# kinds a repair round is asked to fix, in the order they are reported for a sentence
REPAIRABLE = ("placeholder", "language", "heading", "foreign", "copy", "unsupported", "number")


@dataclass(frozen=True)
class Violation:
    kind: str  # see REPAIRABLE, plus "bullet" (a bullet not written) and "restated"
    sentence: str
    reason: str
    detail: str = ""


@dataclass
class Guard:
    """What one part's text may say."""

    bullets: list[Bullet]
    facts: list[Fact] = field(default_factory=list)
    places: PlaceRule | None = None
    foreign: ForeignText | None = None
    self_names: tuple[str, ...] = ()
    free_values: frozenset[float] = frozenset()
    extra_sources: list[Bullet] = field(default_factory=list)  # framing text of the task (a notice item)

    @property
    def sources(self) -> list[Source]:
        return (
            [Source(b.id, "bullet", b.text) for b in self.bullets if b.text.strip() != "无"]
            + [Source(f"F:{f.key}", "figures", f.text) for f in self.facts]
            + [Source(b.id, "notice", b.text) for b in self.extra_sources]
        )


@dataclass
class Verdict:
    sentence: str
    support: Support
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def restated(self) -> bool:
        return self.support.kind == "figures" and not self.violations


def _why_unsupported(s: Support) -> str:
    what = f"（要点和统计数据句都没有写到“{s.uncovered}”）" if s.uncovered else ""
    return f"要点中没有依据{what}；只写要点中的事实，不要增加"


def _why_number(s: Support) -> str:
    shown = "、".join(f"“{m.text}”" for m in s.ungrounded)
    basis = "、".join(src.id for src in s.sources) or "无"
    return f"数字{shown}在这句话所依据的要点（{basis}）中没有依据；数字只能照抄要点和统计数据句，不得改写、估算或换算"


def judge_sentence(sentence: str, guard: Guard) -> Verdict:
    support = judge(sentence, guard.sources, self_names=guard.self_names, free_values=guard.free_values)
    out: list[Violation] = []

    def add(kind: str, reason: str, detail: str = "") -> None:
        out.append(Violation(kind, sentence, reason, detail))

    for m in PLACEHOLDER_RE.finditer(sentence):
        add("placeholder", f"含占位文字“{m.group(0)}”", m.group(0))
    if foreign_language(sentence):
        add("language", "不是中文：报告正文只能用规范的中文书写")
    heads = headings_in(sentence)
    if heads:
        add(
            "heading",
            f"正文中出现了报告的章节标题“{'、'.join(heads)}”；各部分的标题由系统生成，只写正文",
            heads[0],
        )
    if guard.places is not None:
        names = sorted({h.name for h in guard.places.foreign(sentence)})
        if names:
            add("foreign", f"出现其他机关或地方的名称“{'、'.join(names)}”", "、".join(names))
    if guard.foreign is not None:
        share, doc = guard.foreign.copied(sentence)
        if share >= 0.4:
            add(
                "copy",
                f"与其他机关的文字雷同（{doc or '参考范文'}，{share:.0%} 的八字片段相同），不得照抄",
                doc,
            )
    if support.kind == "none":
        add("unsupported", _why_unsupported(support), support.uncovered)
    elif support.ungrounded:
        add("number", _why_number(support), "、".join(m.text for m in support.ungrounded))
    return Verdict(sentence, support, out)


def judge_text(text: str, guard: Guard) -> list[Verdict]:
    return [judge_sentence(s.text, guard) for s in split_sentences(text, None, 1)]


def bullet_violations(bullets: list[Bullet], kept_text: str) -> list[Violation]:
    from agent.draft.guardrails import bullet_used

    return [
        Violation("bullet", b.text, f"要点 {b.id}（第{b.line}行）“{b.text}”没有写入正文", b.id)
        for b in bullets
        if b.text.strip() not in ("无", "") and not bullet_used(b, kept_text)
    ]


def violations(text: str, guard: Guard) -> list[Violation]:
    """What the repair round is asked to fix (restatements are simply dropped later)."""
    verdicts = judge_text(text, guard)
    kept = "".join(v.sentence for v in verdicts if v.ok)
    return [x for v in verdicts for x in v.violations] + bullet_violations(guard.bullets, kept)


# --------------------------------------------------------------------------- the final text


@dataclass
class Removed:
    text: str
    reason: str
    kind: str

    def as_json(self, part: str) -> dict[str, Any]:
        return {"part": part, "text": self.text, "kind": self.kind, "reason": self.reason}


def final_text(text: str, guard: Guard) -> tuple[str, list[Verdict], list[Removed]]:
    """The text with every still-failing sentence removed (never reworded), and what went."""
    kept: list[Verdict] = []
    removed: list[Removed] = []
    for paragraph in text.split("\n\n"):
        para_kept: list[Verdict] = []
        for v in judge_text(paragraph, guard):
            v = _without_headings(v, guard, removed)
            if v.restated:
                removed.append(Removed(v.sentence, "重复了统计数据句（统计数据由系统写入）", "restated"))
            elif v.ok:
                para_kept.append(v)
            else:
                first = v.violations[0]
                removed.append(Removed(v.sentence, first.reason, first.kind))
        if para_kept:
            para_kept[-1] = _close(para_kept[-1])
            kept += para_kept
            kept.append(Verdict("\n\n", Support("", "framing")))
    while kept and kept[-1].sentence == "\n\n":
        kept.pop()
    body = renumber("".join(v.sentence for v in kept))
    return body, [v for v in kept if v.sentence != "\n\n"], removed


def _without_headings(v: Verdict, guard: Guard, removed: list[Removed]) -> Verdict:
    heads = [x for x in v.violations if x.kind == "heading"]
    if not heads:
        return v
    rest = remove_headings(v.sentence)
    removed.append(Removed("、".join(headings_in(v.sentence)), heads[0].reason, "heading"))
    if not rest.strip("。；，： "):
        return Verdict(v.sentence, v.support, [Violation("heading", v.sentence, heads[0].reason)])
    return judge_sentence(rest, guard)


def _close(v: Verdict) -> Verdict:
    """The last kept sentence of a paragraph ends with 。 (a kept 一是…； may have lost its 二是…。)."""
    text = re.sub(r"[；，、：]$", "。", v.sentence)
    if not re.search(r"[。！？]$", text):
        text += "。"
    return Verdict(text, v.support, v.violations)


_SHI = re.compile(r"(?:(?<=^)|(?<=[。；：，\n]))([一二三四五六七八九十]{1,2})是")
_CN = "一二三四五六七八九十"


def renumber(text: str) -> str:
    """一是…；三是… after a removal → 一是…；二是…, per paragraph (enumerations restart in each)."""
    out = []
    for para in text.split("\n\n"):
        n = 0

        def step(m: re.Match[str]) -> str:
            nonlocal n
            value = _CN.index(m.group(1)) + 1 if len(m.group(1)) == 1 else 0
            n = 1 if value == 1 else n + 1
            return (_CN[n - 1] if n <= 10 else str(n)) + "是"

        out.append(_SHI.sub(step, para))
    return "\n\n".join(out)
