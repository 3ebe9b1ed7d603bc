"""LLM mode: each part drafted by the model, concurrently, then held to the guard in code.

Each part runs on its own (daemon) thread: reply → strip Markdown and boilerplate → judge every
sentence (:mod:`agent.draft.guard`) → send the violations back with their reasons, for a bounded
number of repair rounds. What still fails after the last round is *removed* — never reworded —
and listed; bullets the model left out are written by the offline composer. A part whose calls
fail, or that is not done by the draft's total deadline, is written offline, with the reason.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from agent.draft.compose_offline import ComposeContext, Paragraph, _part_paragraph
from agent.draft.facts import Fact, proactive_fact, requests_fact, review_fact
from agent.draft.guard import Guard, Removed, Verdict, Violation, final_text, violations
from agent.draft.notes import PART_BY_KEY, Bullet
from agent.draft.progress import (
    DONE,
    DRAFTING,
    OFFLINE,
    REPAIRING,
    RETRYING,
    DraftProgress,
    NullProgress,
    watching_retries,
)
from agent.draft.prose import strip_reply
from agent.llm import LLMClient, LLMError
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
    """One piece of text the model writes and the guard holds: a part, or a notice item."""

    key: str
    bullets: list[Bullet]
    messages: Messages
    guard: Guard | None = None
    text: str = ""
    violations: list[Violation] = field(default_factory=list)
    rounds: int = 0
    error: str | None = None  # why the model's text is not used (the reason shown to the clerk)
    stripped: list[str] = field(default_factory=list)  # Markdown and boilerplate removed from the last reply
    done: bool = False


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


def facts_for(ctx: ComposeContext, part: str) -> list[Fact]:
    if part == "requests":
        return [requests_fact(ctx.figures), review_fact(ctx.figures)]
    if part == "proactive":
        fact = proactive_fact(ctx.figures)
        return [fact] if fact else []
    return []


def _repair_messages(job: GuardedJob) -> Messages:
    problems = "\n".join(f"{i}. “{v.sentence}”：{v.reason}" for i, v in enumerate(job.violations, 1))
    return [
        *job.messages,
        {"role": "assistant", "content": job.text},
        {"role": "user", "content": load_prompt("draft_repair").render(problems=problems)},
    ]


def failure_reason(exc: LLMError) -> str:
    """Why a part was written offline, in a few words: timeout, 401, 429 after retries …"""
    if exc.status in (401, 403):
        return f"认证失败（HTTP {exc.status}），请检查 API 密钥"
    if exc.status == 429:
        return "请求过于频繁（HTTP 429），重试后仍被限流"
    if "超时" in exc.message:
        return "请求超时"
    if exc.status and exc.status >= 500:
        return f"服务器错误（HTTP {exc.status}）"
    return exc.message.split("：", 1)[-1]


class _Runner:
    """Runs every job on a daemon thread; the caller waits at most until the deadline."""

    def __init__(self, client: LLMClient, max_rounds: int, progress: DraftProgress, concurrency: int) -> None:
        self.client, self.max_rounds, self.progress = client, max_rounds, progress
        self.slots = threading.Semaphore(max(1, concurrency))
        self.lock = threading.Lock()

    def work(self, job: GuardedJob) -> None:
        with self.slots:
            self._rounds(job)
        with self.lock:
            job.done = True

    def _rounds(self, job: GuardedJob) -> None:
        messages = job.messages
        for round_no in range(self.max_rounds + 1):
            if round_no:
                messages = _repair_messages(job)
            self.progress.update(
                job.key, REPAIRING if round_no else DRAFTING, _problems(job) if round_no else ""
            )
            try:
                reply = self.client.complete(messages, purpose=job.key, plain_text=True)
            except LLMError as exc:
                with self.lock:
                    if not job.done:
                        job.error = failure_reason(exc)
                return
            cleaned = strip_reply(reply.text)
            found = violations(cleaned.text, job.guard) if job.guard else []
            with self.lock:
                if job.done:  # abandoned at the deadline: the part is already written offline
                    return
                job.messages, job.text, job.rounds = messages, cleaned.text, round_no
                job.stripped = cleaned.removed  # what was taken out of the text that is used
                job.violations = found
            if not cleaned.text:
                job.error = "回复中没有正文"
                return
            if not found:
                return


def _problems(job: GuardedJob) -> str:
    kinds = sorted({v.kind for v in job.violations})
    return f"{len(job.violations)} 处问题（{'、'.join(kinds)}）"


def run_guarded(
    jobs: dict[str, GuardedJob],
    client: LLMClient,
    *,
    max_rounds: int = 2,
    deadline: float | None = None,
    progress: DraftProgress | None = None,
    concurrency: int = 8,
) -> None:
    """Run every job concurrently until done or until ``deadline`` seconds have passed."""
    progress = progress or NullProgress()
    runner = _Runner(client, max_rounds, progress, concurrency)
    threads = {
        k: threading.Thread(target=runner.work, args=(j,), daemon=True, name=f"draft-{k}")
        for k, j in jobs.items()
    }
    end = time.monotonic() + deadline if deadline else None

    def retried(key: str, cause: str) -> None:
        progress.update(key, RETRYING, cause)

    with watching_retries(set(jobs), retried):
        for t in threads.values():
            t.start()
        for t in threads.values():
            t.join(None if end is None else max(0.0, end - time.monotonic()))
    with runner.lock:
        for job in jobs.values():
            if not job.done:
                job.error = f"超过起草总时限（{deadline:g} 秒）"
                job.done = True  # the thread may go on; its results are no longer read


def draft_parts_llm(
    ctx: ComposeContext,
    parts: list[str],
    client: LLMClient,
    guards: dict[str, Guard],
    *,
    max_rounds: int = 2,
    deadline: float | None = None,
    progress: DraftProgress | None = None,
    concurrency: int = 8,
) -> dict[str, Paragraph]:
    """Paragraphs for ``parts`` (each with bullets); parts that fail are written offline."""
    progress = progress or NullProgress()
    facts = {p: facts_for(ctx, p) for p in parts}
    jobs = {
        p: GuardedJob(p, ctx.notes.part(p), part_messages(ctx, p, ctx.notes.part(p), facts[p]), guards[p])
        for p in parts
    }
    progress.start({p: PART_BY_KEY[p][3] for p in parts})
    run_guarded(
        jobs, client, max_rounds=max_rounds, deadline=deadline, progress=progress, concurrency=concurrency
    )
    out = {p: _finish(ctx, job, facts[p]) for p, job in jobs.items()}
    for p, para in out.items():
        progress.update(p, OFFLINE if para.origin == "fallback" else DONE, para.reason)
    progress.finish()
    return out


def _finish(ctx: ComposeContext, job: GuardedJob, facts: list[Fact]) -> Paragraph:
    if job.error is not None or not job.text or job.guard is None:
        para = _part_paragraph(ctx, job.key, job.bullets, facts)
        para.origin, para.reason = "fallback", job.error or "回复中没有正文"
        return para
    text, kept, removed = final_text(job.text, job.guard)
    removed = [
        Removed(s, "不属于报告正文（Markdown 标记或 AI 套话），已删除", "stripped") for s in job.stripped
    ] + removed
    missing = _missing(job.bullets, kept)
    if missing:
        extra = _part_paragraph(ctx, job.key, missing, []).text
        text = f"{text}\n\n{extra}" if text else extra
    return Paragraph(
        section=PART_BY_KEY[job.key][1],
        part=job.key,
        text="".join(f.text for f in facts) + text,
        bullets=[b.id for b in job.bullets],
        facts=[f.text for f in facts],
        exemplars=ctx.exemplars.get(job.key, []),
        origin="llm",
        removed=[r.as_json(job.key) for r in removed],
        rounds=job.rounds,
    )


def _missing(bullets: list[Bullet], kept: list[Verdict]) -> list[Bullet]:
    from agent.draft.guardrails import bullet_used

    text = "".join(v.sentence for v in kept)
    return [b for b in bullets if b.text.strip() not in ("无", "") and not bullet_used(b, text)]
