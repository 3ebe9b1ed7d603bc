"""What supports a sentence of the narrative: a bullet, a figures sentence, or framing.

A sentence is cut into words (rjieba); enumerators, the agency's self-reference, framing phrases
and generic words (``prompts/framing.yaml``) are taken out; what is left is the sentence's
*substance*. A word of substance is covered when it occurs in a source (a bullet of the part or a
figures sentence written by code). The sentence is supported when most of its substance is
covered and no long run of it is uncovered; a sentence with (almost) no substance is framing.
Its numbers (any notation, :mod:`agent.draft.numerals`) must then occur in the sources that
support *this* sentence — a number equal to some unrelated table cell grounds nothing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from agent.report.numerals import Mention, mentions
from agent.resources import prompts_dir
from agent.yamlfile import load_yaml

MIN_COVERAGE = 0.6  # share of the substance's characters found in the supporting sources
MAX_UNCOVERED_RUN = 6  # characters of consecutive substance no source has
FRAMING_MAX_CHARS = 3  # a sentence with at most this much substance is framing

_ENUM = re.compile(
    r"^(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[一二三四五六七八九十]+、)"
)
_PUNCT = re.compile(r"[\s，。；：、！？,.;:!?“”‘’\"'（）()《》〈〉【】\[\]—…·-]+")


@dataclass(frozen=True)
class Source:
    """A bullet (``B3``) or a figures sentence (``F:requests``) a sentence may rest on."""

    id: str
    kind: str  # bullet | figures | notice (a work-point item an implementation report answers)
    text: str

    @functools.cached_property
    def compact(self) -> str:
        return _PUNCT.sub("", self.text)

    @functools.cached_property
    def values(self) -> set[float]:
        return {m.value for m in mentions(self.text)}

    @functools.cached_property
    def tokens(self) -> frozenset[str]:
        return frozenset(_cut()(self.text))

    def has(self, word: str) -> bool:
        """A word of two characters or more anywhere in the text; a single character as a word of it
        (无 is not covered by 无法提供)."""
        return word in self.compact if len(word) > 1 else word in self.tokens


@dataclass
class Support:
    """The verdict on one sentence."""

    sentence: str
    kind: str  # bullet | figures | framing | none
    sources: list[Source] = field(default_factory=list)
    coverage: float = 0.0
    uncovered: str = ""  # the longest uncovered run of substance
    ungrounded: list[Mention] = field(default_factory=list)  # numbers no supporting source states

    @property
    def ok(self) -> bool:
        return self.kind != "none" and not self.ungrounded

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sources": [{"id": s.id, "kind": s.kind, "text": s.text} for s in self.sources],
            "coverage": round(self.coverage, 2),
        }


@functools.cache
def _framing() -> tuple[tuple[str, ...], frozenset[str]]:
    data = load_yaml(prompts_dir() / "framing.yaml", "措辞清单") or {}
    phrases = sorted({*framing_phrases(), *(str(p) for p in data.get("phrases", []))}, key=len, reverse=True)
    return tuple(phrases), frozenset(str(w) for w in data.get("generic", []))


@functools.cache
def framing_phrases() -> tuple[str, ...]:
    """The framing list and the literal pieces of the offline phrase bank (placeholders excepted)."""
    data = load_yaml(prompts_dir() / "framing.yaml", "措辞清单") or {}
    bank = load_yaml(prompts_dir() / "offline_phrases.yaml", "措辞库") or {}
    templates: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, str):
            templates.append(value)
        elif isinstance(value, list):
            for v in value:
                collect(v)
        elif isinstance(value, dict):
            for v in value.values():
                collect(v)

    collect({k: v for k, v in bank.items() if k not in ("missing", "subheadings")})
    pieces = [p.strip("，。；：") for t in templates for p in re.split(r"\{[^}]*\}", t)]
    return tuple(str(p) for p in data.get("phrases", [])) + tuple(p for p in pieces if len(p) >= 4)


@functools.cache
def _cut() -> Any:
    import rjieba

    return rjieba.cut


def substance(sentence: str, self_names: tuple[str, ...] = ()) -> list[str]:
    """The words of a sentence that carry its facts (numbers, framing and generic words removed)."""
    phrases, generic = _framing()
    text = _ENUM.sub("", sentence.strip())
    for name in sorted(self_names, key=len, reverse=True):
        if name:
            text = text.replace(name, "，")
    for phrase in phrases:
        text = text.replace(phrase, "，")
    for m in reversed(mentions(text)):
        text = text[: m.start] + "，" + text[m.end :]
    words = []
    for w in _cut()(text):
        w = w.strip()
        if not w or _PUNCT.fullmatch(w) or w in generic or re.fullmatch(r"[\d.%％]+", w):
            words.append("")  # a break between runs
            continue
        words.append(w)
    return words


def _runs(words: list[str], covered: list[bool]) -> str:
    best, run = "", ""
    for w, c in zip(words, covered, strict=True):
        if w and not c:
            run += w
            best = run if len(run) > len(best) else best
        elif w:
            run = ""
    return best


def judge(
    sentence: str,
    sources: list[Source],
    *,
    self_names: tuple[str, ...] = (),
    free_values: frozenset[float] = frozenset(),
) -> Support:
    """Support of ``sentence`` by ``sources`` (bullets of its part, figures sentences)."""
    words = substance(sentence, self_names)
    chars = sum(len(w) for w in words)
    nums = [m for m in mentions(sentence) if m.value not in free_values]
    if chars <= FRAMING_MAX_CHARS and not nums:
        return Support(sentence, "framing", coverage=1.0)
    by_source = {s.id: sum(len(w) for w in words if w and s.has(w)) for s in sources}
    covered = [bool(w) and any(s.has(w) for s in sources) for w in words]
    got = sum(len(w) for w, c in zip(words, covered, strict=True) if c)
    coverage = got / chars if chars else 1.0
    uncovered = _runs(words, covered)
    chosen = [
        s for s in sources if by_source[s.id] and (by_source[s.id] >= 4 or by_source[s.id] >= 0.3 * got)
    ]
    chosen.sort(key=lambda s: -by_source[s.id])
    if not chosen and chars <= FRAMING_MAX_CHARS:
        chosen = [s for s in sources if any(m.value in s.values for m in nums)]
    supported = (
        coverage >= MIN_COVERAGE and len(uncovered) <= MAX_UNCOVERED_RUN
    ) or chars <= FRAMING_MAX_CHARS
    if not supported or not chosen:
        return Support(sentence, "none", chosen, coverage, uncovered, nums)
    grounded = set().union(*(s.values for s in chosen))
    ungrounded = [m for m in nums if m.value not in grounded]
    kinds = {s.kind for s in chosen}
    kind = "bullet" if "bullet" in kinds else "figures" if kinds == {"figures"} else chosen[0].kind
    return Support(sentence, kind, chosen, coverage, uncovered, ungrounded)
