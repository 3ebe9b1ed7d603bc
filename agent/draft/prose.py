"""Clean prose out of a model's reply: no Markdown, no AI boilerplate, Chinese only, no headings.

:func:`strip_reply` removes what is never report text — Markdown headings, emphasis, tables,
rules, block quotes, list markers, code fences, AI disclaimers and chat framing (“以下是……：”,
“希望对您有帮助”) — and says what it removed. :func:`prose_violations` names what the model must
fix in the repair round: a sentence in another language, or the report's own section headings
(一、总体情况, （二）依申请公开情况 …) inside a part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.report.labels import SECTIONS

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$")
_MD_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$|^\s*[=]{3,}\s*$")
_MD_TABLE = re.compile(r"^\s*\|.*\|\s*$|^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)+\|?\s*$")
_MD_QUOTE = re.compile(r"^\s*>+\s?")
_MD_LIST = re.compile(r"^\s*(?:[-*+•●]|\d{1,2}[.)])\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![*\w])\*(?!\s)([^*\n]+?)\*(?!\*)|`([^`\n]+)`")
_FENCE = re.compile(r"^\s*(```|~~~).*$")
_DISCLAIMER = re.compile(
    r"(?:以上|上述|本)(?:内容|段落|文字|回答|报告)?[^。\n]{0,10}(?:由|为|系)?\s*(?:AI|ＡＩ|人工智能|大模型|模型|机器)[^。\n]{0,6}生成"
    r"|仅供参考|AI\s*生成|作为(?:一个)?(?:AI|人工智能|语言模型|大模型|AI助手)"
    r"|希望(?:以上|这些|这段)?(?:内容)?(?:对您|能对您|能)(?:有所)?帮助|如(?:需|有需要)(?:进一步)?(?:修改|调整|补充|润色)"
    r"|请根据(?:贵单位|实际)?(?:实际)?情况(?:进行)?(?:修改|调整|补充|核实)|请(?:您)?核实(?:后使用)?"
    r"|以下是[^。\n]{0,40}[:：]\s*$|^[^。\n]{0,30}(?:如下|参考)[:：]\s*$|^好的[，,。！!]?|^当然[，,。！!]",
    re.I,
)
_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+|$)")
_LATIN = re.compile(r"[A-Za-z]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SUBHEADINGS = (
    "主动公开情况",
    "依申请公开情况",
    "政府信息管理情况",
    "政府信息公开平台建设情况",
    "监督保障情况",
    "其他工作情况",
    "上年度问题整改情况",
    "存在的主要问题",
    "改进措施",
    "其他需要报告的事项",
)
_HEADING_IN_TEXT = re.compile(
    "|".join(
        [re.escape(s.heading) for s in SECTIONS]
        + [rf"[（(][一二三四五六七八九十]+[)）]\s*{re.escape(t)}" for t in _SUBHEADINGS]
        + [rf"[一二三四五六]、\s*{re.escape(s.heading.split('、', 1)[1][:4])}" for s in SECTIONS]
    )
)


@dataclass
class Stripped:
    text: str
    removed: list[str] = field(default_factory=list)  # what was taken out, as written


def _drop_disclaimers(line: str, removed: list[str]) -> str:
    """Sentences of a line that are AI boilerplate, dropped."""
    kept = []
    for sent in _SENTENCE.findall(line):
        if not sent:
            continue
        if _DISCLAIMER.search(sent.strip()):
            removed.append(sent.strip())
        else:
            kept.append(sent)
    return "".join(kept)


def strip_reply(text: str) -> Stripped:
    """The reply as plain paragraphs; everything removed is listed."""
    removed: list[str] = []
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw
        for pattern in (_FENCE, _MD_RULE, _MD_TABLE):
            if pattern.match(line):
                removed.append(line.strip())
                line = ""
                break
        if not line:
            lines.append("")
            continue
        if _MD_HEADING.match(line):
            removed.append(line.strip())
            lines.append("")
            continue
        if _MD_QUOTE.match(line):
            removed.append(line.strip())
            line = _MD_QUOTE.sub("", line)
        line = _MD_LIST.sub("", line)
        emphasised = _MD_EMPHASIS.sub(lambda m: next(g for g in m.groups()[1:] if g is not None), line)
        if emphasised != line:
            removed += [m.group(0) for m in _MD_EMPHASIS.finditer(line)]
            line = emphasised
        lines.append(_drop_disclaimers(line, removed))
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(ln.strip() for ln in lines)).strip()
    return Stripped(_join_list_lines(out), [r for r in removed if r])


def _join_list_lines(text: str) -> str:
    """Lines that were list items become one paragraph (each ends with 。/；)."""
    paras = []
    for block in text.split("\n\n"):
        parts = [p.strip() for p in block.split("\n") if p.strip()]
        joined = ""
        for p in parts:
            if joined and not joined.endswith(("。", "；", "！", "？", "：")):
                joined += "；"
            joined += p
        if joined:
            paras.append(joined)
    return "\n\n".join(paras)


def foreign_language(sentence: str) -> bool:
    """Mostly Latin letters (an English sentence), not an acronym in Chinese text (APP, 12345)."""
    latin, han = len(_LATIN.findall(sentence)), len(_HAN.findall(sentence))
    return latin >= 12 and latin > 2 * han


def headings_in(sentence: str) -> list[str]:
    return [m.group(0) for m in _HEADING_IN_TEXT.finditer(sentence)]


def remove_headings(sentence: str) -> str:
    return _HEADING_IN_TEXT.sub("", sentence).lstrip("：:，, ")
