"""What a question asks for (a time limit, an amount, a count, an organ) and whether a sentence
gives it.

    asked_for("最晚什么时候要挂到网上？")          # Asked(kind="time", unit=None)
    gives(asked_for("补正要留几天？"), "给予合理的补正期限")  # False: no time span in it

A deadline question is answered by a sentence with a time span or a date (20个工作日、15日内、
1月31日前); “多少天/几天” wants a span, not a date; “几年” wants years. A fee question wants
an amount (元、万元) — or a rule that no fee is charged when the question asks whether (要交钱吗),
not how much. A count (多少件) wants a number with that unit; “谁/哪个部门” wants an organ. A
question that names an item (第（三）条、四（三）、第三十三条) is answered only by that item.
The asked-for thing is a feature of the answerability decision (:mod:`agent.ask.decide`) and
picks the sentence to mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.ask.scope import asking_sentences

_NUM = r"(?:\d+|[一二两三四五六七八九十百千]+)"
_SPAN = re.compile(rf"{_NUM}\s*(?:个)?\s*(?:工作日|日|天|个月|月|年|小时|周)")
_DATE = re.compile(
    rf"{_NUM}\s*月\s*{_NUM}\s*日|每年|年度|当场|立即|及时|之日起|年底|年末|月底|月末|年内|底前"
)
_YEARS = re.compile(rf"{_NUM}\s*年")
_MONTHS = re.compile(rf"{_NUM}\s*(?:个)?月|{_NUM}\s*月\s*{_NUM}\s*日")
_AMOUNT = re.compile(rf"{_NUM}\s*(?:元|万元|块)")
_FEE_RULE = re.compile(r"不收取费用|收取|费用|收费|免")
_ORGAN = re.compile(
    r"机关|部门|政府|法院|检察院|机构|委员会|办公室|办公厅|档案馆|单位|主管|领导人员|负责人|保密行政管理|信访工作机构|本人|代理人|法定代表人"
)
_COUNT_UNIT = re.compile(rf"{_NUM}\s*(?:件|个|次|人|名|项|份|条|页)")

# question cues, most specific first
_Q_YEARS = re.compile(r"(?:几|多少)\s*年")
_Q_MONTHS = re.compile(r"(?:几|多少)\s*(?:个)?月")
_Q_SPAN = re.compile(
    r"(?:几|多少)\s*(?:个)?\s*(?:工作日|天|日)|多久|多长时间|多少时间|时限|期限是(?!什么时候|哪)|什么期限"
)
# “之前” asks a date only after one (3月31号之前挂出来就行吧？), not after an act (拍板之前要做什么？)
_Q_WHEN = re.compile(
    r"什么时候|哪天|几号|最晚|截止|(?:号|日|月|底|末)(?:之前|以前)|以前.*?(?:挂|交|公布|报)|多长|时间内"
    r"|什么时间|时间节点|最后期限"
)
# 几 that is not a question: an approximate number (十几年前、好几天、那几件、几十页) — 提前几天 still asks
_APPROX = re.compile(r"(?<=[十百千好这那头近上])几|(?<!提前)(?<=前)几|几(?=[十百千])")
_Q_AMOUNT = re.compile(r"多少钱|多少元|多少万|收多少|交多少|标准是多少|金额|什么标准|多少.{0,3}费")
_Q_FEE_WHETHER = re.compile(r"交钱|收费|收钱|费用|复印费|邮费|成本")
_Q_COUNT = re.compile(r"(?:几|多少)\s*(?:个|件|次|人|名|项|份|条|位|页|分)")
_Q_WHO = re.compile(r"谁|哪个部门|哪个机关|哪个单位|哪一级|哪家|找哪|向哪|归哪|交给哪|报给|由哪")
_Q_ITEM = re.compile(
    r"第[（(]([一二三四五六七八九十]+)[）)]条|([一二三四五六七八九十]+)[（(]([一二三四五六七八九十]+)[）)]"
)


@dataclass(frozen=True)
class Asked:
    kind: str  # years | months | span | when | amount | fee | count | who | none
    unit: str = ""


def asked_for(question: str) -> Asked:
    """What the question asks for, read in the sentences that ask (agent.ask.scope): the
    situation told before them (“十几年前的老档案，二十个工作日肯定弄不完。最多能推多久？”) is
    context, not what is asked."""
    q = _APPROX.sub("△", "".join(asking_sentences(question)) or question)
    if _Q_AMOUNT.search(q):
        return Asked("amount")
    if _Q_YEARS.search(q):
        return Asked("years")
    if _Q_MONTHS.search(q):
        return Asked("months")
    if _Q_SPAN.search(q):
        return Asked("span")
    m = _Q_COUNT.search(q)
    if m:
        return Asked("count", m.group(0)[-1])
    if _Q_WHEN.search(q):
        return Asked("when")
    if _Q_WHO.search(q):
        return Asked("who")
    if _Q_FEE_WHETHER.search(q):
        return Asked("fee")
    return Asked("none")


def gives(asked: Asked, sentence: str) -> bool:
    """Does ``sentence`` contain the kind of thing the question asks for?"""
    s = sentence
    k = asked.kind
    if k == "none":
        return True
    if k == "years":
        return bool(_YEARS.search(s) and _SPAN.search(s))
    if k == "months":
        return bool(_MONTHS.search(s))
    if k == "span":
        return bool(_SPAN.search(re.sub(rf"{_NUM}\s*月\s*{_NUM}\s*日", "", s)))
    if k == "when":
        return bool(_SPAN.search(s) or _DATE.search(s))
    if k == "amount":
        return bool(_AMOUNT.search(s) or "不收取费用" in s)
    if k == "fee":
        return bool(_FEE_RULE.search(s))
    if k == "count":
        unit = asked.unit
        if unit == "分":
            return bool(re.search(rf"{_NUM}\s*分", s))
        return bool(_COUNT_UNIT.search(s)) if unit in "个件次人名项份条位页" else bool(re.search(r"\d", s))
    if k == "who":
        return bool(_ORGAN.search(s))
    return True


def named_item(question: str) -> str | None:
    """The item a question names (“第（三）条” of part 四 → “四（三）”; “四（三）”), else None."""
    m = _Q_ITEM.search(question)
    if not m:
        return None
    if m.group(2) and m.group(3):
        return f"{m.group(2)}（{m.group(3)}）"
    part = re.search(r"第([一二三四五六七八九十]+)部分", question)
    return f"{part.group(1)}（{m.group(1)}）" if part else f"（{m.group(1)}）"
