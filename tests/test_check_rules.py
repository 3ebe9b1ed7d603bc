"""One planted defect per rule id in an otherwise clean report: that rule fires."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from report_fixtures import NARRATIVES, clean_figures, clean_report_text
from typer.testing import CliRunner

from agent.cli import app
from agent.report.checks import check_report
from agent.report.labels import RULES
from agent.report.model import Finding
from agent.report.parser import parse_report

runner = CliRunner()


def run_check(text: str, previous: str | None = None) -> list[Finding]:
    prev = parse_report(previous, source="previous.md") if previous else None
    return check_report(parse_report(text, source="report.md"), previous=prev)


def plant(text: str, old: str, new: str) -> str:
    assert old in text, f"fixture no longer contains {old!r}"
    return text.replace(old, new, 1)


def set_row(text: str, label: str, values: list[str]) -> str:
    pattern = re.compile(rf"^\| {re.escape(label)} \|.*$", re.M)
    assert pattern.search(text), label
    return pattern.sub(lambda _: "| " + " | ".join([label, *values]) + " |", text, count=1)


@pytest.fixture(scope="module")
def clean() -> str:
    return clean_report_text()


def test_clean_report_has_no_error_or_warning(clean):
    findings = run_check(clean)
    assert [(f.rule, f.message) for f in findings] == []


def _previous_report(carry_natural: int = 1, in_force: int = 8) -> str:
    fig = clean_figures()
    fig.table3.set("carry_next", "natural", carry_natural)
    fig.table3.set("carry_next", "total", carry_natural)
    fig.table2.set("art20_1", "normative", "in_force", in_force)
    narr = {**NARRATIVES, "overview": NARRATIVES["overview"].replace("2024年", "2023年")}
    return clean_report_text(fig, narr, year=2023)


def _section(text: str, heading: str) -> tuple[str, str]:
    """(the section from its heading to the next, its body without the heading)."""
    start = text.index(heading)
    end = text.index("\n## ", start + 1)
    part = text[start:end]
    return part, part.split("\n", 1)[1]


PLANTS: dict[str, Callable[[str], str]] = {
    "T3-ROW": lambda t: set_row(t, "（一）予以公开", ["3", "0", "0", "0", "0", "0", "4"]),
    "T3-RESULT": lambda t: set_row(t, "（一）予以公开", ["3", "1", "0", "0", "0", "0", "4"]),
    "T3-BALANCE": lambda t: set_row(t, "四、结转下年度继续办理", ["1", "0", "0", "0", "0", "2", "3"]),
    "T4-TOTAL": lambda t: plant(t, "| 1 | 0 | 0 | 0 | 1 |", "| 1 | 0 | 0 | 0 | 2 |"),
    "T2-VALUE": lambda t: plant(t, "| 行政许可 | 12 |", "| 行政许可 | / |"),
    "T3-VALUE": lambda t: set_row(
        t, "（四）无法提供 1.本机关不掌握相关政府信息", ["1", "三", "0", "0", "0", "0", "1"]
    ),
    "T4-VALUE": lambda t: plant(t, "| 1 | 0 | 0 | 0 | 1 |", "| 1 | 0 | -1 | 0 | 0 |"),
    "SECTION-MISSING": lambda t: plant(t, "## 五、存在的主要问题及改进情况", ""),
    "SECTION-ORDER": lambda t: (
        t.replace("## 五、存在的主要问题及改进情况", "##TMP")
        .replace("## 六、其他需要报告的事项", "## 五、存在的主要问题及改进情况")
        .replace("##TMP", "## 六、其他需要报告的事项")
    ),
    "SECTION-HEADING": lambda t: plant(
        t, "## 五、存在的主要问题及改进情况", "## 五、工作中存在的主要问题及改进情况"
    ),
    "TABLE-MISSING": lambda t: (
        t[: t.index("## 四、政府信息公开行政复议")]
        + "## 四、政府信息公开行政复议、行政诉讼情况\n\n本年度无。\n\n"
        + t[t.index("## 五、存在的主要问题") :]
    ),
    "FORMAT-VERSION": lambda t: clean_report_text(clean_figures("2019")),
    "NARRATIVE-TABLE": lambda t: plant(t, "全年共收到政府信息公开申请6件", "全年共收到政府信息公开申请9件"),
    "YEAR": lambda t: plant(
        t, "统计期限自2024年1月1日起至2024年12月31日止", "统计期限自2023年1月1日起至2023年12月31日止"
    ),
    "ENUM-GAP": lambda t: plant(t, "二是做好行政规范性文件", "三是做好行政规范性文件"),
    "FOREIGN-AGENCY": lambda t: plant(
        t, "持续提升政府信息公开质量和实效", "学习借鉴杭州市民宗局的做法，持续提升政府信息公开质量和实效"
    ),
    "PLACEHOLDER": lambda t: plant(t, "开展业务培训。", "开展业务培训XX次（待补充）。"),
    "FEE-STATEMENT": lambda t: plant(t, "本年度未收取信息处理费。", ""),
    "TITLE": lambda t: t.split("\n", 1)[1],
    # digits run together with too few of them for the row's seven cells: cannot be read
    "TABLE-READ": lambda t: set_row(t, "（一）予以公开", ["30003"]),
    # statements (agent/report/statements.py)
    "STMT-FEE": lambda t: plant(t, "本年度无其他需要报告的事项。", "本年度收取信息处理费共计三千余元。"),
    "STMT-DONE": lambda t: plant(t, "开展业务培训。", "开展业务培训。所有申请均已按要求办理完成。"),
    "STMT-REVIEW": lambda t: plant(t, "行政复议1件、行政诉讼0件", "行政复议两件、行政诉讼0件"),
    "DUPLICATE": lambda t: plant(
        t, "下一步将加强培训，提升工作水平。", "严格执行公开前保密审查制度，做到先审查、后公开。"
    ),
    # parts twice and mixed editions (agent/report/repeats.py)
    "SECTION-TWICE": lambda t: t + "\n## 六、其他需要报告的事项\n\n本年度未收取信息处理费。\n",
    "TABLE-TWICE": lambda t: plant(
        t, "## 四、政府信息公开行政复议", _section(t, "## 三、")[1] + "\n## 四、政府信息公开行政复议"
    ),
    "FORMAT-MIXED": lambda t: plant(
        t, _section(t, "## 二、")[0], _section(clean_report_text(clean_figures("2019")), "## 二、")[0]
    ),
}
CROSS_YEAR = {"X-CARRY": _previous_report(carry_natural=2), "X-VALID": _previous_report(in_force=3)}


@pytest.mark.parametrize("rule", sorted(PLANTS))
def test_planted_defect_fires_its_rule(clean, rule):
    findings = run_check(PLANTS[rule](clean))
    fired = [f for f in findings if f.rule == rule]
    assert fired, f"{rule} did not fire; got {[(f.rule, f.message) for f in findings]}"
    assert all(f.message for f in fired)


@pytest.mark.parametrize("rule", sorted(CROSS_YEAR))
def test_cross_year_defect_fires_its_rule(clean, rule):
    findings = run_check(clean, previous=CROSS_YEAR[rule])
    assert rule in {f.rule for f in findings}


def test_consistent_previous_year_gives_no_cross_year_finding(clean):
    findings = run_check(clean, previous=_previous_report())
    assert not {f.rule for f in findings} & {"X-CARRY", "X-VALID"}


def test_every_rule_id_is_exercised():
    assert {r.id for r in RULES} == set(PLANTS) | set(CROSS_YEAR)


def test_findings_name_the_cell_and_quote_the_sentence(clean):
    findings = run_check(PLANTS["T3-VALUE"](clean))
    assert any(
        f.location == "表三 （四）无法提供 1.本机关不掌握相关政府信息 × 商业企业" and "“三”" in f.message
        for f in findings
    )
    findings = run_check(PLANTS["NARRATIVE-TABLE"](clean))
    hit = next(f for f in findings if f.rule == "NARRATIVE-TABLE")
    assert "全年共收到政府信息公开申请9件" in hit.message and hit.section == "overview"
    assert re.search(r"第\d+行", hit.location)


def test_cli_json_and_exit_codes(tmp_path, clean):
    good = tmp_path / "good.md"
    good.write_text(clean, encoding="utf-8")
    result = runner.invoke(app, ["check", str(good), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["report"]["agency"] == "示例县民族宗教事务局" and data["report"]["year"] == 2024
    assert data["report"]["format"] == "2021" and data["findings"] == []
    bad = tmp_path / "bad.md"
    bad.write_text(PLANTS["T3-ROW"](clean), encoding="utf-8")
    result = runner.invoke(app, ["check", str(bad), "--format", "json"])
    assert result.exit_code == 1
    found = json.loads(result.output)["findings"]
    assert {"rule", "severity", "message", "location"} <= set(found[0])
    assert any(f["rule"] == "T3-ROW" for f in found)
    text = runner.invoke(app, ["check", str(bad)])
    assert (
        text.exit_code == 1
        and "三、收到和处理政府信息公开申请情况" in text.output
        and "T3-ROW" in text.output
    )


def test_warnings_only_exit_0(tmp_path, clean):
    path = tmp_path / "warn.md"
    path.write_text(PLANTS["SECTION-HEADING"](clean), encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0 and "SECTION-HEADING" in result.output


def test_previous_option_on_cli(tmp_path, clean):
    this, prev = tmp_path / "2024.md", tmp_path / "2023.md"
    this.write_text(clean, encoding="utf-8")
    prev.write_text(CROSS_YEAR["X-CARRY"], encoding="utf-8")
    result = runner.invoke(app, ["check", str(this), "--previous", str(prev), "--format", "json"])
    assert result.exit_code == 1
    assert any(f["rule"] == "X-CARRY" for f in json.loads(result.output)["findings"])
