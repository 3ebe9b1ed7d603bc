"""Does the corpus state the specific value a question asks for?

A clerk's “几天/多少钱/多少件/占多少分” asks for a value; a passage on the topic that has no such
value does not answer it (“给申请人留几天补正？” — nothing in the 条例 sets a number of days for
the 补正 itself). :func:`asked_value` finds the value a question asks for, strictly: only an
interrogative with a unit in a sentence that asks, at the end of its clause or before words
like 内、才、以上 (“好几天”、“十几年前”、“收到几条留言，…有要求吗？”、“哪几项” are context or an
enumeration, not a value asked for), or 报多少、补多少、赔多少、罚多少 for an amount; one side of a
choice (是填多少钱，还是填多少件？) is not asked. :func:`stated_by` looks for a clause of the first
few ranked passages with a number of that kind (a day count for 几天, an amount for 多少钱, a
number of 件 for 多少件); “不收取费用” states an amount only when the question does not name
another fee (信息处理费、诉讼费 …); a passage of a law the question neither names nor implies
(行政复议法's ten days for a 复议 application's 补正) does not count, nor a passage of another
document than the one a sentence that asks names.

    slot = asked_value("补正通知里给申请人留几天合适？")   # Slot(kind="span", unit="天", cue="几天")
    stated_by(slot, question, ranked)                      # None → `ask` refuses and says why

The check is one-sided: a stated value does not make a question answerable (the model decides);
a value asked for and stated nowhere near the top makes it unanswerable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agent.ask.evidence import sentences
from agent.ask.features import DOCUMENT_CUES, Candidate, document_key
from agent.ask.scope import asking_sentences

STATED_WITHIN = 3  # ranked passages searched for the value

_NUM = r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十][零一二两三四五六七八九十百千万]*)"
_SPAN_UNITS = r"个?\s*(?:工作日|天|日|周|星期|个月|月|年|小时)"
_AMOUNT_UNITS = r"(?:块钱|块|元|万元|钱)"
_COUNT_UNITS = r"(?:件|次|分|页|位|人|名|份|家|批|学时|课时|台|平方米|平米)"
_NOT_BEFORE = "好十这那前头近上最哪"  # 好几天、十几年、这几天、前几年、哪几项: not a value asked for
# what may follow the asked unit: a limit or threshold word (几天内答复、多少件以上才算), or the end
# of its clause after a little filler (留几天合适？、一年叫几次？)
_AFTER = re.compile(
    r"\s*(?:以?[内后前上下]|之[内后前]|为止|才|就|起|一[件页份次个张])"
    r"|\s*(?:左右|算|合适|为宜|够|行|可以|呢|吗|啊|呀|的话|时间|期限)*\s*(?:[，,。；;？?！!]|$)"
)
_Q_UNIT = re.compile(
    rf"(?<![{_NOT_BEFORE}])(?:几|多少)\s*(?P<unit>{_SPAN_UNITS}|{_AMOUNT_UNITS}|{_COUNT_UNITS})(?![十百千])"
)
_Q_OTHER = re.compile(
    r"(?P<long>多久|多长时间|多长期限|多少时间|多长)"
    r"|(?P<pct>百分之几|百分之多少|多大比例|多少比例|比例[^，,。；;？?]{0,4}?多少|占比多少|几成)"
    r"|(?P<fee>收多少|交多少|[报补赔罚]多少|标准是多少|每[页件份次]\S{0,3}?多少|多少钱)"
    r"|(?P<month>几月份|几月几[日号]|几号之前|几号以前)"
)
_CLAUSE = re.compile(r"[^，,；;：:。！？!?]+")
_FEE_NAME = re.compile(r"[\u4e00-\u9fff]{1,4}费")
# what a clause states
_SPAN = re.compile(rf"(?:{_NUM}\s*个?\s*|每)(工作日|日|天|周|星期|个月|月|年|小时)")
_DATE = re.compile(rf"{_NUM}\s*月\s*{_NUM}\s*日|{_NUM}\s*月(?:底|末|初|份)?")
_AMOUNT = re.compile(rf"{_NUM}\s*(?:元|万元|块)")
_FREE = re.compile(r"不收取费用|不得收取|免费|不收费|不收取任何费用")
_PCT = re.compile(rf"{_NUM}\s*[%％]|百分之{_NUM}")
_ARTICLE = re.compile(rf"第[（(]?{_NUM}[）)]?[条款项]")
_DAYS = ("工作日", "日", "天", "周", "星期")
_UNIT_CLASS: dict[str, tuple[str, ...]] = {
    **{u: _DAYS for u in _DAYS},
    "小时": ("小时", "日", "天"),
    "月": ("月", "个月"),
    "个月": ("月", "个月"),
    "年": ("年",),
}
_SPAN_KIND_NAMES = {
    "span": "期限（天数、月数或年数）",
    "month": "日期",
    "amount": "金额",
    "percent": "比例",
    "frequency": "频次",
}
# a span asked “per time” (多长时间公布一次、隔多久评估一次) asks how often: a frequency
_PER_TIME = re.compile(r"[^，,。；;？?！!]{0,6}?一次(?!性)")
# what states a frequency: 每日、每个工作日、每季度、年内至少1次、两年一次（“定期”“及时” do not)
_FREQ = re.compile(
    rf"每\s*(?:个\s*)?(?:日|天|工作日|周|星期|月|季度|半年|年)|{_NUM}\s*次|{_NUM}\s*(?:个\s*)?(?:年|月|周|天|日)\s*一次"
)


@dataclass(frozen=True)
class Slot:
    kind: str  # span | month | amount | count | percent
    unit: str  # the asked unit (天, 年, 件, 分 …); "" when any of the kind will do
    cue: str  # the words of the question that ask (“几天”)

    claimed: bool = False  # a value the question states (“是不是有15天？”), not one it asks for

    @property
    def label(self) -> str:
        """What was asked, for the refusal (“具体期限（几天）”)."""
        if self.claimed:
            return f"依据来核对问题中的“{self.cue}”"
        if self.kind == "count":
            return f"具体数字（{self.cue}）"
        return f"具体{_SPAN_KIND_NAMES.get(self.kind, '数字')}（{self.cue}）"


def _clause_at(text: str, pos: int) -> str:
    """The clause (between commas, semicolons, stops) of ``text`` around ``pos``."""
    start = max((text.rfind(c, 0, pos) for c in "，,；;：:。！？!?"), default=-1) + 1
    ends = [i for i in (text.find(c, pos) for c in "，,；;：:。！？!?") if i >= 0]
    return text[start : min(ends) if ends else len(text)]


def _choice(sent: str, pos: int) -> bool:
    """The interrogative at ``pos`` is one side of a choice: “还是” in its clause (填多少钱还是多少件),
    or between it and another interrogative of the sentence (是填罚了多少钱，还是填多少件？)."""
    if "还是" in _clause_at(sent, pos):
        return True
    others = [m.start() for r in (_Q_UNIT, _Q_OTHER) for m in r.finditer(sent) if m.start() != pos]
    return any("还是" in sent[min(pos, o) : max(pos, o)] for o in others)


def asked_value(question: str) -> Slot | None:
    """The value the question asks for, or None (see the module docstring)."""
    for sent in asking_sentences(question):
        for m in _Q_UNIT.finditer(sent):
            if _choice(sent, m.start()):
                continue  # a choice (填多少钱还是多少件？), not a value asked for
            if not _AFTER.match(sent, m.end()):
                continue
            raw = m.group("unit")
            unit = re.sub(r"\s|^个", "", raw)
            for kind, units in (("span", _SPAN_UNITS), ("amount", _AMOUNT_UNITS), ("count", _COUNT_UNITS)):
                if re.fullmatch(units, raw):
                    return _per_time(Slot(kind, "" if kind == "amount" else unit, m.group(0)), sent, m.end())
        m2 = next((m for m in _Q_OTHER.finditer(sent) if not _choice(sent, m.start())), None)
        if m2:
            kind = {"long": "span", "pct": "percent", "fee": "amount", "month": "month"}[str(m2.lastgroup)]
            return _per_time(Slot(kind, "", m2.group(0)), sent, m2.end())
    return None


def _per_time(slot: Slot, sent: str, end: int) -> Slot:
    """A span followed by “一次” in its clause (多长时间要公布一次) asks for a frequency."""
    m = _PER_TIME.match(sent, end) if slot.kind == "span" else None
    return Slot("frequency", "", slot.cue + m.group(0)) if m else slot


_CLAIM = re.compile(
    r"(?<![\d.第])(?P<n>\d{1,3}(?:\.\d+)?|[一二两三四五六七八九十][一二两三四五六七八九十百]*)\s*"
    r"(?P<unit>个工作日|工作日|天|日|个月|年|小时|元|万元)(?![前后间底初度代级])"
)


_CONFIRM = re.compile(r"是不是|是否|对吧|对不对|对吗|是这么回事|是这样吗|没错吧|还是|够不够|够吗|行不行")


def claimed_values(question: str) -> list[Slot]:
    """Time spans and amounts the question states and puts to the test (“年休假是不是有15天？”、
    “15个工作日内回复，对吧？”、“定永久还是30年？”): a passage that answers it has a value of that
    kind to compare. Dates and years (2019年、1月底、三年前) and numbers told as background are not."""
    out = []
    for sent in asking_sentences(question):
        if not _CONFIRM.search(sent):
            continue  # a number told as background (三年没动过了、一个月提了几百个), not put to the test
        for m in _CLAIM.finditer(sent):
            unit = m.group("unit").removeprefix("个")
            kind = "amount" if unit.endswith("元") else "span"
            out.append(Slot(kind, "" if kind == "amount" else unit, m.group(0), claimed=True))
    return out


def _value_in(slot: Slot, clause: str, other_fees: Sequence[str] = ()) -> bool:
    s = _ARTICLE.sub("", clause)
    if slot.kind == "span":
        units = [m.group(1) for m in _SPAN.finditer(s)]
        return bool(units) and (
            not slot.unit or any(u in _UNIT_CLASS.get(slot.unit, (slot.unit,)) for u in units)
        )
    if slot.kind == "month":
        return bool(_DATE.search(s))
    if slot.kind == "frequency":
        return bool(_FREQ.search(s))
    if slot.kind == "amount":
        if _AMOUNT.search(s):
            return True
        return bool(_FREE.search(s)) and all(f in clause for f in other_fees)
    if slot.kind == "percent":
        return bool(_PCT.search(s))
    return bool(re.search(rf"{_NUM}\s*{re.escape(slot.unit)}", s))


def stated_in(slot: Slot, text: str, question: str = "") -> str | None:
    """The first sentence of ``text`` with a clause that states a value of the asked kind. A fee
    the question names that the text also names apart (信息处理费 beside “不收取费用”) is another
    fee: “不收取费用” does not say what it comes to."""
    fees = [f for f in _FEE_NAME.findall(question) if f in text and not f.endswith(("收费", "交费", "缴费"))]
    for a, b in sentences(text):
        sent = text[a:b]
        if any(_value_in(slot, c, fees) for c in _CLAUSE.findall(sent)):
            return sent
    return None


_DOMAIN_CUES = ("年报指南", "年报格式", "2007条例")  # cue groups that do not name another law


def _named_documents(question: str) -> set[str]:
    """The documents (keys of DOCUMENT_CUES) the question names or implies, the report guide
    aside (“报告”、“第三部分” are everyday words of the product's subject)."""
    return {
        k for k, cues in DOCUMENT_CUES.items() if k not in _DOMAIN_CUES and any(w in question for w in cues)
    }


def admissible(question: str, c: Candidate) -> bool:
    """May this passage state the value? Not when a sentence that asks names another document than
    the passage's (领导信箱 … 要点规定几个工作日 → not the 条例's 20 working days), nor when the
    passage is of another law that the question neither names nor implies (行政复议法's time
    limits are for its own procedure)."""
    key = document_key(c.passage)
    own_key = None if key in _DOMAIN_CUES else key
    asked = _named_documents("".join(asking_sentences(question)))
    if asked:
        return own_key in asked or (own_key is None and "条例" in question)
    # named only in the situation told (要翻十几年前的老档案。最多能推多久？): that law may state the
    # value, and so may the 条例 and the notice, as for a question that names none
    return own_key in _named_documents(question) or own_key is None or own_key == "政务公开工作要点"


def stated_by(slot: Slot, question: str, ranked: Sequence[Candidate]) -> tuple[Candidate, str] | None:
    """The first of the top :data:`STATED_WITHIN` passages that states the value, with its sentence."""
    for c in ranked[:STATED_WITHIN]:
        if not admissible(question, c):
            continue
        sent = stated_in(slot, c.passage.text, question)
        if sent:
            return c, sent
    return None
