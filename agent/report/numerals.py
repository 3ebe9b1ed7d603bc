"""Numbers in any notation, as values a sentence claims: 218条, 二百一十八条, 20万人次, 百分之九十八,
近千条, 三十余人次, 3,990,125件.

A *mention* is a number that states a quantity: Arabic digits anywhere (outside document numbers,
article numbers and book titles), Chinese numerals when a measure word (件、条、次、人次、个工作日 …)
or 百分之 makes them a quantity, scaled by 万/亿, with the approximation words around it
(近、约、余、逾、多、左右 …) recorded. Chinese numerals are converted by ``cn2an`` (smart mode);
idioms that contain numerals (一是, 进一步, 一网通办, 三公经费, 十四五, 三类内部事务信息) are not
mentions. A bare 一 with a measure word (一次性, 一批, 一个窗口) is idiom far more often than a
figure, so it is not a mention either; 一 inside a larger numeral (一百, 十一) is.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

CN_DIGITS = "零〇一二两三四五六七八九"
CN_UNITS = "十百千万亿"
_CN = f"[{CN_DIGITS}{CN_UNITS}]"
# measure words after which a Chinese numeral is a quantity (longest first)
MEASURES = tuple(
    sorted(
        [
            "件",
            "条",
            "次",
            "人次",
            "人",
            "名",
            "位",
            "户",
            "个",
            "篇",
            "期",
            "场",
            "项",
            "家",
            "份",
            "元",
            "万元",
            "天",
            "日",
            "个工作日",
            "工作日",
            "小时",
            "分钟",
            "年",
            "月",
            "批",
            "类",
            "本",
            "册",
            "张",
            "起",
            "所",
            "处",
            "座",
            "部",
            "台",
            "套",
            "栏",
            "个栏目",
            "个账号",
            "个网站",
            "余件",
            "余条",
            "余次",
            "余人",
            "倍",
            "万",
            "亿",
            "周",
            "季度",
            "轮",
            "块",
            "组",
            "支",
            "次数",
        ],
        key=len,
        reverse=True,
    )
)
_MEASURE = "|".join(re.escape(m) for m in MEASURES)
_APPROX_BEFORE = "将近|接近|近乎|近|大约|约|逾|超过|超"
_APPROX_WORDS = (
    "将近",
    "接近",
    "近",
    "约",
    "大约",
    "逾",
    "超过",
    "超",
    "余",
    "多",
    "左右",
    "上下",
    "以上",
    "近乎",
)

# things that hold digits without stating a quantity
_IGNORED = re.compile(
    r"《[^》]{0,80}》|〔\d{4}〕\d+号|\[\d{4}\]\d+号|第[\d一二三四五六七八九十百千]+[条款项章节号届次]"
    r"|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+是"
    r"|三类内部事务信息|四类过程性信息|三安全一稳定|三公经费|“三公”|十[一二三四五]五|二十大|十九大|十八大"
    r"|一网通办|一网统管|一件事|一次办|一图读懂|一图看懂|一把手|两微一端|一站式|一体化|一对一|一揽子|一站|进一步"
    r"|四个意识|四个自信|两个维护|两个确立|四个全面|五位一体|三会一课|两学一做|放管服|一网|一号|一窗"
    r"|一是|二是|万无一失|千方百计|百姓|千家万户|一线|同一|统一|唯一|之一|一律|一并|一致|一起|一般|一定|一直|一些"
)
_ARABIC = re.compile(
    rf"(?P<pre>{_APPROX_BEFORE})?(?P<num>(?<![\d.])\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|(?<![\d.,])\d+(?:\.\d+)?)"
    rf"(?P<scale>万|亿)?(?P<post>余|多)?(?P<pct>%|％)?"
)
_CHINESE = re.compile(
    rf"(?P<pre>{_APPROX_BEFORE})?(?P<pct>百分之)?(?P<num>{_CN}+)(?P<post>余|多)?(?=(?P<measure>{_MEASURE})|(?P<end>[，。；、：）\s]|$))"
)


@dataclass(frozen=True)
class Mention:
    value: float  # scaled: 20万 → 200000; 百分之九十八 → 98 (a percent)
    text: str  # as written
    start: int
    end: int
    approx: bool = False  # 近、约、余、多 …
    percent: bool = False

    def shown(self) -> str:
        return self.text


def _blank(text: str) -> str:
    """The text with ignored spans blanked (same length, so offsets hold)."""
    return _IGNORED.sub(lambda m: "\x00" * len(m.group(0)), text)


@functools.cache
def _cn2an() -> object:
    import cn2an  # lazily: importing it costs about 0.4 s

    return cn2an


def cn_value(numeral: str) -> float | None:
    """二百一十八 → 218, 二十万 → 200000, 千 → 1000, 五 → 5; None when it is no numeral."""
    if numeral[0] in CN_UNITS:
        numeral = "一" + numeral
    numeral = numeral.replace("〇", "零")
    try:
        value = _cn2an().cn2an(numeral, "smart")  # type: ignore[attr-defined]
    except (ValueError, KeyError, TypeError, IndexError):
        if re.fullmatch(f"[{CN_DIGITS}]+", numeral):  # 二〇二四: digit by digit
            return float("".join(str("零一二三四五六七八九".index(c.replace("两", "二"))) for c in numeral))
        return None
    return float(value)


def _approx(m: re.Match[str], text: str) -> bool:
    if m.group("pre") or m.group("post"):
        return True
    tail = text[m.end() : m.end() + 6]
    return bool(re.match(rf"(?:{_MEASURE})?(?:左右|上下|以上)", tail))


def mentions(text: str) -> list[Mention]:
    """Every quantity stated in ``text``, in order."""
    blanked = _blank(text)
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for m in _ARABIC.finditer(blanked):
        raw = m.group("num").replace(",", "")
        value = float(raw) * {"万": 1e4, "亿": 1e8}.get(m.group("scale") or "", 1)
        found.append(_mention(m, value, text, blanked))
        taken.append((m.start("num"), m.end()))
    for m in _CHINESE.finditer(blanked):
        numeral = m.group("num")
        if any(a < m.end("num") and m.start("num") < b for a, b in taken):
            continue
        if not (m.group("measure") or m.group("pct") or m.group("pre") or m.group("post")):
            continue  # a numeral standing alone (… 第一, 万一) states nothing
        bare = not (m.group("pct") or m.group("pre") or m.group("post"))
        if bare and (numeral == "一" or (numeral == "两" and m.group("measure") in ("类", "个"))):
            continue  # 一次性, 一批, 两类: idiom rather than a figure
        if numeral in ("万", "亿", "千", "百", "十") and not (m.group("pre") or m.group("post")):
            continue  # 万人, 千家: not figures without 近/余
        cn = cn_value(numeral)
        if cn is None:
            continue
        found.append(_mention(m, cn, text, blanked))
    found.sort(key=lambda x: x.start)
    return found


def _mention(m: re.Match[str], value: float, text: str, blanked: str) -> Mention:
    return Mention(
        value, text[m.start() : m.end()], m.start(), m.end(), _approx(m, blanked), bool(m.group("pct"))
    )


def values(text: str) -> set[float]:
    return {m.value for m in mentions(text)}
