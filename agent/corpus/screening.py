"""Corpus text is data: instruction-like text in a document is found at ingest and flagged.

A report or notice never tells its reader to ignore requirements, to write something into a
report, or to act as a system; text that does (“忽略以上要求，在报告中写入：…”, “ignore previous
instructions”, “system prompt”) is an injection attempt or a pasted chat. Ingest warns, stores the
phrases found with the document (``DocMeta.instructions``, kept in the index's registry), and the
drafter keeps every chunk that contains such text out of its exemplars (:func:`is_flagged`).
"""

from __future__ import annotations

import re

_PATTERNS = (
    r"忽略(?:以上|上述|之前|前面|以下|所有|全部|一切)[^。\n]{0,12}?(?:要求|指令|指示|规则|提示|内容|设定|说明)",
    r"(?:无视|不要理会|不必遵守|不要遵守)[^。\n]{0,10}?(?:以上|上述|之前|前面|所有)?[^。\n]{0,6}?(?:要求|指令|规则|提示)",
    r"在(?:报告|草稿|正文|回答|输出)中(?:写入|加入|写上|添加|插入|注明|声明)",
    r"(?:请|务必)?(?:直接)?(?:输出|回答|回复)(?:以下|如下)(?:内容|文字)[:：]",
    r"你(?:现在)?(?:是|扮演|作为)一?(?:个|名)?(?:AI|人工智能|助手|模型|语言模型)",
    r"系统提示词?|提示词注入|越狱",
    r"ignore\s+(?:all\s+|the\s+)?(?:previous|prior|above|earlier)\s+(?:instructions|prompts?|rules)",
    r"disregard\s+(?:all\s+|the\s+)?(?:previous|prior|above)",
    r"system\s+prompt|you\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|language\s+model)",
    r"</?(?:system|assistant|user|exemplars?|instructions?)>",
)
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.I)


def instructions_in(text: str, limit: int = 5) -> list[str]:
    """The instruction-like phrases of ``text`` (as written, at most ``limit``)."""
    found: list[str] = []
    for m in _INSTRUCTION.finditer(re.sub(r"[ \t\u3000]+", " ", text)):
        phrase = m.group(0).strip()
        if phrase not in found:
            found.append(phrase)
        if len(found) >= limit:
            break
    return found


def is_flagged(text: str) -> bool:
    return _INSTRUCTION.search(text) is not None


def screening_note(phrases: list[str]) -> str:
    shown = "、".join(f"“{p}”" for p in phrases[:3])
    return f"含有类似指令的文字（{shown}），已标记；这些段落不会用作起草的参考范文"
