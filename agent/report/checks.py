"""Every rule of the spec's rule-id table, applied to a parsed report.

Each check is a small function ``(report) -> list[Finding]``; :func:`check_report` runs them
all (and the cross-year rules when last year's report is given).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from agent.report.labels import SECTIONS, TABLE_SECTIONS
from agent.report.model import AnnualReport, Finding
from agent.report.model import make_finding as finding
from agent.report.narrative import Sentence, preamble_sentences, report_sentences, section_sentences
from agent.report.parser import expected_format
from agent.report.repeats import check_mixed_formats, check_repeated_sections, check_repeated_tables
from agent.report.tables import as_number, validate_table2, validate_table3, validate_table4

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
    out: list[Finding] = []
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
        facts["new"] = {
            x for x in (new, (new or 0) + (carried or 0) if new is not None else None) if x is not None
        }
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
    facts = narrative_facts(report)
    if not facts:
        return []
    out: list[Finding] = []
    for sent in [*preamble_sentences(report), *report_sentences(report)]:
        out += number_mismatches(sent, facts)
        out += contradictions(sent, facts)
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

_SHI_RE = re.compile(r"(?:^|(?<=[。；：:，,！？\s）)]))([一二三四五六七八九十]{1,2})是")
_PAREN_RE = re.compile(r"^\s*[（(]([一二三四五六七八九十]{1,2})[）)]")
_ARABIC_RE = re.compile(r"^\s*(\d{1,2})\s*[、.．](?!\d)")
_CN_VALUE = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}


def cn_number(text: str) -> int:
    if len(text) == 1:
        return _CN_VALUE[text]
    if text[0] == "十":
        return 10 + _CN_VALUE[text[1]]
    return _CN_VALUE[text[0]] * 10 + (_CN_VALUE[text[1]] if text[1] != "十" else 0)


Marker = tuple[int, str, int, str]  # (value, as written, line, quote)


def _sequence_gaps(markers: Iterable[Marker]) -> list[tuple[int, Marker]]:
    """(expected value, marker) for every step that is neither the next one nor a restart at 1."""
    gaps = []
    prev = 0
    for marker in markers:
        if marker[0] not in (1, prev + 1):
            gaps.append((prev + 1, marker))
        prev = marker[0]
    return gaps


def _gap_finding(expected: int, marker: Marker, expected_shown: str, heading: str, key: str) -> Finding:
    what = "跳号" if marker[0] > expected else "重复或倒序"
    quote = f"：{marker[3]}" if marker[3] else ""
    return finding(
        "ENUM-GAP",
        f"“{marker[1]}”前应为“{expected_shown}”（{what}）{quote}",
        f"{heading} 第{marker[2]}行",
        key,
    )


def check_enumerations(report: AnnualReport) -> list[Finding]:
    out: list[Finding] = []
    for s in report.sections:
        if s.key not in ("overview", "problems", "other"):
            continue
        shi: list[Marker] = [
            (cn_number(m.group(1)), f"{m.group(1)}是", sent.line, sent.quote)
            for sent in section_sentences(s)
            for m in _SHI_RE.finditer(sent.text)
        ]
        out += [_gap_finding(e, m, f"{_cn(e)}是", s.heading, s.key) for e, m in _sequence_gaps(shi)]
        paren, arabic_runs = _line_markers(s.text, s.line + 1)
        out += [_gap_finding(e, m, f"（{_cn(e)}）", s.heading, s.key) for e, m in _sequence_gaps(paren)]
        for run in arabic_runs:
            out += [_gap_finding(e, m, f"{e}.", s.heading, s.key) for e, m in _sequence_gaps(run)]
    return out


def _line_markers(text: str, first_line: int) -> tuple[list[Marker], list[list[Marker]]]:
    """（一）… markers at line starts, and the runs of 1. 2. … markers (a （N） starts a new run)."""
    paren: list[Marker] = []
    runs: list[list[Marker]] = [[]]
    for i, line in enumerate(text.split("\n")):
        if "|" in line or "\t" in line:
            continue
        if m := _PAREN_RE.match(line):
            paren.append((cn_number(m.group(1)), f"（{m.group(1)}）", first_line + i, ""))
            runs.append([])
        elif m := _ARABIC_RE.match(line):
            runs[-1].append((int(m.group(1)), f"{m.group(1)}.", first_line + i, ""))
    return paren, runs


def _cn(n: int) -> str:
    digits = "一二三四五六七八九十"
    if n <= 10:
        return digits[n - 1]
    return ("十" if n < 20 else digits[n // 10 - 1] + "十") + (digits[n % 10 - 1] if n % 10 else "")


# --------------------------------------------------------------------------- placeholders

PLACEHOLDER_RE = re.compile(
    r"待补充|待完善|待填写|待定|待核实|请填写|此处填写|(?<![A-Za-z])[XxＸｘ]{2,}(?![A-Za-z])|[×╳]{2,}|[○〇□]{2,}|TODO|TBD|\{\{[^}]*\}\}|【[^】]{0,20}】|\?\?\?|？？"
)


def check_placeholders(report: AnnualReport) -> list[Finding]:
    out: list[Finding] = []
    for sent in [*preamble_sentences(report), *report_sentences(report, tuple(s.key for s in SECTIONS))]:
        for m in PLACEHOLDER_RE.finditer(sent.text):
            out.append(
                finding(
                    "PLACEHOLDER", f"残留占位文字“{m.group(0)}”：{sent.quote}", sent.location(), sent.section
                )
            )
    return out


# --------------------------------------------------------------------------- fees

_FEE_NONE_RE = re.compile(
    r"(?:未|没有|无|不)[^。；]{0,10}?收取[^。；]{0,12}?(?:信息)?(?:公开)?(?:信息)?处理费|处理费[^。；]{0,6}?(?:为0|为零|0元|零元|无)"
)
_FEE_SOME_RE = re.compile(r"收取[^。；]{0,16}?处理费[^。；\d]{0,6}?(\d[\d,.]*)\s*元")


def check_fee_statement(report: AnnualReport) -> list[Finding]:
    if report.format != "2021" or report.section("other") is None:
        return []
    other = report.section("other")
    assert other is not None
    text = re.sub(r"\s+", "", other.text)
    if "处理费" not in text:
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
    findings: list[Finding] = []
    for check in CHECKS:
        findings += check(report)
    from agent.report.statements import report_statement_findings

    findings += report_statement_findings(report, findings)
    if previous is not None:
        findings += check_cross_year(report, previous)
    return findings
