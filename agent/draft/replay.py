"""Recorded model replies, replayed: the guard of LLM mode evaluated without a model.

A replies file (YAML) maps a part — its key (``proactive``) or its title (``主动公开情况``), or
``"*"`` for every part — to the replies of successive rounds (first reply, then the replies to
the repair requests; the last one repeats). A part not in the file is answered with its bullets
as 一是…；二是… (a well-behaved model); ``{bullets}`` in a reply stands for that text::

    主动公开情况:
      - "一是门户网站发布信息218条。满意率达到百分之九十八。"
      - "一是门户网站发布信息218条。满意率近百分之百。"

Used by ``report-agent eval`` (``mode: replay`` cases) to keep the adversarial scenarios gated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.draft.notes import PART_BY_KEY
from agent.errors import InputError
from agent.llm import LLMReply, UsageMeter
from agent.yamlfile import load_yaml

_BULLET = re.compile(r"^B[\d.]+\. (.+)$", re.M)


class ReplayClient:
    """Answers like :class:`agent.llm.LLMClient.complete`, from recorded replies."""

    def __init__(self, replies: dict[str, list[str]]) -> None:
        self.replies = replies
        self.meter = UsageMeter()
        self.model = "replay"

    @classmethod
    def from_file(cls, path: Path) -> ReplayClient:
        data = load_yaml(path, "回放的大模型回复") or {}
        if not isinstance(data, dict):
            raise InputError("回复文件应为“部分: [回复, …]”的形式", path=str(path))
        return cls(
            {str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs])] for k, vs in data.items()}
        )

    def _script(self, key: str) -> list[str] | None:
        title = PART_BY_KEY[key][3] if key in PART_BY_KEY else key
        return self.replies.get(key) or self.replies.get(title) or self.replies.get("*")

    def complete(
        self, messages: Sequence[dict[str, Any]], *, purpose: str = "", plain_text: bool = False
    ) -> LLMReply:
        users = [str(m.get("content", "")) for m in messages if m.get("role") == "user"]
        script = self._script(purpose)
        items = _BULLET.findall(users[0] if users else "")
        bullets = "；".join(f"{'一二三四五六七八九十'[i % 10]}是{b}" for i, b in enumerate(items)) + "。"
        text = script[min(len(users) - 1, len(script) - 1)] if script else "{bullets}"
        text = text.replace("{bullets}", bullets)
        self.meter.record_call(0, 0)
        return LLMReply(text, 0, 0, False, self.model)
