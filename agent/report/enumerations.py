"""ENUM-GAP: enumerations that skip or repeat a step (一是/二是…, （一）（二）…, （1）（2）…, 1. 2. …).

Markers are found at the start of a line (after markdown ``#``, ``**``, ``>``, list dashes) and,
for text whose line breaks were lost, after the end of a sentence. Full-width and half-width
brackets are the same marker. A new part (a （N） marker) starts new 一是… and 1. … runs, and any
run may restart at its first step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from agent.report.model import AnnualReport, Finding, Section, make_finding

_CN = "一二三四五六七八九十"
_PREFIX_RE = re.compile(r"^\s*(?:(?:#{1,6}|\*\*|>|[-*•])\s*)*")
_START = r"(?:^|(?<=[。；！？!?：:]))\s*"
_PAREN_RE = re.compile(_START + rf"[（(]\s*([{_CN}]{{1,2}})\s*[）)]")
# （1）… also in the middle of a sentence (一是推进信息公开（1）加强…), never 第（1）项 or a note
_PAREN_ARABIC_RE = re.compile(r"(?<![第条款项\d])[（(]\s*(\d{1,2})\s*[）)](?![项条款])")
_ARABIC_RE = re.compile(r"^(\d{1,2})\s*[、.．](?!\d)")
_SHI_RE = re.compile(rf"(?:^|(?<=[。；：:，,！？\s）)]))([{_CN}]{{1,2}})是")
_CN_VALUE = {c: i for i, c in enumerate(_CN, 1)}
_SECTIONS = ("overview", "problems", "other")


def cn_number(text: str) -> int:
    if len(text) == 1:
        return _CN_VALUE[text]
    if text[0] == "十":
        return 10 + _CN_VALUE[text[1]]
    return _CN_VALUE[text[0]] * 10 + (_CN_VALUE[text[1]] if text[1] != "十" else 0)


def cn_numeral(n: int) -> str:
    if n <= 10:
        return _CN[n - 1]
    return ("十" if n < 20 else _CN[n // 10 - 1] + "十") + (_CN[n % 10 - 1] if n % 10 else "")


@dataclass(frozen=True)
class Marker:
    kind: str  # paren (（一）), paren_arabic (（1）), arabic (1.), shi (一是)
    value: int
    shown: str
    line: int
    quote: str = ""


def _shown(kind: str, n: int) -> str:
    return {
        "paren": f"（{cn_numeral(n)}）",
        "paren_arabic": f"（{n}）",
        "arabic": f"{n}.",
        "shi": f"{cn_numeral(n)}是",
    }[kind]


def section_markers(section: Section) -> list[Marker]:
    """Every marker of the section's text, in order."""
    out: list[Marker] = []
    for i, raw in enumerate(section.text.split("\n")):
        if "|" in raw or "\t" in raw:
            continue
        line_no = section.first_line + i
        line = _PREFIX_RE.sub("", raw, count=1)
        found: list[tuple[int, Marker]] = []
        for m in _PAREN_RE.finditer(line):
            found.append(
                (m.start(1) - 1, Marker("paren", cn_number(m.group(1)), f"（{m.group(1)}）", line_no))
            )
        for m in _PAREN_ARABIC_RE.finditer(line):
            found.append(
                (m.start(1) - 1, Marker("paren_arabic", int(m.group(1)), f"（{m.group(1)}）", line_no))
            )
        if lead := _ARABIC_RE.match(line):
            found.append((0, Marker("arabic", int(lead.group(1)), f"{lead.group(1)}.", line_no)))
        for m in _SHI_RE.finditer(line):
            found.append((m.start(1), Marker("shi", cn_number(m.group(1)), f"{m.group(1)}是", line_no)))
        out += [_quoted(mk, line, at) for at, mk in sorted(found, key=lambda x: x[0])]
    return out


def _quoted(mk: Marker, line: int | str, at: int) -> Marker:
    text = str(line)[max(0, at) :]
    text = re.split(r"(?<=[。；])", text, maxsplit=1)[0]
    text = text if len(text) <= 40 else text[:38] + "……"
    return Marker(mk.kind, mk.value, mk.shown, mk.line, text)


def _gaps(markers: Iterable[Marker]) -> list[tuple[int, Marker]]:
    """(expected value, marker) for each step that is neither the next one nor a restart at 1.

    A （N） marker opens a new part: the 一是, （1） and 1. runs inside it start again.
    """
    prev: dict[str, int] = {}
    out: list[tuple[int, Marker]] = []
    for mk in markers:
        if mk.kind == "paren":
            for kind in ("shi", "paren_arabic", "arabic"):
                prev[kind] = 0
        elif mk.kind == "paren_arabic":
            prev["arabic"] = 0
        last = prev.get(mk.kind, 0)
        if mk.value not in (1, last + 1):
            out.append((last + 1, mk))
        prev[mk.kind] = mk.value
    return out


def check_enumerations(report: AnnualReport) -> list[Finding]:
    out: list[Finding] = []
    for s in report.sections:
        if s.key not in _SECTIONS:
            continue
        for expected, mk in _gaps(section_markers(s)):
            what = "跳号" if mk.value > expected else "重复或倒序"
            out.append(
                make_finding(
                    "ENUM-GAP",
                    f"“{mk.shown}”前应为“{_shown(mk.kind, expected)}”（{what}）：“{mk.quote}”",
                    f"{s.heading} 第{mk.line}行",
                    s.key,
                )
            )
    return out
