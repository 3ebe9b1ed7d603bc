"""LLM mode: each part of the narrative drafted by the model, concurrently, then held to the
guardrails in code. A violation goes back to the model with the exact sentence and the
reason, for a bounded number of rounds; what still fails is marked 【待核实：…】; a part whose
calls fail falls back to the offline composer without touching the other parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.draft.compose_offline import ComposeContext, Paragraph, _part_paragraph
from agent.draft.facts import Fact, proactive_fact, requests_fact, review_fact
from agent.draft.guardrails import Allowed, Violation, all_violations, mark_unresolved
from agent.draft.notes import PART_BY_KEY, Bullet
from agent.llm import LLMClient, LLMError, LLMReply
from agent.prompt_templates import load_prompt
from agent.tokens import truncate_tokens

SECTION_TITLES = {
    "overview": "一、总体情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
Messages = list[dict[str, str]]


@dataclass
class GuardedJob:
    """One piece of text the model writes and the guardrails hold: a part, or a notice item."""

    key: str
    bullets: list[Bullet]
    messages: Messages
    text: str = ""
    violations: list[Violation] = field(default_factory=list)
    rounds: int = 0
    error: str | None = None


def _exemplar_block(hits: list[dict[str, Any]]) -> str:
    if not hits:
        return "（无）"
    blocks = []
    for i, h in enumerate(hits[:3], 1):
        text = truncate_tokens(str(h.get("text", "")), 300).replace("<", "＜").replace(">", "＞")
        blocks.append(f'<exemplar id="E{i}">\n{text}\n</exemplar>')
    return "\n".join(blocks)


def part_messages(ctx: ComposeContext, part: str, bullets: list[Bullet], facts: list[Fact]) -> Messages:
    section = PART_BY_KEY[part][1]
    user = load_prompt("draft_part").render(
        agency=ctx.agency,
        we=ctx.we,
        year=str(ctx.year),
        section=SECTION_TITLES[section],
        part_title=PART_BY_KEY[part][3],
        bullets="\n".join(f"{b.id}. {b.text}" for b in bullets),
        facts="\n".join(f.text for f in facts) or "（无）",
        exemplars=_exemplar_block(ctx.exemplars.get(part, [])),
    )
    return [
        {"role": "system", "content": load_prompt("draft_system").render()},
        {"role": "user", "content": user},
    ]


def _facts_for(ctx: ComposeContext, part: str) -> list[Fact]:
    if part == "requests":
        return [requests_fact(ctx.figures), review_fact(ctx.figures)]
    if part == "proactive":
        fact = proactive_fact(ctx.figures)
        return [fact] if fact else []
    return []


def _clean(text: str) -> str:
    text = re.sub(r"^\s*#+.*$", "", text, flags=re.M)  # headings the model added anyway
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _repair_messages(job: GuardedJob) -> Messages:
    problems = "\n".join(f"{i}. “{v.sentence}”：{v.reason}" for i, v in enumerate(job.violations, 1))
    return [
        *job.messages,
        {"role": "assistant", "content": job.text},
        {"role": "user", "content": load_prompt("draft_repair").render(problems=problems)},
    ]


def run_guarded(
    jobs: dict[str, GuardedJob], client: LLMClient, allowed: Allowed, agency: str, *, max_rounds: int = 2
) -> None:
    """Run every job concurrently; send violations back for up to ``max_rounds`` repair rounds."""
    pending = dict(jobs)
    for round_no in range(max_rounds + 1):
        batch = [(k, j.messages if round_no == 0 else _repair_messages(j)) for k, j in pending.items()]
        replies = client.complete_many(batch, plain_text=True)
        still: dict[str, GuardedJob] = {}
        for key, reply in replies.items():
            job = jobs[key]
            if isinstance(reply, LLMError):
                job.error = reply.message
                continue
            _accept(job, reply, allowed, agency, round_no)
            if job.violations and round_no < max_rounds:
                still[key] = job
        pending = still
        if not pending:
            break


def _accept(job: GuardedJob, reply: LLMReply, allowed: Allowed, agency: str, round_no: int) -> None:
    if round_no > 0:
        job.messages = _repair_messages(job)
    job.text, job.rounds = _clean(reply.text), round_no
    job.violations = all_violations(job.text, allowed=allowed, agency=agency, bullets=job.bullets)


def draft_parts_llm(
    ctx: ComposeContext, parts: list[str], client: LLMClient, allowed: Allowed, *, max_rounds: int = 2
) -> dict[str, Paragraph]:
    """Paragraphs for ``parts`` (each with bullets); parts that fail fall back to offline."""
    facts = {p: _facts_for(ctx, p) for p in parts}
    jobs = {
        p: GuardedJob(p, ctx.notes.part(p), part_messages(ctx, p, ctx.notes.part(p), facts[p])) for p in parts
    }
    run_guarded(jobs, client, allowed, ctx.agency, max_rounds=max_rounds)
    return {p: _finish(ctx, job, facts[p]) for p, job in jobs.items()}


def unresolved_text(job: GuardedJob) -> str:
    """The model's text with still-violating sentences marked 【待核实：…】."""
    return mark_unresolved(job.text, job.violations)


def missing_bullets(job: GuardedJob) -> list[Bullet]:
    return [b for b in job.bullets if any(v.kind == "bullet" and v.detail == b.id for v in job.violations)]


def _finish(ctx: ComposeContext, job: GuardedJob, facts: list[Fact]) -> Paragraph:
    if job.error is not None or not job.text:
        para = _part_paragraph(ctx, job.key, job.bullets, facts)
        para.origin = "fallback"
        return para
    text = unresolved_text(job)
    missing = missing_bullets(job)
    if missing:
        text += "\n\n" + _part_paragraph(ctx, job.key, missing, []).text
    return Paragraph(
        section=PART_BY_KEY[job.key][1],
        part=job.key,
        text="".join(f.text for f in facts) + text,
        bullets=[b.id for b in job.bullets],
        facts=[f.text for f in facts],
        exemplars=ctx.exemplars.get(job.key, []),
        origin="llm",
    )
