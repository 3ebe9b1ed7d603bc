"""Citation keys issued by the code for retrieved passages, and the check of an answer's citations.

A key names one passage of one document, in the form a clerk would write it:

* regulations, by article: ``[条例 第三十三条]`` (the 2019 政府信息公开条例), ``[2007条例 第二十四条]``
  (the superseded 2007 text), ``[行政复议法 第二十三条]``, ``[保密法 …]``, ``[最高法规定 第二条]`` …;
* work-point notices, by item: ``[上海市民宗局2022年政务公开工作要点 三（二）]``;
* the annual-report format spec, by part: ``[年报格式 表三]``, ``[年报格式 勾稽关系]`` …;
* past reports: ``[杭州市民宗局2020年报 一（二）]``, ``[开封市民宗局2021年落实情况报告 …]``.

:func:`keyed_passages` turns retrieval hits into :class:`Passage` objects: the chunks of one
article / item / part are merged and, where the source file can be read, replaced by the whole
article (so its 款 and 项 stay together); every passage gets a key that is unique among the
passages of this question. :func:`check_citations` extracts every ``[…]`` of an answer, keeps
the citations that name a passage retrieved for THIS question (rewritten to the canonical key),
and removes and reports the others.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.corpus.retrieval import Hit

REFUSAL = "语料中未找到依据"
CN_DIGITS = "零〇一二三四五六七八九十百千"
MAX_EXPANDED_CHARS = 4000  # a whole article / item / part replaces its chunk up to this length

# Regulations: a distinctive part of the title → short name (first match wins; order matters).
REGULATION_SHORT_NAMES: tuple[tuple[str, str], ...] = (
    ("审理政府信息公开行政案件", "最高法规定"),
    ("政府信息公开条例", "条例"),
    ("保守国家秘密法实施条例", "保密法实施条例"),
    ("保守国家秘密法", "保密法"),
    ("行政复议法", "行政复议法"),
    ("行政诉讼法", "行政诉讼法"),
    ("个人信息保护法", "个人信息保护法"),
    ("档案法", "档案法"),
    ("信访工作条例", "信访工作条例"),
)
# Format documents: a distinctive part of the title → short name. The Chinese guide
# (corpus/guide/annual-report-guide.md) is cited as [年报指南 表三]; the English spec for
# implementers (corpus/spec/annual-report-format.md) as [年报格式 表三].
SPEC_SHORT_NAMES: tuple[tuple[str, str], ...] = (("编写指南", "年报指南"),)
SPEC_DOC_NAME = "年报格式"
# The English spec's headings: heading pattern → short Chinese name. A Chinese heading is named
# by its first word ("第六部分 其他需要报告的事项" → 第六部分, "表三 …" → 表三).
SPEC_PARTS: tuple[tuple[str, str], ...] = (
    (r"^Table\s*2\b", "表二"),
    (r"^Table\s*3\b", "表三"),
    (r"^Table\s*4\b", "表四"),
    (r"^Sections\b", "结构"),
    (r"2019 format", "2019版格式"),
    (r"^Cross-checks?\b", "勾稽关系"),
    (r"^Rule ids?\b", "检查规则"),
    (r"^The statutory annual report", "说明"),
    (r"^政府信息公开工作年度报告编写指南", "说明"),
)
_CJK_START = re.compile(r"^[\u4e00-\u9fff\d]")
AGENCY_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("民族和宗教事务局", "民宗局"),
    ("民族宗教事务局", "民宗局"),
    ("民族宗教局", "民宗局"),
    ("人民政府", "政府"),
)


@dataclass
class Passage:
    """One citable passage: a whole article, notice item, spec part or report section."""

    key: str  # "[条例 第三十三条]"
    document: str  # file name
    doc_id: str
    title: str
    kind: str
    locator: str
    section_path: str
    text: str
    status: str = "current"
    year: int | None = None
    agency: str | None = None
    score: float = 0.0  # retrieval score of its best chunk
    rank: int = 0  # 1-based retrieval rank of its best chunk
    chunk_ids: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"《{self.title}》{self.section_path}"


# --------------------------------------------------------------------------- keys


def short_agency(agency: str) -> str:
    for long, short in AGENCY_ABBREVIATIONS:
        agency = agency.replace(long, short)
    return agency


def _plain_title(title: str) -> str:
    title = re.sub(r"[（(][^（()）]*[)）]\s*$", "", title.strip())
    return title.replace("中华人民共和国", "").strip("《》 ")


def document_name(kind: str, title: str, *, agency: str | None, year: int | None, status: str) -> str:
    """The document part of a key: 条例, 2007条例, 上海市民宗局2022年政务公开工作要点, 年报格式 …"""
    if kind == "regulation":
        for needle, short in REGULATION_SHORT_NAMES:
            if needle in title:
                return f"{year}{short}" if status == "superseded" and year else short
        return _plain_title(title)
    if kind == "spec":
        return next((short for needle, short in SPEC_SHORT_NAMES if needle in title), SPEC_DOC_NAME)
    who = short_agency(agency) if agency else ""
    if kind == "work_points":
        return f"{who}{year}年政务公开工作要点" if who and year else _plain_title(title)
    if kind == "annual_report":
        return f"{who}{year}年报" if who and year else _plain_title(title)
    if kind == "implementation_report":
        return f"{who}{year}年落实情况报告" if who and year else _plain_title(title)
    return _plain_title(title)


def place_name(kind: str, locator: str, section_path: str) -> str:
    """The place part of a key: 第三十三条, 三（二）, 表三, 导语 …"""
    if kind == "spec":
        heading = section_path.split(" > ")[-1].strip()
        for pattern, name in SPEC_PARTS:
            if re.search(pattern, heading):
                return name
        if _CJK_START.match(heading):
            return heading.split()[0][:20]
        return heading[:20] or "导语"
    if locator:
        return locator
    if kind == "regulation":
        return "题注"
    last = section_path.split(" > ")[-1].strip()
    return "导语" if last in ("", "标题与导语", "导语") else last[:16]


def base_key(p: Passage) -> str:
    name = document_name(p.kind, p.title, agency=p.agency, year=p.year, status=p.status)
    return f"[{name} {place_name(p.kind, p.locator, p.section_path)}]"


# --------------------------------------------------------------------------- passages from hits


def keyed_passages(hits: Sequence[Hit]) -> list[Passage]:
    """Hits (best first) → passages (best first): chunks of the same place merged, whole articles
    restored where the source can be read, one unique key each."""
    groups: dict[tuple[str, str, str], Passage] = {}
    for rank, hit in enumerate(hits, 1):
        gid = (hit.doc_id, hit.section_path, hit.locator)
        p = groups.get(gid)
        if p is None:
            groups[gid] = _passage(hit, rank)
        else:
            p.chunk_ids.append(hit.id)
            if hit.text not in p.text:
                p.text = _merge(p.text, hit.text)
    passages = list(groups.values())
    _assign_keys(passages)
    return passages


def _passage(hit: Hit, rank: int) -> Passage:
    full = full_text(hit)
    return Passage(
        key="",
        document=hit.document,
        doc_id=hit.doc_id,
        title=hit.title,
        kind=hit.kind,
        locator=hit.locator,
        section_path=hit.section_path,
        text=full or hit.text,
        status=hit.status,
        year=hit.year,
        agency=hit.agency,
        score=hit.score,
        rank=rank,
        chunk_ids=[hit.id],
    )


def _merge(a: str, b: str) -> str:
    """Two parts of one piece (cut with an overlap): join them without repeating the overlap."""
    for n in range(min(len(a), len(b)), 10, -1):
        if a.endswith(b[:n]):
            return a + b[n:]
        if b.endswith(a[:n]):
            return b + a[n:]
    return f"{a}\n……\n{b}"


def _assign_keys(passages: list[Passage]) -> None:
    used: dict[str, int] = {}
    for p in passages:
        key = base_key(p)
        n = used.get(key, 0) + 1
        used[key] = n
        p.key = key if n == 1 else f"{key[:-1]}（{n}）]"


# --------------------------------------------------------------------------- whole pieces


_WS = re.compile(r"\s+")


def full_text(hit: Hit) -> str | None:
    """The whole article / item / part the chunk belongs to, read from its source file; None
    when the file cannot be read, the piece is not found or is longer than MAX_EXPANDED_CHARS."""
    path = _source_path(hit.doc_id)
    if path is None:
        return None
    try:
        pieces = pieces_of(str(path), hit.kind, path.stat().st_mtime_ns)
    except Exception:  # an unreadable source only means the chunk text is used as it is
        return None
    probe = _WS.sub("", hit.text)[:40]
    for section_path, locator, text in pieces:
        if section_path == hit.section_path and locator == hit.locator and probe in _WS.sub("", text):
            return text if len(text) <= MAX_EXPANDED_CHARS else None
    return None


def _source_path(doc_id: str) -> Path | None:
    from agent.corpus.meta import BUNDLED_PREFIX, corpus_root

    bundled = doc_id.startswith(BUNDLED_PREFIX)
    path = corpus_root() / doc_id[len(BUNDLED_PREFIX) :] if bundled else Path(doc_id)
    return path if path.is_file() else None


@functools.lru_cache(maxsize=64)
def pieces_of(path: str, kind: str, _mtime: int) -> tuple[tuple[str, str, str], ...]:
    """(section path, locator, text) of every piece, cut as agent.corpus.chunking cuts the document."""
    from agent.corpus import chunking
    from agent.corpus.meta import read_document

    text = chunking.prepare_text(read_document(Path(path)), pdf=path.lower().endswith(".pdf"))
    if kind == "annual_report":
        pieces = chunking.report_pieces(text)
    elif kind == "work_points":
        pieces = chunking.notice_pieces(text)
    elif kind == "regulation":
        pieces = chunking.article_pieces(text)
    elif kind == "spec":
        pieces = chunking.markdown_pieces(text) or chunking.heading_pieces(text)
    else:
        pieces = chunking.heading_pieces(text)
    return tuple((p.path, p.locator, p.text.strip()) for p in pieces)


# --------------------------------------------------------------------------- the check


_BRACKETED = re.compile(r"[\[［]([^\[\]［］\n]{1,80})[\]］]")
_LENTICULAR = re.compile(r"【([^【】\n]{1,80})】")
_SUB_PLACE = re.compile(rf"^(?:第[{CN_DIGITS}]+[款项目])+$|^[（(][{CN_DIGITS}]+[)）]$")
_ARTICLE_LIKE = re.compile(rf"第[{CN_DIGITS}\d]+条")
_SEPARATORS = re.compile(r"[、，,;；]")


@dataclass
class CitationCheck:
    """The answer with valid citations in canonical form and invalid ones removed."""

    text: str
    valid: list[str]  # keys cited, in the order of the passages (best first)
    rejected: list[str]  # the invalid citations as written, in order of appearance


def normalize_key(text: str) -> str:
    text = text.strip().strip("[]［］【】")
    text = text.replace("(", "（").replace(")", "）")
    return _WS.sub("", text)


def _doc_prefix(key: str) -> str:
    inner = key.strip("[]")
    return inner.rsplit(" ", 1)[0] if " " in inner else ""


def resolve(cited: str, passages: Sequence[Passage]) -> list[str] | None:
    """The keys a citation names (one, or several for ``[条例 第三十条、第三十三条]``); None when
    any part of it names no passage of this question."""
    by_norm = {normalize_key(p.key): p.key for p in passages}
    whole = _match(normalize_key(cited), by_norm)
    if whole is not None:
        return [whole]
    parts = [s for s in _SEPARATORS.split(cited.strip()) if s.strip()]
    if not parts:
        return None
    first = normalize_key(parts[0])
    prefix = next((normalize_key(_doc_prefix(k)) for n, k in by_norm.items() if first.startswith(n)), "")
    keys: list[str] = []
    for i, part in enumerate(parts):
        norm = normalize_key(part)
        if i and prefix and not norm.startswith(prefix):
            norm = prefix + norm
        key = _match(norm, by_norm)
        if key is None:
            return None
        if key not in keys:
            keys.append(key)
    return keys


def _match(norm: str, by_norm: dict[str, str]) -> str | None:
    if norm in by_norm:
        return by_norm[norm]
    for n, key in sorted(by_norm.items(), key=lambda kv: -len(kv[0])):
        if norm.startswith(n) and _SUB_PLACE.match(norm[len(n) :]):
            return key  # [条例 第三十三条第二款] → [条例 第三十三条]
    return None


def looks_like_citation(inner: str, passages: Sequence[Passage]) -> bool:
    """Is 【…】 meant as a citation (it names an article or a known document), or emphasis?"""
    norm = normalize_key(inner)
    prefixes = {normalize_key(_doc_prefix(p.key)) for p in passages} | {s for _, s in REGULATION_SHORT_NAMES}
    prefixes |= {SPEC_DOC_NAME} | {s for _, s in SPEC_SHORT_NAMES}
    return bool(_ARTICLE_LIKE.search(norm)) or any(norm.startswith(x) for x in prefixes if x)


def check_citations(answer: str, passages: Sequence[Passage]) -> CitationCheck:
    """Keep the citations that name passages retrieved for this question; drop and report the rest."""
    rank = {p.key: i for i, p in enumerate(passages)}
    cited: set[str] = set()
    rejected: list[str] = []

    def replace(m: re.Match[str]) -> str:
        keys = resolve(m.group(1), passages)
        if keys is None:
            rejected.append(m.group(0))
            return ""
        cited.update(keys)
        return "".join(keys)

    def replace_lenticular(m: re.Match[str]) -> str:
        if resolve(m.group(1), passages) is None and not looks_like_citation(m.group(1), passages):
            return m.group(0)  # emphasis, not a citation
        return replace(m)

    text = _BRACKETED.sub(replace, answer)
    text = _LENTICULAR.sub(replace_lenticular, text)
    text = re.sub(r"[ \t]+([，。；：！？])", r"\1", text).strip()
    valid = sorted(cited, key=lambda k: rank[k])
    return CitationCheck(text=text, valid=valid, rejected=rejected)


def extract_citations(answer: str) -> list[str]:
    """Every ``[…]`` in an answer, as written (for display and tests)."""
    return [m.group(0) for m in _BRACKETED.finditer(answer)]


def passage_index(passages: Sequence[Passage]) -> dict[str, Passage]:
    return {p.key: p for p in passages}


def describe(p: Passage) -> dict[str, Any]:
    return {"key": p.key, "document": p.document, "locator": p.locator, "title": p.title}
