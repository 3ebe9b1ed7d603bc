"""Bullet notes: the clerk's raw material for the narrative.

A Markdown file, forgiving by design::

    ---
    机关: 示例县民族宗教事务局
    年度: 2024
    ---
    # 总体情况
    ## 主动公开
    - 门户网站发布政务信息326条
    ## 依申请公开
    - 申请主要涉及宗教活动场所登记
    # 存在的主要问题及改进情况
    ## 存在的问题
    - 政策解读形式单一
    ## 改进措施
    - 开展图解、短视频解读
    # 其他需要报告的事项
    - 无

Headings are matched by their words (``## 主动公开情况``, ``## 二、主动公开`` and ``## 主动公开方面``
all work); missing parts are allowed; bullets may be ``-``, ``*``, ``+``, ``1.`` or ``·``; a line
of text without a marker counts as a bullet too. Front matter may be YAML (机关/agency,
年度/year, 格式/format) or be replaced by CLI flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from agent.draft.notes_input import read_notes_text
from agent.errors import InputError

# (part key, parent section key, words that identify its heading, official sub-heading)
PARTS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("proactive", "overview", ("主动公开",), "主动公开情况"),
    ("requests", "overview", ("依申请",), "依申请公开情况"),
    ("management", "overview", ("信息管理",), "政府信息管理情况"),
    ("platform", "overview", ("平台",), "政府信息公开平台建设情况"),
    ("oversight", "overview", ("监督", "保障", "考核", "评议", "责任追究"), "监督保障情况"),
    ("overview_other", "overview", ("其他工作", "其他情况"), "其他工作情况"),
    ("last_year", "problems", ("上年", "上一年", "去年", "整改"), "上年度问题整改情况"),
    ("problems", "problems", ("问题", "不足"), "存在的主要问题"),
    ("improvements", "problems", ("改进", "措施", "下一步", "打算"), "改进措施"),
    ("other", "other", ("其他需要报告", "其他事项", "其他"), "其他需要报告的事项"),
)
PART_BY_KEY = {p[0]: p for p in PARTS}
OVERVIEW_PARTS = ("proactive", "requests", "management", "platform", "oversight")
SECTION_WORDS = {"overview": ("总体",), "problems": ("问题", "改进"), "other": ("其他需要报告", "其他事项")}

_FRONT_RE = re.compile(r"^---\s*\n(.*?)\n---\s*(?:\n|$)", re.S)
_HEADING_RE = re.compile(r"^(#{1,6})\s*(.+?)\s*#*\s*$")
_PLAIN_HEADING_RE = re.compile(
    r"^[一二三四五六七八九十]{1,2}[、.．]\s*([^。：:；;，,\d]{2,20})$"
)  # 一、总体情况 typed without #
_BULLET_RE = re.compile(r"^\s*(?:[-*+·•●]|\d{1,2}[.、．)]|[（(]\d{1,2}[)）])\s*(.*)$")
_AGENCY_KEYS = ("机关", "单位", "机关名称", "agency")
_YEAR_KEYS = ("年度", "年份", "year")
_FORMAT_KEYS = ("格式", "format")
_PLACE_KEYS = ("地方", "地区", "所在地", "place")


@dataclass
class Bullet:
    id: str  # B1, B2 … in file order
    text: str
    part: str  # key from PARTS
    line: int


@dataclass
class Notes:
    agency: str | None = None
    year: int | None = None
    format: str | None = None
    place: str | None = None  # 地方: 湖北省武汉市 — the agency's place when its name is ambiguous
    bullets: list[Bullet] = field(default_factory=list)
    source: str = ""
    warnings: list[str] = field(default_factory=list)

    def part(self, key: str) -> list[Bullet]:
        return [b for b in self.bullets if b.part == key]

    def section_bullets(self, section: str) -> list[Bullet]:
        return [b for b in self.bullets if PART_BY_KEY[b.part][1] == section]


def _classify(title: str, level: int, section: str | None) -> tuple[str | None, str | None]:
    """(section, part) for a heading. A top heading names a section; a part implies its section."""
    title = re.sub(r"^[一二三四五六七八九十]+[、.．]\s*|^[（(][一二三四五六七八九十]+[)）]\s*", "", title)
    if level == 1 or section is None:
        for sec, words in SECTION_WORDS.items():
            if any(w in title for w in words):
                return sec, None
    ordered = [p for p in PARTS if p[1] == section] + [p for p in PARTS if p[1] != section]
    for key, parent, words, _ in ordered:
        if any(w in title for w in words):
            return parent, key
    return None, None


def _default_part(section: str | None) -> str | None:
    return {"overview": "overview_other", "problems": "problems", "other": "other"}.get(section or "")


@dataclass(frozen=True)
class NoteLine:
    """One meaningful line of a notes file: a heading (level ≥ 1) or a bullet (level 0)."""

    line: int
    level: int
    text: str


def read_note_lines(text: str, source: str = "") -> tuple[Notes, list[NoteLine]]:
    """Front matter (as a Notes holder with agency/year/format) and the headings and bullets."""
    holder = Notes(source=source)
    body, offset = text, 0
    m = _FRONT_RE.match(text)
    if m:
        _front_matter(m.group(1), holder, source)
        body, offset = text[m.end() :], text[: m.end()].count("\n")
    lines: list[NoteLine] = []
    for i, raw in enumerate(body.split("\n"), start=offset + 1):
        line = raw.strip()
        if not line or line.startswith("<!--"):
            continue
        h = _HEADING_RE.match(line)
        if h:
            lines.append(NoteLine(i, len(h.group(1)), h.group(2)))
            continue
        if _PLAIN_HEADING_RE.match(line):
            lines.append(NoteLine(i, 1, line))
            continue
        bm = _BULLET_RE.match(line)
        content = (bm.group(1) if bm else line).strip()
        if content:
            lines.append(NoteLine(i, 0, content))
    return holder, lines


def parse_notes(text: str, source: str = "") -> Notes:
    """Bullets in file order, each in its part: by its heading, or by its own prefix and words
    (:mod:`agent.draft.notes_sort`) when the heading names only a section or nothing."""
    from agent.draft.notes_sort import sort_bullets

    notes, lines = read_note_lines(text, source)
    section: str | None = None
    part: str | None = None
    how = "none"  # how the current heading places its bullets: heading | section | none
    placed: dict[str, str] = {}
    for nl in lines:
        if nl.level:
            new_section, new_part = _classify(nl.text, nl.level, section)
            if new_section is None and new_part is None:
                if part is not None:
                    notes.warnings.append(f"第{nl.line}行：无法识别的标题“{nl.text}”，其下要点归入上一部分")
                continue
            section, part = new_section, new_part or _default_part(new_section)
            how = "heading" if new_part else "section"
            continue
        bullet = Bullet(id=f"B{len(notes.bullets) + 1}", text=nl.text, part=part or "other", line=nl.line)
        placed[bullet.id] = how
        notes.bullets.append(bullet)
    notes.bullets, unplaced = sort_bullets(notes.bullets, placed)
    for b in unplaced:
        notes.warnings.append(
            f"第{b.line}行：要点“{b.text[:20]}”不在任何标题之下，已归入“其他需要报告的事项”"
        )
    return notes


def _front_matter(block: str, notes: Notes, source: str) -> None:
    try:
        data = yaml.safe_load(block) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 2
        raise InputError(
            f"开头的 YAML 信息格式错误：{getattr(exc, 'problem', exc)}", path=source, where=f"第{line}行"
        ) from exc
    if not isinstance(data, dict):
        raise InputError("开头的 YAML 信息应为“键: 值”的形式", path=source, where="第2行")
    notes.agency = next((str(data[k]) for k in _AGENCY_KEYS if data.get(k)), None)
    year = next((data[k] for k in _YEAR_KEYS if data.get(k)), None)
    if year is not None:
        try:
            notes.year = int(str(year).replace("年", ""))
        except ValueError as exc:
            raise InputError(f"年度“{year}”不是四位数字年份", path=source) from exc
    notes.place = next((str(data[k]).strip() for k in _PLACE_KEYS if data.get(k)), None)
    fmt = next((str(data[k]) for k in _FORMAT_KEYS if data.get(k)), None)
    if fmt is not None:
        if fmt not in ("2021", "2019"):
            raise InputError(f"格式只能是 2021 或 2019，而不是“{fmt}”", path=source)
        notes.format = fmt


def load_notes(path: Path) -> Notes:
    path = Path(path)
    text, warnings = read_notes_text(path)  # type, size, encoding, control characters, HTML
    notes = parse_notes(text, source=str(path))
    notes.warnings[:0] = warnings
    if not notes.bullets:
        raise InputError("没有找到任何要点（以“- ”开头的行），请按示例填写", path=str(path))
    return notes
