"""LLM mode: check what each sentence of the model's answer says, not only its keys.

The reply is cut into sentences (a citation written after the full stop belongs to the sentence
before it). A sentence is kept only when

1. it carries at least one citation, and every citation in it names a passage retrieved for
   this question (agent.ask.citations.resolve) — a sentence with an invalid citation is removed
   with it, since what it says rests on a passage nobody can check;
2. every number in it — time limits (20个工作日、十五日、六个月), amounts (元、万元), dates
   (1月31日), counts, percentages — appears in one of the passages it cites (Chinese numerals
   and digits compared as numbers: “十五日” matches “15日”).

A sentence that only says “语料中未找到依据” needs no citation. Removed sentences are reported with
the reason; an answer left with no sentence becomes the refusal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from agent.ask.citations import REFUSAL, Passage, looks_like_citation, resolve

_SENT = re.compile(r"[^。！？；!?\n]+(?:[。！？；!?]+|\n|$)")
_CITE = re.compile(r"[\[［]([^\[\]［］\n]{1,80})[\]］]|【([^【】\n]{1,80})】")
_CN = "零〇一二两三四五六七八九十百千万"
_NUMBER = rf"(?:\d+(?:\.\d+)?|[{_CN}]+)"
_UNIT_ALT = "个工作日|工作日|个月|个小时|小时|万元|日|天|周|年|月|元|件|次|%|％|倍|人|名|项|页"
_UNITS = f"(?:{_UNIT_ALT})"
CLAIM = re.compile(rf"{_NUMBER}\s*{_UNITS}|{_NUMBER}\s*月\s*{_NUMBER}\s*日")
_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_MULT = {"十": 10, "百": 100, "千": 1000, "万": 10000}


@dataclass
class Removed:
    sentence: str
    reason: str


@dataclass
class Verified:
    text: str  # the kept sentences, citations in canonical form
    keys: list[str]  # passages cited by kept sentences, best first
    rejected: list[str] = field(default_factory=list)  # invalid citations, as written
    removed: list[Removed] = field(default_factory=list)


def cn_number(text: str) -> int | None:
    """二十 → 20, 十五 → 15, 一百零二 → 102, 六 → 6; None for anything else."""
    if not text or any(ch not in _DIGITS and ch not in _MULT for ch in text):
        return None
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            mult = _MULT[ch]
            if mult == 10000:
                total += (section + digit) * mult
                section = 0
            else:
                section += (digit or 1) * mult
            digit = 0
    return total + section + digit


def _arabic(text: str) -> str:
    """Chinese numerals before a unit → digits; full-width → half-width; no spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(
        rf"[{_CN}]+(?=\s*(?:{_UNIT_ALT}))", lambda m: str(cn_number(m.group(0)) or m.group(0)), text
    )
    return re.sub(r"\s+", "", text)


def claims(sentence: str) -> list[str]:
    """The numbers with their units in a sentence, normalised (“十五日” → “15日”)."""
    plain = _CITE.sub("", sentence)
    out = []
    for m in CLAIM.finditer(plain):
        out.append(_arabic(m.group(0)).replace("个工作日", "工作日").replace("个月", "月"))
    return out


def _supported(claim: str, passages: Sequence[Passage]) -> bool:
    for p in passages:
        text = _arabic(p.text).replace("个工作日", "工作日").replace("个月", "月")
        if claim in text:
            return True
    return False


def sentences(text: str) -> list[str]:
    """Sentences of the reply; a fragment that is only citations joins the sentence before."""
    out: list[str] = []
    for m in _SENT.finditer(text):
        s = m.group(0)
        if not s.strip():
            continue
        if out and not _CITE.sub("", s).strip(" \t\n。，；、"):
            out[-1] = out[-1].rstrip("\n") + s.strip()
            continue
        out.append(s)
    return out


def verify(answer: str, passages: Sequence[Passage]) -> Verified:
    """Keep the sentences whose citations are valid and whose numbers their passages contain."""
    rank = {p.key: i for i, p in enumerate(passages)}
    by_key = {p.key: p for p in passages}
    kept: list[str] = []
    keys: set[str] = set()
    result = Verified("", [])
    for sent in sentences(answer):
        cited, bad = _citations(sent, passages)
        plain = _CITE.sub("", sent).strip()
        if bad:
            result.rejected += bad
            result.removed.append(Removed(plain, f"引用无法核实：{'、'.join(bad)}"))
            continue
        if not cited:
            if REFUSAL in sent:
                kept.append(sent)
            elif plain.strip("。，；、 "):
                result.removed.append(Removed(plain, "没有标注依据"))
            continue
        missing = [c for c in claims(sent) if not _supported(c, [by_key[k] for k in cited])]
        if missing:
            result.removed.append(Removed(plain, f"“{'、'.join(missing)}”在所引段落中找不到"))
            continue
        kept.append(_canonical(sent, passages))
        keys.update(cited)
    result.text = "".join(kept).strip()
    result.keys = sorted(keys, key=lambda k: rank[k])
    return result


def _citations(sentence: str, passages: Sequence[Passage]) -> tuple[list[str], list[str]]:
    """(keys named by valid citations, invalid citations as written)."""
    valid: list[str] = []
    bad: list[str] = []
    for m in _CITE.finditer(sentence):
        inner = m.group(1) or m.group(2)
        if m.group(2) and resolve(inner, passages) is None and not looks_like_citation(inner, passages):
            continue  # 【…】 used for emphasis or a quote
        keys = resolve(inner, passages)
        if keys is None:
            bad.append(m.group(0))
        else:
            valid += [k for k in keys if k not in valid]
    return valid, bad


def _canonical(sentence: str, passages: Sequence[Passage]) -> str:
    def repl(m: re.Match[str]) -> str:
        inner = m.group(1) or m.group(2)
        keys = resolve(inner, passages)
        return "".join(keys) if keys else m.group(0)

    text = _CITE.sub(repl, sentence)
    return re.sub(r"[ \t]+([，。；：！？])", r"\1", text)
