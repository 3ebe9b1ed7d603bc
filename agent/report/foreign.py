"""FOREIGN-AGENCY: names of other places and agencies in a report's text.

A name inside 《…》 is the title of a document the report cites. When the sentence says the
agency forwarded, studied or applied it (转发《江苏省…规范》, 按照《…省…通知》), the report
openly names another authority's document: that is not a copied name, and is not reported.
Any other name inside 《…》 is a warning (a cited document may be legitimate); a name in the text
itself is an error.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from agent.report.labels import SECTIONS
from agent.report.model import AnnualReport, Finding, make_finding
from agent.report.narrative import Sentence, preamble_sentences, report_sentences
from agent.report.places import SENTENCE_GAP
from agent.resources import corpus_dir
from agent.yamlfile import load_yaml

if TYPE_CHECKING:
    from agent.report.names import NameHit


@functools.cache
def known_agencies() -> tuple[str, ...]:
    """Agency names seen in the bundled corpus (its manifest), used as foreign candidates.

    Read from the manifest file itself: the report stage does not depend on the corpus stage.
    """
    data = load_yaml(corpus_dir() / "manifest.yaml", "语料清单") or {}
    names: list[str] = []
    for entry in data.get("documents", []):
        agency = entry.get("agency")
        if agency and entry.get("kind") != "regulation" and agency not in names:
            names.append(str(agency))
    return tuple(names)


_CITED_RE = re.compile(
    r"(?:转发|转载|印发|学习|贯彻|落实|根据|按照|依据|参照|对照|执行|遵照|结合|依照|参考|宣传|解读)"
    r"[^。；《]{0,12}《[^《》]*$"
)


def _openly_cited(sentence: str, start: int) -> bool:
    """The name at ``start`` sits in a 《…》 that the sentence forwards, studies or applies."""
    return bool(_CITED_RE.search(sentence[:start]))


BATCH = 256  # sentences scanned in one call: the per-call cost dominates on long reports


def foreign_name_findings(report: AnnualReport, extra_agencies: tuple[str, ...] = ()) -> list[Finding]:
    from agent.report.names import find_foreign_names, own_identity

    own = report.title or report.agency or ""
    identity = own_identity(own, "\n".join(report.lines))
    agencies = (*known_agencies(), *extra_agencies)
    out: list[Finding] = []
    keys = tuple(s.key for s in SECTIONS)
    sentences = [
        sent
        for sent in [*preamble_sentences(report), *report_sentences(report, keys)]
        if not (report.title and sent.text.replace(" ", "") == report.title)
    ]
    for batch in _batches(sentences):
        # the batch's sentences joined by a character no name, word or 《title》 contains: every
        # rule of the scan sees each sentence as it would alone, at a fraction of the calls
        text = SENTENCE_GAP.join(s.text for s in batch)
        starts = list(_offsets(batch))
        hits_of: dict[int, list[NameHit]] = {}
        for hit in find_foreign_names(text, identity, agencies):
            hits_of.setdefault(bisect.bisect_right(starts, hit.start) - 1, []).append(hit)
        for k, sent in enumerate(batch):
            seen: set[str] = set()
            for hit in _outermost(hits_of.get(k, [])):
                if hit.name in seen:
                    continue
                seen.add(hit.name)
                if hit.in_document_title and _openly_cited(sent.text, hit.start - starts[k]):
                    continue
                out.append(
                    make_finding(
                        "FOREIGN-AGENCY",
                        f"出现其他{'机关' if hit.kind == 'agency' else '地方'}的名称“{hit.name}”（{hit.reason}）：{sent.quote}",
                        sent.location(),
                        sent.section,
                        severity="warning" if hit.in_document_title else None,
                    )
                )
    if not identity.places:
        out += _places_not_checked(identity.agency, sentences)
    return out


def _places_not_checked(agency: str, sentences: list[Sentence]) -> list[Finding]:
    """Where the agency's own place is not known, the place names of the text could not be judged:
    one info says so and lists them, instead of a silent pass."""
    from agent.report.places import KIND_FULL, leftmost_longest, scan_places

    names: dict[str, None] = {}
    for sent in sentences:
        cands, stops = scan_places(sent.text)
        names.update(
            (sent.text[c.start : c.end], None) for c in leftmost_longest(cands, stops) if c.kind == KIND_FULL
        )
    if not names:
        return []
    shown = "、".join(list(names)[:6]) + ("等" if len(names) > 6 else "")
    who = f"“{agency}”" if agency else "本机关"
    return [
        make_finding(
            "FOREIGN-AGENCY",
            f"未能确定{who}所在的地方，正文中的地名（{shown}）未能核对是否属于其他地方，请人工核对",
            "全文",
            severity="info",
        )
    ]


def _outermost(hits: list[NameHit]) -> list[NameHit]:
    """The hits not inside another hit's span (上海市浦东新区民政局, not also 浦东新区民政局 within it)."""
    return [
        h
        for h in hits
        if not any(
            o is not h and o.start <= h.start and h.end <= o.end and (o.end - o.start) > (h.end - h.start)
            for o in hits
        )
    ]


def _batches(sentences: list[Sentence]) -> Iterator[list[Sentence]]:
    """Runs of up to BATCH sentences; a sentence that contains the joining character goes alone."""
    batch: list[Sentence] = []
    for sent in sentences:
        if SENTENCE_GAP in sent.text:
            if batch:
                yield batch
                batch = []
            yield [sent]
            continue
        batch.append(sent)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _offsets(batch: list[Sentence]) -> Iterator[int]:
    pos = 0
    for sent in batch:
        yield pos
        pos += len(sent.text) + len(SENTENCE_GAP)
