"""The offline composer: a complete first draft without any model.

Each bullet becomes a clause in the register of the corpus (full-width punctuation, formal
wording, 一是…；二是… enumerations), figure sentences come from the tables (:mod:`agent.draft.facts`),
and the lead sentences come from the phrase bank ``prompts/offline_phrases.yaml``, where the
composer picks the variant closest to the retrieved exemplars (exemplars are patterns only:
no sentence of another agency is ever copied). Parts with nothing to say are marked visibly
with 【待补充：…】 so that the checker lists them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from agent.draft.facts import Fact, fee_fact, proactive_fact, requests_fact, review_fact
from agent.draft.notes import OVERVIEW_PARTS, PART_BY_KEY, Bullet, Notes
from agent.report.model import Figures
from agent.resources import prompts_dir

CN_ORDINALS = "一二三四五六七八九十"


@dataclass
class Paragraph:
    section: str  # overview | problems | other
    part: str | None
    text: str
    heading: bool = False  # a sub-heading line such as （一）主动公开情况
    bullets: list[str] = field(default_factory=list)  # bullet ids it rests on
    facts: list[str] = field(default_factory=list)  # figure sentences it uses
    exemplars: list[dict[str, Any]] = field(default_factory=list)
    origin: str = "offline"  # offline | llm | fallback
    reason: str = ""  # why a part meant for the model was written offline
    removed: list[dict[str, Any]] = field(default_factory=list)  # sentences taken out of the model's text
    rounds: int = 0  # repair rounds the model's text went through


@functools.cache
def phrases() -> dict[str, Any]:
    with (prompts_dir() / "offline_phrases.yaml").open(encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh))


def self_reference(agency: str) -> str:
    """我局 / 我委 / 我办 / 本机关 — how the agency refers to itself."""
    for suffix, we in (
        ("局", "我局"),
        ("委员会", "我委"),
        ("委", "我委"),
        ("办公室", "我办"),
        ("厅", "我厅"),
    ):
        if agency.endswith(suffix):
            return we
    return "本机关"


_HALF = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"})
_COLLOQUIAL = (
    ("我们", "{we}"),
    ("搞了", "开展了"),
    ("搞好", "做好"),
    ("弄好", "做好"),
    ("啥", "什么"),
    ("挺", "较为"),
    ("很多", "大量"),
    ("没有", "未"),
    ("今年", "本年度"),
    ("明年", "下一年度"),
    ("去年", "上年"),
)
# cue words a clause need not repeat after its part's lead (下一步，我局将重点做好以下工作：…)
_LEAD_CUES = {
    "improvements": re.compile(r"^(?:下一步|下一年度|今后|接下来)(?:要|将|拟|，)?"),
    "problems": re.compile(r"^(?:主要问题是|存在的问题是|问题是|不足是)"),
}


def formalize(text: str, we: str) -> str:
    """A bullet as a clause: full-width punctuation, no stray spaces, no colloquialisms."""
    text = text.strip().translate(_HALF)
    text = re.sub(r"(?<=[\u4e00-\u9fff）])\s+(?=[\d\u4e00-\u9fff（])|(?<=\d)\s+(?=[\u4e00-\u9fff])", "", text)
    text = re.sub(r"(?<=[，；：、。（）])\s+|\s+(?=[，；：、。（）])", "", text)
    for old, new in _COLLOQUIAL:
        text = text.replace(old, new.format(we=we))
    return text.rstrip("。；，、.;, ")


def enumerate_clauses(clauses: list[str]) -> str:
    if len(clauses) == 1:
        return clauses[0]
    return "；".join(f"{CN_ORDINALS[i] if i < 10 else i + 1}是{c}" for i, c in enumerate(clauses))


def choose(variants: list[str], exemplar_text: str) -> str:
    """The variant sharing most character bigrams with the exemplars (first one on ties)."""
    if len(variants) == 1 or not exemplar_text:
        return variants[0]
    grams = {exemplar_text[i : i + 2] for i in range(len(exemplar_text) - 1)}

    def score(v: str) -> int:
        return sum(1 for i in range(len(v) - 1) if v[i : i + 2] in grams)

    return max(variants, key=score)


@dataclass
class ComposeContext:
    notes: Notes
    figures: Figures
    agency: str
    year: int
    exemplars: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # part → hits
    previous_problems: str | None = None  # last year's 五 problems, same agency

    @property
    def we(self) -> str:
        return self_reference(self.agency)

    def exemplar_text(self, part: str) -> str:
        return "".join(h.get("text", "") for h in self.exemplars.get(part, []))

    def fill(self, template: str, **extra: str) -> str:
        return template.format(we=self.we, agency=self.agency, year=self.year, **extra)


def _missing(what: str) -> str:
    return str(phrases()["missing"]).format(what=what)


def _part_paragraph(ctx: ComposeContext, part: str, bullets: list[Bullet], facts: list[Fact]) -> Paragraph:
    section = PART_BY_KEY[part][1]
    pieces: list[str] = []
    leads = phrases()["leads"].get(part)
    cue = _LEAD_CUES.get(part)
    clauses = [cue.sub("", c) if cue else c for c in (formalize(b.text, ctx.we) for b in bullets)]
    clauses = [c for c in clauses if c not in ("无", "")]
    template = choose(leads, ctx.exemplar_text(part)) if leads else "{items}。"
    if "{items}" in template:
        if clauses:
            pieces.append(ctx.fill(template, items=enumerate_clauses(clauses)))
    else:
        lead = ctx.fill(template)
        if len(clauses) == 1 and not facts:
            pieces.append(lead.rstrip("。") + "，" + clauses[0] + "。")
        else:
            pieces.append(lead)
            pieces += [f.text for f in facts]
            if clauses:
                pieces.append(enumerate_clauses(clauses) + "。")
    return Paragraph(
        section=section,
        part=part,
        text="".join(pieces),
        bullets=[b.id for b in bullets],
        facts=[f.text for f in facts],
        exemplars=ctx.exemplars.get(part, []),
    )


def compose_overview(ctx: ComposeContext) -> list[Paragraph]:
    opening = choose(phrases()["overview_opening"], ctx.exemplar_text("overview"))
    out = [Paragraph("overview", None, ctx.fill(opening))]
    facts: dict[str, list[Fact]] = {"requests": [requests_fact(ctx.figures), review_fact(ctx.figures)]}
    pro = proactive_fact(ctx.figures)
    if pro:
        facts["proactive"] = [pro]
    parts = list(OVERVIEW_PARTS) + (["overview_other"] if ctx.notes.part("overview_other") else [])
    for n, part in enumerate(parts, start=1):
        heading = str(phrases()["subheadings"][part]).format(n=CN_ORDINALS[n - 1])
        out.append(Paragraph("overview", part, heading, heading=True))
        bullets, part_facts = ctx.notes.part(part), facts.get(part, [])
        if not bullets and not part_facts:
            what, hint = PART_BY_KEY[part][3], PART_BY_KEY[part][2][0]
            out.append(Paragraph("overview", part, _missing(f"{what}（可在要点中增加“## {hint}”一节）")))
            continue
        out.append(_part_paragraph(ctx, part, bullets, part_facts))
    return out


def compose_problems(ctx: ComposeContext) -> list[Paragraph]:
    out: list[Paragraph] = []
    last = ctx.notes.part("last_year")
    if last:
        out.append(_part_paragraph(ctx, "last_year", last, []))
    elif ctx.previous_problems:
        out.append(
            Paragraph(
                "problems",
                "last_year",
                f"上年度报告中指出的问题主要是：{ctx.previous_problems}" + _missing("上述问题的整改情况"),
            )
        )
    for part, what in (("problems", "存在的主要问题"), ("improvements", "改进措施")):
        bullets = ctx.notes.part(part)
        if bullets:
            out.append(_part_paragraph(ctx, part, bullets, []))
        else:
            out.append(Paragraph("problems", part, _missing(what)))
    return out


def compose_other(ctx: ComposeContext) -> list[Paragraph]:
    out: list[Paragraph] = []
    if ctx.figures.format == "2021":
        fee = fee_fact(ctx.figures)
        out.append(Paragraph("other", "fee", fee.text, facts=[fee.text]))
    bullets = [b for b in ctx.notes.part("other") if formalize(b.text, ctx.we) not in ("无", "")]
    if bullets:
        out.append(_part_paragraph(ctx, "other", bullets, []))
    else:
        ids = [b.id for b in ctx.notes.part("other")]
        out.append(Paragraph("other", "other", str(phrases()["nothing_else"]), bullets=ids))
    return out


def compose_all(ctx: ComposeContext) -> dict[str, list[Paragraph]]:
    return {"overview": compose_overview(ctx), "problems": compose_problems(ctx), "other": compose_other(ctx)}


def narratives(paragraphs: dict[str, list[Paragraph]]) -> dict[str, str]:
    return {k: "\n\n".join(p.text for p in ps if p.text) for k, ps in paragraphs.items()}
