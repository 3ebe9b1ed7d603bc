"""Pair each unit's consecutive years: the report of (agency, year) with that of (agency, year − 1).

Agencies are compared by name with spaces and the report-title words removed; a report whose
agency or year is unknown is not paired (and says so); two reports of one agency and one year
are not guessed between: neither is used as last year's report for the next year, and both say
why.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

_SPACE = re.compile(r"[\s\u3000]+")


def agency_key(agency: str | None) -> str | None:
    if not agency:
        return None
    key = _SPACE.sub("", unicodedata.normalize("NFKC", agency))
    return key or None


@dataclass(frozen=True)
class Pairing:
    previous: int | None  # index of last year's report, None when not paired
    status: str  # paired | no_previous | unknown | duplicate
    note: str  # what a reviewer reads


def pair_years(units: list[tuple[str | None, int | None]]) -> list[Pairing]:
    """For each (agency, year), the index of the same agency's report for year − 1."""
    by_unit: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i, (agency, year) in enumerate(units):
        key = agency_key(agency)
        if key and year:
            by_unit[(key, year)].append(i)
    out: list[Pairing] = []
    for agency, year in units:
        key = agency_key(agency)
        if not key or not year:
            missing = "机关名称" if not key else "年度"
            out.append(Pairing(None, "unknown", f"未识别{missing}，无法与上年报告配对"))
            continue
        if len(by_unit[(key, year)]) > 1:
            out.append(
                Pairing(None, "duplicate", f"本批中有 {len(by_unit[(key, year)])} 份{agency}{year}年度报告")
            )
            continue
        prev = by_unit.get((key, year - 1), [])
        if not prev:
            out.append(Pairing(None, "no_previous", f"本批中没有{agency}{year - 1}年度报告"))
        elif len(prev) > 1:
            out.append(
                Pairing(None, "duplicate", f"本批中有 {len(prev)} 份{agency}{year - 1}年度报告，未自动配对")
            )
        else:
            out.append(Pairing(prev[0], "paired", f"已与{year - 1}年度报告核对"))
    return out
