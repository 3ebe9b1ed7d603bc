"""Checkable obligations in a requirement’s text: quantities, deadlines, concrete modal actions and frequencies."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from agent.report.narrative import split_sentences

ObligationKind = Literal["deadline", "quantity", "action"]
Comparator = Literal[">=", "<="]


CN_NUM = "一二三四五六七八九十"
_CN_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)} | {"两": 2, "〇": 0}


class Obligation(BaseModel):
    """A concrete, checkable duty inside a requirement."""

    text: str
    kind: ObligationKind
    line: int = 0
    number: float | None = None
    unit: str | None = None
    comparator: Comparator | None = None
    period: str | None = None  # 年内, 全年, 每日, 每月 …
    deadline: str | None = None  # 年底前, 6月底前, 年内 …
    modal: str | None = None  # 要, 应, 确保 … when the duty is carried by a modal

    def describe(self) -> str:
        """Short Chinese statement of what is required: “至少1次（年内）”, “年底前”."""
        parts: list[str] = []
        if self.number is not None:
            sign = {">=": "至少", "<=": "不超过", None: ""}[self.comparator]
            parts.append(f"{sign}{_fmt_number(self.number)}{self.unit or ''}")
        if self.period:
            parts.append(f"（{self.period}）" if parts else self.period)
        if self.deadline and self.deadline != self.period:
            parts.append(self.deadline)
        return "".join(parts) or "须落实"


def _fmt_number(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


# --------------------------------------------------------------------------- numbers


def cn_to_int(s: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23, 两 → 2; None if not a Chinese number < 100."""
    if not s or any(c not in _CN_VALUE and c != "十" for c in s):
        return None
    if "十" not in s:
        return _CN_VALUE[s] if len(s) == 1 else None
    head, _, tail = s.partition("十")
    tens = _CN_VALUE.get(head, -1) if head else 1
    ones = _CN_VALUE.get(tail, -1) if tail else 0
    return None if tens < 0 or ones < 0 else tens * 10 + ones


def int_to_cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{digits[tens] if tens > 1 else ''}十{digits[ones] if ones else ''}"


# --------------------------------------------------------------------------- obligations


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_QTY_UNITS = "个工作日|工作日|人次|小时|次|场|期|批|项|个|篇|条|件|家|名|人|天|日|周|%|％"
_AT_LEAST = "至少|不少于|不低于|不得少于|最少|达到"
_AT_MOST = "不超过|不多于|最多|不得超过"
_QTY = re.compile(
    rf"(?P<pre>{_AT_LEAST}|{_AT_MOST})?(?<![第\d.“\"月])(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>{_QTY_UNITS})"
    rf"(?P<post>以上|及以上|以内|以下|之内|内)?(?![\d”\"性])"
)
_PERIODS = "年内|年度内|全年|每年|每半年|每季度|每个季度|每月|每周|每日|每天|每个工作日"
_CN_QTY = re.compile(
    rf"(?:(?P<pre>{_AT_LEAST}|{_AT_MOST})|(?P<per>{_PERIODS}))"
    rf"[^，。；]{{0,12}}?(?P<num>[一两二三四五六七八九十]{{1,3}})(?P<unit>次|场|期|批|项|篇|名)(?!性)"
)
_PERIOD = re.compile(_PERIODS)
_DEADLINE = re.compile(
    r"(?:(?:20\d{2}\s*年)?(?:年底|年末|年中|上半年|下半年|第?[一二三四1-4]季度末?"
    r"|\d{1,2}\s*月(?:底|末|份|\d{1,2}\s*日|[上中下]旬)?)\s*(?:之?前|以前))"
)
_TIME_PREFIX = re.compile(r"^(?:在|于|自|从|到|均)?.{0,14}?(?:前|内|时|后|期间|之际)$")
_MODAL = re.compile(
    r"必须|务必|确保|严格|应当|(?<![必务])须(?!知)"
    r"|(?<![回响相适反对供效呼答理])应(?![对用急邀届收])"
    r"|(?<![重主需纲摘提首概必只不纪])要(?![求素点闻件害务])"
)
_ADVERBS = re.compile(
    r"^(?:及时|进一步|重点|切实|认真|积极|充分|不断|更加|更|全面|深入|持续|加快|按时|主动|依法|均|都|"
    r"在[^，]{0,12}?前，?|严格)+"
)
_SOFT_VERBS = _split(
    """加强 提高 提升 深化 推进 推动 强化 细化 完善 健全 鼓励 注重 重视 坚持 做好 熟悉 按照 围绕 引导 改进
    增强 优化 发挥 注意 把握 努力 力争 着力 有序 扎实 突出 亲自"""
)
_VAGUE_END = re.compile(
    r"(?:要求|责任|工作|精神|部署|能力|水平|意识|作用|质量|实效|重点|顺利开展|有序开展|落到实处|到位|取得实效|新台阶|问题)$"
)


def _clauses(sentence: str) -> list[str]:
    """Comma clauses of a sentence, a clause that is only a time adverbial joined to the next."""
    parts = [p.strip() for p in re.split(r"[，,]", sentence.rstrip("。；;！？!?").strip()) if p.strip()]
    groups: list[str] = []
    pending = ""
    for p in parts:
        piece = f"{pending}，{p}" if pending else p
        core = _MODAL.sub("", p)
        if _TIME_PREFIX.match(core) and len(core) <= 14 and p is not parts[-1]:
            pending = piece
            continue
        groups.append(piece)
        pending = ""
    if pending:
        groups.append(pending)
    return groups


def _quantity(clause: str) -> tuple[float, str, Comparator, str | None] | None:
    m = _QTY.search(clause)
    if m:
        pre, post = m.group("pre") or "", m.group("post") or ""
        comp: Comparator = (
            "<=" if pre in _AT_MOST.split("|") or post in ("以内", "以下", "之内", "内") else ">="
        )
        return float(m.group("num")), m.group("unit"), comp, None
    c = _CN_QTY.search(clause)
    if c:
        value = cn_to_int(c.group("num"))
        if value:
            pre = c.group("pre") or ""
            comp = "<=" if pre in _AT_MOST.split("|") else ">="
            return float(value), c.group("unit"), comp, c.group("per")
    return None


def _concrete_modal(clause: str) -> str | None:
    """The modal word when the clause is a strong-modal duty with a concrete object, else None."""
    m = _MODAL.search(clause)
    if not m:
        return None
    after = _ADVERBS.sub("", clause[m.end() :].lstrip("，"))
    if len(after) < 4 or after.startswith(_SOFT_VERBS) or _VAGUE_END.search(clause):
        return None
    return m.group(0)


def _obligation(clause: str, line: int) -> Obligation | None:
    qty = _quantity(clause)
    dl = _DEADLINE.search(clause)
    period_m = _PERIOD.search(clause)
    period = period_m.group(0) if period_m else None
    deadline = re.sub(r"^(?:今年|本年)", "", dl.group(0)).replace(" ", "") if dl else None
    if qty is not None:
        number, unit, comp, cn_period = qty
        return Obligation(
            text=clause,
            kind="quantity",
            line=line,
            number=number,
            unit=unit,
            comparator=comp,
            period=period or cn_period,
            deadline=deadline,
        )
    if deadline or period in ("年内", "年度内"):
        return Obligation(
            text=clause,
            kind="deadline",
            line=line,
            deadline=deadline or period,
            period=period,
            modal=_concrete_modal(clause),
        )
    modal = _concrete_modal(clause)
    if modal or (period and period.startswith("每")):
        return Obligation(text=clause, kind="action", line=line, period=period, modal=modal)
    return None


def extract_obligations(block: str, first_line: int) -> list[Obligation]:
    """The obligations in the text of one item (``block`` starts at line ``first_line``)."""
    found: list[Obligation] = []
    for sentence in split_sentences(block, None, first_line):
        for clause in _clauses(sentence.text):
            ob = _obligation(clause, sentence.line)
            if ob is not None:
                found.append(ob)
    return found
