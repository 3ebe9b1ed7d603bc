"""Superseded rules: a quoted passage whose rule a later text changed is flagged, and the current
article is cited with it.

The table is data, ``corpus/supersessions.yaml``: every article of the 2007 条例 with the 2019
article that replaced it, and the two articles of the 2011 court rules that still carry the 2007
条例's “三需要” condition (第五条、第十二条, only where the passage says “特殊需要”). Changing
the corpus means changing the table, not the code.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agent.ask.citations import Passage, keyed_passages, pieces_of
from agent.corpus.retrieval import Hit
from agent.errors import InputError
from agent.yamlfile import load_yaml

TABLE_FILE = "supersessions.yaml"


@dataclass(frozen=True)
class Rule:
    document: str
    current_document: str
    note: str
    articles: tuple[tuple[str, str], ...]
    contains: str = ""

    def current_of(self, locator: str) -> str | None:
        return dict(self.articles).get(locator)


@dataclass
class Supersession:
    passage: Passage  # the quoted, superseded passage
    note: str
    current: Passage | None  # the article in force that replaced it

    def line(self) -> str:
        """One line of the answer."""
        if self.current is None:
            return f"注意：{self.passage.key}{self.note}"
        return (
            f"注意：{self.passage.key}{self.note}现行规定见{self.current.key}：【{self.current_sentence()}】"
        )

    def current_sentence(self) -> str:
        """The sentence of the current article closest to the superseded one (shared characters)."""
        assert self.current is not None
        old = set(self.passage.text)
        sents = [s for s in re.split(r"(?<=[。；])", self.current.text) if len(s.strip()) >= 6]
        if not sents:
            return _first_sentence(self.current.text)
        best = max(sents, key=lambda s: (len(old & set(s)) / (len(set(s)) or 1), -sents.index(s)))
        return best.strip()

    def notice(self) -> str:
        now = f"现行规定见{self.current.key}。" if self.current else ""
        return f"{self.passage.key}已被修改或取代：{self.note}{now}"

    def current_citation(self) -> Any:
        from agent.ask.answer import passage_citation

        assert self.current is not None
        return passage_citation(self.current, [self.current_sentence()])


def _first_sentence(text: str) -> str:
    body = text.split(" ", 1)[1] if text.startswith("第") and " " in text[:12] else text
    for end in "。；":
        if end in body:
            return body[: body.index(end) + 1].strip()
    return body.strip()[:120]


@functools.cache
def rules() -> tuple[Rule, ...]:
    from agent.corpus.meta import corpus_root

    path = corpus_root() / TABLE_FILE
    data = load_yaml(path, "修订对照表") or {}
    out = []
    for i, entry in enumerate(data.get("supersessions") or [], 1):
        try:
            out.append(
                Rule(
                    document=str(entry["document"]),
                    current_document=str(entry["current_document"]),
                    note=str(entry["note"]),
                    articles=tuple((str(a), str(b)) for a, b in (entry.get("articles") or {}).items()),
                    contains=str(entry.get("contains") or ""),
                )
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"第 {i} 项缺少 document、current_document 或 note", path=str(path)) from exc
    return tuple(out)


def supersessions(passages: Sequence[Passage], g: Any = None) -> list[Supersession]:
    """The superseded rules among ``passages`` (in their order), each with its current article."""
    out: list[Supersession] = []
    for p in passages:
        for rule in rules():
            if p.doc_id != rule.document or (rule.contains and rule.contains not in p.text):
                continue
            if rule.contains and not rule.current_of(p.locator):
                continue
            target = rule.current_of(p.locator)
            out.append(
                Supersession(p, rule.note, current_article(rule.current_document, target) if target else None)
            )
            break
    return out


@functools.lru_cache(maxsize=128)
def current_article(doc_id: str, locator: str) -> Passage | None:
    """The whole article ``locator`` of a bundled document, as a keyed passage."""
    from agent.corpus.meta import BUNDLED_PREFIX, corpus_root, load_manifest

    src = next((d for d in load_manifest() if d.meta.doc_id == doc_id), None)
    if src is None or not doc_id.startswith(BUNDLED_PREFIX):
        return None
    path = corpus_root() / doc_id[len(BUNDLED_PREFIX) :]
    for section_path, loc, text in pieces_of(str(path), src.meta.kind, path.stat().st_mtime_ns):
        if loc == locator:
            m = src.meta
            hit = Hit(
                id=f"{doc_id}#{locator}",
                document=m.file,
                doc_id=doc_id,
                title=m.title,
                kind=m.kind,
                agency=m.agency,
                year=m.year,
                status=m.status,
                section="article",
                section_path=section_path,
                locator=loc,
                score=0.0,
                text=text,
            )
            return keyed_passages([hit])[0]
    return None


def successor(doc_id: str, locator: str) -> tuple[str, str] | None:
    """(document, article) that replaced a superseded article outright (a rule without a
    ``contains`` condition), else None: a 2007 article answers the situations its 2019
    successor answers."""
    for rule in rules():
        if rule.document == doc_id and not rule.contains:
            target = rule.current_of(locator)
            return (rule.current_document, target) if target else None
    return None
