"""Superseded rules: a quoted passage whose rule a later text changed is flagged, and the current
article is cited with it.

The table is data, ``corpus/supersessions.yaml``: every article of the 2007 条例 with the 2019
article that replaced it, and the two articles of the 2011 court rules that still carry the 2007
条例's “三需要” condition (第五条、第十二条, only where the passage says “特殊需要”). Changing
the corpus means changing the table, not the code.

A question can rest on an old rule without quoting it or saying it is old (“申请人说不出生产、
科研上的特殊需要，能不给吗？”、“15个工作日内答复，对吧？”): :func:`invoked` finds the changed rule
it rests on — a phrase of the old article that the current text no longer uses (the table's
``changed`` cues), or a time span or amount put to the test that the old article states and its
current article does not — and `ask` answers from the current article, saying which old rule
the question rests on.
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
class Change:
    """A rule of the old text changed in substance: the current article that governs the matter
    now, and phrases of the old article the current text no longer uses."""

    article: str
    current: str
    cues: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    document: str
    current_document: str
    note: str
    articles: tuple[tuple[str, str], ...]
    contains: str = ""
    changed: tuple[Change, ...] = ()

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
        sents = [s for s in re.split(r"(?<=[。；])", self.current.text) if len(s.strip()) >= 6]
        if not sents:
            return _first_sentence(self.current.text)
        return closest(sents, self.passage.text).strip()

    def notice(self) -> str:
        now = f"现行规定见{self.current.key}。" if self.current else ""
        return f"{self.passage.key}已被修改或取代：{self.note}{now}"

    def current_citation(self) -> Any:
        from agent.ask.answer import passage_citation

        assert self.current is not None
        return passage_citation(self.current, [self.current_sentence()])


def closest(sentences: Sequence[str], reference: str) -> str:
    """The sentence sharing the largest share of its characters with ``reference`` (the earlier
    one on a tie)."""
    ref = set(reference)
    return max(sentences, key=lambda s: (len(ref & set(s)) / (len(set(s)) or 1), -sentences.index(s)))


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
                    changed=tuple(
                        Change(str(c["article"]), str(c["current"]), tuple(str(x) for x in c["cues"]))
                        for c in entry.get("changed") or []
                    ),
                )
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                f"第 {i} 项缺少 document、current_document 或 note，或 changed 的某项缺少 article、current、cues",
                path=str(path),
            ) from exc
    return tuple(out)


def flat(text: str) -> str:
    """Text without spaces, enumeration commas and quotes, for matching a phrase of a rule."""
    return re.sub(r"[\s、，,“”\"'‘’]", "", text)


@dataclass
class Invocation:
    """A question resting on a changed old rule: what of it the question uses, and the rule."""

    used: tuple[str, ...]  # the cues or values of the question found in the old article
    supersession: Supersession  # the old article, the table's note, the current article
    values: tuple[str, ...] = ()  # those of ``used`` that are values put to the test

    def stands_beside(self, best: Passage) -> bool:
        """False when the question rests only on values and the best current passage for it
        states one of them: the value is current law for what is asked (第三方's 15个工作日)."""
        text = flat(best.text)
        return len(self.values) < len(self.used) or not any(v in text for v in self.values)

    @property
    def current(self) -> Passage:
        assert self.supersession.current is not None
        return self.supersession.current

    def line(self) -> str:
        s = self.supersession
        used = "”“".join(self.used)
        return (
            f"注意：问题中的“{used}”出自{s.passage.key}：【{self.old_sentence()}】{s.note}"
            f"现行规定见{self.current.key}：【{self.current_sentence()}】"
        )

    def current_sentence(self) -> str:
        """The sentence of the current article closest to the old sentence the question uses."""
        sents = [
            x.strip() for x in re.split(r"(?<=[。；])|\n+", self.current.text) if x and len(x.strip()) >= 6
        ]
        if not sents:
            return self.supersession.current_sentence()
        return closest(sents, flat(self.old_sentence()))

    def old_sentence(self) -> str:
        text = self.supersession.passage.text
        sents = [x for x in re.split(r"(?<=[。；])", text) if x.strip()] or [text]
        return next((x.strip() for x in sents if any(u in flat(x) for u in self.used)), sents[0].strip())


# A question that names the revision itself knows the rule changed; what it asks is about the
# revision (why, transition), not the rule: it does not rest on the old rule unknowingly.
KNOWS_REVISION: tuple[str, ...] = ("修订", "修改", "新条例", "施行前", "施行后", "删掉", "删除")


def invoked(question: str, claimed: Sequence[str] = ()) -> Invocation | None:
    """The changed old rule the question rests on without quoting it, if any: one whose cue
    phrase the question uses, or whose old article states a value the question puts to the test
    (``claimed``: “15个工作日”) that its current article does not; not a question that names the
    revision (:data:`KNOWS_REVISION`). The rule using most of the
    question (longest matched phrases, then most characters shared with the old article) wins;
    None when none does."""
    if any(w in question for w in KNOWS_REVISION):
        return None
    q = flat(question)
    values = [flat(v) for v in claimed if flat(v)]
    best: tuple[tuple[int, int], Invocation] | None = None
    for rule in rules():
        if rule.contains:
            continue
        pairs = [(c.article, c.current, c.cues) for c in rule.changed]
        pairs += [(a, b, ()) for a, b in rule.articles]
        for article, current, cues in pairs:
            used = [c for c in cues if c in q]
            if not used and not values:
                continue
            old = current_article(rule.document, article)
            now = current_article(rule.current_document, current)
            if old is None or now is None:
                continue
            changed = [v for v in values if v in flat(old.text) and v not in flat(now.text)]
            used += changed
            if not used:
                continue
            score = (sum(len(u) for u in used), len(set(q) & set(flat(old.text))))
            if best is None or score > best[0]:
                found = tuple(dict.fromkeys(used))
                best = (score, Invocation(found, Supersession(old, rule.note, now), tuple(changed)))
    return best[1] if best else None


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
