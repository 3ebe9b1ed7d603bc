"""The agency's own place for the drafter, and the place names a draft may use.

Resolution is by the *full* name with its parents: 青山市 is no division (there are 青山区 in
武汉市 and in 包头市, but no 青山市), so it stays unresolved instead of becoming a district of
another city; 朝阳区 alone is ambiguous (北京市, 长春市) and needs its province or city — from
``--place`` or the notes' front matter ``地方: 吉林省长春市``.

A draft may name its own place and that place's ancestors, and any place the clerk's notes
name; every other place or agency is foreign. When the own place is unresolved or ambiguous,
every place name not in the notes is suspect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.report.names import Identity, NameHit, find_foreign_names
from agent.report.places import (
    DIVISION_SUFFIXES,
    KIND_FULL,
    WS,
    Place,
    PlaceCandidate,
    leftmost_longest,
    place_index,
    scan_places,
)

_UNKNOWN = Place("（未能确定的地方）", "（未能确定的地方）", "county", "000000", "")


@dataclass(frozen=True)
class OwnPlace:
    places: tuple[Place, ...] = ()
    status: str = "unknown"  # resolved | ambiguous | unknown
    message: str = ""  # for the clerk when not resolved

    @property
    def allowed(self) -> frozenset[Place]:
        """Own place and its ancestors."""
        if self.status != "resolved":
            return frozenset()
        return frozenset(p for own in self.places for p in place_index().chain(own))


def _run(name: str) -> list[PlaceCandidate]:
    """The leading run of place names in ``name`` (甘肃省张掖市高台县…)."""
    cands, stops = scan_places(name, with_county_shorts=True)
    run: list[PlaceCandidate] = []
    for c in leftmost_longest(cands, stops):
        if c.start != (run[-1].end if run else 0):
            break
        run.append(c)
    return run


def _options(c: PlaceCandidate, name: str) -> list[Place]:
    """Places a candidate may be: a short name followed by a division suffix must be a full name."""
    index = place_index()
    if c.kind == KIND_FULL:
        return [p for p in index.by_name.get(c.key, []) if p.current] or index.by_name.get(c.key, [])
    suffix = name[c.end : c.end + 1]
    if suffix and suffix in DIVISION_SUFFIXES:
        return []  # 青山市: 青山 + 市 is not the name of any 青山区
    return [p for p in index.by_short.get(c.key, []) if p.current]


def _narrow(options: list[Place], outer: list[Place]) -> list[Place]:
    index = place_index()
    return [p for p in options if any(index.is_within(p, o) for o in outer)]


def _resolve_chain(name: str) -> tuple[list[Place], bool]:
    """(places the run's last name can be, whether every name in the run was known)."""
    name = WS.sub("", name)
    run = _run(name)
    if not run:
        return [], False
    places: list[Place] = []
    for c in run:
        options = _options(c, name)
        if not options:
            return [], False
        places = _narrow(options, places) if places else options
        if not places:
            return [], False
    tail = name[run[-1].end : run[-1].end + 1]
    return places, not (tail and tail in DIVISION_SUFFIXES)


def resolve_own_place(agency: str, hint: str | None = None) -> OwnPlace:
    """The agency's place from its name, narrowed by ``hint`` (``--place`` / ``地方:``)."""
    places, known = _resolve_chain(agency)
    if hint:
        outer, hint_known = _resolve_chain(hint)
        if not outer or not hint_known:
            return OwnPlace(
                (), "unknown", f"无法识别“地方: {hint}”，请写完整的省、市、县名称（如“湖北省武汉市”）"
            )
        if places:
            places = _narrow(places, outer) or []
            if not places:
                return OwnPlace((), "unknown", f"机关名称中的地名不在“{hint}”之内，请核对“地方:”")
        elif _run(WS.sub("", agency)):
            return OwnPlace((), "unknown", f"机关名称“{agency}”中的地名在“{hint}”中找不到")
        else:  # 市民族宗教局, 本局: the place is the hint's
            places, known = outer, True
    if places and known and len(places) == 1:
        return OwnPlace(tuple(places), "resolved")
    if places and known:
        shown = "、".join(place_index().describe(p) for p in places[:4])
        return OwnPlace(
            tuple(places),
            "ambiguous",
            f"机关所在地有多处同名（{shown}），请在要点开头写“地方: …”（如“地方: {place_index().describe(places[0])}”）"
            "或使用 --place 指明；在此之前，草稿中除要点写到的以外，任何地名都按可疑处理",
        )
    return OwnPlace(
        (),
        "unknown",
        f"未能确定“{agency}”所在的地方，草稿中除要点写到的以外，任何地名都按可疑处理；"
        "可在要点开头写“地方: 省、市、县全称”或使用 --place",
    )


@dataclass(frozen=True)
class _DraftIdentity(Identity):
    """An identity that allows only the own place and its ancestors (not its descendants)."""

    allowed_places: frozenset[Place] = field(default_factory=frozenset)

    def allows(self, place: Place) -> bool:
        return place in self.allowed_places

    def describe(self) -> str:
        own = [p for p in self.places if p is not _UNKNOWN]
        return place_index().describe(own[0]) if own else "（未能确定）"


@dataclass(frozen=True)
class PlaceRule:
    """What names a draft may use: own place, its ancestors, and what the notes name."""

    agency: str
    own: OwnPlace
    notes_names: frozenset[str] = frozenset()
    known_agencies: tuple[str, ...] = ()

    @property
    def identity(self) -> Identity:
        places = self.own.places if self.own.status == "resolved" else (_UNKNOWN,)
        return _DraftIdentity(self.agency, places, "title", allowed_places=self.own.allowed)

    def foreign(self, text: str) -> list[NameHit]:
        hits = find_foreign_names(text, self.identity, self.known_agencies)
        return [h for h in hits if h.name not in self.notes_names and WS.sub("", h.name) not in self.agency]


def place_rule(
    agency: str, hint: str | None, bullet_texts: list[str], known: tuple[str, ...] = ()
) -> PlaceRule:
    own = resolve_own_place(agency, hint)
    probe = PlaceRule(agency, own, frozenset(), known)
    names = {h.name for text in bullet_texts for h in probe.foreign(text)}
    return PlaceRule(agency, own, frozenset(names), known)
