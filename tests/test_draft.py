"""The offline drafter on the bundled example, and its guardrails on bad or thin input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.draft.notes import parse_notes
from agent.draft.pipeline import draft_report
from agent.report.checks import check_report
from agent.report.names import find_foreign_names, own_identity
from agent.report.reader import read_report
from agent.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NOTES, FIGURES, PREVIOUS = (
    EXAMPLES / "notes-2024.md",
    EXAMPLES / "figures-2024.yaml",
    EXAMPLES / "report-2023.md",
)
runner = CliRunner()


@pytest.fixture
def settings(shared_index: Path):
    return load_settings(index_path=shared_index, offline=True)


@pytest.fixture(scope="module")
def example_draft(tmp_path_factory: pytest.TempPathFactory, shared_index: Path):
    out = tmp_path_factory.mktemp("draft")
    settings = load_settings(index_path=shared_index, offline=True)
    return draft_report(NOTES, FIGURES, out, settings, previous_path=PREVIOUS)


def test_example_draft_passes_check_with_no_error(example_draft):
    assert example_draft.mode == "offline"
    assert [f for f in example_draft.findings if f.severity == "error"] == []
    for name in ("draft.md", "draft.docx", "draft.check.json", "draft.sources.json"):
        assert example_draft.files[name].is_file()
    # the written markdown, read back by the checker from disk, is clean too
    report = read_report(example_draft.files["draft.md"])
    assert [
        f.rule for f in check_report(report, previous=read_report(PREVIOUS)) if f.severity == "error"
    ] == []
    assert report.table3 is not None and report.table3.get("new", "total") == 5


def test_example_draft_names_no_other_agency_or_place(example_draft):
    text = example_draft.files["draft.md"].read_text(encoding="utf-8")
    corpus_agencies = (
        "洛阳市民族宗教事务局",
        "杭州市民宗局",
        "开封市民族宗教局",
        "上海市民族和宗教事务局",
        "淮安市人民政府",
        "高台县",
    )
    assert not [a for a in corpus_agencies if a in text]
    identity = own_identity("示例县民族宗教事务局", text)
    assert find_foreign_names(text, identity, corpus_agencies) == []


def test_every_bullet_is_used_and_traced(example_draft):
    notes = parse_notes(NOTES.read_text(encoding="utf-8"))
    sources = json.loads(example_draft.files["draft.sources.json"].read_text(encoding="utf-8"))
    traced = {b["id"] for p in sources["paragraphs"] for b in p["bullets"]}
    assert traced == {b.id for b in notes.bullets}
    text = example_draft.files["draft.md"].read_text(encoding="utf-8")
    for number in ("218", "96"):
        assert number in text
    exemplar_docs = {e["document"] for p in sources["paragraphs"] for e in p["exemplars"]}
    assert exemplar_docs and all(d for d in exemplar_docs)


def test_every_number_in_the_narrative_is_grounded(example_draft):
    from agent.draft.guardrails import allowed_numbers, number_violations
    from agent.figures.reading import load_figures
    from agent.report.tables import complete_figures

    fig = load_figures(FIGURES)
    complete_figures(fig)
    notes = parse_notes(NOTES.read_text(encoding="utf-8"))
    allowed = allowed_numbers(fig, 2024, [b.text for b in notes.bullets])
    text = example_draft.files["draft.md"].read_text(encoding="utf-8")
    narrative = "\n".join(line for line in text.split("\n") if not line.startswith("|"))
    assert number_violations(narrative, allowed) == []


def test_docx_has_official_headings_and_tables(example_draft):
    document = docx.Document(str(example_draft.files["draft.docx"]))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "示例县民族宗教事务局2024年政府信息公开工作年度报告"
    for heading in (
        "一、总体情况",
        "二、主动公开政府信息情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ):
        assert heading in texts
    assert len(document.tables) == 3
    xml = document.element.xml
    assert 'w:eastAsia="仿宋_GB2312"' in xml and 'w:eastAsia="方正小标宋简体"' in xml
    assert read_report(example_draft.files["draft.docx"]).table3 is not None


def test_notes_contradicting_figures_are_flagged_not_copied(tmp_path, settings):
    notes = tmp_path / "notes.md"
    notes.write_text(
        NOTES.read_text(encoding="utf-8").replace(
            "- 申请主要涉及宗教活动场所登记和民族成分变更",
            "- 全年共收到政府信息公开申请9件\n- 申请主要涉及宗教活动场所登记和民族成分变更",
        ),
        encoding="utf-8",
    )
    result = draft_report(notes, FIGURES, tmp_path / "out", settings)
    text = result.files["draft.md"].read_text(encoding="utf-8")
    assert "申请9件" not in text and "收到政府信息公开申请5件" in text
    check = json.loads(result.files["draft.check.json"].read_text(encoding="utf-8"))
    flagged = [f for f in check["findings"] if f["rule"] == "NARRATIVE-TABLE"]
    assert len(flagged) == 1 and "要点" in flagged[0]["location"] and "9" in flagged[0]["message"]
    sources = json.loads(result.files["draft.sources.json"].read_text(encoding="utf-8"))
    assert [b["text"] for b in sources["bullets_not_used"]] == ["全年共收到政府信息公开申请9件"]


def test_minimal_notes_give_a_complete_draft_that_says_what_it_lacks(tmp_path, settings):
    notes = tmp_path / "notes.md"
    notes.write_text(
        "---\n机关: 示例县民族宗教事务局\n年度: 2024\n---\n# 总体情况\n## 主动公开\n- 发布信息 218 条\n",
        encoding="utf-8",
    )
    result = draft_report(notes, FIGURES, tmp_path / "out", settings)
    text = result.files["draft.md"].read_text(encoding="utf-8")
    for heading in ("## 一、总体情况", "## 五、存在的主要问题及改进情况", "## 六、其他需要报告的事项"):
        assert heading in text
    assert "收到政府信息公开申请5件" in text  # figure sentences need no bullets
    missing = re.findall(r"【待补充：([^】]+)】", text)
    assert any("政府信息管理" in m for m in missing) and any("存在的主要问题" in m for m in missing)
    rules = {f.rule for f in result.findings}
    assert "PLACEHOLDER" in rules and result.errors > 0


def test_invalid_figures_write_nothing_and_exit_1(tmp_path):
    bad = tmp_path / "figures.yaml"
    bad.write_text(
        FIGURES.read_text(encoding="utf-8").replace("行政复议: [1, 0, 0, 0]", "行政复议: [1, 0, 0, 0, 5]"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["draft", str(NOTES), "-F", str(bad), "-o", str(out), "--offline"])
    assert result.exit_code == 1
    assert "T4-TOTAL" in result.output and "表四 行政复议 × 总计" in result.output
    assert not out.exists()


def test_cli_draft_reports_mode_and_keeps_an_earlier_draft(tmp_path, shared_index, monkeypatch):
    monkeypatch.setenv("REPORT_AGENT_INDEX_PATH", str(shared_index))
    out = tmp_path / "out"
    out.mkdir()
    (out / "draft.md").write_text("我改过的草稿", encoding="utf-8")
    result = runner.invoke(
        app, ["draft", str(NOTES), "-F", str(FIGURES), "-p", str(PREVIOUS), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "离线模式" in result.output and "draft.docx" in result.output
    kept = [p for p in out.glob("draft.*.md")]
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "我改过的草稿"


@pytest.mark.parametrize(
    ("content", "message"),
    [("# 总体情况\n", "没有找到任何要点"), ("---\n机关: [\n---\n- a\n", "YAML")],
)
def test_bad_notes_exit_2(tmp_path, content, message):
    notes = tmp_path / "notes.md"
    notes.write_text(content, encoding="utf-8")
    result = runner.invoke(
        app, ["draft", str(notes), "-F", str(FIGURES), "-o", str(tmp_path / "o"), "--offline"]
    )
    assert result.exit_code == 2 and message in result.output and "notes.md" in result.output
    assert "Traceback" not in result.output
