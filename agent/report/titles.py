"""The report's title (agency and year), wherever the document puts it.

In order: a title line (up to three lines joined, ending in a report word); a title inside the
first lines when site chrome or the opening sentence shares its line (``…政府信息公开年报
平潭综合实验区2021年度政府信息公开工作年度报告 来源：…``), never a document named inside
《》; a crawler's ``标题:`` metadata line.
"""

from __future__ import annotations

import re

from agent.report.labels import REPORT_TITLE_SUFFIX

_TRAILING_META_RE = re.compile(r"\s*(发布时间|发布日期|来源)[:：].*$")
_META_RE = re.compile(
    r"^\s*(索引号|文号|公开方式|公开日期|发布单位|发布机构|主题分类|发布时间|来源|正文|标题)\s*[:：|]?"
)
_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
_TITLE_WORDS = ("年度报告", "年报", "工作报告", "落实情况", "工作要点")
_AGENCY_STRIP_RE = re.compile(r"(关于)?((?:19|20)\d{2})\s*年(度)?")


def find_title(preamble_lines: list[str]) -> str | None:
    """The title: the first lines (up to three, joined) ending in a report word."""
    lines = [ln.strip().lstrip("#").strip().strip("*").strip() for ln in preamble_lines if ln.strip()]
    lines = [ln for ln in lines if not _META_RE.match(ln)][:6]
    for i in range(len(lines)):
        joined = ""
        for j in range(i, min(i + 3, len(lines))):
            joined += lines[j]
            if any(w in joined for w in _TITLE_WORDS) and len(joined) <= 80:
                joined = _TRAILING_META_RE.sub("", joined)
                return re.sub(r"\s+", "", joined) if _looks_like_title(joined) else None
    return None


def _looks_like_title(text: str) -> bool:
    return not text.rstrip().endswith(("。", "；")) and ("报告" in text or "要点" in text)


def agency_from_title(title: str) -> str | None:
    """'洛阳市民族宗教事务局2020年政府信息公开工作年度报告' → '洛阳市民族宗教事务局'."""
    text = title.replace(REPORT_TITLE_SUFFIX, "")
    text = re.sub(r"(政务公开|政府信息公开).*$", "", text)
    text = _AGENCY_STRIP_RE.sub("", text)
    text = re.sub(r"(关于|的)$", "", text).strip(" ：:，,")
    return text or None


def year_from_title(title: str) -> int | None:
    m = _YEAR_RE.search(title)
    return int(m.group(1)) if m else None


def metadata_agency(preamble: str) -> str | None:
    """发布单位/发布机构 from a metadata header (seed 004)."""
    m = re.search(r"(?:发布单位|发布机构)[ \t]*[:：]?[ \t]*\|?[ \t]*([^|\s]+)", preamble)
    return m.group(1) if m else None


_INLINE_TITLE_RE = re.compile(
    r"(?<![^\s：:>，。])([^\s《》“”\"：:，。；]{2,40}?(?:19|20)\d{2}\s*年度?\s*(?:政府信息公开工作年度报告|政府信息公开年度报告|政务公开工作年度报告))"
)
_META_TITLE_RE = re.compile(r"^\s*标题\s*[:：]\s*(\S.*?)\s*$")


def find_title_anywhere(preamble_lines: list[str]) -> str | None:
    """A title line; else a title inside the first lines; else the crawler's 标题: line."""
    found = find_title(preamble_lines)
    if found and year_from_title(found):
        return found
    head = "\n".join(preamble_lines[:40])[:4000]
    for m in _INLINE_TITLE_RE.finditer(head):
        before = head[: m.start()]
        if before.count("《") > before.count("》") or _META_TITLE_RE.match(
            head[head.rfind("\n", 0, m.start()) + 1 :]
        ):
            continue  # a document named in the text, or the metadata line (below)
        return re.sub(r"\s+", "", m.group(1))
    for line in preamble_lines[:20]:
        if meta := _META_TITLE_RE.match(line):
            return re.sub(r"\s+", "", meta.group(1))
    return found
