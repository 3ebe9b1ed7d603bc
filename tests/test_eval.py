"""`report-agent eval`: the draft regression gate bites, compares with the baseline, reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import agent.draft.compose_offline as compose_offline
from agent.cli import app

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "eval" / "cases"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _index(shared_index, monkeypatch):
    monkeypatch.setenv("REPORT_AGENT_INDEX_PATH", str(shared_index))


def run_eval(*args: str):
    return runner.invoke(app, ["eval", *args])


def test_at_least_twelve_cases_with_every_assertion_type():
    import yaml

    from agent.evals.cases import ASSERTION_TYPES

    cases = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in CASES.glob("*.yaml")]
    assert len(cases) >= 12
    used = {a["type"] for c in cases for a in c["assertions"]}
    assert used >= set(ASSERTION_TYPES) - {"max_llm_calls", "max_tokens"}
    assert {c["kind"] for c in cases} == {"annual", "implementation", "ask"}


def test_all_cases_pass_against_the_committed_baseline(tmp_path):
    report = tmp_path / "eval.html"
    result = run_eval(str(CASES), "--baseline", str(ROOT / "eval" / "baseline.json"), "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "未通过 0" in result.output
    html = report.read_text(encoding="utf-8")
    assert "luoyang-2021" in html and "<table>" in html


def test_a_degraded_composer_makes_the_gate_fail(monkeypatch, tmp_path):
    monkeypatch.setattr(compose_offline, "enumerate_clauses", lambda clauses: clauses[0])
    out = tmp_path / "results.json"
    result = run_eval(
        str(CASES / "luoyang-2021.yaml"), "--baseline", str(tmp_path / "none.json"), "--json", str(out)
    )
    assert result.exit_code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    failed = {a["id"] for a in data[0]["assertions"] if not a["passed"]}
    assert "notes_covered" in failed


def test_a_score_below_the_baseline_is_a_regression(tmp_path):
    case = CASES / "minimal-notes.yaml"
    baseline = tmp_path / "baseline.json"
    assert run_eval(str(case), "--baseline", str(baseline), "--update-baseline").exit_code == 0
    data = json.loads(baseline.read_text(encoding="utf-8"))
    assert data["minimal-notes"]["notes_covered"] == 1.0
    data["minimal-notes"]["sections_complete"] = 1.5  # a better past than today: regressed
    baseline.write_text(json.dumps(data), encoding="utf-8")
    result = run_eval(str(case), "--baseline", str(baseline))
    assert result.exit_code == 1 and "退步" in result.output
    data["minimal-notes"]["sections_complete"] = 1.01  # within the 0.02 tolerance
    baseline.write_text(json.dumps(data), encoding="utf-8")
    assert run_eval(str(case), "--baseline", str(baseline)).exit_code == 0


def test_a_crashing_case_exits_2(tmp_path):
    case = tmp_path / "broken.yaml"
    shutil.copy(CASES / "minimal-notes.yaml", case)  # its data/ paths do not exist beside the copy
    result = run_eval(str(case), "--baseline", str(tmp_path / "b.json"))
    assert result.exit_code == 2 and "出错 1" in result.output


def test_a_malformed_case_is_a_configuration_error(tmp_path):
    case = tmp_path / "bad.yaml"
    case.write_text("name: bad\nkind: annual\nassertions:\n  - {type: looks_good}\n", encoding="utf-8")
    result = run_eval(str(case))
    assert result.exit_code == 2 and "未知的断言类型" in result.output


def test_rouge_l_scores_overlap():
    from agent.evals.cases import rouge_l

    ref = "全年共收到政府信息公开申请5件，均在法定期限内答复。"
    assert rouge_l(ref, ref) == pytest.approx(1.0)
    assert 0 < rouge_l("全年收到申请5件，按时答复。", ref) < 1
    assert rouge_l("天气晴朗。", ref) == 0.0
