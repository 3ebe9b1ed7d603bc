"""Find the six sections of an annual report by their headings.

A heading is a short line ``X、…`` (X a Chinese numeral; markdown ``#`` and ``**`` allowed)
whose words identify one of the official sections (labels.SECTIONS keywords). Table labels
such as ``一、本年新收政府信息公开申请数量`` carry none of those words and are not headings.
"""

from __future__ import annotations

import re

from agent.report.labels import CN_DIGITS, SECTIONS, SectionSpec
from agent.report.model import Section

_HEADING_RE = re.compile(
    rf"^\s*(?:#{{1,6}}\s*)?(?:\*\*)?\s*([{CN_DIGITS}])\s*[、.．,，]\s*(?:\*\*)?\s*(\S[^|\t]{{0,40}}?)\s*(?:\*\*)?\s*$"
)
_PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER_RE.match(line))


def match_heading(line: str) -> tuple[SectionSpec, str, str] | None:
    """(spec, numeral, heading text) when ``line`` is a section heading."""
    m = _HEADING_RE.match(line)
    if not m:
        return None
    numeral, title = m.group(1), m.group(2)
    if re.search(r"\d", title) or title.endswith(("。", "；", "，")):
        return None
    for spec in SECTIONS:
        if any(all(word in title for word in group) for group in spec.keywords):
            return spec, numeral, f"{numeral}、{title}"
    return None


def clean_lines(text: str) -> list[str]:
    """Lines of ``text`` with PDF page numbers blanked (kept as '' so line numbers hold)."""
    return ["" if is_page_number(line) else line.rstrip("\r") for line in text.split("\n")]


def split_report(text: str) -> tuple[str, list[Section]]:
    """(preamble, sections in document order). The first heading of each section wins."""
    lines = clean_lines(text)
    found: list[tuple[int, SectionSpec, str]] = []
    seen: set[str] = set()
    for i, line in enumerate(lines):
        hit = match_heading(line)
        if hit and hit[0].key not in seen:
            seen.add(hit[0].key)
            found.append((i, hit[0], hit[2]))
    if not found:
        return "\n".join(lines), []
    preamble = "\n".join(lines[: found[0][0]])
    sections: list[Section] = []
    for n, (i, spec, heading) in enumerate(found):
        end = found[n + 1][0] if n + 1 < len(found) else len(lines)
        body = "\n".join(lines[i + 1 : end]).strip("\n")
        sections.append(Section(key=spec.key, heading=heading, text=body, line=i + 1))
    return preamble, sections
