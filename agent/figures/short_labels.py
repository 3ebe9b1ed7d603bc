"""Row labels as clerks write them: short forms, with or without their group, and suggestions
that keep the meaning.

``本年新收``, ``上年结转``, ``部分公开``, ``结转下年度``, ``本机关不掌握`` … name one official row
each: a label is matched when it is the start of exactly one row's words (enumerators such as
``（二）`` and notes in brackets such as ``（区分处理的，只计这一情形，不计其他情形）`` ignored), or
failing that when it occurs inside exactly one. A group may be given before the row:
``无法提供/本机关不掌握相关政府信息``, ``（四）无法提供 本机关不掌握``. A label that fits several rows
is not guessed: the reader lists them.

Suggestions for a label that matches nothing (``是否应为…？``) compare the words only, never the
enumerators or bracketed notes, so ``部份公开`` is offered ``（二）部分公开…`` and not ``（一）予以公开``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from agent.report.labels import core_label, normalize_label

_NOTE = re.compile(r"（[^（）]*）")  # bracketed notes; the row's enumerator is removed first
_ENUM = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")
_GROUP_SEP = re.compile(r"^(.+?)\s*(?:[/／\\>＞|｜·]|\s)\s*(.+)$")


def words(label: str) -> str:
    """The words of a label: normalized, without enumerators (also inner ones) or bracketed notes."""
    text = normalize_label(label)
    text = _ENUM.sub("", text)
    text = _NOTE.sub("", text)
    return _ENUM.sub("", text)


@dataclass(frozen=True)
class Row:
    key: str
    label: str  # the row's own label (its words are matched)
    group: str | None = None  # the words of its group (e.g. 无法提供), if any
    shown: str = ""  # as printed in messages (default: the label)

    @property
    def name(self) -> str:
        return self.shown or self.label


@dataclass
class Match:
    key: str | None
    candidates: tuple[str, ...] = ()  # labels, when the text fits several rows


class ShortLabels:
    """Finds the one official row a short or partial label names."""

    def __init__(self, rows: Iterable[Row]):
        self.rows = list(rows)
        self.groups = {r.group for r in self.rows if r.group}

    def _split(self, text: str, within: str | None = None) -> tuple[str | None, str]:
        """(group words, row words): a known group written before the row (``无法提供/本机关不掌握``,
        ``（四）无法提供 本机关不掌握``, ``无法提供本机关不掌握``), else ``within`` and the words."""
        flat = re.sub(r"\s+", " ", text).strip()
        m = _GROUP_SEP.match(flat)
        if m and words(m.group(1)) in self.groups and words(m.group(2)):
            return words(m.group(1)), words(m.group(2))
        w = words(flat)
        for g in sorted(self.groups, key=len, reverse=True):
            rest = w[len(g) :]
            if (
                w.startswith(g)
                and rest
                and any(r.group == g and words(r.label).startswith(rest) for r in self.rows)
            ):
                return g, rest
        return within, w

    def match(self, text: str, within: str | None = None) -> Match:
        """The row ``text`` names; ``within``: the words of the group it is written under."""
        group, w = self._split(text, within)
        if not w:
            return Match(None)
        pool = [r for r in self.rows if group is None or r.group == group]
        for test in (
            lambda r: words(r.label) == w,
            lambda r: words(r.label).startswith(w),
            lambda r: len(w) >= 2 and w in words(r.label),
        ):
            found = [r for r in pool if test(r)]
            if len(found) == 1:
                return Match(found[0].key)
            if len(found) > 1:
                return Match(None, tuple(r.name for r in found))
        return Match(None)

    def suggest(self, text: str, within: str | None = None) -> Row | None:
        """The row whose words are closest to the text's words, if any is close (among the rows
        of group ``within`` when the text is written under one)."""
        group, w = self._split(text, within)
        pool = [r for r in self.rows if group is None or r.group == group] or self.rows
        forms = {words(r.label): r for r in pool}
        close = difflib.get_close_matches(w, list(forms), n=1, cutoff=0.5)
        if close:
            return forms[close[0]]
        full = {core_label(r.label): r for r in pool}
        close = difflib.get_close_matches(core_label(text), list(full), n=1, cutoff=0.5)
        return full[close[0]] if close else None
