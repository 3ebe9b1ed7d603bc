"""Coverage of a notice by a report: the thresholds, the result model and the matching records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from agent.workpoints.report_sentences import RSentence
from agent.workpoints.requirements import Obligation, Requirement
from agent.workpoints.terms import (
    BOILERPLATE,
    KEY_TERMS,
    SPECIFIC_TERMS,
)

Status = Literal["addressed", "partly", "not_addressed"]
STATUS_CN: dict[str, str] = {"addressed": "已落实", "partly": "部分落实", "not_addressed": "未体现"}

MIN_HITS = 2
SENTENCE_MIN = 0.15
UNANCHORED_MIN = 0.25
WINDOW = 4
OBLIGATION_MIN = 0.5
TITLE_MIN = 0.5
KEY_MIN = 0.4
BODY_MIN = 0.25
BODY_TERMS = 10
MAX_EVIDENCE = 3
PART_CREDIT = 0.5
TITLE_BOOST = 2.0
KEY_BOOST = 1.5
LOW_VALUE = 0.3
LOW_VALUE_CONCEPT = 0.5
CONTEXT_LINES = 2

# --------------------------------------------------------------------------- the model


class Evidence(BaseModel):
    text: str
    line: int
    location: str
    score: float
    terms: list[str] = Field(default_factory=list)


class ObligationCheck(BaseModel):
    obligation: Obligation
    evidenced: bool
    satisfied: bool | None = None  # None: mentioned, but the report does not say enough to judge
    found: str | None = None  # what the report states, e.g. “2次”
    note: str = ""
    evidence: Evidence | None = None

    @property
    def mark(self) -> str:
        if self.satisfied is False or not self.evidenced:
            return "✗"
        return "✓" if self.satisfied else "？"


class RequirementCoverage(BaseModel):
    requirement: Requirement
    status: Status
    score: float
    title_coverage: float
    key_coverage: float
    matched_terms: list[str] = Field(default_factory=list)
    missing_terms: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    obligations: list[ObligationCheck] = Field(default_factory=list)


class Coverage(BaseModel):
    notice_title: str = ""
    notice_source: str = ""
    source: str = ""
    items: list[RequirementCoverage] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def get(self, req_id: str) -> RequirementCoverage | None:
        return next((i for i in self.items if i.requirement.id == req_id), None)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for i in self.items if i.status == s) for s in STATUS_CN}


# --------------------------------------------------------------------------- requirement profiles


@dataclass
class MatchScore:
    credit: dict[str, float]  # requirement word → 1 (the word itself) or PART_CREDIT (a piece of it)
    used: set[str]  # the sentence terms that matched
    share: float  # matched weight / total weight of the words asked for
    concepts: float  # matched words (a piece counts PART_CREDIT), at most the sentence words involved


@dataclass
class Profile:
    req: Requirement
    weights: dict[str, float]
    title_words: list[str]
    key_words: list[str]
    all_words: list[str]
    pieces: dict[str, list[str]]

    def plain_weight(self, w: str, default: float = 1.0) -> float:
        weight = self.weights.get(w, default)
        return weight / TITLE_BOOST if w in self.title_words else weight

    def weight(self, ws: list[str] | set[str]) -> float:
        return sum(self.weights.get(w, 1.0) for w in set(ws))

    def names_duty(self, m: MatchScore) -> bool:
        """The sentence names the duty itself: a specific term, or a key term of the title."""
        return any(
            c >= 1.0 and (w in SPECIFIC_TERMS or (w in KEY_TERMS and w in self.title_words))
            for w, c in m.credit.items()
        )

    def match(
        self, ws: list[str], rs: RSentence, total: float | None = None, plain: bool = False
    ) -> MatchScore:
        """What of ``ws`` the sentence matches; ``plain``: title words without their title boost."""
        credit: dict[str, float] = {}
        used: set[str] = set()
        for w in ws:
            if w in rs.terms:
                credit[w] = 1.0
                used.add(w)
                continue
            hit = [p for p in self.pieces.get(w, ()) if p in rs.terms]
            if hit:
                credit[w] = PART_CREDIT
                used.update(hit)
        weight = self.plain_weight if plain else self.weights.get
        total = total or sum(weight(w, 1.0) for w in set(ws)) or 1.0
        share = min(1.0, sum(weight(w, 1.0) * c for w, c in credit.items()) / total)
        concepts = sum(c * (LOW_VALUE_CONCEPT if w in BOILERPLATE else 1.0) for w, c in credit.items())
        concepts = min(concepts, rs.concepts(used))
        return MatchScore(credit, used, share, concepts)


def make_evidence(rs: RSentence, m: MatchScore) -> Evidence:
    return Evidence(
        text=rs.sentence.text,
        line=rs.sentence.line,
        location=rs.location,
        score=round(min(m.share, 1.0), 3),
        terms=sorted(m.credit),
    )
