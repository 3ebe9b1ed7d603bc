"""Find the six sections of an annual report by their headings.

A heading is a short line ``X、…`` (X a Chinese numeral; markdown ``#`` and ``**`` allowed)
whose words identify one of the official sections (labels.SECTIONS keywords). Table labels
such as ``一、本年新收政府信息公开申请数量`` carry none of those words and are not headings.

Text saved by a web crawler may hold the whole report on one line: a heading is then also found
in the middle of a line when it is the official heading (or a known variant) with the right
numeral and is not an item of a list (``…质效。二、主动公开政府信息情况 第二十条…``,
``…32.52元三、收到和处理政府信息公开申请情况…``). Every line is looked at once: linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.report.labels import CN_DIGITS, SECTIONS, SectionSpec
from agent.report.model import Section

_HEADING_RE = re.compile(
    rf"^\s*(?:#{{1,6}}\s*)?(?:\*\*)?\s*([{CN_DIGITS}])\s*[、.．,，]\s*(?:\*\*)?\s*(\S[^|\t]{{0,40}}?)\s*(?:\*\*)?\s*$"
)
_PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)
# the official headings and the variants real reports print, for headings inside a line
_INLINE_TITLES = {
    "overview": r"总体情况",
    "proactive": r"主动公开政府信息(?:的)?情况",
    "requests": r"收到和处理政府信息公开申请(?:的)?情况",
    "review": r"(?:因)?政府信息公开(?:工作)?(?:被申请)?行政法?复议、?(?:提起)?行政诉讼(?:的)?情况",
    "problems": r"(?:政府信息公开工作)?存在的主要问题(?:及|和)改进情况",
    "other": r"其他需要报告的事项",
}
_INLINE_RE = re.compile(
    r"(?<![第至和及与、])([一二三四五六])\s*[、.．]\s*("
    + "|".join(f"(?P<{k}>{v})" for k, v in _INLINE_TITLES.items())
    + r")(?![、；，,;])"
)
_SPEC = {s.key: s for s in SECTIONS}


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


@dataclass(frozen=True)
class _Cut:
    line: int  # 0-based
    start: int  # heading span in the line
    end: int
    spec: SectionSpec
    heading: str


def _inline_cuts(i: int, line: str) -> list[_Cut]:
    out = []
    for m in _INLINE_RE.finditer(line):
        key = next((k for k, v in m.groupdict().items() if v), None)
        if key is None or _SPEC[key].number != m.group(1):
            continue
        out.append(_Cut(i, m.start(), m.end(), _SPEC[key], f"{m.group(1)}、{m.group(2)}"))
    return out


def find_cuts(lines: list[str]) -> tuple[list[_Cut], list[str]]:
    """Headings in document order (first of each section) and the keys of repeated sections."""
    cuts: list[_Cut] = []
    seen: set[str] = set()
    repeated: list[str] = []
    for i, line in enumerate(lines):
        hit = match_heading(line)
        found = (
            [_Cut(i, 0, len(line), hit[0], hit[2])] if hit else _inline_cuts(i, line) if line.strip() else []
        )
        for cut in found:
            if cut.spec.key in seen:
                if cut.spec.key not in repeated:
                    repeated.append(cut.spec.key)
                continue
            seen.add(cut.spec.key)
            cuts.append(cut)
    return cuts, repeated


def _between(lines: list[str], a: tuple[int, int], b: tuple[int, int]) -> str:
    """Text from (line, column) ``a`` up to ``b``."""
    (la, ca), (lb, cb) = a, b
    if la == lb:
        return lines[la][ca:cb]
    parts = [lines[la][ca:], *lines[la + 1 : lb], lines[lb][:cb] if lb < len(lines) else ""]
    return "\n".join(parts)


def split_report(text: str) -> tuple[str, list[Section]]:
    """(preamble, sections in document order). The first heading of each section wins."""
    preamble, sections, _ = split_sections(clean_lines(text))
    return preamble, sections


def split_sections(lines: list[str]) -> tuple[str, list[Section], list[str]]:
    cuts, repeated = find_cuts(lines)
    if not cuts:
        return "\n".join(lines), [], repeated
    end = (len(lines) - 1, len(lines[-1]) if lines else 0)
    preamble = _between(lines, (0, 0), (cuts[0].line, cuts[0].start))
    sections: list[Section] = []
    for n, cut in enumerate(cuts):
        stop = (cuts[n + 1].line, cuts[n + 1].start) if n + 1 < len(cuts) else end
        body = _between(lines, (cut.line, cut.end), stop)
        # a body that starts on the heading's line starts on that line; otherwise on the next
        first = cut.line if cut.end < len(lines[cut.line]) else cut.line + 1
        body = body if first == cut.line else body.split("\n", 1)[1] if "\n" in body else ""
        sections.append(
            Section(
                key=cut.spec.key,
                heading=cut.heading,
                text=body.strip("\n"),
                line=cut.line + 1,
                body_line=first + 1 + _leading_newlines(body),
            )
        )
    return preamble, sections, repeated


def _leading_newlines(body: str) -> int:
    return len(body) - len(body.lstrip("\n"))
