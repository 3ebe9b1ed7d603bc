"""The guard of each part of an annual report, built once per draft from its inputs."""

from __future__ import annotations

from dataclasses import dataclass

from agent.draft.compose_offline import ComposeContext
from agent.draft.copying import ForeignText, corpus_documents, foreign_text
from agent.draft.facts import all_facts
from agent.draft.guard import Guard, judge_sentence
from agent.draft.notes import PARTS
from agent.draft.ownplace import PlaceRule, place_rule
from agent.draft.support import framing_phrases
from agent.report.narrative import split_sentences


def self_names(ctx: ComposeContext) -> tuple[str, ...]:
    return (ctx.agency, ctx.we, "本局", "我局", "本机关", "本单位", "我单位", "我们")


@dataclass
class DraftGuards:
    places: PlaceRule
    foreign: ForeignText
    guards: dict[str, Guard]

    def for_part(self, part: str | None) -> Guard:
        """The part's guard; the opening and the fee sentence have no bullets of their own."""
        if part in self.guards:
            return self.guards[part]
        any_guard = next(iter(self.guards.values()))
        return Guard(
            [], any_guard.facts, self.places, self.foreign, any_guard.self_names, any_guard.free_values
        )


def build_guards(ctx: ComposeContext, place_hint: str | None, known_agencies: tuple[str, ...]) -> DraftGuards:
    bullets = [b.text for b in ctx.notes.bullets]
    places = place_rule(ctx.agency, place_hint, bullets, known_agencies)
    exemplar_docs = [
        (str(h.get("document") or "参考范文"), str(h.get("text") or ""))
        for hits in ctx.exemplars.values()
        for h in hits
    ]
    foreign = foreign_text([*exemplar_docs, *corpus_documents(ctx.agency)], [*bullets, *framing_phrases()])
    years = frozenset({float(ctx.year), float(ctx.year - 1), float(ctx.year + 1)})
    facts = all_facts(ctx.figures)
    guards = {
        key: Guard(ctx.notes.part(key), facts, places, foreign, self_names(ctx), years) for key, *_ in PARTS
    }
    return DraftGuards(places, foreign, guards)


def sentence_sources(text: str, guard: Guard) -> list[dict[str, object]]:
    """Per sentence of a paragraph: what supports it (for draft.sources.json)."""
    out: list[dict[str, object]] = []
    for s in split_sentences(text, None, 1):
        v = judge_sentence(s.text, guard)
        item: dict[str, object] = {"text": s.text, **v.support.as_json()}
        if v.violations:
            item["problems"] = [x.reason for x in v.violations]
        out.append(item)
    return out
