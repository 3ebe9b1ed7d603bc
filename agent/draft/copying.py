"""Sentences copied from another agency's text: character 8-grams shared with the exemplars the
drafter retrieved and with every corpus document of another agency.

Only the text's own characters count (punctuation and spaces removed). Shared 8-grams that the
clerk's notes also contain (the clerk's own words) or that lie in a framing phrase of
``prompts/framing.yaml`` or a cited title 《…》 are not copying. A sentence is copied when at
least ``COPY_SHARE`` of its 8-grams, and at least ``COPY_MIN`` of them, are another agency's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

N = 8
COPY_SHARE = 0.4
COPY_MIN = 4  # 8-grams, i.e. a run of at least 11 characters

_DROP = re.compile(r"[\s，。；：、！？,.;:!?“”‘’\"'（）()【】\[\]—…·\-|#*>]+")
_TITLE = re.compile(r"《[^》]{0,80}》")


def _compact(text: str) -> str:
    return _DROP.sub("", _TITLE.sub("", text))


def grams(text: str, n: int = N) -> set[str]:
    s = _compact(text)
    return {s[i : i + n] for i in range(len(s) - n + 1)}


@dataclass
class ForeignText:
    """The 8-grams of other agencies' text, less those the clerk and the framing list own."""

    grams: frozenset[str]
    sources: dict[str, str]  # 8-gram → where it was seen (document name), for the message

    def copied(self, sentence: str) -> tuple[float, str]:
        """(share of the sentence's 8-grams found in other agencies' text, one source)."""
        mine = grams(sentence)
        if len(mine) < COPY_MIN:
            return 0.0, ""
        shared = mine & self.grams
        if len(shared) < COPY_MIN:
            return 0.0, ""
        return len(shared) / len(mine), self.sources.get(next(iter(sorted(shared))), "")


def foreign_text(documents: Iterable[tuple[str, str]], own_texts: Iterable[str]) -> ForeignText:
    """``documents``: (name, text) of other agencies; ``own_texts``: the notes and framing phrases."""
    own: set[str] = set()
    for t in own_texts:
        own |= grams(t)
    seen: dict[str, str] = {}
    for name, text in documents:
        for g in grams(text):
            if g not in own:
                seen.setdefault(g, name)
    return ForeignText(frozenset(seen), seen)


@functools.cache
def corpus_documents(agency: str) -> tuple[tuple[str, str], ...]:
    """The bundled reports and notices of other agencies (text files), read once per process."""
    from agent.corpus.meta import load_manifest, read_document
    from agent.errors import InputError

    docs = []
    for src in load_manifest():
        meta = src.meta
        if meta.kind in ("regulation", "spec") or not meta.agency or meta.agency == agency:
            continue
        if src.path.suffix.lower() not in (".txt", ".md"):
            continue  # PDFs have an extracted text twin in the corpus
        try:
            docs.append((meta.file, read_document(src.path)))
        except InputError:
            continue
    return tuple(docs)
