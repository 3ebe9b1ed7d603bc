"""`--previous` must be the same agency's report for the year before: anything else is warned."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from agent.cli import app

ROOT = Path(__file__).resolve().parents[1]
OWN_2023 = ROOT / "examples" / "report-2023.md"
OTHER_2020 = ROOT / "corpus" / "seeds" / "003_5224c11c69bf291e.txt"  # 洛阳市民族宗教事务局, 2020
runner = CliRunner()


def _carry_warnings(report: Path, previous: Path) -> list[str]:
    result = runner.invoke(app, ["check", str(report), "--previous", str(previous), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.output)["findings"]
    return [f["message"] for f in findings if f["rule"] == "X-CARRY" and f["severity"] == "warning"]


def test_previous_report_of_another_agency_is_warned():
    messages = _carry_warnings(OWN_2023, OTHER_2020)
    assert any(
        "洛阳市民族宗教事务局" in m and "示例县民族宗教事务局" in m and "本机关" in m for m in messages
    )
    assert any("2020年度" in m and "2022年度" in m for m in messages)  # and it is not of year − 1


def test_previous_report_of_the_same_year_is_warned():
    messages = _carry_warnings(OWN_2023, OWN_2023)
    assert any("2023年度" in m and "应提供2022年度" in m for m in messages)
    assert not any("本机关" in m for m in messages)  # same agency: no agency warning
