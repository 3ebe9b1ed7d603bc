"""Statements of the narrative against the tables, and against each other — not only its digits.

Rules (ids in :mod:`agent.report.labels`):

* ``STMT-FEE``    one sentence says no 信息处理费 was charged while another states an amount; a
                  statement on 行政事业性收费 against Table 2's 收费 row; an amount (any notation)
                  against the fee data when the drafter knows it.
* ``STMT-DONE``   “均已办结 / 全部办结 / 所有申请均已按要求办理完成” while 结转下年度继续办理 > 0,
                  and a stated carried-over count (any notation) while the table says otherwise.
* ``STMT-REVIEW`` “未发生行政复议/行政诉讼” while Table 4 is non-zero, and a stated count of
                  复议/诉讼 (any notation: 两件, 1起) that the table does not have.
* ``DUPLICATE``   a sentence repeated in the narrative.

Numbers are read in any notation (:mod:`agent.report.numerals`). A finding that rests on a table
cell whose reading is uncertain (a ``state`` of ``"uncertain"``, when the table reader provides
one) is a warning that says so, never an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from agent.report.model import AnnualReport, Finding, InfoFee, Table2, Table3, Table4, make_finding
from agent.report.narrative import Sentence, report_sentences
from agent.report.numerals import Mention, mentions
from agent.report.tables import as_number

_NEG = r"(?:未|没有|无|不曾|未曾|均未|并未|从未)"
_FEE_NONE = re.compile(
    _NEG
    + r"[^。；]{0,10}?收取[^。；]{0,12}?处理费|处理费[^。；]{0,8}?(?:为0|为零|0元|零元|为无|未收取)|未发生[^。；]{0,6}收费"
)
_FEE_WORD = re.compile(r"处理费")
_ADMIN_FEE = re.compile(r"行政事业性收费")
_ALL_DONE = re.compile(
    r"(?:均已|均|全部|全都|所有申请均?已?|一律)[^。；，]{0,14}?(?:办结|办理完成|办理完毕|处理完毕|处理完成|答复完毕)"
)
_CARRY = re.compile(r"结转(?:至|到)?下一?年度?|转入下一?年|顺延至下一?年|明年继续办理")
_NO_REVIEW = re.compile(_NEG + r"(?:发生|出现|收到|产生|涉及)?[^。；]{0,24}?(行政复议|行政诉讼)")
_REVIEW_WORD = re.compile(r"行政复议|行政诉讼")
_ENUM = re.compile(r"^(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])")
_DUP_DROP = re.compile(r"[\s，。；：、！？,.;:!?“”\"'（）()]+")
DUPLICATE_MIN_CHARS = 10


@dataclass
class StatementFacts:
    """The table figures statements are held to (None: not known)."""

    table2: Table2 | None = None
    table3: Table3 | None = None
    table4: Table4 | None = None
    info_fee: InfoFee | None = None

    @classmethod
    def of(cls, report: AnnualReport) -> StatementFacts:
        return cls(report.table2, report.table3, report.table4, report.info_fee)


def cell_state(table: object, *keys: str) -> str:
    """read | derived | uncertain — from the table reader when it records states, else "read"."""
    state_of = getattr(table, "state", None)
    if callable(state_of):
        try:
            return str(state_of(*keys) or "read")
        except (KeyError, TypeError, ValueError):
            return "read"
    states = getattr(table, "states", None)
    node: object = states
    for k in keys:
        node = node.get(k) if isinstance(node, dict) else None
    if isinstance(node, str):
        return node
    get = getattr(table, "get", None)
    value = get(*keys) if callable(get) else None
    return str(getattr(value, "state", "read"))


def _num(table: object, *keys: str) -> float | None:
    get = getattr(table, "get", None)
    value = get(*keys) if callable(get) else None
    value = getattr(value, "value", value)
    return as_number(value)  # type: ignore[arg-type]


def _finding(rule: str, message: str, sent: Sentence, uncertain: bool) -> Finding:
    if uncertain:
        return make_finding(
            rule, message + "（该单元格未能可靠识别，请核对原文）", sent.location(), sent.section, "warning"
        )
    return make_finding(rule, message, sent.location(), sent.section)


def _amounts(text: str, unit: str) -> list[float]:
    """Values stated with ``unit`` right after them (元 / 件 / 万元)."""
    out = []
    for m in mentions(text):
        if text[m.end : m.end + len(unit)] == unit:
            out.append(m.value)
    return out


# --------------------------------------------------------------------------- fees


def fee_findings(sentences: Sequence[Sentence], facts: StatementFacts) -> list[Finding]:
    out: list[Finding] = []
    none = [s for s in sentences if _FEE_NONE.search(s.text)]
    some = [
        (s, [v for v in _amounts(s.text, "元") + _amounts(s.text, "件") if v > 0])
        for s in sentences
        if _FEE_WORD.search(s.text) and not _FEE_NONE.search(s.text)
    ]
    some = [(s, vs) for s, vs in some if vs]
    for s, _ in some:
        if none:
            other = none[0]
            out.append(
                _finding(
                    "STMT-FEE",
                    f"{other.location()}称未收取信息处理费，此处又写收取了费用：{s.quote}",
                    s,
                    False,
                )
            )
    fee = facts.info_fee
    if fee is not None:
        for s, _ in some:
            stated = _amounts(s.text, "元")
            if stated and all(abs(v - fee.amount_yuan) > 0.005 for v in stated):
                shown = "、".join(f"{v:g}" for v in stated)
                out.append(
                    _finding(
                        "STMT-FEE",
                        f"正文写信息处理费{shown}元，统计数据为{fee.amount_yuan:g}元：{s.quote}",
                        s,
                        False,
                    )
                )
    out += _admin_fee_findings(sentences, facts.table2)
    return out


def _admin_fee_findings(sentences: Sequence[Sentence], table2: Table2 | None) -> list[Finding]:
    if table2 is None:
        return []
    amount = _num(table2, "art20_8", "admin_fees", "fee_amount")
    if amount is None:
        return []
    uncertain = cell_state(table2, "art20_8", "admin_fees", "fee_amount") == "uncertain"
    out = []
    for s in sentences:
        if not _ADMIN_FEE.search(s.text):
            continue
        if re.search(_NEG + r"[^。；]{0,8}?(?:收取|征收)[^。；]{0,6}?行政事业性收费", s.text) and amount > 0:
            out.append(
                _finding(
                    "STMT-FEE",
                    f"正文称未收取行政事业性收费，表二收费金额为{amount:g}万元：{s.quote}",
                    s,
                    uncertain,
                )
            )
        stated = _amounts(s.text, "万元") + [v / 10000 for v in _amounts(s.text, "元")]
        if stated and all(abs(v - amount) > 0.005 for v in stated):
            shown = "、".join(f"{v:g}" for v in stated)
            out.append(
                _finding(
                    "STMT-FEE",
                    f"正文写行政事业性收费{shown}万元，表二收费金额为{amount:g}万元：{s.quote}",
                    s,
                    uncertain,
                )
            )
    return out


# --------------------------------------------------------------------------- completion


def done_findings(sentences: Sequence[Sentence], facts: StatementFacts) -> list[Finding]:
    t3 = facts.table3
    if t3 is None:
        return []
    carry = _num(t3, "carry_next", "total")
    if carry is None:
        return []
    uncertain = cell_state(t3, "carry_next", "total") == "uncertain"
    out = []
    for s in sentences:
        about_requests = "申请" in s.text or "件" in s.text
        if carry > 0 and about_requests and _ALL_DONE.search(s.text) and not _CARRY.search(s.text):
            out.append(
                _finding(
                    "STMT-DONE",
                    f"正文称申请均已办结，但表三“四、结转下年度继续办理”为{carry:g}件：{s.quote}",
                    s,
                    uncertain,
                )
            )
        stated = _carry_counts(s.text)
        if stated and all(x.value != carry for x in stated):
            out.append(
                _finding(
                    "STMT-DONE",
                    f"正文写结转下年度{stated[0].text}件，表三“四、结转下年度继续办理”为{carry:g}件：{s.quote}",
                    s,
                    uncertain,
                )
            )
    return out


def _carry_counts(text: str) -> list[Mention]:
    """Counts stated as carried over to next year: 结转下年度2件, 两件申请结转下年度 (not 无结转…)."""
    out = []
    for m in _CARRY.finditer(text):
        if re.search(_NEG + r"$", text[max(0, m.start() - 3) : m.start()]):
            continue
        for x in mentions(text):
            if text[x.end : x.end + 1] != "件":
                continue
            between = text[x.end + 1 : m.start()] if x.end <= m.start() else text[m.end() : x.start]
            if len(between) <= 8 and not re.search(r"[，,。；;]", between):
                out.append(x)
    return out


# --------------------------------------------------------------------------- review and litigation


def _review_totals(t4: Table4) -> dict[str, tuple[float | None, bool]]:
    review = _num(t4, "review", "total")
    parts = [_num(t4, g, "total") for g in ("direct", "after_review")]
    litigation = sum(p for p in parts if p is not None) if all(p is not None for p in parts) else None
    unsure = lambda *gs: any(cell_state(t4, g, "total") == "uncertain" for g in gs)  # noqa: E731
    return {
        "行政复议": (review, unsure("review")),
        "行政诉讼": (litigation, unsure("direct", "after_review")),
    }


def review_findings(sentences: Sequence[Sentence], facts: StatementFacts) -> list[Finding]:
    if facts.table4 is None:
        return []
    totals = _review_totals(facts.table4)
    out = []
    for s in sentences:
        if not _REVIEW_WORD.search(s.text):
            continue
        negated = {m.group(1) for m in _NO_REVIEW.finditer(s.text)}
        if re.search(r"纠错|纠正|败诉", s.text):
            negated = set()  # “未发生被纠错的情形” is about outcomes, not about cases
        if re.search(r"行政复议[、和及与]行政诉讼|复议[、和及与]诉讼", s.text) and negated:
            negated = {"行政复议", "行政诉讼"}
        for name in negated:
            value, unsure = totals[name]
            if value:
                out.append(
                    _finding(
                        "STMT-REVIEW",
                        f"正文称未发生{name}，但表四{name}总计为{value:g}件：{s.quote}",
                        s,
                        unsure,
                    )
                )
        out += _stated_counts(s, totals, negated)
    return out


def _stated_counts(
    s: Sentence, totals: dict[str, tuple[float | None, bool]], negated: set[str]
) -> list[Finding]:
    out = []
    for m in mentions(s.text):
        if s.text[m.end : m.end + 1] not in ("件", "起", "宗"):
            continue
        before = s.text[max(0, m.start - 14) : m.start]
        names = [n for n in ("行政复议", "行政诉讼") if n in before and n not in negated]
        if not names or re.search(r"申请|纠正|维持|其他结果|尚未审结|审结", before.split(names[-1])[-1]):
            continue
        name = max(names, key=before.rfind)
        value, unsure = totals[name]
        if value is not None and m.value != value and m.value not in _group_values(totals):
            out.append(
                _finding(
                    "STMT-REVIEW",
                    f"正文写{name}{m.text}件，表四{name}总计为{value:g}件：{s.quote}",
                    s,
                    unsure,
                )
            )
    return out


def _group_values(totals: dict[str, tuple[float | None, bool]]) -> set[float]:
    values = [v for v, _ in totals.values() if v is not None]
    return {sum(values)} if len(values) == 2 else set()


# --------------------------------------------------------------------------- duplicates


def _norm(text: str) -> str:
    return _DUP_DROP.sub("", _ENUM.sub("", text.strip()))


def duplicate_findings(sentences: Sequence[Sentence]) -> list[Finding]:
    seen: dict[str, Sentence] = {}
    out = []
    for s in sentences:
        key = _norm(s.text)
        if len(key) < DUPLICATE_MIN_CHARS:
            continue
        if key in seen:
            first = seen[key]
            out.append(
                make_finding(
                    "DUPLICATE", f"与{first.location()}的句子重复：{s.quote}", s.location(), s.section
                )
            )
        else:
            seen[key] = s
    return out


# --------------------------------------------------------------------------- entry points


def statement_findings(sentences: Sequence[Sentence], facts: StatementFacts) -> list[Finding]:
    """Every statement rule on ``sentences`` (with their locations) against ``facts``."""
    sentences = list(sentences)
    return (
        fee_findings(sentences, facts)
        + done_findings(sentences, facts)
        + review_findings(sentences, facts)
        + duplicate_findings(sentences)
    )


def report_statement_findings(report: AnnualReport, existing: Iterable[Finding] = ()) -> list[Finding]:
    """The statement rules on a parsed report; a sentence another rule already flagged for the
    same contradiction (NARRATIVE-TABLE, FEE-STATEMENT) is not reported twice."""
    taken = {(f.location, f.rule) for f in existing}
    found = statement_findings(list(report_sentences(report)), StatementFacts.of(report))
    twins = {"STMT-DONE": "NARRATIVE-TABLE", "STMT-REVIEW": "NARRATIVE-TABLE", "STMT-FEE": "FEE-STATEMENT"}
    out = []
    for f in found:
        twin = twins.get(f.rule)
        twin_flagged = bool(twin) and (
            (f.location, twin) in taken or (twin == "FEE-STATEMENT" and _fee_section_flagged(taken))
        )
        if twin_flagged and (f.rule != "STMT-FEE" or "此处又写" not in f.message):
            continue
        out.append(f)
    return out


def _fee_section_flagged(taken: set[tuple[str, str]]) -> bool:
    return any(rule == "FEE-STATEMENT" for _, rule in taken)
