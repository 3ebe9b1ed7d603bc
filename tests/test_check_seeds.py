"""`check` on the real documents in ../shared: seeds 001, 003, 004 and the 淮安 PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.report.checks import check_report
from agent.report.model import AnnualReport, Finding
from agent.report.reader import read_report

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"
HUAIAN = SHARED / "realdata" / "huaian-city-2024.pdf"
IDENTITY_RULES = {"T3-ROW", "T3-RESULT", "T3-BALANCE", "T4-TOTAL"}


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="module")
def reports() -> dict[str, tuple[AnnualReport, list[Finding]]]:
    out = {}
    for key, path in {"001": seed("001"), "003": seed("003"), "004": seed("004"), "huaian": HUAIAN}.items():
        report = read_report(path)
        out[key] = (report, check_report(report))
    return out


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def test_003_is_2019_format_and_tables_parse_cell_for_cell(reports):
    report, findings = reports["003"]
    assert (report.agency, report.year, report.format) == ("洛阳市民族宗教事务局", 2020, "2019")
    assert report.format_detected_from == "tables"
    t2 = report.table2
    assert t2 is not None and t2.format == "2019"
    assert [t2.get("art20_5", "licensing", c) for c in ("prev_items", "delta", "decisions")] == [6, 0, 0]
    assert [t2.get("art20_5", "other_services", c) for c in ("prev_items", "delta", "decisions")] == [6, 0, 0]
    assert [t2.get("art20_6", "penalty", c) for c in ("prev_items", "delta", "decisions")] == [26, 0, 0]
    assert [t2.get("art20_9", "procurement", c) for c in ("items", "amount")] == [0, 0]
    t3 = report.table3
    assert t3 is not None and t3.format == "2019" and "other" in t3.cells
    assert all(v == 0 for row in t3.cells.values() for v in row.values())
    assert len(t3.cells) == 23
    t4 = report.table4
    assert t4 is not None
    # the 行政复议 cells are empty in the source: the five cells are blank, the rest zero
    assert all(t4.get("review", c) is None for c in ("upheld", "corrected", "other", "pending", "total"))
    assert all(t4.get(g, c) == 0 for g in ("direct", "after_review") for c in ("upheld", "total"))
    assert not IDENTITY_RULES & set(rules(findings))
    assert any(f.rule == "T4-VALUE" and "行政复议" in f.location for f in findings)


def test_004_is_2019_format_and_tables_parse_cell_for_cell(reports):
    report, findings = reports["004"]
    assert (report.year, report.format) == (2020, "2019")
    t2, t3, t4 = report.table2, report.table3, report.table4
    assert t2 is not None and t3 is not None and t4 is not None
    assert [t2.get("art20_5", "licensing", c) for c in ("prev_items", "delta", "decisions")] == [2, 4, 6]
    assert [t2.get("art20_5", "other_services", c) for c in ("prev_items", "delta", "decisions")] == [
        41,
        0,
        41,
    ]
    assert t2.get("art20_9", "procurement", "items") == 10
    assert [
        t3.get("new", c) for c in ("natural", "business", "research", "social", "legal", "other", "total")
    ] == [
        3,
        0,
        0,
        0,
        0,
        0,
        3,
    ]
    assert t3.get("granted", "natural") == 3 and t3.get("granted", "total") == 3
    assert t3.get("result_total", "total") == 3 and t3.get("carry_next", "total") == 0
    assert all(t4.get(g, c) == 0 for g in ("review", "direct", "after_review") for c in ("upheld", "total"))
    assert not IDENTITY_RULES & set(rules(findings))


def test_004_yuan_amount_under_wan_yuan_column_is_reported(reports):
    _, findings = reports["004"]
    hits = [f for f in findings if f.rule == "T2-VALUE" and "429148元" in f.message]
    assert len(hits) == 1
    assert "政府集中采购" in hits[0].location and "万元" in hits[0].message and "42.9148" in hits[0].message


def test_004_nonofficial_heading_is_a_warning(reports):
    _, findings = reports["004"]
    heading = [f for f in findings if f.rule == "SECTION-HEADING"]
    assert [f.section for f in heading] == ["problems"]
    assert heading[0].severity == "warning"


def test_001_tables_missing_and_enumeration_gap(reports):
    report, findings = reports["001"]
    missing = sorted(f.section or "" for f in findings if f.rule == "TABLE-MISSING")
    assert missing == ["proactive", "requests", "review"]
    gaps = [f for f in findings if f.rule == "ENUM-GAP"]
    assert len(gaps) == 1 and "三是" in gaps[0].message and "二是" in gaps[0].message
    assert gaps[0].section == "overview"
    assert report.year == 2021


def test_huaian_pdf_all_four_tables(reports):
    report, findings = reports["huaian"]
    assert (report.agency, report.year, report.format) == ("淮安市人民政府", 2024, "2021")
    t2, t3, t4 = report.table2, report.table3, report.table4
    assert t2 is not None and t3 is not None and t4 is not None
    assert [t2.get("art20_1", "regulations", c) for c in ("issued", "repealed", "in_force")] == [1, 0, 11]
    assert [t2.get("art20_1", "normative", c) for c in ("issued", "repealed", "in_force")] == [8, 26, 66]
    assert t2.get("art20_5", "licensing", "decisions") == 447228
    assert t2.get("art20_6", "penalty", "decisions") == 3985758
    assert t2.get("art20_8", "admin_fees", "fee_amount") == pytest.approx(96171.6)
    cols = ("natural", "business", "research", "social", "legal", "other", "total")
    assert [t3.get("new", c) for c in cols] == [3001, 53, 0, 0, 61, 4, 3119]
    assert [t3.get("carried", c) for c in cols] == [34, 0, 0, 0, 0, 0, 34]
    assert [t3.get("partial", c) for c in cols] == [447, 7, 0, 0, 0, 0, 454]
    assert [t3.get("refused_confirm", c) for c in cols] == [1, 0, 0, 0, 0, 0, 1]
    assert [t3.get("other_no_correction", c) for c in cols] == [67, 3, 0, 0, 1, 0, 71]
    assert [t3.get("other_no_fee", c) for c in cols] == [6, 0, 0, 0, 0, 0, 6]
    assert [t3.get("result_total", c) for c in cols] == [2932, 53, 0, 0, 61, 4, 3050]
    assert [t3.get("carry_next", c) for c in cols] == [103, 0, 0, 0, 0, 0, 103]
    flat4 = [
        t4.get(g, c)
        for g in ("review", "direct", "after_review")
        for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    assert flat4 == [72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20]
    # a careful reader finds this report consistent: the narrative figures (受理3119, 答复3050,
    # 顺延103, 复议351, 诉讼46) match the tables and the fee is stated
    assert [f for f in findings if f.severity == "error"] == []
    assert [s.key for s in report.sections] == [
        "overview",
        "proactive",
        "requests",
        "review",
        "problems",
        "other",
    ]
