"""Every rule of the spec's rule-id table, applied to a parsed report.

Each check is a small function ``(report) -> list[Finding]``; :func:`check_report` runs them
all (and the cross-year rules when last year's report is given).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.report.labels import SECTIONS, TABLE_SECTIONS
from agent.report.model import AnnualReport, Finding
from agent.report.model import make_finding as finding
from agent.report.narrative import Sentence, preamble_sentences, report_sentences, section_sentences
from agent.report.parser import expected_format
from agent.report.placeholders import PLACEHOLDER_RE
from agent.report.repeats import check_mixed_formats, check_repeated_sections, check_repeated_tables
from agent.report.tables import as_number, validate_table2, validate_table3, validate_table4

__all__ = ["PLACEHOLDER_RE", "check_report"]

Check = Callable[[AnnualReport], list[Finding]]


# --------------------------------------------------------------------------- structure


def check_title(report: AnnualReport) -> list[Finding]:
    if report.title and report.year:
        return []
    return [
        finding(
            "TITLE",
            "报告开头没有找到包含机关名称和年度的标题（如“××局2024年政府信息公开工作年度报告”）",
            "报告开头",
        )
    ]


def check_sections(report: AnnualReport) -> list[Finding]:
    out: list[Finding] = []
    present = {s.key: s for s in report.sections}
    for spec in SECTIONS:
        s = present.get(spec.key)
        if s is None:
            orphan = _orphan_heading(report, spec.key)
            if orphan:
                out.append(
                    finding(
                        "SECTION-MISSING",
                        f"未找到第{spec.number}部分的标题“{spec.heading}”，但第{orphan[0]}行“{orphan[1]}”等内容"
                        "似属这一部分（标题可能遗漏，或在转换文件时丢失），请核对",
                        f"第{orphan[0]}行",
                        spec.key,
                        severity="warning",
                    )
                )
                continue
            out.append(
                finding("SECTION-MISSING", f"缺少第{spec.number}部分“{spec.heading}”", "全文", spec.key)
            )
        elif s.heading != spec.heading:
            out.append(
                finding(
                    "SECTION-HEADING",
                    f"标题为“{s.heading}”，规定格式为“{spec.heading}”",
                    f"第{s.line}行",
                    spec.key,
                )
            )
    order = [spec.key for spec in SECTIONS]
    found = [s.key for s in report.sections]
    if found != sorted(found, key=order.index):
        shown = "、".join(s.heading.split("、", 1)[-1] for s in report.sections)
        out.append(finding("SECTION-ORDER", f"各部分的顺序为：{shown}；应按一至六的规定顺序排列", "全文"))
    return out


_ORPHAN_WORDS = {"problems": (("存在", "问题"), ("改进", "情况")), "other": (("其他", "报告", "事项"),)}


def _orphan_heading(report: AnnualReport, key: str) -> tuple[int, str] | None:
    """A short line with the section's words where its heading should be (a heading lost in conversion)."""
    order = [spec.key for spec in SECTIONS]
    before = [s for s in report.sections if order.index(s.key) < order.index(key)]
    after = [s for s in report.sections if order.index(s.key) > order.index(key)]
    start = before[-1].line if before else 0
    end = after[0].line - 1 if after else len(report.lines)
    for n in range(start, min(end, len(report.lines))):
        line = report.lines[n].strip().lstrip("#* ")
        short = 4 <= len(line) <= 40 and not line.endswith("。") and "|" not in line
        if short and any(all(w in line for w in group) for group in _ORPHAN_WORDS.get(key, ())):
            return n + 1, line
    return None


def check_tables_present(report: AnnualReport) -> list[Finding]:
    out: list[Finding] = []
    tables = {"proactive": report.table2, "requests": report.table3, "review": report.table4}
    for key, name in TABLE_SECTIONS.items():
        s = report.section(key)
        if s is not None and tables[key] is None:
            out.append(
                finding(
                    "TABLE-MISSING",
                    f"“{s.heading}”下没有{name}（统计表缺失或无法识别）",
                    f"第{s.line}行",
                    key,
                )
            )
    return out


def check_table_values(report: AnnualReport) -> list[Finding]:
    from agent.report.table_findings import reading_findings

    out: list[Finding] = reading_findings(report)
    if report.table2:
        out += validate_table2(report.table2)
    if report.table3:
        out += validate_table3(report.table3)
    if report.table4:
        out += validate_table4(report.table4)
    return out


def check_format_version(report: AnnualReport) -> list[Finding]:
    expected = expected_format(report.year)
    if report.format_detected_from != "tables" or expected is None or expected == report.format:
        return []
    names = {"2021": "2021年版（国办公开办函〔2021〕30号）", "2019": "2019年版（国办公开办函〔2019〕60号）"}
    return [
        finding(
            "FORMAT-VERSION",
            f"统计表采用{names[report.format]}格式，但{report.year}年度报告应采用{names[expected]}格式",
            "表二、表三",
        )
    ]


# --------------------------------------------------------------------------- year

_PERIOD_RE = re.compile(
    r"统计期限[^。]{0,12}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日[^。]{0,8}?至\s*(?:((?:19|20)\d{2})\s*年\s*)?12\s*月\s*31\s*日"
)
_LEAD_YEAR_RE = re.compile(r"^\s*((?:19|20)\d{2})\s*年(?!度报告)")


def check_year(report: AnnualReport) -> list[Finding]:
    if report.year is None:
        return []
    out: list[Finding] = []
    flat = re.sub(r"\s*\n\s*", "", "\n".join(report.lines))
    for m in _PERIOD_RE.finditer(flat):
        years = {int(y) for y in m.groups() if y}
        if years != {report.year}:
            out.append(
                finding(
                    "YEAR",
                    f"统计期限“{m.group(0)}”与报告年度{report.year}年不一致",
                    "统计期限",
                )
            )
    overview = report.section("overview")
    if overview:
        for sent in section_sentences(overview):
            lead = _LEAD_YEAR_RE.match(sent.text)
            if lead and int(lead.group(1)) != report.year:
                out.append(
                    finding(
                        "YEAR",
                        f"总体情况以{lead.group(1)}年开头，与报告年度{report.year}年不一致：{sent.quote}",
                        sent.location(),
                        "overview",
                    )
                )
            break
    return out


# --------------------------------------------------------------------------- narrative vs tables

_N = r"(\d[\d,]*)\s*(?:件|个)"


def _total(value: object) -> int | None:
    n = as_number(value)  # type: ignore[arg-type]
    return int(n) if n is not None else None


def narrative_facts(report: AnnualReport) -> dict[str, set[int] | int | None]:
    t3, t4 = report.table3, report.table4
    facts: dict[str, set[int] | int | None] = {}
    if t3:
        new, carried = _total(t3.get("new", "total")), _total(t3.get("carried", "total"))
        received = {x for x in (new, new + carried if new is not None and carried is not None else None) if x}
        facts["new"] = received or None  # unknown when 新收 could not be read
        facts["answered"] = _total(t3.get("result_total", "total"))
        facts["carry_next"] = _total(t3.get("carry_next", "total"))
    if t4:
        facts["review"] = _total(t4.get("review", "total"))
        d, a = _total(t4.get("direct", "total")), _total(t4.get("after_review", "total"))
        facts["litigation"] = d + a if d is not None and a is not None else None
        cells = [_total(t4.get(g, "corrected")) for g in ("review", "direct", "after_review")]
        facts["corrected"] = (
            sum(c for c in cells if c is not None) if all(c is not None for c in cells) else None
        )
    return facts


_NUMBER_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "new",
        re.compile(r"(?:收到|新收|受理|接收|接到)[^。；，,\d]{0,24}?申请[^。；\d]{0,4}?" + _N),
        "表三“一、本年新收”总计",
    ),
    ("answered", re.compile(r"(?:办结|答复|办理完毕|处理完毕)[^。；，,\d]{0,6}?" + _N), "表三“（七）总计”"),
    (
        "carry_next",
        re.compile(
            r"(?:结转|顺延)(?:至|到)?下一?年度?[^。；\d]{0,10}?"
            + _N
            + r"|"
            + _N
            + r"[^。；，,\d]{0,6}?(?:结转|顺延)(?:至|到)?下一?年"
        ),
        "表三“四、结转下年度继续办理”总计",
    ),
    ("review", re.compile(r"行政复议(?:案件|申请)?[^。；，,\d]{0,4}?" + _N), "表四 行政复议 总计"),
    ("litigation", re.compile(r"行政诉讼(?:案件)?[^。；，,\d]{0,4}?" + _N), "表四 行政诉讼 两组总计之和"),
)


def check_narrative_tables(report: AnnualReport) -> list[Finding]:
    from agent.report.narrative_figures import result_figures, table2_statements

    facts = narrative_facts(report)
    if not facts:
        return []
    out: list[Finding] = []
    sentences = [*preamble_sentences(report), *report_sentences(report)]
    for sent in sentences:
        out += number_mismatches(sent, facts)
        out += contradictions(sent, facts)
    out += result_figures(report, sentences) + table2_statements(report, sentences)
    return out


def number_mismatches(sent: Sentence, facts: dict[str, set[int] | int | None]) -> list[Finding]:
    out: list[Finding] = []
    for key, pattern, where in _NUMBER_PATTERNS:
        if key not in facts or facts[key] is None:
            continue
        if key in ("new", "answered", "carry_next") and "申请" not in sent.text:
            continue
        for m in pattern.finditer(sent.text):
            said = int(next(g for g in m.groups() if g).replace(",", ""))
            expected = facts[key]
            ok = said in expected if isinstance(expected, set) else said == expected
            if not ok:
                shown = "或".join(str(x) for x in sorted(expected)) if isinstance(expected, set) else expected
                out.append(
                    finding(
                        "NARRATIVE-TABLE",
                        f"正文写{said}件，{where}为{shown}：{sent.quote}",
                        sent.location(),
                        sent.section,
                    )
                )
    return out


_NONE_NEW = re.compile(r"未(?:收到|受理|接到)[^。；]{0,24}?申请")
_ALL_DONE = re.compile(r"(?:均已|全部|所有申请均|均)[^。；]{0,10}?办结")
_NO_REVIEW = re.compile(r"(?:未|没有)(?:发生|出现|收到|产生)[^。；]{0,30}?(行政复议|行政诉讼)")


def contradictions(sent: Sentence, facts: dict[str, set[int] | int | None]) -> list[Finding]:
    out: list[Finding] = []

    def add(msg: str) -> None:
        out.append(finding("NARRATIVE-TABLE", f"{msg}：{sent.quote}", sent.location(), sent.section))

    new = facts.get("new")
    no_new = _NONE_NEW.search(sent.text) and not re.search(r"复议|诉讼", sent.text)
    if isinstance(new, set) and new and min(new) > 0 and no_new:
        add(f"正文称未收到申请，但表三“一、本年新收”总计为{min(new)}")
    carry = facts.get("carry_next")
    if isinstance(carry, int) and carry > 0 and _ALL_DONE.search(sent.text) and "申请" in sent.text:
        add(f"正文称申请均已办结，但表三“四、结转下年度继续办理”为{carry}")
    m = _NO_REVIEW.search(sent.text)
    if m:
        if re.search(r"纠错|纠正|败诉", sent.text):
            corrected = facts.get("corrected")
            if isinstance(corrected, int) and corrected > 0:
                add(f"正文称未发生被纠错或败诉的情形，但表四“结果纠正”合计为{corrected}")
        else:
            for key, name in (("review", "行政复议"), ("litigation", "行政诉讼")):
                value = facts.get(key)
                if name in sent.text and isinstance(value, int) and value > 0:
                    add(f"正文称未发生{name}，但表四{name}总计为{value}")
    return out


# --------------------------------------------------------------------------- enumerations


def check_enumerations(report: AnnualReport) -> list[Finding]:
    from agent.report.enumerations import check_enumerations as enumeration_gaps

    return enumeration_gaps(report)


# --------------------------------------------------------------------------- placeholders


def check_placeholders(report: AnnualReport) -> list[Finding]:
    from agent.report.placeholders import check_placeholders as placeholder_findings

    return placeholder_findings(report)


# --------------------------------------------------------------------------- fees

_FEE_NONE_RE = re.compile(
    r"(?:未|没有|无|不)[^。；]{0,10}?收取[^。；]{0,12}?(?:信息)?(?:公开)?(?:信息)?处理费|处理费[^。；]{0,6}?(?:为0|为零|0元|零元|无)"
)
# any statement about fees counts: 信息处理费, 未发生收费情况, 未收取任何费用
_FEE_MENTION_RE = re.compile(r"处理费|收费|收取[^。；]{0,8}费")
_FEE_SOME_RE = re.compile(r"收取[^。；]{0,16}?处理费[^。；\d]{0,6}?(\d[\d,.]*)\s*元")


def check_fee_statement(report: AnnualReport) -> list[Finding]:
    if report.format != "2021" or report.section("other") is None:
        return []
    other = report.section("other")
    assert other is not None
    text = re.sub(r"\s+", "", other.text)
    if not _FEE_MENTION_RE.search(text):
        return [
            finding(
                "FEE-STATEMENT",
                "第六部分未说明信息处理费的收取情况（应写明收费件数和金额，或说明未收取）",
                other.heading,
                "other",
            )
        ]
    fee = report.info_fee
    if fee is None:
        return []
    if fee.amount_yuan > 0 and _FEE_NONE_RE.search(text):
        return [
            finding(
                "FEE-STATEMENT",
                f"第六部分称未收取信息处理费，但数据为{fee.amount_yuan:g}元",
                other.heading,
                "other",
            )
        ]
    m = _FEE_SOME_RE.search(text)
    if m and abs(float(m.group(1).replace(",", "")) - fee.amount_yuan) > 0.005:
        return [
            finding(
                "FEE-STATEMENT",
                f"第六部分写收取信息处理费{m.group(1)}元，但数据为{fee.amount_yuan:g}元",
                other.heading,
                "other",
            )
        ]
    return []


# --------------------------------------------------------------------------- foreign names


def check_foreign_names(report: AnnualReport) -> list[Finding]:
    from agent.report.foreign import foreign_name_findings

    return foreign_name_findings(report)


# --------------------------------------------------------------------------- cross-year


def check_cross_year(report: AnnualReport, previous: AnnualReport) -> list[Finding]:
    from agent.report.cross_year import cross_year_findings

    return cross_year_findings(report, previous)


CHECKS: tuple[Check, ...] = (
    check_title,
    check_sections,
    check_repeated_sections,
    check_tables_present,
    check_repeated_tables,
    check_mixed_formats,
    check_table_values,
    check_format_version,
    check_year,
    check_narrative_tables,
    check_enumerations,
    check_placeholders,
    check_fee_statement,
    check_foreign_names,
)


def check_report(report: AnnualReport, previous: AnnualReport | None = None) -> list[Finding]:
    from agent.report.collapse import collapse

    findings: list[Finding] = []
    for check in CHECKS:
        findings += check(report)
    from agent.report.statements import report_statement_findings

    findings += report_statement_findings(report, findings)
    if previous is not None:
        findings += check_cross_year(report, previous)
    return collapse(report, findings)
