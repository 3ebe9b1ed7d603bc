"""Batch review and one report's check result as data: cells, findings on cells, year pairing, the
copied-narrative flag (on the real consecutive pair and made-up copies), the summary files, marks."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from batch_fixtures import generate
from report_fixtures import AGENCY, NARRATIVES, clean_report_text
from typer.testing import CliRunner

from agent.cli import app
from agent.errors import InputError
from agent.report.labels import TABLE3_COLUMNS, TABLE3_ROWS
from agent.report.parser import parse_report
from agent.report.reader import read_report
from agent.review.batch import review_paths
from agent.review.cells import ensure_cells
from agent.review.draft_view import draft_view, notes_from_parts, recheck_draft
from agent.review.grid import table_views
from agent.review.marks import MarkStore, reviewed
from agent.review.pairing import pair_years
from agent.review.results import check_file, copy_findings
from agent.review.similarity import COPY_THRESHOLD, section_similarity
from agent.review.summary import SUMMARY_COLUMNS, write_review

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "realdata" / "dev"


def planted_total(tmp_path: Path) -> Path:
    """The clean report with Table 3's 一、本年新收 × 总计 changed from 6 to 9."""
    text = clean_report_text()
    row = next(ln for ln in text.splitlines() if ln.startswith("| 一、本年新收"))
    path = tmp_path / "planted.md"
    path.write_text(text.replace(row, row.rsplit("|", 2)[0] + "| 9 |"), encoding="utf-8")
    return path


def cells_by_id(data: dict) -> dict[str, object]:
    return {c.cell_id: c for t in table_views(data) for row in t.rows for c in row if c.cell_id}


# --------------------------------------------------------------------------- one report


def test_every_cell_is_listed_with_its_label_column_value_and_state(tmp_path):
    path = tmp_path / "clean.md"
    path.write_text(clean_report_text(), encoding="utf-8")
    data = check_file(path)
    t3 = data["tables"]["table3"]["cells"]
    assert len(t3) == len(TABLE3_ROWS["2021"]) * len(TABLE3_COLUMNS) == 175
    cell = next(c for c in t3 if c["keys"] == ["new", "natural"])
    assert (cell["label"], cell["column"], cell["value"], cell["state"]) == (
        "一、本年新收政府信息公开申请数量",
        "自然人",
        5,
        "read",
    )
    assert cell["location"] == "表三 一、本年新收政府信息公开申请数量 × 自然人"
    assert data["summary"] == {"error": 0, "warning": 0, "info": 0}
    assert all(not c.classes or "sev-error" not in c.classes for c in cells_by_id(data).values())


def test_a_planted_table3_error_lands_on_its_cell_and_nowhere_else(tmp_path):
    data = check_file(planted_total(tmp_path))
    cells = cells_by_id(data)
    target = cells["表三:new:total"]
    assert "sev-error" in target.classes and "T3-ROW" in target.title
    assert target.text == "9"
    # the balance of the 总计 column marks its four rows; an untouched cell stays plain
    assert "sev-error" in cells["表三:carry_next:total"].classes
    assert "sev-error" not in cells["表三:new:natural"].classes
    assert "sev-error" not in cells["表三:granted:total"].classes
    flagged = [k for k, c in cells.items() if any(x.startswith("sev-") for x in c.classes)]
    assert sorted(flagged) == sorted(
        ["表三:new:total", "表三:carried:total", "表三:result_total:total", "表三:carry_next:total"]
    )


def test_cells_from_the_parser_json_are_used_when_present(tmp_path):
    """When the check JSON already carries cells (states from the parser), the grid shows those states."""
    report = read_report(planted_total(tmp_path))
    data = check_file(planted_total(tmp_path))
    for c in data["tables"]["table3"]["cells"]:
        if c["keys"] == ["granted", "natural"]:
            c["state"] = "uncertain"
    ensure_cells(data, report)  # keeps them
    assert "uncertain" in cells_by_id(data)["表三:granted:natural"].classes


def test_a_finding_that_names_its_cells_is_placed_on_them(tmp_path):
    path = tmp_path / "clean.md"
    path.write_text(clean_report_text(), encoding="utf-8")
    data = check_file(path)
    data["findings"].append(
        {
            "rule": "T3-VALUE",
            "severity": "warning",
            "message": "未能可靠识别",
            "location": "表三 法人或其他组织 5 列",
            "section": "requests",
            "key": "k1",
            "cells": ["t3:granted|business", "t2:art20_1/normative|issued", "t9:x|y"],
        }
    )
    cells = cells_by_id(data)
    assert "sev-warning" in cells["表三:granted:business"].classes
    assert "sev-warning" in cells["表二:art20_1:normative:issued"].classes
    assert cells["表三:granted:business"].findings == ["k1"]
    assert sum(1 for c in cells.values() if "sev-warning" in c.classes) == 2


def test_an_unreadable_file_is_a_clear_error(tmp_path):
    junk = tmp_path / "x.pdf"
    junk.write_bytes(b"\x00\x01\x02 not a pdf" * 50)
    with pytest.raises(InputError) as exc:
        check_file(junk)
    assert "pdf" in exc.value.message


# --------------------------------------------------------------------------- copied narrative


def _real(name: str) -> str:
    return (DEV / name).read_text(encoding="utf-8")


def test_the_real_consecutive_pair_is_not_a_copy():
    scores = section_similarity(
        parse_report(_real("pingtan-zonghe-2022.txt")), parse_report(_real("pingtan-zonghe-2021.txt"))
    )
    assert scores and all(s.score < COPY_THRESHOLD / 2 for s in scores if s.chars >= 100)
    assert (
        copy_findings(
            parse_report(_real("pingtan-zonghe-2022.txt")), parse_report(_real("pingtan-zonghe-2021.txt"))
        )
        == []
    )


def test_last_years_text_with_new_numbers_is_flagged():
    last = _real("pingtan-zonghe-2021.txt")
    rng = random.Random(1)
    copy = re.sub(r"\d+", lambda m: str(int(m.group(0)) + rng.randint(1, 9)), last)
    found = copy_findings(parse_report(copy), parse_report(last))
    assert found and {f.rule for f in found} == {"NARRATIVE-COPY"}  # per section, or 全文 when none is found
    assert all("100%" in f.message for f in found)


def test_a_copied_section_is_named():
    longer = {
        **NARRATIVES,
        "problems": NARRATIVES["problems"] + "今后将进一步完善工作机制，细化工作流程，压实工作责任。",
    }
    prev = parse_report(
        clean_report_text(year=2023, narratives={k: v.replace("2024", "2023") for k, v in longer.items()})
    )
    found = copy_findings(parse_report(clean_report_text(narratives=longer)), prev)
    assert {f.section for f in found} == {"overview", "problems"}  # 六 is one short line: not judged
    fresh = {**longer, "overview": "2024年，本局" + "全面推进政务公开标准化规范化。" * 12}
    assert {f.section for f in copy_findings(parse_report(clean_report_text(narratives=fresh)), prev)} == {
        "problems"
    }


# --------------------------------------------------------------------------- pairing


def test_pairing_takes_the_same_agency_and_the_year_before():
    units = [
        ("甲局", 2024),
        ("甲局", 2023),
        ("乙局", 2024),
        (None, 2024),
        ("丙局", 2024),
        ("丙局", 2023),
        ("丙局", 2023),
    ]
    got = pair_years(units)
    assert (got[0].previous, got[0].status) == (1, "paired")
    assert got[1].status == "no_previous" and got[2].status == "no_previous"
    assert got[3].status == "unknown"
    assert got[4].status == "duplicate" and got[4].previous is None  # two 丙局 2023: not guessed


# --------------------------------------------------------------------------- batch


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("batch")
    gen = generate(folder, units=5, defects=5)
    shutil.copy(DEV / "pingtan-zonghe-2021.txt", folder / "pingtan-2021.txt")
    (folder / "notes.xlsx").write_bytes(b"not a report")  # skipped: not a report type
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    return folder, gen


def test_batch_review_finds_each_planted_defect_and_pairs_the_years(batch):
    folder, gen = batch
    review = review_paths([folder], workers=2)
    by_path = {r.path: r for r in review.reports}
    assert len(review.reports) == len(gen) + 2
    assert review.skipped == [str(folder / "notes.xlsx")]
    for g in gen:
        data = by_path[g.path].data
        assert data is not None, g.path
        serious = {f["rule"] for f in data["findings"] if f["severity"] in ("error", "warning")}
        assert g.rules <= set(data["rules"]) and serious <= g.rules, (g.path.name, data["rules"])
        if g.previous is not None:
            assert data["previous"]["name"] == g.previous.name
            assert data["cross_year"]["status"] == ("mismatch" if g.defect == "carry" else "ok")
    assert by_path[folder / "broken.pdf"].data is None and "pdf" in by_path[folder / "broken.pdf"].error


def test_the_summary_xlsx_has_a_row_per_report_a_sheet_per_report_and_a_rule_rollup(batch, tmp_path):
    folder, gen = batch
    review = review_paths([folder], workers=1)
    out = tmp_path / "summary.xlsx"
    write_review(review, out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["汇总", "按规则"] and len(wb.sheetnames) == 2 + len(review.reports)
    rows = list(wb["汇总"].iter_rows(values_only=True))
    assert rows[0] == SUMMARY_COLUMNS and len(rows) == 1 + len(review.reports)
    by_file = {r[1]: dict(zip(SUMMARY_COLUMNS, r, strict=True)) for r in rows[1:]}
    t3 = next(g for g in gen if g.defect == "t3_total")
    assert by_file[t3.path.name]["错误"] >= 2 and "T3-ROW" in by_file[t3.path.name]["触发的规则"]
    assert all(by_file[g.path.name]["错误"] == 0 for g in gen if g.year == 2023)
    assert by_file["broken.pdf"]["说明"].startswith("无法读取")
    rules = {r[0]: r for r in wb["按规则"].iter_rows(min_row=2, values_only=True)}
    assert rules["X-CARRY"][3] == 1 and rules["NARRATIVE-COPY"][3] == 1
    html_out = tmp_path / "summary.html"
    write_review(review, html_out)
    assert t3.path.name in html_out.read_text(encoding="utf-8")
    with pytest.raises(InputError):
        write_review(review, tmp_path / "summary.doc")


def test_cli_review_writes_the_summary_and_json(batch, tmp_path):
    folder, gen = batch
    out = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(app, ["review", str(folder), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 1, result.output  # some reports have errors
    assert "份报告" in result.output and out.is_file()
    result = CliRunner().invoke(app, ["review", str(gen[0].path), str(gen[1].path), "--format", "json"])
    data = json.loads(result.output)
    assert [r["文件"] for r in data["reports"]] == [gen[0].path.name, gen[1].path.name]
    assert data["reports"][1]["result"]["cross_year"]["status"] in ("ok", "mismatch")
    bad = CliRunner().invoke(app, ["review", str(folder), "-o", str(tmp_path / "x.doc")])
    assert bad.exit_code == 2 and ".xlsx" in bad.output and "Traceback" not in bad.output
    missing = CliRunner().invoke(app, ["review", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "不存在" in missing.output


# --------------------------------------------------------------------------- marks


def test_marks_persist_per_document_and_finding(tmp_path):
    store = MarkStore(tmp_path / "marks.sqlite")
    data = check_file(planted_total(tmp_path))
    key = data["findings"][0]["key"]
    store.set(data["document"]["sha256"], key, "verified", "已电话核实")
    again = MarkStore(tmp_path / "marks.sqlite").for_document(data["document"]["sha256"])
    assert again == {key: {"status": "verified", "note": "已电话核实"}}
    r = reviewed(data, again)
    assert r["findings"][0]["review"]["label"] == "已核实" and r["review_summary"]["verified"] == 1
    store.set(data["document"]["sha256"], key, "", "")
    assert store.for_document(data["document"]["sha256"]) == {}
    with pytest.raises(InputError):
        store.set("d", "f", "maybe")


# --------------------------------------------------------------------------- draft view


def test_notes_from_the_part_form_read_back_as_the_same_parts():
    from agent.draft.notes import parse_notes

    text = notes_from_parts(
        AGENCY, "2024", {"proactive": "发布信息10条\n\n- 解读3篇", "problems": "解读不够", "other": "无"}
    )
    notes = parse_notes(text)
    assert (notes.agency, notes.year) == (AGENCY, 2024)
    assert [(b.part, b.text) for b in notes.bullets] == [
        ("proactive", "发布信息10条"),
        ("proactive", "解读3篇"),
        ("problems", "解读不够"),
        ("other", "无"),
    ]


def test_an_edited_paragraph_is_checked_again(tmp_path, shared_index):
    from agent.draft.pipeline import draft_report, prepare_inputs
    from agent.settings import load_settings

    settings = load_settings(index_path=shared_index, offline=True)
    notes, figures = ROOT / "examples" / "notes-2024.md", ROOT / "examples" / "figures-2024.yaml"
    draft_report(notes, figures, tmp_path, settings)
    view = draft_view(tmp_path)
    assert [s.key for s in view.sections] == [
        "overview",
        "proactive",
        "requests",
        "review",
        "problems",
        "other",
    ]
    assert view.summary["error"] == 0
    para = next(p for p in view.sections[0].paragraphs if "收到政府信息公开申请" in p.text)
    assert para.sources and para.sources["figures"]
    edited = re.sub(r"收到政府信息公开申请\d+件", "收到政府信息公开申请99件", para.text)
    _, fig, _, _ = prepare_inputs(notes, figures, None, None)
    after = recheck_draft(tmp_path, {para.field_name: edited}, fig, settings)
    hit = next(p for p in after.sections[0].paragraphs if p.field_name == para.field_name)
    assert "99件" in hit.text and hit.edited and [f["rule"] for f in hit.findings] == ["NARRATIVE-TABLE"]
    assert "99件" in (tmp_path / "draft.md").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "draft.check.json").read_text(encoding="utf-8"))["summary"]["error"] == 1


def test_the_process_pool_gives_the_same_results_as_one_process(batch, monkeypatch):
    import agent.review.batch as batch_module

    folder, _ = batch
    inline = review_paths([folder], workers=2)
    assert inline.workers == 1  # small batch: cheaper without a pool
    monkeypatch.setattr(batch_module, "POOL_ABOVE", 0.0)
    seen: list[int] = []
    pooled = review_paths([folder], workers=2, progress=lambda done, total, name: seen.append(done))
    assert pooled.workers == 2 and sorted(seen) == list(range(1, len(pooled.reports) + 1))
    assert [(r.name, r.data and r.data["rules"], r.error) for r in pooled.reports] == [
        (r.name, r.data and r.data["rules"], r.error) for r in inline.reports
    ]


# --------------------------------------------------------------------------- a real report's cell states


def test_a_real_crawler_report_shows_derived_and_uncertain_cells_with_their_source():
    """平潭 2021: Table 3's run-together rows decoded by the identities show as derived, the
    unreadable Table 2 row as uncertain (shown “？”), each with where it came from."""
    data = check_file(DEV / "pingtan-zonghe-2021.txt")
    assert data["cells_from"] == "parser"  # the check JSON's own cells, not a second listing
    cells = cells_by_id(data)
    new = cells["表三:new:natural"]
    assert "derived" in new.classes and new.text == "64"
    assert "由表内勾稽关系推算得出" in new.title and "第10行" in new.title and "原文“64”" in new.title
    normative = [cells[f"表二:art20_1:normative:{c}"] for c in ("issued", "repealed", "in_force")]
    assert all("uncertain" in c.classes and c.text == "？" for c in normative)
    assert "未能可靠识别" in normative[0].title
    assert data["uncertain_cells"] == 3
    read = cells["表三:carried:natural"]
    assert not {"derived", "uncertain"} & set(read.classes)


def test_check_previous_on_the_command_line_flags_a_copied_section_too(tmp_path):
    """`report-agent check --previous` says what batch review and the web page say."""
    longer = {
        **NARRATIVES,
        "problems": NARRATIVES["problems"] + "今后将进一步完善工作机制，细化工作流程，压实工作责任。",
    }
    prev = tmp_path / "2023.md"
    prev.write_text(
        clean_report_text(year=2023, narratives={k: v.replace("2024", "2023") for k, v in longer.items()}),
        encoding="utf-8",
    )
    this = tmp_path / "2024.md"
    this.write_text(clean_report_text(narratives=longer), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(this), "--previous", str(prev), "--format", "json"])
    data = json.loads(result.output)
    copies = [f for f in data["findings"] if f["rule"] == "NARRATIVE-COPY"]
    assert {f["section"] for f in copies} == {"overview", "problems"}
    assert all(f["severity"] == "warning" for f in copies) and result.exit_code == 0
