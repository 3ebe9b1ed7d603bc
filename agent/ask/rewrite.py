"""LLM mode: the question rewritten into the regulations' terms before retrieval (multi-query).

A clerk asks “来窗口的老大爷不识字，表也填不了”; the article says “阅读困难或者视听障碍”. The model
is asked (prompts/ask_rewrite.md) for up to :data:`MAX_QUERIES` short queries in the terms of
the laws; each is searched like the question itself (agent.ask.gather) and fused with it. The
rewrites only widen retrieval: the answer is still decided on the passages' evidence. A failed
call costs nothing but the rewrite (the question alone is searched, and the answer says so).
"""

from __future__ import annotations

import re

from agent.llm import LLMClient, LLMError
from agent.prompt_templates import load_prompt

MAX_QUERIES = 3
MAX_QUERY_CHARS = 60
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.、)）]|[（(]\d+[)）])\s*")


def rewrite_messages(question: str) -> list[dict[str, str]]:
    text = question.replace("<", "＜").replace(">", "＞")
    prompt = load_prompt("ask_rewrite").render(question=text, count=str(MAX_QUERIES))
    return [{"role": "user", "content": prompt}]


def parse_queries(reply: str, question: str) -> list[str]:
    """Lines of the reply as queries: bullets and numbering dropped, no repeats, no copy of the
    question, at most MAX_QUERIES of at most MAX_QUERY_CHARS."""
    out: list[str] = []
    for line in reply.splitlines():
        q = _BULLET.sub("", line).strip().strip("“”\"'")
        if not q or q == question or q in out or "<" in q:
            continue
        out.append(q[:MAX_QUERY_CHARS])
        if len(out) >= MAX_QUERIES:
            break
    return out


def rewrite_queries(question: str, client: LLMClient) -> tuple[list[str], str | None]:
    """(queries, notice): the rewrites, or none and a notice when the call failed."""
    try:
        reply = client.complete(rewrite_messages(question), purpose="ask-rewrite", plain_text=True)
    except LLMError as exc:
        return [], f"问题改写失败（{exc.message}），只按原问题检索。"
    return parse_queries(reply.text, question), None
