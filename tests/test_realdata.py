"""`check` on real published reports: every table cell against the independent ground truth.

The truth (tests/data/realdata_truth/*.yaml) was transcribed by a careful reader from the
documents, independently of the parser. Every cell is asserted: a known cell must come out with
its value, ``read`` or — where the text alone allows several readings — ``derived`` exactly in the
rows listed below; a ``"?"`` cell must come out ``uncertain`` (or derived, then equal to the
corroborating value the truth gives). No error a careful reader would call false; the known
defects of ../shared/realdata/dev/SOURCES.md are reported.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from truth import UNSURE, load_truth, parsed_cell, truth_cells
from typer.testing import CliRunner

from agent.cli import app
from agent.report.checks import check_report
from agent.report.model import AnnualReport, Finding
from agent.report.reader import read_report

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "realdata"
TRUTH = ROOT / "tests" / "data" / "realdata_truth"
FILES = {
    "huaian-city-2024": SHARED / "huaian-city-2024.pdf",
    "huaian-city-2024-section3-extracted": SHARED / "huaian-city-2024-section3-extracted.txt",
    "shanghai-office-2025-extracted": SHARED / "shanghai-office-2025-extracted.md",
    **{f"pingtan-zonghe-{y}": SHARED / "dev" / f"pingtan-zonghe-{y}.txt" for y in (2019, 2021, 2022, 2025)},
}
_T4 = ("review", "direct", "after_review")
# rows whose run-together or incomplete digits had several readings, decided by the identities
# (表三, 表四) or by the narrative and the stray noted cells (表二); every other known cell is read
DERIVED: dict[str, dict[str, tuple[str, ...]]] = {
    "huaian-city-2024": {},
    "huaian-city-2024-section3-extracted": {},
    "shanghai-office-2025-extracted": {"t2": ("art20_1/regulations", "art20_1/normative")},
    "pingtan-zonghe-2019": {"t3": ("new",)},
    "pingtan-zonghe-2021": {"t3": ("new", "granted", "unable_not_held", "result_total"), "t4": _T4},
    "pingtan-zonghe-2022": {
        "t2": ("art20_1/normative",),
        "t3": ("new", "granted", "unable_not_held", "result_total"),
    },
    "pingtan-zonghe-2025": {
        "t3": ("new", "granted", "partial", "unable_not_held", "result_total"),
        "t4": _T4,
    },
}
runner = CliRunner()


@pytest.fixture(scope="module")
def parsed() -> dict[str, tuple[AnnualReport, list[Finding]]]:
    out = {}
    for stem, path in FILES.items():
        report = read_report(path)
        previous = read_report(FILES["pingtan-zonghe-2021"]) if stem == "pingtan-zonghe-2022" else None
        out[stem] = (report, check_report(report, previous=previous))
    return out


def _corroborated(data: dict, table: str, row: str) -> list[float]:
    """The numbers of the truth's 旁证值 for a "?" row, in column order."""
    names = {"t2": "表二", "t3": "表三", "t4": "表四"}
    for item in data.get("不确定") or []:
        if item["单元格"].startswith(names[table]) and "旁证值" in item:
            values = item["旁证值"].split("：")[0]
            return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", values)]
    return []


@pytest.mark.parametrize("stem", sorted(FILES))
def test_every_cell_matches_the_truth(parsed, stem):
    report, _ = parsed[stem]
    data = load_truth(TRUTH / f"{stem}.yaml")
    cells = truth_cells(data)
    assert cells, "the truth file lists cells"
    derived = DERIVED[stem]
    problems = []
    for (table, row, col), want in cells.items():
        got, rd = parsed_cell(report, table, row, col)
        state = rd.state if rd else "read"
        if want == UNSURE:
            if state == "derived":
                if got not in _corroborated(data, table, row):
                    problems.append(f"{table} {row}×{col}: derived {got!r}, truth '?' corroborated otherwise")
            elif state != "uncertain" or got is not None:
                problems.append(f"{table} {row}×{col}: truth '?', parsed {got!r} ({state})")
            continue
        expected_state = "derived" if row in derived.get(table, ()) else "read"
        if state != expected_state or got is None or abs(float(got) - float(want)) > 1e-9:
            problems.append(
                f"{table} {row}×{col}: truth {want!r} ({expected_state}), parsed {got!r} ({state})"
            )
    assert problems == []


@pytest.mark.parametrize("stem", sorted(FILES))
def test_agency_year_and_format(parsed, stem):
    report, findings = parsed[stem]
    data = load_truth(TRUTH / f"{stem}.yaml")
    assert report.format == str(data["格式"])
    if stem == "huaian-city-2024-section3-extracted":  # a fragment of page 4: no title at all
        assert (report.agency, report.year) == (None, None)
        assert "TITLE" in {f.rule for f in findings}
    else:
        assert (report.agency, report.year) == (data["机关"], data["年度"])


def _rules(findings: list[Finding], severity: str) -> set[str]:
    return {f.rule for f in findings if f.severity == severity}


@pytest.mark.parametrize("stem", sorted(FILES))
def test_no_false_errors(parsed, stem):
    _, findings = parsed[stem]
    errors = [(f.rule, f.location, f.message) for f in findings if f.severity == "error"]
    if stem == "huaian-city-2024-section3-extracted":
        # the file is a fragment (part of page 4): its missing parts are missing
        assert {e[0] for e in errors} == {"SECTION-MISSING"}
        assert {f.section for f in findings if f.severity == "error"} == {
            "overview",
            "proactive",
            "review",
            "problems",
            "other",
        }
    else:
        assert errors == []


def test_known_defects_are_reported(parsed):
    """../shared/realdata/dev/SOURCES.md, per file (the repeated phrase of 2019 is issue 12's)."""
    _, f2019 = parsed["pingtan-zonghe-2019"]
    msgs = [f.message for f in f2019]
    assert any(f.rule == "NARRATIVE-TABLE" and "68" in f.message and "898989" in f.message for f in f2019)
    assert any(f.rule == "PLACEHOLDER" and "核准企业资质条" in f.message for f in f2019)
    assert any(
        f.rule == "TABLE-READ" and "898989" in m and "3960181" in m for f, m in zip(f2019, msgs, strict=True)
    )
    _, f2022 = parsed["pingtan-zonghe-2022"]
    heading = [f for f in f2022 if f.rule == "SECTION-HEADING"]
    assert len(heading) == 1 and "行政法复议" in heading[0].message and heading[0].severity == "warning"
    assert not {"X-CARRY", "X-VALID"} & {f.rule for f in f2022}  # 2021 → 2022 carry-over is consistent
    for stem, raw in (("pingtan-zonghe-2021", "693665"), ("pingtan-zonghe-2025", "5845546")):
        _, findings = parsed[stem]
        assert any(f.rule == "TABLE-READ" and f.severity == "warning" and raw in f.message for f in findings)
    _, f2021 = parsed["pingtan-zonghe-2021"]
    info = " ".join(f.message for f in f2021 if f.rule == "TABLE-READ" and f.severity == "info")
    assert "640020470”读作 64/0/0/2/0/4/70" in info and "10203120001200000" in info


def test_a_lost_heading_and_lost_cells_are_warnings(parsed):
    report, findings = parsed["shanghai-office-2025-extracted"]
    missing = [f for f in findings if f.rule == "SECTION-MISSING"]
    assert [(f.severity, f.section) for f in missing] == [("warning", "problems")]
    assert "2024 年工作中存在问题的改进情况" in missing[0].message
    read = [f for f in findings if f.rule == "TABLE-READ" and f.severity == "warning"]
    assert len(read) == 1 and "本年废止件数" in read[0].message
    assert report.table2 is not None and report.table2.strays == [
        "22（其中修订16件）",
        "55（含自然失效29件）",
    ]


def test_uncertain_tables_are_never_reported_consistent(tmp_path):
    result = runner.invoke(app, ["check", str(FILES["pingtan-zonghe-2019"]), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["tables"]["table2"]["status"] == "uncertain"
    assert data["tables"]["table3"]["status"] == data["tables"]["table4"]["status"] == "consistent"
    assert data["uncertain_cells"] == 19
    new = [c for c in data["tables"]["table3"]["cells"] if c["keys"][0] == "new"]
    assert [c["value"] for c in new] == [23, 0, 0, 0, 0, 0, 23]
    assert {c["state"] for c in new} == {"derived"} and all(c["source"]["line"] == 10 for c in new)
    assert new[0]["label"] == "一、本年新收政府信息公开申请数量" and new[0]["column"] == "自然人"
    text = runner.invoke(app, ["check", str(FILES["pingtan-zonghe-2019"])]).output
    assert "未能可靠识别" in text and "未发现错误。" not in text


def test_pdf_cells_carry_their_page(parsed):
    report, _ = parsed["huaian-city-2024"]
    assert report.table3 is not None and report.table4 is not None and report.table2 is not None
    assert report.table2.readings["art20_1/regulations|issued"].page == 3
    assert report.table3.readings["new|natural"].page == 4
    assert report.table3.readings["unable_needs_creation|natural"].page == 5
    assert report.table4.readings["review|total"].page == 5
