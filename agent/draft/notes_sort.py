"""Bullets sorted into their parts whatever the headings: notes as people write them.

A bullet's own prefix wins over its heading (“问题：…”, “改进：…”, “上年问题整改：…”, “依申请公开方面，…”,
“信息管理上，…”); a bullet under a heading that names only a section (“# 存在的主要问题及改进情况”)
or nothing at all (“# 2024年要点”) is placed by its words (申请 → 依申请公开, 培训/考核 → 监督保障,
不够/单一 → 存在的问题, 下一步/加强 → 改进措施 …). Paragraphs of prose are cut into sentences first,
a sentence without a cue staying with the one before it; “一是…；二是…” in one bullet become
separate bullets.
"""

from __future__ import annotations

import re

from agent.draft.notes import PART_BY_KEY, Bullet

_PREFIX = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]+[)）]\s*)?(?P<label>[^：:，,。；]{1,14}?)"
    r"(?:(?P<colon>[：:])|(?:方面|这块|的话|上)[，,：:])\s*(?P<rest>.+)$"
)
# words of a prefix label → part (first match wins; longer, more specific labels first)
_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("last_year", ("上年", "上一年", "去年", "整改")),
    ("requests", ("依申请", "申请公开")),
    ("proactive", ("主动公开",)),
    ("management", ("信息管理", "政府信息管理")),
    ("platform", ("平台",)),
    ("oversight", ("监督", "保障", "考核")),
    ("problems", ("问题", "不足", "短板")),
    ("improvements", ("改进", "措施", "下一步", "打算", "计划")),
    ("other", ("其他",)),
)
# words of a bullet's content → part, when neither its heading nor a prefix says
_CONTENT: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("last_year", re.compile(r"上年|上一年|去年|整改")),
    ("improvements", re.compile(r"^(?:下一步|明年|今后|将|拟|计划|多做|多|继续|进一步)|下一步")),
    (
        "problems",
        re.compile(r"不够|不足|偏少|较少|单一|滞后|有待|欠缺|不规范|不及时|不高|不强|看不太懂|短板|薄弱|少$"),
    ),
    ("requests", re.compile(r"申请|答复")),
    ("oversight", re.compile(r"培训|考核|考评|监督|评议|责任追究|督查|检查|自查")),
    ("management", re.compile(r"审查|保密|公开属性|源头认定|失泄密|清理|先审后发|三审")),
    ("platform", re.compile(r"公众号|微博|新媒体|抖音|视频号|公开栏|栏目|平台")),
    ("proactive", re.compile(r"发布|发了|发信息|公开|解读|预算|决算|信息\d|网站")),
    ("other", re.compile(r"处理费|其他")),
)
_SECTION_PARTS = {
    "overview": ("proactive", "requests", "management", "platform", "oversight"),
    "problems": ("last_year", "problems", "improvements"),
    "other": ("other",),
}
_ENUM_SPLIT = re.compile(r"[；;，,]?\s*(?:[一二三四五六七八九十]+是)")
_SENTENCE = re.compile(r"[^。！？]+[。！？]?")


def label_part(label: str) -> str | None:
    for part, words in _LABELS:
        if any(w in label for w in words):
            return part
    return None


def split_prefix(text: str) -> tuple[str | None, str]:
    """(part named by the prefix, text without it) — or (None, text)."""
    m = _PREFIX.match(text.strip())
    if not m:
        return None, text
    part = label_part(m.group("label"))
    if part is None:
        return None, text
    rest = m.group("rest").strip()
    if part == "improvements" and m.group("label").strip() == "下一步" and not m.group("colon"):
        rest = text  # “下一步，将…” is the content itself
    return part, rest


def content_part(text: str, allowed: tuple[str, ...] | None = None) -> str | None:
    for part, pattern in _CONTENT:
        if (allowed is None or part in allowed) and pattern.search(text):
            return part
    return None


def _pieces(text: str) -> list[str]:
    """A bullet cut at 一是/二是 and, for prose, at sentence ends."""
    parts = [p for p in _ENUM_SPLIT.split(text) if p.strip("；;，,。 ")]
    if len(parts) > 1:
        return [p.strip("；;，,。 ") for p in parts]
    sentences = [s for s in _SENTENCE.findall(text) if s.strip("。 ")]
    return [s.strip() for s in sentences] if len(sentences) > 1 else [text]


def sort_bullets(bullets: list[Bullet], placed: dict[str, str]) -> tuple[list[Bullet], list[Bullet]]:
    """``placed``: bullet id → "heading" (a part heading), "section" (a section heading) or "none".
    Returns the sorted bullets and those nothing could place (put under 其他需要报告的事项)."""
    out: list[Bullet] = []
    unplaced: list[Bullet] = []
    for b in bullets:
        previous: str | None = None
        for piece in _pieces(b.text):
            part, text = split_prefix(piece)
            how = placed.get(b.id, "heading")
            if part is None:
                part = _by_context(text, b.part, how, previous)
                if how == "none" and part == "other" and not content_part(text, ("other",)):
                    unplaced.append(b)
            previous = part
            out.append(Bullet(b.id, text, part, b.line))
    if len(out) != len(bullets):  # ids stay unique: B1, B1.2 … keep the line they came from
        seen: dict[str, int] = {}
        for i, b in enumerate(out):
            seen[b.id] = seen.get(b.id, 0) + 1
            if seen[b.id] > 1:
                out[i] = Bullet(f"{b.id}.{seen[b.id]}", b.text, b.part, b.line)
    return out, unplaced


def _by_context(text: str, part: str, how: str, previous: str | None) -> str:
    if how == "heading":
        strong = content_part(text, ("improvements", "last_year")) if part in ("problems",) else None
        return strong if strong and re.match(r"^(?:下一步|上年|去年|针对上年)", text) else part
    section = PART_BY_KEY[part][1] if how == "section" else None
    allowed = _SECTION_PARTS.get(section or "")
    if previous and not re.match(r"^(?:下一步|上年|去年|此外|另外)", text):
        guess = content_part(text, ("improvements", "last_year")) if previous == "problems" else None
        return guess or previous
    return content_part(text, allowed) or (part if how == "section" else "other")
